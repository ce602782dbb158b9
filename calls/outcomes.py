"""Outcomes of a call, three shapes (pure rules, no Flask request):

- ``levels``: 一/二/三等奖 by cumulative percentage quotas — judging's own allocation
  (``judging.awards.allocate_by_percentage``: rounding, cap and the boundary-tie rule), not a copy;
- ``bands``: score ranges that tile the scale from 0 to its maximum without gap or overlap, each
  ``min ≤ score < max`` (the top band includes the maximum), e.g. 优秀 90–100, 合格 60–90, 不合格 0–60;
- ``top``: the best N (十佳); entries tied with the N-th are all in, and the result says so.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from core.errors import DomainError
from judging.aggregation import EntryResult
from judging.awards import AWARD_LEVELS, RankedEntry, allocate_by_percentage
from judging.models import AWARD_LABELS


@dataclass
class OutcomeAllocation:
    results: dict[Hashable, str | None]  # application id -> result label (None: no result)
    notes: list[str] = field(default_factory=list)


def _decimal(value, what: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(what)s is not a number.", what=what), field="outcome_rule") from None
    if not number.is_finite():
        raise DomainError(_("%(what)s is not a number.", what=what), field="outcome_rule")
    return number


def check_bands(bands: Sequence[dict], scale_max: Decimal) -> list[dict]:
    """Bands best first, as stored; refused when they leave a gap, overlap, or do not cover 0 to the maximum."""
    if len(bands) < 2:
        raise DomainError(_("Bands need at least two ranges, e.g. qualified and not qualified."), field="outcome_rule")
    checked = []
    for band in bands:
        label = str(band.get("label") or "").strip()
        if not label:
            raise DomainError(_("Every band has a name."), field="outcome_rule")
        low = _decimal(band.get("min"), _("The lower bound of %(band)s", band=label))
        high = _decimal(band.get("max"), _("The upper bound of %(band)s", band=label))
        if low >= high:
            raise DomainError(
                _("The band %(band)s starts at %(low)s, not below its end %(high)s.", band=label, low=low, high=high),
                field="outcome_rule",
            )
        checked.append({"label": label, "min": low, "max": high})
    names = [b["label"] for b in checked]
    for name in names:
        if names.count(name) > 1:
            raise DomainError(_("Two bands are called %(band)s.", band=name), field="outcome_rule")
    ordered = sorted(checked, key=lambda b: b["min"])
    if ordered[0]["min"] != 0:
        raise DomainError(
            _("No band covers the scores from 0 to %(low)s.", low=ordered[0]["min"]), field="outcome_rule"
        )
    if ordered[-1]["max"] != scale_max:
        raise DomainError(
            _("No band covers the scores from %(high)s to %(top)s.", high=ordered[-1]["max"], top=scale_max),
            field="outcome_rule",
        )
    for lower, upper in zip(ordered, ordered[1:], strict=False):
        if lower["max"] < upper["min"]:
            raise DomainError(
                _(
                    "The bands leave a gap: no band covers the scores from %(a)s to %(b)s.",
                    a=lower["max"],
                    b=upper["min"],
                ),
                field="outcome_rule",
            )
        if lower["max"] > upper["min"]:
            raise DomainError(
                _(
                    "The bands %(a)s and %(b)s overlap from %(low)s to %(high)s.",
                    a=lower["label"],
                    b=upper["label"],
                    low=upper["min"],
                    high=lower["max"],
                ),
                field="outcome_rule",
            )
    return [{"label": b["label"], "min": str(b["min"]), "max": str(b["max"])} for b in reversed(ordered)]


def check_rule(outcome: str, rule: dict, scale_max: Decimal) -> dict:
    """The outcome rule as stored, or DomainError with a localised message."""
    if outcome == "bands":
        return {"bands": check_bands(rule.get("bands") or [], scale_max)}
    if outcome == "top":
        try:
            n = int(rule.get("n"))
        except (TypeError, ValueError):
            n = 0
        if n < 1:
            raise DomainError(_("Top N needs a number of places of at least 1."), field="outcome_rule")
        return {"n": n}
    if outcome == "levels":
        levels = []
        for level, percent in rule.get("levels") or []:
            if level not in AWARD_LEVELS:
                raise DomainError(_("Unknown award level."), field="outcome_rule")
            share = _decimal(percent, str(AWARD_LABELS[level]))
            if share < 0:
                raise DomainError(_("A share of awards is not negative."), field="outcome_rule")
            if share > 0:
                levels.append([level, str(share)])
        if not levels:
            raise DomainError(_("Give at least one award level a share above 0 %."), field="outcome_rule")
        if sum(Decimal(p) for _lv, p in levels) > 100:
            raise DomainError(_("The award shares add up to more than 100 %."), field="outcome_rule")
        return {"levels": levels}
    raise DomainError(_("Choose the shape of the outcome."), field="outcome")


def band_of(score: float, bands: Sequence[dict]) -> str:
    """The band (best first) whose range holds score; the top band includes the maximum."""
    for i, band in enumerate(bands):
        low = float(band["min"])
        if round(score, 6) >= low and (i == 0 or round(score, 6) < float(band["max"])):
            return band["label"]
    return bands[-1]["label"]


def allocate(outcome: str, rule: dict, ranked: Sequence[EntryResult]) -> OutcomeAllocation:
    """The result of every ranked application (ranks set by judging.aggregation.rank_results)."""
    if outcome == "bands":
        return OutcomeAllocation({r.entry_id: band_of(r.score, rule["bands"]) for r in ranked})
    if outcome == "top":
        n = rule["n"]
        in_top = [r for r in ranked if r.rank is not None and r.rank <= n]
        notes = []
        if len(in_top) > n:
            notes.append(
                _(
                    "%(extra)d more than %(n)d are in the top places: they are tied with the last place.",
                    extra=len(in_top) - n,
                    n=n,
                )
            )
        label = _("Top %(n)d", n=n)
        return OutcomeAllocation({r.entry_id: (label if r in in_top else None) for r in ranked}, notes)
    allocation = allocate_by_percentage(
        [RankedEntry(r.entry_id, r.rank, r.score) for r in ranked], [(lv, Decimal(p)) for lv, p in rule["levels"]]
    )
    notes = [
        _(
            "%(n)d tied at the boundary of %(level)s all receive it.",
            n=len(note.entry_ids),
            level=AWARD_LABELS[note.level],
        )
        for note in allocation.notes
    ]
    return OutcomeAllocation({k: (str(AWARD_LABELS[v]) if v else None) for k, v in allocation.awards.items()}, notes)


def describe(outcome: str, rule: dict) -> str:
    """The rule in words, shown with the results (优秀 ≥ 90, 合格 ≥ 60, 不合格 otherwise)."""
    if outcome == "bands":
        bands = rule["bands"]
        text = ""
        for b in bands[:-1]:
            part = _("%(band)s ≥ %(low)s", band=b["label"], low=b["min"])
            text = _("%(a)s, %(b)s", a=text, b=part) if text else part
        return _("%(bands)s, %(last)s otherwise", bands=text, last=bands[-1]["label"])
    if outcome == "top":
        return _("The best %(n)d by score", n=rule["n"])
    text = ""
    for lv, p in rule["levels"]:
        part = _("%(level)s %(share)s %%", level=AWARD_LABELS[lv], share=p)
        text = _("%(a)s, %(b)s", a=text, b=part) if text else part
    return text
