"""`flask users set-password EMAIL [--password PW]`: the operator's way back in; every session of the user ends."""
from __future__ import annotations

import click
from flask import Flask

from ..clock import utcnow
from ..extensions import db
from ..services.errors import DomainError


def register(app: Flask) -> None:
    """Add set-password to the `flask users` group (tracker/cli.py makes the group)."""
    users = app.cli.commands["users"]

    @users.command("set-password")
    @click.argument("email")
    @click.option("--password", default=None, help="the new password (prompted when left out)")
    def set_password(email, password):
        """Set a user's password (prompts without --password); every session and sign-in link of the user ends."""
        from ..cli import fail
        from ..services.accounts import find_user
        from ..services.accounts import set_password as set_it

        user = find_user(email)
        if user is None:
            fail(f"no user with email or phone {email}")
        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            set_it(user, password, utcnow(), actor=None)
        except DomainError as exc:
            fail(exc.message + (" " + "; ".join(f"{k}: {v}" for k, v in exc.fields.items()) if exc.fields else ""))
        db.session.commit()
        click.echo(f"Password of {user.login} set; every session of the user has ended.")
