"""A validated roster kept between the preview and the confirmation (JSON), so the file is parsed once."""

from __future__ import annotations

from datetime import date

from competitions.roster.values import RosterResult, RosterRow


def roster_to_json(result: RosterResult) -> bytes:
    """A validated roster as JSON: kept between preview and confirmation, so the file is parsed once."""
    import json

    if not result.ok:
        raise ValueError("keep only a valid roster")
    rows = [{**r.__dict__, "birth_date": r.birth_date.isoformat()} for r in result.rows]
    return json.dumps(
        {
            "rows": rows,
            "columns": sorted(result.columns),
            "file_format": result.file_format,
            "encoding": result.encoding,
        },
        ensure_ascii=False,
    ).encode()


def roster_from_json(data: bytes) -> RosterResult:
    """The RosterResult roster_to_json kept (ValueError if the data is not one)."""
    import json

    try:
        kept = json.loads(data)
        rows = [RosterRow(**{**r, "birth_date": date.fromisoformat(r["birth_date"])}) for r in kept["rows"]]
        return RosterResult(
            rows=rows, columns=frozenset(kept["columns"]), file_format=kept["file_format"], encoding=kept["encoding"]
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError("not a kept roster") from exc
