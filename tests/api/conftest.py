"""The API tests' world: a small district with one caller per role (see api_units_world)."""
from api_units_world import world  # noqa: F401  (the fixture, found by pytest here)
