"""`flask import units|users|groups FILE [--dry-run]`: errors one a line, then the counts last."""
from __future__ import annotations

import getpass
import os
import sys

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _

from ..clock import utcnow
from ..extensions import db
from .columns import KINDS_OF_IMPORT
from .service import run_import


def register(app: Flask) -> None:
    """Attach `flask import …`."""
    group = AppGroup("import", help="Import units, users or working groups from .xlsx or .csv (all rows or none).")

    for kind in KINDS_OF_IMPORT:
        group.command(kind, help=f"Import {kind} from FILE (.xlsx or .csv); --dry-run changes nothing.")(
            click.argument("file", type=click.Path(dir_okay=False))(
                click.option("--dry-run", is_flag=True, help="check and count, change nothing")(
                    _command(kind))))
    app.cli.add_command(group)


def _command(kind: str):
    def command(file: str, dry_run: bool) -> None:
        try:
            with open(file, "rb") as f:
                content = f.read()
        except OSError as exc:
            click.echo(_("Error: cannot read %(file)s: %(why)s", file=file, why=exc.strerror), err=True)
            sys.exit(1)
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "?"
        plan = run_import(kind, content, os.path.basename(file), None, f"flask ({who})", utcnow(), dry_run)
        if plan.errors:
            db.session.rollback()
            for error in plan.errors:
                click.echo(error.text(), err=True)
            click.echo(_("Nothing was imported: %(n)s errors.", n=len(plan.errors)), err=True)
            sys.exit(1)
        if dry_run:
            db.session.rollback()
            click.echo(_("Dry run: nothing was changed."))
        else:
            db.session.commit()
        click.echo(plan.summary())
    return command
