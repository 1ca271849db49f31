"""Proof under fire: 50 clients ticking and unticking the same items at once through a real gunicorn on
PostgreSQL. Every answer is 200 or 409 (never 500), and the final state of each item equals the journal's
last entry for it: no update is lost, none is applied twice."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from collections import Counter

import pytest
import requests
from sqlalchemy import select

from tests.conftest import free_port, start_gunicorn
from tests.factories import API, bearer, make_unit, make_user
from tracker.extensions import db
from tracker.models import Item, JournalEntry

CLIENTS = 50
SECONDS = float(os.environ.get("PROOF_TICK_SECONDS", "20"))  # the 20 s; shorter only by hand


def _serve(app, port: int) -> subprocess.Popen:
    """A gunicorn (4 workers × 8 threads) on the test database, ready when it answers."""
    return start_gunicorn(app, port, ["-w", "4", "-k", "gthread", "--threads", "8"], "proof-ticks", "/healthz", 300,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _client(base: str, headers: dict, items: list[str], stop: float, seen: Counter, applied: Counter,
            errors: list) -> None:
    """Tick or untick random items against the version last seen; on 409 read the stage again."""
    session = requests.Session()
    session.headers.update(headers)
    stages_url = f"{base}{API}/units/U1/stages"

    def fresh() -> dict[str, tuple[int, bool]]:
        r = session.get(stages_url, timeout=30)
        seen[("GET", r.status_code)] += 1
        stage = next(s for s in r.json() if s["key"] == "dissemination")
        return {i["key"]: (i["version"], i["done"]) for i in stage["items"]}

    known = fresh()
    while time.monotonic() < stop:
        key = random.choice(items)
        version, done = known[key]
        r = session.patch(f"{stages_url}/dissemination/items/{key}", json={"done": not done, "version": version},
                          timeout=30)
        seen[r.status_code] += 1
        if r.status_code == 200:
            body = r.json()
            known[key] = (body["version"], body["done"])
            applied[key] += 1
        elif r.status_code == 409:
            known = fresh()
        else:
            errors.append((r.status_code, r.text[:300]))
            known = fresh()


@pytest.mark.slow  # a real gunicorn and 50 client threads for 20 s
def test_fifty_clients_ticking_the_same_items_lose_nothing(app, campaign):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the production path: PostgreSQL (SQLite serialises every writer by design)")
    make_unit("U1")
    admin = make_user("admin@d.test", "admin", password=None)
    headers = bearer(admin)
    items = [i.key for i in db.session.scalars(select(Item).join(Item.unit).where(Item.stage == "dissemination"))]
    assert len(items) >= 2
    db.session.remove()

    port = free_port()
    server = _serve(app, port)
    seen, applied, errors = Counter(), Counter(), []
    try:
        stop = time.monotonic() + SECONDS
        threads = [threading.Thread(target=_client, args=(f"http://127.0.0.1:{port}", headers, items, stop, seen,
                                                          applied, errors)) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=SECONDS + 120)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)

    patches = {code: n for code, n in seen.items() if isinstance(code, int)}
    print(f"\n{CLIENTS} clients for {SECONDS:.0f} s: {sum(patches.values())} PATCH requests, answers {patches}, "
          f"{sum(applied.values())} applied")
    assert not errors, errors[:5]
    assert set(patches) <= {200, 409}, patches
    assert patches.get(200, 0) > 0 and patches.get(409, 0) > 0  # the race really happened

    db.session.expire_all()
    for key in items:
        item = db.session.scalar(select(Item).where(Item.key == key, Item.stage == "dissemination"))
        changes = db.session.scalars(select(JournalEntry).where(
            JournalEntry.item_key == key, JournalEntry.action.in_(("tick", "untick"))).order_by(JournalEntry.id)).all()
        # every 200 is one change in the journal: nothing lost, nothing applied twice
        assert len(changes) == applied[key], (key, len(changes), applied[key])
        if changes:
            assert item.done == (changes[-1].action == "tick"), key
        assert item.version == 1 + applied[key], (key, item.version)
