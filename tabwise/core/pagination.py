"""API page pagination with bounded inputs (an unbounded page number overflows the database's offset)."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000


class PagePagination(PageNumberPagination):
    """`?page=N&page_size=M`: N from 1 to 1,000,000, M from 1 to the configured maximum (500)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=500)
