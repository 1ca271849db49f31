"""The API tests' world: the standard world of tests/factories.py, seen through bearer tokens."""
import pytest


@pytest.fixture
def world(api_world):
    """The API world (conftest's api_world), with the clock frozen at NOW (1 April 2030, 08:00 local)."""
    return api_world
