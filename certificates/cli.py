"""`flask certificates issue|render|fonts`: what they print is in the installation's language (zh_CN first).

Commands run in an application context without a request, so gettext answers in BABEL_DEFAULT_LOCALE."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import gettext as _

from certificates import services
from certificates.models import CertificateTemplate
from certificates.sources import SOURCES, scope_label, sources_for
from core import fontfiles
from core.errors import DomainError
from core.extensions import db

certificates_cli = AppGroup("certificates", help="Certificates: issue, render, fonts.")


def _scope(contest_id, event_id, call_id=None) -> tuple[str, int]:
    given = [(scope, i) for scope, i in (("contest", contest_id), ("event", event_id), ("call", call_id)) if i]
    if len(given) != 1:
        raise click.ClickException(_("Give exactly one of --contest ID, --event ID or --call ID."))
    return given[0]


def _default_source(scope: str, source_key: str | None) -> str:
    if source_key:
        if source_key not in SOURCES or SOURCES[source_key].scope != scope:
            raise click.ClickException(
                _(
                    "There is no certificate source %(key)s here; known: %(known)s",
                    key=source_key,
                    known=", ".join(s.key for s in sources_for(scope)),
                )
            )
        return source_key
    preferred = "attendance" if scope == "event" else "award"
    candidates = [s for s in sources_for(scope) if s.kind == preferred] or sources_for(scope)
    if not candidates:
        raise click.ClickException(_("No certificate source is registered for %(scope)s.", scope=scope_label(scope)))
    return candidates[0].key


def _template(template_id: int | None, organisation_id: int, kind: str) -> CertificateTemplate:
    if template_id:
        template = db.session.get(CertificateTemplate, template_id)
        if template is None:
            raise click.ClickException(_("There is no template %(id)d.", id=template_id))
        return template
    stmt = (
        sa.select(CertificateTemplate)
        .where(
            CertificateTemplate.organisation_id == organisation_id,
            CertificateTemplate.archived.is_(False),
            sa.or_(CertificateTemplate.kind == kind, CertificateTemplate.kind.is_(None)),
        )
        .order_by(CertificateTemplate.kind.is_(None), CertificateTemplate.id.desc())
    )
    template = db.session.execute(stmt).scalars().first()
    if template is None:
        raise click.ClickException(_("The organiser has no template of this kind; create one or pass --template ID."))
    return template


@certificates_cli.command("issue")
@click.option("--contest", "contest_id", type=int, default=None)
@click.option("--event", "event_id", type=int, default=None)
@click.option("--call", "call_id", type=int, default=None, help="A call (评选) with final results.")
@click.option("--category", "category_code", default=None, help="Only this category code.")
@click.option("--school", "school_id", type=int, default=None, help="Only this school (organisation id).")
@click.option("--source", "source_key", default=None, help="Certificate source key (default: award / attendance).")
@click.option("--template", "template_id", type=int, default=None)
@click.option("--date", "issue_date", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--accept-preflight", is_flag=True, help="Issue even when the preflight reports problems.")
def issue(
    contest_id, event_id, call_id, category_code, school_id, source_key, template_id, issue_date, accept_preflight
):
    """Issue certificates to every eligible holder who has none yet (a second run issues nothing)."""
    scope, scope_id = _scope(contest_id, event_id, call_id)
    key = _default_source(scope, source_key)
    try:
        source, batch = services.collect_batch(key, scope_id)
        template = _template(template_id, batch.organisation_id, source.kind)
        issued, plan = services.issue_certificates(
            key,
            scope_id,
            template,
            category_code=category_code,
            school_id=school_id,
            issue_date=issue_date.date() if issue_date else None,
            accept_preflight=accept_preflight,
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    if issued:
        click.echo(
            _(
                "Issued %(count)d certificates, %(first)s to %(last)s; %(already)d holders already had one.",
                count=len(issued),
                first=issued[0].number,
                last=issued[-1].number,
                already=plan.already,
            )
        )
    else:
        click.echo(_("Nothing new to issue; %(already)d holders already have a certificate.", already=plan.already))


@certificates_cli.command("render")
@click.option("--contest", "contest_id", type=int, default=None)
@click.option("--event", "event_id", type=int, default=None)
@click.option("--call", "call_id", type=int, default=None, help="A call (评选) with final results.")
@click.option("--category", "category_code", default=None)
@click.option("--school", "school_id", type=int, default=None)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
def render(contest_id, event_id, call_id, category_code, school_id, out):
    """Render the valid certificates into one PDF (or a ZIP of PDFs when --out ends in .zip)."""
    scope, scope_id = _scope(contest_id, event_id, call_id)
    from sqlalchemy.orm import selectinload

    from certificates.models import Certificate

    stmt = services.certificates_stmt(
        scope=scope, scope_id=scope_id, category_code=category_code, school_id=school_id
    ).options(selectinload(Certificate.template))
    certs = db.session.execute(stmt).scalars().all()
    items, specs = services.print_items(certs)
    try:
        missing = services.missing_glyphs(items, specs) if items else []
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    for m in missing:
        click.echo(
            _(
                "Warning: %(number)s %(holder)s: no installed font has %(chars)s (%(codes)s).",
                number=m.number,
                holder=m.holder,
                chars="".join(m.chars),
                codes=m.codes,
            ),
            err=True,
        )
    path = Path(out)
    try:
        fh = path.open("wb")
    except OSError as exc:
        raise click.ClickException(_("Cannot write %(path)s: %(error)s", path=path, error=exc.strerror or exc)) from exc
    try:
        with fh:
            if path.suffix.lower() == ".zip":
                count = services.render_items_zip(items, specs, fh)
            else:
                count = services.render_items_pdf(items, specs, fh)
    except DomainError as exc:
        path.unlink(missing_ok=True)
        raise click.ClickException(str(exc)) from exc
    except BaseException:
        path.unlink(missing_ok=True)  # never leave a truncated PDF/ZIP behind
        raise
    click.echo(_("Rendered %(count)d certificates into %(path)s.", count=count, path=path))


@certificates_cli.command("fonts")
def fonts():
    """List the available TrueType fonts (installed CJK and uploaded) with what they cover."""
    for info in services.font_overview():
        cov = info.coverage
        blocks = "，".join(f"{_(label)} {n}/{size}" for label, n, size in cov.blocks if n)
        source = _("Installed") if info.face.source == "system" else _("Uploaded")
        click.echo(
            f"{info.face.key:28} {info.face.family:28} {source}  {_('Glyphs')} {cov.glyph_count:6}  "
            f"{_('GB 2312 hanzi')} {cov.gb2312_covered}/{cov.gb2312_total}  {blocks}"
        )
    directory = services.storage_dir("fonts")
    _faces, errors = fontfiles.load_font_directory(directory)
    for name, error in errors.items():
        click.echo(
            _("Unusable uploaded font %(name)s: %(error)s", name=name, error=services.font_error_message(error)),
            err=True,
        )
