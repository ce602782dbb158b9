"""`flask calls list` and `flask calls results`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from calls import services
from calls.models import Call
from core.extensions import db
from core.spreadsheets import write_csv

calls_cli = AppGroup("calls", help="Calls (评选/申报): list and results.")


@calls_cli.command("list")
def list_calls() -> None:
    """One line per call: id, year, title, subject, outcome, status (tab-separated)."""
    for call in services.all_calls():
        click.echo("\t".join(str(v) for v in (call.id, call.year, call.title, call.subject, call.outcome, call.status)))


@calls_cli.command("results")
@click.option("--call", "call_id", type=int, required=True, help="Call id.")
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
def results(call_id: int, fmt: str) -> None:
    """Results as CSV: code, title, unit, score, rank, result (best first)."""
    call = db.session.get(Call, call_id)
    if call is None:
        raise click.ClickException(f"No call with id {call_id}.")
    computed = services.compute_results(call)
    rows = [["code", "title", "unit", "score", "rank", "result"]]
    rows += [
        [
            row.application.code,
            row.application.title,
            row.application.unit_name,
            "" if row.score is None else f"{row.score:.2f}",
            row.rank or "",
            row.result or "",
        ]
        for row in computed.rows
    ]
    write_csv(sys.stdout, rows, lineterminator="\n")  # applicants' text never becomes a formula
