"""The API tests' world: the standard world of tests/factories.py, seen through bearer tokens."""
import pytest

from tests.factories import build_api_world


@pytest.fixture
def world(app, campaign, frozen):
    """The API world, with the clock frozen at NOW (1 April 2030, 08:00 local)."""
    with frozen():
        yield build_api_world(app)
