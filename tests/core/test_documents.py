"""PDF documents: rendered by WeasyPrint from print templates, with static files from disk and nothing fetched."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import zlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory

from tabwise.core import documents, tenancy
from tabwise.core.testing.factories import UserFactory
from tabwise.tenants.models import Business

SAMPLE = """{% extends "print/base.html" %}{% load charts %}
{% block title %}Statement{% endblock %}
{% block content %}<h1>Statement for Zqx Customer</h1>
{% bar_chart amounts labels title="Balance by age" currency="USD" %}
{% for i in lines %}<p>Line {{ i }}</p>{% endfor %}
{% endblock %}"""

HOSTILE = """{% extends "print/base.html" %}
{% block extra_style %}body { background: url("https://tracker.example/pixel.png"); }{% endblock %}
{% block content %}<h1>Hostile</h1>
<img src="http://tracker.example/logo.png" alt="">
<img src="file:///etc/passwd" alt="">
<img src="../../settings.py" alt="">
<img src="/static/../../settings.py" alt="">
<link rel="stylesheet" href="//tracker.example/x.css">
<link rel="stylesheet" href="{{ stylesheet }}">
{% endblock %}"""


@pytest.fixture
def print_templates(tmp_path, settings):
    """A template folder for these tests, ahead of the project's own."""
    folder = tmp_path / "templates"
    (folder / "print").mkdir(parents=True)
    (folder / "print" / "sample.html").write_text(SAMPLE)
    (folder / "print" / "hostile.html").write_text(HOSTILE)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [folder, *settings.TEMPLATES[0]["DIRS"]]}]
    return folder


@pytest.fixture
def acme() -> Business:
    return Business(name="Acme Tools", phone="+13125550100", city="Springfield", state="IL")


@pytest.fixture
def no_network(monkeypatch):
    """Record (and block) every attempt to open a connection."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def pdf_title(pdf: bytes) -> str:
    """The document title from the PDF's metadata (in a compressed object stream, as UTF-16 hex)."""
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            continue
        match = re.search(rb"/Title <feff([0-9a-f]*)>", data, re.I) or re.search(rb"/Title \(([^)]*)\)/Producer", data)
        if match:
            raw = match.group(1)
            return bytes.fromhex(raw.decode()).decode("utf-16-be") if re.fullmatch(rb"[0-9a-f]+", raw) else raw.decode()
    raise AssertionError("no title in the PDF metadata")


def test_render_pdf_makes_a_letter_pdf_titled_with_the_business(print_templates, acme, no_network):
    pdf = documents.render_pdf("print/sample.html", {"business": acme, "amounts": [1, 2], "labels": ["a", "b"]})

    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 5_000
    assert b"/MediaBox [0 0 612 792]" in pdf or b"612 792" in zlib_streams(pdf)
    assert pdf_title(pdf) == "Statement · Acme Tools"
    assert no_network == []


def zlib_streams(pdf: bytes) -> bytes:
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"".join(chunks)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (Debian's poppler-utils)")
def test_every_page_has_the_business_header_and_page_x_of_y(print_templates, acme, tmp_path):
    pdf = documents.render_pdf("print/sample.html", {"business": acme, "amounts": [], "labels": [], "lines": range(90)})
    (tmp_path / "out.pdf").write_bytes(pdf)

    text = subprocess.run(["pdftotext", "-layout", tmp_path / "out.pdf", "-"], capture_output=True, check=True).stdout
    pages = text.decode().split("\f")[:-1]

    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert "Acme Tools" in page
        assert "+13125550100 · Springfield, IL" in page
        assert f"Page {number} of {len(pages)}" in page
    assert "Statement for Zqx Customer" in pages[0]


def test_outside_urls_are_refused_and_never_fetched(print_templates, acme, no_network):
    fetcher = documents.StaticFilesFetcher()

    pdf = documents.render_pdf(
        "print/hostile.html", {"business": acme, "stylesheet": "http://127.0.0.1:9/x.css"}, url_fetcher=fetcher
    )

    assert pdf.startswith(b"%PDF-")
    assert no_network == []
    assert "http://tracker.example/logo.png" in fetcher.refused
    assert "https://tracker.example/pixel.png" in fetcher.refused
    assert "file:///etc/passwd" in fetcher.refused
    assert "http://127.0.0.1:9/x.css" in fetcher.refused
    assert len(fetcher.refused) == 7


def test_the_fetcher_serves_static_files_from_disk():
    fetcher = documents.StaticFilesFetcher()
    css = (Path(django_settings.BASE_DIR) / "tabwise" / "static" / "tabwise.css").read_bytes()

    by_static_url = fetcher.fetch("file:///static/tabwise.css")
    relative = fetcher.fetch(documents.base_url() + "tabwise.css")
    inline = fetcher.fetch("data:text/css,p%7Bcolor:red%7D")

    assert by_static_url.read() == css
    assert relative.read() == css
    assert inline.read() == b"p{color:red}"
    for response in (by_static_url, relative, inline):
        response.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/tabwise.css",
        "https://example.com/static/tabwise.css",
        "ftp://example.com/x",
        "file:///etc/passwd",
        "file:///static/../../settings.py",
        "file://evil.example/static/tabwise.css",
        "FILE:///static/missing.css",
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files(url, no_network):
    fetcher = documents.StaticFilesFetcher()

    with pytest.raises(documents.ResourceRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert no_network == []


def test_the_fetcher_refuses_a_relative_path_out_of_the_static_folder():
    with pytest.raises(documents.ResourceRefused):
        documents.StaticFilesFetcher().fetch(documents.base_url() + "../settings.py")


@pytest.mark.django_db
def test_with_a_request_the_business_comes_from_the_signed_in_user(print_templates, business):
    request = RequestFactory().get("/")
    request.user = UserFactory(business=business, level=3)

    with tenancy.business_scope(business):  # as TenancyMiddleware sets it for a view
        pdf = documents.render_pdf("print/sample.html", {"amounts": [1], "labels": ["a"]}, request=request)

    assert pdf_title(pdf) == "Statement · Acme Tools"


def test_pdf_response_is_inline_by_default_and_never_cached():
    shown = documents.pdf_response(b"%PDF-1.7 x", "statement A-1.pdf")
    downloaded = documents.pdf_response(b"%PDF-1.7 x", "statement A-1.pdf", inline=False)

    assert shown["Content-Type"] == "application/pdf"
    assert shown["Content-Disposition"] == 'inline; filename="statement A-1.pdf"'
    assert downloaded["Content-Disposition"] == 'attachment; filename="statement A-1.pdf"'
    assert "no-store" in shown["Cache-Control"]
    assert shown.content == b"%PDF-1.7 x"
