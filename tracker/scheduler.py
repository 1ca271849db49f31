"""APScheduler wiring for the reminder sweep."""


def start_in_web_process(app):
    """Start the scheduler beside the web server."""
