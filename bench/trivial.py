"""The yardstick: a tiny Flask app that renders a 10-row Jinja template, served like the real app."""
from flask import Flask, render_template_string

app = Flask(__name__)
ROWS = [{"code": f"U{i:05d}", "name": f"Chi bộ số {i}", "status": "in_progress"} for i in range(1, 11)]
TEMPLATE = """<!doctype html><html><head><title>Trivial</title></head><body><table>
{% for row in rows %}<tr><td>{{ row.code }}</td><td>{{ row.name }}</td><td>{{ row.status }}</td></tr>
{% endfor %}</table></body></html>"""


@app.route("/")
def index():
    """Ten rows through Jinja, nothing else."""
    return render_template_string(TEMPLATE, rows=ROWS)
