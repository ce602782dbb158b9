"""Files of an application: the answers to the form's file fields (论文全文, 绩效自评表), each checked by content
against the field's types, size and count with competitions' material check (magic bytes, the extension must
name the same type), then stored under UPLOAD_DIR/calls with a random name; a PDF's text is read once for the
applicants' and the unit's names (calls.leaks) and the finding kept with the file.

All-or-nothing: every file of every field is checked before anything is written, and the rows are flushed with
the application in the same transaction; files written for a transaction that is rolled back are removed."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from calls import leaks as leak_check
from calls.models import CallApplication
from competitions.materials import EXTENSIONS, FILE_EXTENSION, MB, check_material
from core.db import UTCDateTime, utcnow
from core.errors import DomainError
from core.extensions import db


class ApplicationFile(db.Model):
    __tablename__ = "call_application_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("call_applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    field_key: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    original_name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    file_type: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    size: Mapped[int] = mapped_column(nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    # the blind-round leak check at upload (calls.leaks): names found with their pages, [] for a clean PDF, None
    # when the text was not read (not a PDF, or unreadable)
    leaks: Mapped[list[dict] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    application: Mapped[CallApplication] = relationship()


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def storage_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "calls"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(file: ApplicationFile) -> Path:
    return storage_dir() / PurePath(file.stored_name).name


def accepted_types(definition: dict) -> frozenset[str]:
    """The material types a field's extensions name (jpg → jpeg, docx → docx)."""
    return frozenset(t for ext in definition["accept"] if (t := EXTENSIONS.get(f".{ext}")) is not None)


def check_uploads(form: list[dict], uploads: dict[str, list[Upload]]) -> list[tuple[dict, Upload, str]]:
    """(field, upload, detected type) for every uploaded file, or DomainError naming the field: a required file
    field without a file, too many files, a file of the wrong type or too large."""
    checked = []
    for field in (d for d in form if d["kind"] == "file"):
        given = [u for u in uploads.get(field["key"], []) if u.filename or u.data]
        if field["required"] and not given:
            raise DomainError(_("%(name)s is required.", name=field["label"]), field=field["key"])
        if len(given) > field["max_count"]:
            raise DomainError(
                _("%(name)s takes at most %(n)d files.", name=field["label"], n=field["max_count"]), field=field["key"]
            )
        for upload in given:
            result = check_material(
                upload.data, upload.filename, accepted_types(field) or {"pdf"}, field["max_mb"] * MB
            )
            if not result.ok:
                raise DomainError(f"{field['label']}：{result.render(_)}", field=field["key"])
            checked.append((field, upload, result.file_type))
    return checked


def store_uploads(application: CallApplication, checked: list[tuple[dict, Upload, str]]) -> list[ApplicationFile]:
    """Write the checked files and add their rows; a rollback of the transaction removes the written files."""
    rows, written = [], []
    directory = storage_dir()
    for field, upload, file_type in checked:
        stored = secrets.token_hex(16) + FILE_EXTENSION[file_type]
        (directory / stored).write_bytes(upload.data)
        written.append(directory / stored)
        rows.append(
            ApplicationFile(
                application_id=application.id,
                field_key=field["key"],
                original_name=PurePath(upload.filename).name[:255] or stored,
                stored_name=stored,
                file_type=file_type,
                size=len(upload.data),
                sha256=hashlib.sha256(upload.data).hexdigest(),
                leaks=leak_check.check(application, upload.data, file_type),
            )
        )
    db.session().info.setdefault(_WRITTEN, []).extend(written)
    db.session.add_all(rows)
    db.session.flush()
    return rows


_WRITTEN = "calls.files.written"


@event.listens_for(Session, "after_commit")
def _keep_written(session) -> None:
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_rollback")
def _remove_written(session) -> None:
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)


def files_of(application: CallApplication) -> dict[str, list[ApplicationFile]]:
    """field key -> its files, in upload order."""
    found: dict[str, list[ApplicationFile]] = {}
    for row in db.session.execute(
        sa.select(ApplicationFile).where(ApplicationFile.application_id == application.id).order_by(ApplicationFile.id)
    ).scalars():
        found.setdefault(row.field_key, []).append(row)
    return found
