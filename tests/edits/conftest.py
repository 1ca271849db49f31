"""The edits tests use the API world (bearer tokens, frozen clock) as `api`."""
import pytest


@pytest.fixture
def api(api_world):
    """The API world (conftest's api_world), with the clock frozen at NOW."""
    return api_world
