"""The shape of a report, independent of how it is rendered (page, PDF, .xlsx): plain dataclasses.

Every number carries the link of the list it counts (``links``), so each figure can be traced to its data.
Labels are plain (already translated) strings; builders never translate.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Figure:
    """One headline number, e.g. 1,251 students entered, with the list it counts."""

    key: str
    label: str
    value: int
    link: str | None = None


@dataclass
class Row:
    label: str
    values: list[int | str]
    links: list[str | None] = field(default_factory=list)
    label_link: str | None = None  # e.g. the school's own page

    def link(self, index: int) -> str | None:
        return self.links[index] if index < len(self.links) else None


@dataclass
class Table:
    """A breakdown (by stage, school, category, award level, event type …); chart: None, 'bar' or 'pie'.

    The chart plots the column ``chart_column`` of every row (the table shows all the numbers anyway)."""

    key: str
    title: str
    columns: list[str]  # headers of the value columns (the label column's header is ``label_header``)
    rows: list[Row]
    label_header: str = ""
    chart: str | None = None
    chart_column: int = 0
    note: str = ""


@dataclass
class Section:
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Report:
    title: str
    subtitle: str
    sections: list[Section]
    footer: str = ""  # e.g. "Generated 2026-11-22 15:30 from the platform's data"
    chart_limit_note: str = ""  # under a PDF chart cut to its first rows; "%(n)d" is the number of bars
    definitions: list[str] = field(default_factory=list)  # what the figures count, stated with them
    definitions_title: str = ""  # the heading of the definitions (统计口径)

    def figure(self, key: str) -> Figure:
        for section in self.sections:
            for fig in section.figures:
                if fig.key == key:
                    return fig
        raise KeyError(key)

    def table(self, key: str) -> Table:
        for section in self.sections:
            for table in section.tables:
                if table.key == key:
                    return table
        raise KeyError(key)
