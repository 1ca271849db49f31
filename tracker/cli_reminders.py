"""The reminder commands: `flask reminders sweep|deliver` and `flask scheduler`."""
from flask import Flask


def register(app: Flask) -> None:
    """Attach the reminder commands."""
