"""PDF documents: a Django template rendered by WeasyPrint, with nothing fetched from the network.

Print templates extend `print/base.html` (letter pages, the business's name, phone and town at the top of each page,
"Page X of Y" at the foot). Stylesheets and images resolve from our own static files on disk: `STATIC_URL` paths
(what `{% static %}` writes), paths relative to the static folder and `data:` URLs. Every other URL is refused
before any connection is made, so a customer-supplied value in a template can never make the server fetch a URL.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import weasyprint
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils._os import safe_join
from weasyprint.urls import URLFetcher, URLFetcherResponse

from tabwise.core.exports import download_response

logger = logging.getLogger(__name__)
# WeasyPrint reports each layout step at INFO; our root logger is at INFO, which would log seven lines per document.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class ResourceRefused(ValueError):
    """A document asked for a URL that is not one of our static files (WeasyPrint logs it and leaves it out)."""


def static_roots() -> list[Path]:
    """The folders a document may read from: STATIC_ROOT, STATICFILES_DIRS and each app's static/ folder."""
    roots = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    for entry in settings.STATICFILES_DIRS:
        roots.append(Path(entry[1] if isinstance(entry, tuple | list) else entry))
    roots.extend(Path(config.path) / "static" for config in apps.get_app_configs())
    return [root.resolve() for root in roots if root.is_dir()]


def _find_static(relative: str) -> Path | None:
    """A file named as `{% static %}` names it: collected files first (hashed names), then the finders."""
    relative = relative.lstrip("/")
    try:
        if settings.STATIC_ROOT:
            collected = Path(safe_join(str(settings.STATIC_ROOT), relative))
            if collected.is_file():
                return collected
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    return Path(found) if isinstance(found, str) else None


def _inside_static_roots(path: Path) -> Path | None:
    resolved = path.resolve()
    if resolved.is_file() and any(resolved.is_relative_to(root) for root in static_roots()):
        return resolved
    return None


class StaticFilesFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves our static files from disk and refuses everything else.

    Refusals raise `ResourceRefused` before any connection is opened; `refused` keeps them for tests and logs.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=["data", "file"], allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)  # decoded in memory; no connection is possible
        path = self._static_path(url)
        if path is None:
            self.refused.append(url)
            logger.warning("document resource refused: %s", url[:200])
            raise ResourceRefused(f"not a static file: {url[:200]}")
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes())

    @staticmethod
    def _static_path(url: str) -> Path | None:
        static_url = settings.STATIC_URL or "/static/"
        if urlsplit(static_url).scheme and url.startswith(static_url):  # STATIC_URL on a CDN: use the local copy
            return _find_static(unquote(urlsplit(url[len(static_url) :]).path))
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in {"", "localhost"}:
            return None
        static_path = urlsplit(static_url).path
        if parts.path.startswith(static_path):  # "/static/x.css" against our file: base URL
            return _find_static(unquote(parts.path[len(static_path) :]))
        return _inside_static_roots(Path(url2pathname(parts.path)))


def base_url() -> str:
    """Relative URLs in a document resolve against the project's static folder on disk."""
    roots = [Path(entry) for entry in settings.STATICFILES_DIRS if not isinstance(entry, tuple | list)]
    folder = roots[0] if roots else Path(settings.BASE_DIR)
    return folder.resolve().as_uri() + "/"


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    request: HttpRequest | None = None,
    url_fetcher: StaticFilesFetcher | None = None,
) -> bytes:
    """Render `template_name` (usually extending print/base.html) to PDF bytes.

    With `request`, the context processors run as for a page (so `business` is the signed-in user's business);
    without one (a task), pass `business` in `context`. Resources come only from `StaticFilesFetcher`.
    """
    html = render_to_string(template_name, context, request=request)
    document = weasyprint.HTML(string=html, base_url=base_url(), url_fetcher=url_fetcher or StaticFilesFetcher())
    pdf: bytes = document.write_pdf()
    return pdf


def pdf_response(pdf_bytes: bytes, filename: str, inline: bool = True) -> HttpResponse:
    """Serve a PDF: shown in the browser (`inline`) or downloaded, and never kept in a shared cache."""
    return download_response(pdf_bytes, content_type="application/pdf", filename=filename, inline=inline)
