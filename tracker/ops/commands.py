"""The operations commands: `flask doctor` and `flask backup DIR`."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app

from ..extensions import db


def init_app(app: Flask) -> None:
    """Attach `flask doctor` and `flask backup`."""

    @app.cli.command("doctor")
    def doctor():
        """Check the database, the migrations, unit and group codes, the scheduler and the outbox."""
        from .doctor import examine

        report = examine()
        for level, line in report.lines:
            click.echo(f"{level:<8} {line}")
        warnings = sum(1 for level, _l in report.lines if level == "warning")
        click.echo(f"{report.problems} problem(s), {warnings} warning(s)")
        sys.exit(1 if report.problems else 0)

    @app.cli.command("backup")
    @click.argument("directory")
    def backup_command(directory):
        """A consistent copy of the database into DIRECTORY; the file's path on the last line."""
        from .backup import BackupError, backup

        try:
            path = backup(db.engine.url, directory, pg_dump=current_app.config.get("PG_DUMP"))
        except BackupError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        click.echo(str(path))
