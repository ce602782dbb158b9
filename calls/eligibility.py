"""Eligibility rules over a call's form fields (申报条件), set by the organiser and checked on submit. Pure rules:
no database, no request.

    within_years  a date field no more than N years before the reference date (论文发表于近两年内)
    age_between   a date field (birth date) gives an age at the reference date from `min` to `max` (either blank)
    one_of        a choice field answered with one of the allowed options (单位类型)

The reference date is the rule's own (`reference`, ISO) or, without one, the day of submission."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.errors import DomainError


class RuleKind(StrEnum):
    WITHIN_YEARS = "within_years"
    AGE_BETWEEN = "age_between"
    ONE_OF = "one_of"


RULE_KIND_LABELS = {
    RuleKind.WITHIN_YEARS: _l("Date within the last N years"),
    RuleKind.AGE_BETWEEN: _l("Age at a reference date"),
    RuleKind.ONE_OF: _l("One of the allowed options"),
}
#: The kind of field each rule works on.
FIELD_KIND_OF_RULE = {RuleKind.WITHIN_YEARS: "date", RuleKind.AGE_BETWEEN: "date", RuleKind.ONE_OF: "choice"}


def _whole(value, label, low: int, high: int) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise DomainError(
            _("%(name)s is a whole number from %(low)d to %(high)d.", name=label, low=low, high=high), field="rule"
        )
    return number


def check_rule(rule: dict, form: list[dict]) -> dict:
    """The rule as stored, or DomainError: an unknown kind, a field the form does not have, a field of the wrong
    kind, missing or impossible bounds."""
    try:
        kind = RuleKind(rule.get("kind"))
    except ValueError:
        raise DomainError(_("Choose the kind of the rule."), field="kind") from None
    field = next((d for d in form if d.get("key") == rule.get("field")), None)
    if field is None:
        raise DomainError(
            _("The rule is over a field the application form does not have. Add the field first."), field="field"
        )
    wanted = FIELD_KIND_OF_RULE[kind]
    if field["kind"] != wanted:
        raise DomainError(
            _(
                "The rule “%(rule)s” works on a %(kind)s field; %(field)s is not one.",
                rule=RULE_KIND_LABELS[kind],
                kind=_("date") if wanted == "date" else _("choice"),
                field=field["label"],
            ),
            field="field",
        )
    checked: dict = {"kind": kind.value, "field": field["key"]}
    if kind in (RuleKind.WITHIN_YEARS, RuleKind.AGE_BETWEEN):
        reference = (rule.get("reference") or "").strip()
        if reference:
            try:
                date.fromisoformat(reference)
            except ValueError:
                raise DomainError(_("The reference date is a date such as 2026-09-01."), field="reference") from None
        checked["reference"] = reference
    if kind == RuleKind.WITHIN_YEARS:
        years = _whole(rule.get("years"), _("The number of years"), 1, 100)
        if years is None:
            raise DomainError(_("%(name)s is required.", name=_("The number of years")), field="years")
        checked["years"] = years
    elif kind == RuleKind.AGE_BETWEEN:
        low = _whole(rule.get("min"), _("The youngest age"), 0, 120)
        high = _whole(rule.get("max"), _("The oldest age"), 0, 120)
        if low is None and high is None:
            raise DomainError(_("Give the youngest age, the oldest age or both."), field="min")
        if low is not None and high is not None and low > high:
            raise DomainError(_("The youngest age is above the oldest age."), field="min")
        checked.update({"min": low, "max": high})
    else:
        values = [v.strip() for v in rule.get("values") or [] if v.strip()]
        unknown = [v for v in values if v not in field["choices"]]
        if not values or unknown:
            raise DomainError(
                _(
                    "Allow one or more of the options of %(field)s: %(options)s.",
                    field=field["label"],
                    options="、".join(field["choices"]),
                ),
                field="values",
            )
        checked["values"] = values
    return checked


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_on(birth: date, reference: date) -> int:
    return reference.year - birth.year - ((reference.month, reference.day) < (birth.month, birth.day))


def describe(rule: dict, form: list[dict]) -> str:
    """The rule as the applicant reads it, e.g. "发表日期：2024-12-07 以后（近 2 年内）"."""
    label = next((d["label"] for d in form if d["key"] == rule["field"]), rule["field"])
    reference = rule.get("reference") or _("the day of submission")
    if rule["kind"] == RuleKind.WITHIN_YEARS:
        return _(
            "%(field)s: within %(n)d years before %(reference)s", field=label, n=rule["years"], reference=reference
        )
    if rule["kind"] == RuleKind.AGE_BETWEEN:
        low = "—" if rule.get("min") is None else rule["min"]
        high = "—" if rule.get("max") is None else rule["max"]
        return _(
            "%(field)s: age %(low)s to %(high)s on %(reference)s", field=label, low=low, high=high, reference=reference
        )
    return _("%(field)s: one of %(values)s", field=label, values="、".join(rule["values"]))


def check_eligibility(rules: list[dict], form: list[dict], answers: dict[str, str], today: date) -> None:
    """Refuse (DomainError naming the field) the first rule the answers do not meet; an unanswered field a rule
    needs is refused too (eligibility cannot be shown without it)."""
    for rule in rules:
        field = next((d for d in form if d["key"] == rule["field"]), None)
        if field is None:  # the organiser cannot remove a field a rule uses (calls.rules); kept safe anyway
            continue
        label, value = field["label"], answers.get(field["key"])
        if value in (None, ""):
            raise DomainError(_("%(field)s is needed to check eligibility.", field=label), field=field["key"])
        if rule["kind"] == RuleKind.ONE_OF:
            if value not in rule["values"]:
                raise DomainError(
                    _(
                        "Not eligible: %(field)s must be one of %(values)s.",
                        field=label,
                        values="、".join(rule["values"]),
                    ),
                    field=field["key"],
                )
            continue
        given = date.fromisoformat(value)
        reference = date.fromisoformat(rule["reference"]) if rule.get("reference") else today
        if rule["kind"] == RuleKind.WITHIN_YEARS:
            earliest = _years_before(reference, rule["years"])
            if not earliest <= given <= reference:
                raise DomainError(
                    _(
                        "Not eligible: %(field)s must be between %(earliest)s and %(reference)s (within %(n)d years).",
                        field=label,
                        earliest=earliest.isoformat(),
                        reference=reference.isoformat(),
                        n=rule["years"],
                    ),
                    field=field["key"],
                )
        else:
            age = age_on(given, reference)
            if (rule.get("min") is not None and age < rule["min"]) or (
                rule.get("max") is not None and age > rule["max"]
            ):
                raise DomainError(
                    _(
                        "Not eligible: by %(field)s the age on %(reference)s is %(age)d; the call asks "
                        "for %(low)s to %(high)s.",
                        field=label,
                        reference=reference.isoformat(),
                        age=age,
                        low="—" if rule.get("min") is None else rule["min"],
                        high="—" if rule.get("max") is None else rule["max"],
                    ),
                    field=field["key"],
                )
