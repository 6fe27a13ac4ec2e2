"""The shared templates: a field's help text and errors carry the ids its widget's aria-describedby names, and a
page's own stylesheets go in the document's head."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tabwise.ledger.tests.web import NOW, text


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


class Page(HTMLParser):
    """The ids on a page, what each element's aria-describedby names, and the stylesheets in <head> and <body>."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described: dict[str, list[str]] = {}  # element id (or name) -> the ids it is described by
        self.stylesheets: dict[str, list[str]] = {"head": [], "body": []}
        self._in = "head"
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "body":
            self._in = "body"
        if "id" in found:
            self.ids.add(found["id"])
        if "aria-describedby" in found:
            self.described[found.get("id") or found.get("name", tag)] = found["aria-describedby"].split()
        if tag == "link" and found.get("rel") == "stylesheet":
            self.stylesheets[self._in].append(found["href"])


def test_help_text_and_errors_have_the_ids_the_widgets_point_to(account, client_as, clerk):
    url = reverse("ledger:charge-create", args=[account.pk])

    blank = Page(text(client_as(clerk).get(url)))
    refused = Page(text(client_as(clerk).post(url, {"amount": "", "category": "service"})))

    # "Due on" has help text ("Blank: today."): Django's widget names id_due_on_helptext, so must the template.
    assert blank.described["id_due_on"] == ["id_due_on_helptext"]
    assert "id_due_on_helptext" in blank.ids
    assert refused.described["id_amount"] == ["id_amount_error"]
    assert "id_amount_error" in refused.ids
    for page in (blank, refused):
        dangling = {name: ids for name, ids in page.described.items() if not set(ids) <= page.ids}
        assert dangling == {}


def test_a_ledger_page_loads_its_stylesheets_in_the_head(account, client_as, clerk, user_at_level):
    account_page = Page(text(client_as(clerk).get(account.get_absolute_url())))
    report_page = Page(text(client_as(user_at_level(1)).get(reverse("ledger:aging"))))

    for page in (account_page, report_page):
        assert "/static/ledger/ledger.css" in page.stylesheets["head"]
        assert page.stylesheets["body"] == []
    assert "/static/ledger/reports.css" in report_page.stylesheets["head"]
