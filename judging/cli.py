"""`flask judging import-scores` and `flask judging results`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from competitions.models import Contest
from core.errors import DomainError
from core.extensions import db
from judging.services import notice, rounds, score_import
from judging.services import sheets as sheets_service

judging_cli = AppGroup("judging", help="Judging: score import and results.")


def _contest(contest_id: int) -> Contest:
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise click.ClickException(f"No contest with id {contest_id}.")
    return contest


@judging_cli.command("import-scores")
@click.option("--contest", "contest_id", type=int, required=True, help="Contest id.")
@click.option("--round", "round_name", required=True, help="Round name, e.g. 初评.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_scores(contest_id: int, round_name: str, file: Path) -> None:
    """Import paper score sheets (.xlsx: 作品编号, 评委, criteria or 总分). All or nothing."""
    try:
        rnd = rounds.find_round(_contest(contest_id), round_name)
        outcome = score_import.import_scores(rnd, file.read_bytes())
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    if not outcome.ok:
        db.session.rollback()
        for row, column, message in outcome.errors:
            where = " ".join(x for x in (f"row {row}" if row else "", column or "") if x)
            click.echo(f"{where}: {message}" if where else message, err=True)
        raise click.ClickException(f"{len(outcome.errors)} problem(s); nothing was imported.")
    db.session.commit()
    click.echo(f"imported {outcome.imported} scores")


@judging_cli.command("results")
@click.option("--contest", "contest_id", type=int, required=True, help="Contest id.")
@click.option("--round", "round_name", default=None, help="Round name (default: the final round).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output file (default: standard output).",
)
def results(contest_id: int, round_name: str | None, fmt: str, out: Path | None) -> None:
    """Results with 作品编号, 类别, 作品名称, 学校, 最终得分, 排名, 奖项 (CSV is UTF-8 with BOM)."""
    from judging.exports import results_csv, results_xlsx

    contest = _contest(contest_id)
    try:
        rnd = rounds.find_round(contest, round_name) if round_name else notice.final_round(contest)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    if rnd is None:
        raise click.ClickException("This contest has no round with results yet.")
    if rnd.results_computed_at is None:
        raise click.ClickException(f"Round {rnd.name} has no computed results yet (close it first).")
    rows = sheets_service.result_rows(rnd)
    data = results_csv(rows) if fmt == "csv" else results_xlsx(rows)
    if out is not None:
        out.write_bytes(data)
        click.echo(f"wrote {len(rows)} rows to {out}", err=True)
    else:
        if fmt == "xlsx" and sys.stdout.isatty():
            raise click.ClickException("Give --out FILE for .xlsx output.")
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


@judging_cli.command("remind")
@click.option("--hours", default=48, show_default=True, help="Remind when an open round closes within this many hours.")
def remind(hours: int):
    """A daily digest to judges with unscored entries in rounds closing soon (at most one a day each)."""
    from core.db import utcnow
    from judging.notifications import send_judge_reminders

    queued = send_judge_reminders(utcnow(), hours=hours)
    db.session.commit()
    click.echo(f"queued {queued} reminder message(s)")
