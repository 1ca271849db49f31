"""`flask users forget EMAIL [--yes]`: anonymise a person (Nghị định 13/2023/NĐ-CP; docs/personal-data.md)."""
from __future__ import annotations

import click
from flask import Flask

from ..cli import fail
from ..clock import utcnow
from ..extensions import db
from ..services.accounts import find_user
from ..services.errors import DomainError
from .service import forget_user, pseudonym


def register(app: Flask) -> None:
    """Add `forget` to the `flask users` group."""
    users = app.cli.commands["users"]

    @users.command("forget")
    @click.argument("email")
    @click.option("--yes", is_flag=True, help="do not ask for confirmation")
    def forget(email: str, yes: bool):
        """Anonymise a user (email or phone): personal data removed, journal lines kept under a pseudonym."""
        user = find_user(email)
        if user is None:
            fail(f"no user with email or phone {email}")
        if not yes and not click.confirm(f"Forget {user.login} ({user.name}) for good?"):
            fail("nothing changed")
        try:
            counts = forget_user(user, utcnow())
        except DomainError as exc:
            fail(exc.message)
        db.session.commit()
        click.echo(", ".join(f"{k} {v}" for k, v in counts.items()))
        click.echo(f"User {email} is now {pseudonym(user.id)}.")
