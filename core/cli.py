"""Shared `flask` commands: seed-demo, demo-logins, jobs worker; and the language of every command's help.

What the commands print goes through gettext, so it is in the installation's language (BABEL_DEFAULT_LOCALE, set
with KECHUANG_BABEL_DEFAULT_LOCALE; zh_CN unless changed): outside a request that is the language chosen. Their
help (`flask <area> --help`) too: translate_help."""

from __future__ import annotations

import inspect

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from core.demo import DEMO_LOGINS, SEEDERS, DemoContext
from core.extensions import db


@click.command("seed-demo")
@click.option(
    "--scale",
    default=1,
    show_default=True,
    type=click.IntRange(1, 100),
    help="Multiply the number of students and entries.",
)
@with_appcontext
def seed_demo(scale: int) -> None:
    """Load realistic demo data; running it again adds nothing that is already there."""
    ctx = DemoContext(scale=scale, echo=click.echo)
    for seeder in SEEDERS:
        click.echo(_("seeding %(area)s …", area=seeder.label or seeder.name))
        seeder.run(ctx)
        db.session.commit()
    click.echo(_("demo data ready"))
    print_demo_logins()


def print_demo_logins() -> None:
    password = current_app.config["DEMO_PASSWORD"]
    click.echo(_("Demo logins (password for all: %(password)s):", password=password))
    for label, login in DEMO_LOGINS:
        click.echo(f"  {label:<24} {login}")


@click.command("demo-logins")
@with_appcontext
def demo_logins() -> None:
    """Print the demo accounts of every role."""
    print_demo_logins()


@click.group("jobs")
def jobs_group() -> None:
    """Background job queue."""


@jobs_group.command("worker")
@click.option("--workers", default=2, show_default=True, type=int)
@with_appcontext
def jobs_worker(workers: int) -> None:
    """Run a job consumer in the foreground (production: one or more of these beside gunicorn)."""
    from core.jobs import job_queue, start_reaper

    queue = job_queue(current_app._get_current_object())
    consumer = queue.create_consumer(workers=workers, worker_type="thread")
    start_reaper(current_app._get_current_object())  # jobs a dead worker left "running" fail (or re-queue) now
    consumer.run()


def init_cli(app: Flask) -> None:
    for command in (seed_demo, demo_logins, jobs_group):
        app.cli.add_command(command)


class _HelpFormatter(click.HelpFormatter):
    """Writes an option's lazy (translated) help as text: click measures the columns as str."""

    def write_dl(self, rows, *args, **kwargs) -> None:
        super().write_dl([(str(term), str(text)) for term, text in rows], *args, **kwargs)


class _HelpContext(click.Context):
    formatter_class = _HelpFormatter


def translate_help(group: click.Group) -> None:
    """Show the help of every `flask` command in the installation's language: each command's, group's and
    option's help, written in English in the code (a docstring or help="..."), becomes a lazy translation
    looked up when click prints it. `flask <area> --help` runs in an application context without a request,
    so that is BABEL_DEFAULT_LOCALE. The texts are in the areas' catalogs: core.catalogs extracts command
    docstrings and help literals. Called once the areas have added their commands (core.create_app); a help
    already made lazy is left alone, so a second app does not translate it twice."""
    for command in group.commands.values():
        command.context_class = _HelpContext
        if isinstance(command.help, str):
            command.help = lazy_gettext(inspect.cleandoc(command.help))
        if isinstance(command.short_help, str):
            command.short_help = lazy_gettext(inspect.cleandoc(command.short_help))
        for param in command.params:
            if isinstance(param, click.Option) and isinstance(param.help, str):
                param.help = lazy_gettext(inspect.cleandoc(param.help))
        if isinstance(command, click.Group):
            translate_help(command)
