"""Chinese resident identity numbers: the rule lives in core.idcard (events' insurance lists use it too)."""

from core.idcard import IdInfo, IdNumberError, check_char, make_id_number, normalise_id_number, parse_id_number

__all__ = ["IdInfo", "IdNumberError", "check_char", "make_id_number", "normalise_id_number", "parse_id_number"]
