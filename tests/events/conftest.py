"""Fixtures shared by the events tests."""

import pytest

from tests import factories


@pytest.fixture
def org():
    """The county association that runs the events (a module may define its own ``org`` instead)."""
    return factories.association(name="青溪县科学技术协会")
