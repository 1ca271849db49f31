"""`flask tokens create EMAIL [--days N]`, `flask tokens list EMAIL`, `flask tokens revoke ID | --all EMAIL`."""
from __future__ import annotations

from typing import Optional

import click
from flask import Flask
from flask.cli import AppGroup

from ..cli import fail
from ..clock import local_zone, utcnow
from ..extensions import db
from ..models import User
from ..services.accounts import find_user
from ..services.errors import DomainError
from . import service


def _user(login: str) -> User:
    user = find_user(login)
    if user is None:
        fail(f"no user with email {login}")
    return user


def _moment(value) -> str:
    return value.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M") if value else "-"


def register(app: Flask) -> None:
    """Attach `flask tokens …`."""
    tokens = AppGroup("tokens", help="Manage API tokens.")

    @tokens.command("create")
    @click.argument("email")
    @click.option("--days", default=service.DEFAULT_DAYS, show_default=True, type=int, help="days until it expires")
    def create(email: str, days: int):
        """Print a new API token for that user, alone on the last line."""
        user = _user(email)
        try:
            token = service.create_token(user, utcnow(), days)
        except DomainError as exc:
            fail(exc.message)
        db.session.commit()
        click.echo(f"API token for {user.login}, valid {days} days (shown once):")
        click.echo(token)

    @tokens.command("list")
    @click.argument("email")
    def list_(email: str):
        """The user's tokens: id, created, expires, last used (local time), state."""
        user = _user(email)
        now = utcnow()
        click.echo(f"{'id':>6}  {'created':<16}  {'expires':<16}  {'last used':<16}  state")
        for t in service.tokens_of(user):
            click.echo(f"{t.id:>6}  {_moment(t.created_at):<16}  {_moment(t.expires_at):<16}  "
                       f"{_moment(t.last_used_at):<16}  {service.token_state(t, now)}")

    @tokens.command("revoke")
    @click.argument("token_id", required=False, type=int)
    @click.option("--all", "all_of", metavar="EMAIL", default=None, help="revoke every token of this user")
    def revoke(token_id: Optional[int], all_of: Optional[str]):
        """Revoke one token by its id (see `flask tokens list`), or --all EMAIL: every token of a user."""
        if (token_id is None) == (all_of is None):
            fail("give a token id or --all EMAIL (not both)")
        now = utcnow()
        if all_of is not None:
            n = service.revoke_all([_user(all_of).id], now)
            db.session.commit()
            click.echo(f"{n} tokens revoked.")
            return
        try:
            service.revoke_token(token_id, now)
        except DomainError as exc:
            fail(exc.message)
        db.session.commit()
        click.echo(f"Token {token_id} revoked.")

    app.cli.add_command(tokens)
