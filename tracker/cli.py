"""The flask commands: init-db, demo, users create (each feature package registers its own: tokens, import …)."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from .clock import utcnow
from .extensions import db
from .services.errors import DomainError


def fail(message: str) -> None:
    """Exit non-zero with a one-line reason, having changed nothing."""
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def init_schema() -> None:
    """Create or upgrade the schema with the migrations; create the default campaign if there is none."""
    from flask_migrate import upgrade

    from .services.campaigns import require_campaign

    upgrade()
    require_campaign()
    db.session.commit()


def register_cli(app: Flask) -> None:
    """Attach the commands to `flask`."""

    @app.cli.command("init-db")
    def init_db():
        """Create or upgrade the schema; create the default campaign where there is none."""
        init_schema()
        click.echo("Database ready.")

    @app.cli.command("demo")
    def demo():
        """Load the demo district (idempotent) and print the demo logins."""
        from .demo import load_demo

        init_schema()
        logins = load_demo(utcnow())
        db.session.commit()
        click.echo("Demo district ready. Sign in with:")
        for role, email, password in logins:
            click.echo(f"  {role:<10} {email:<32} {password}")

    users = AppGroup("users", help="Manage users.")

    @users.command("create")
    @click.argument("email")
    @click.option("--name", required=True)
    @click.option("--role", required=True, type=click.Choice(["admin", "group", "secretary", "viewer"]))
    @click.option("--password", default=None)
    @click.option("--unit", "unit_code", default=None, help="the unit's code (secretaries)")
    @click.option("--group", "group_code", default=None, help="the working group's code (group members)")
    @click.option("--phone", default=None, help="a phone number the user may sign in with")
    @click.option("--channels", default=None, metavar="LIST",
                  help="reminder channels from inbox,email,webhook (default: inbox,email; the inbox is always on)")
    def users_create(email, name, role, password, unit_code, group_code, phone, channels):
        """Add a user; without --password it prompts."""
        from .reminders.channels import parse_channels
        from .services.accounts import create_user

        try:
            chosen = parse_channels(channels)
        except ValueError as exc:
            fail(f"--channels: {exc}")
        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            user = create_user(email, name, role, password, unit_code, group_code, phone, actor=None)
        except DomainError as exc:
            fail(exc.message + (" " + "; ".join(f"{k}: {v}" for k, v in exc.fields.items()) if exc.fields else ""))
        user.channels = ",".join(chosen)
        db.session.commit()
        click.echo(f"User {user.login} ({user.role}) created.")

    app.cli.add_command(users)

    from .imports.commands import register as register_imports
    register_imports(app)
    from .tokens.commands import register as register_tokens
    register_tokens(app)
    from .privacy.commands import register as register_privacy
    register_privacy(app)
