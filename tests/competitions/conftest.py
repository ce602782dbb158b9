"""Competitions tests: services raise DomainError with lazily translated messages, so tests that call
services directly run inside a request context (as views and the CLI do)."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _request_context(request, app):
    if "no_app" in request.keywords:
        yield
        return
    with app.test_request_context():
        yield
