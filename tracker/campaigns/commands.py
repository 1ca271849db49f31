"""`flask campaigns copy NAME --term TERM [--from ID] [--shift-days N]`: the new id alone on the last line."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from ..cli import fail
from ..extensions import db
from ..services.errors import DomainError
from . import scope, service


def register(app: Flask) -> None:
    """Attach `flask campaigns …`."""
    group = AppGroup("campaigns", help="Campaigns: start a new term or round.")

    @group.command("copy")
    @click.argument("name")
    @click.option("--term", required=True, help="the new term, e.g. 2030–2035")
    @click.option("--from", "source_id", type=int, default=None, help="the campaign to copy (default: the active one)")
    @click.option("--shift-days", type=int, default=None,
                  help="move the units' congress dates by N days (default: clear them)")
    def copy(name: str, term: str, source_id: int | None, shift_days: int | None) -> None:
        """A new campaign from an existing one: template, policy, targets, fields, groups, units; no progress."""
        try:
            source = service.get_campaign(source_id) if source_id is not None else scope.active_campaign()
            if source is None:
                fail("there is no campaign to copy; run flask init-db first")
            new = service.copy_campaign(source, name, term, shift_days=shift_days)
        except DomainError as exc:
            reasons = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            fail(f"{exc.message}{' (' + reasons + ')' if reasons else ''}")
        db.session.commit()
        click.echo(f"Campaign {new.name!r} created from {source.name!r}; the previous one is archived.")
        click.echo(new.id)

    app.cli.add_command(group)
