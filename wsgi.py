"""Entry point: `flask run` and gunicorn find `app` here; `python wsgi.py` serves with the scheduler."""
from tracker import create_app

app = create_app()

if __name__ == "__main__":
    from tracker.scheduler import start_in_web_process

    start_in_web_process(app)
    app.run()
