"""The edits tests use the API world of tests/api (bearer tokens, frozen clock) as `api`."""
import pytest

from tests.factories import build_api_world


@pytest.fixture
def api(app, campaign, frozen):
    """The API world, with the clock frozen at NOW."""
    with frozen():
        yield build_api_world(app)
