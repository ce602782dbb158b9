"""Write the open-data file: a standalone SQLite database (sqlite-utils), ready for Datasette.

Plain Python, no Flask: the caller passes public rows (dicts) per table. Tables are denormalised (each row
reads on its own), titles are full-text searchable, and two guards keep personal data out: a column whose
name says it is personal (phone, ID number, birth date, address, contact …) is refused, and the caller
masks students' names (core.privacy.mask_minor_name) before they get here. The file is written next to the target and
renamed over it at the end, so a failed export never leaves half a file behind.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sqlite_utils

#: Column names that must never appear in open data (personal data of minors and visitors).
FORBIDDEN_COLUMN = re.compile(
    r"(phone|mobile|tel|id_?number|id_?card|identity|birth|dob|address|contact|email|guardian|password|token)",
    re.IGNORECASE,
)


class OpenDataError(ValueError):
    """The export would break the open-data rules (a personal column, an unknown table)."""


@dataclass
class OpenTable:
    name: str
    rows: list[dict]
    pk: str | None = "id"
    fts: list[str] = field(default_factory=list)  # columns searchable with full text (titles)
    description: str = ""
    columns: dict[str, type] | None = None  # column types, so an empty table still has its columns
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)  # (column, other table, other column)


def check_columns(table: OpenTable) -> None:
    """Refuse a table that has a column named like personal data."""
    names = set(table.columns or {})
    for row in table.rows:
        names.update(row)
    bad = sorted(n for n in names if FORBIDDEN_COLUMN.search(n))
    if bad:
        raise OpenDataError(f"table {table.name}: personal columns are not allowed in open data: {', '.join(bad)}")


def _enable_fts(db: sqlite_utils.Database, table: OpenTable) -> None:
    """FTS5 with the trigram tokenizer, so Chinese titles match on any three characters (SQLite >= 3.34);
    on an older SQLite, the default tokenizer (whole words)."""
    import sqlite3

    try:
        db.table(table.name).enable_fts(table.fts, create_triggers=True, tokenize="trigram")
    except sqlite3.OperationalError:
        db.table(table.name).enable_fts(table.fts, create_triggers=True, replace=True)


def write_opendata(
    path: str | os.PathLike, tables: Iterable[OpenTable], about: Mapping[str, str] | None = None
) -> dict:
    """Write every table into a new SQLite file at path (replacing it); returns {table: row count}."""
    tables = list(tables)
    for table in tables:
        check_columns(table)
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".opendata-", suffix=".db", dir=directory)
    os.close(fd)
    os.unlink(tmp)  # sqlite-utils creates the file itself
    counts: dict[str, int] = {}
    try:
        db = sqlite_utils.Database(tmp)
        with db.conn:
            for table in tables:
                t = db.table(table.name)
                columns = dict(table.columns or {})
                for row in table.rows[:1]:
                    for key, value in row.items():
                        columns.setdefault(key, type(value) if value is not None else str)
                if columns:
                    t.create(columns, pk=table.pk, foreign_keys=table.foreign_keys or None, if_not_exists=True)
                if table.rows:
                    t.insert_all(table.rows, pk=table.pk, batch_size=500, alter=True)
                counts[table.name] = len(table.rows)
        for table in tables:
            if table.fts:
                _enable_fts(db, table)
        meta_rows = [{"table_name": t.name, "description": t.description, "rows": counts[t.name]} for t in tables]
        db.table("_tables").insert_all(meta_rows, pk="table_name")
        if about:
            db.table("_about").insert_all([{"key": k, "value": str(v)} for k, v in about.items()], pk="key")
        db.conn.execute("VACUUM")
        db.close()
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return counts
