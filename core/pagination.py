"""Pages of a list already in memory (sorted in Python, e.g. by pinyin), with the same interface as
Flask-SQLAlchemy's query pagination so templates/_macros/pagination.html shows either."""

from __future__ import annotations

from typing import Any

from flask_sqlalchemy.pagination import Pagination


class ListPagination(Pagination):
    """``ListPagination(items=[...], page=None, per_page=50, error_out=False)``; page and per_page default to
    the request's ``page`` and ``per_page`` arguments, as db.paginate does."""

    def _query_items(self) -> list[Any]:
        items = self._query_args["items"]
        return list(items[self._query_offset : self._query_offset + self.per_page])

    def _query_count(self) -> int:
        return len(self._query_args["items"])
