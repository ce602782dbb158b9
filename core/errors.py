"""DomainError: a rule a person broke, with a localised message and the field it points at."""

from __future__ import annotations


class DomainError(Exception):
    """Raised by services for bad input or a broken rule; views show it next to `field` (or as a flash),
    the API answers 400/409 with `code`."""

    def __init__(self, message, *, field: str | None = None, code: str = "invalid", status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.status = status

    def __str__(self) -> str:
        return str(self.message)
