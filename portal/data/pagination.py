"""One page of a long list: two queries (the rows and the count) whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from portal.extensions import db

T = TypeVar("T")
PER_PAGE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_item(self) -> int:
        return 0 if self.total == 0 else (self.number - 1) * self.per_page + 1

    @property
    def last_item(self) -> int:
        return min(self.total, self.number * self.per_page)


def paginate(
    query: Select[*tuple[Any, ...]],
    page: int,
    per_page: int = PER_PAGE,
    *,
    rows: bool = False,
) -> Page[Any]:
    """The page's items: the first column's values, or whole rows when `rows` is true."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-(total or 0) // per_page))
    number = min(max(1, page), pages)
    limited = query.limit(per_page).offset((number - 1) * per_page)
    items = list(db.session.execute(limited).all() if rows else db.session.scalars(limited))
    return Page(items=items, number=number, per_page=per_page, total=total or 0)
