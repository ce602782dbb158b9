"""core.forms: a service call's DomainError is shown on the form and rolled back; success commits once."""

from __future__ import annotations

from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField

from accounts.models import Organisation
from core.errors import DomainError
from core.extensions import db
from core.forms import commit_or_show


class _NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField()


def _add_then_refuse(field: str | None):
    db.session.add(Organisation(kind="school", name="䶮𠮷小学", code="YAN-1"))
    db.session.flush()
    raise DomainError("名称重复", field=field)


def test_a_refusal_is_rolled_back_and_shown_next_to_its_field(app):
    with app.test_request_context(method="POST"):
        form = _NameForm()
        assert commit_or_show(lambda: _add_then_refuse("name"), form, "已保存") is None
        assert form.name.errors == ["名称重复"] and get_flashed_messages() == []
        assert db.session.query(Organisation).filter_by(code="YAN-1").count() == 0


def test_a_refusal_without_a_field_is_flashed(app):
    with app.test_request_context(method="POST"):
        assert commit_or_show(lambda: _add_then_refuse(None), _NameForm()) is None
        assert get_flashed_messages(with_categories=True) == [("danger", "名称重复")]


def test_success_commits_once_and_flashes(app):
    with app.test_request_context(method="POST"):

        def save():
            org = Organisation(kind="school", name="䶮𠮷小学", code="YAN-2")
            db.session.add(org)
            db.session.flush()
            return org

        done = commit_or_show(save, _NameForm(), "已保存")
        assert done and done.value.code == "YAN-2"
        assert get_flashed_messages(with_categories=True) == [("success", "已保存")]
    db.session.rollback()
    assert db.session.query(Organisation).filter_by(code="YAN-2").count() == 1  # committed, not only flushed
