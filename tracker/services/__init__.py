"""Use cases: they check permissions and rules, change models, flush and journal; they never commit."""
