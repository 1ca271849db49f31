"""Entry point: `flask run` and gunicorn find `app` here; `flask run` and `python wsgi.py` also run the scheduler.

The scheduler is started here, never in the app factory, and only for the two commands that serve
the app on one machine. `flask run` imports this module from inside its own click command, so the
current click context names the command: "run" starts the scheduler; any other `flask` command
(init-db, reminders, scheduler, shell …) and gunicorn (no click context at all) do not. Under the debug
reloader the watcher process imports this module too; `start_in_web_process` skips it and starts the
scheduler only in the child that serves (WERKZEUG_RUN_MAIN=true), so it never runs twice.
"""
import click

from tracker import create_app

app = create_app()


def _flask_run_reloader():
    """None when this process was not started by `flask run`; else whether the reloader is on."""
    from flask.cli import FlaskGroup
    from flask.helpers import get_debug_flag

    ctx = click.get_current_context(silent=True)
    if ctx is None or ctx.command.name != "run" or not isinstance(ctx.find_root().command, FlaskGroup):
        return None

    reload = ctx.params.get("reload")
    return get_debug_flag() if reload is None else bool(reload)


_reloader = _flask_run_reloader()
if _reloader is not None or click.get_current_context(silent=True) is None:
    # a server is starting (`flask run`, gunicorn, `python wsgi.py`): say how to create the first admin
    from tracker.imports.setup import announce

    announce(app)
if _reloader is not None:
    from tracker.reminders.scheduler import start_in_web_process

    start_in_web_process(app, reloader=_reloader)

if __name__ == "__main__":
    from tracker.reminders.scheduler import start_in_web_process

    start_in_web_process(app)
    app.run()
