"""The API's edge under odd or simultaneous requests: never a 500, one clear answer each, nothing changed."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.factories import API, bearer, make_unit, make_user
from tracker.extensions import db
from tracker.models import Item, JournalEntry


def _together(app, n, call):
    """Run call(client) in n threads released at once; their answers (status, JSON)."""
    barrier, answers = threading.Barrier(n), []

    def run():
        client = app.test_client()
        barrier.wait()
        resp = call(client)
        answers.append((resp.status_code, resp.get_json(silent=True)))

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return answers


def test_eight_ticks_with_the_same_version_one_wins(app, campaign):
    make_unit("U1")
    headers = bearer(make_user("admin@d.test", "admin", password=None))
    item = db.session.scalar(select(Item).where(Item.stage == "dissemination").order_by(Item.position))
    url = f"{API}/units/U1/stages/dissemination/items/{item.key}"
    version = item.version
    db.session.remove()

    answers = _together(app, 8, lambda c: c.patch(url, json={"done": True, "version": version}, headers=headers))

    statuses = sorted(s for s, _body in answers)
    assert statuses == [200] + [409] * 7, answers
    assert all(body["error"]["code"] == "conflict" for s, body in answers if s == 409)
    ticks = db.session.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.action == "tick"))
    assert ticks == 1
    assert db.session.get(Item, item.id).version == version + 1
