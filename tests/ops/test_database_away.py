"""Proof under fire (issue 11): PostgreSQL goes away while clients keep asking (a TCP proxy in front of the
shared server is cut), pages and API answer 503 — never a 500 or a traceback — and once it is back the same
app answers 200 again, without a restart."""
import os
import threading
import time

import pytest
from sqlalchemy.engine import make_url

from config import TestConfig
from tests.factories import bearer
from tests.ops.proxy import CuttableProxy
from tracker import create_app
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.signin.sessions import SEEN_AT, SIGNED_IN_AT

URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not URL.startswith("postgresql"), reason="PostgreSQL only (a server to cut)")]
GUARD = 120  # seconds: only a guard against a hung test, never a measured figure


def test_503_while_the_database_is_away_then_200_without_a_restart(world):
    target = make_url(URL)
    proxy = CuttableProxy((target.host or "127.0.0.1", target.port or 5432))
    proxy.start()

    class Proxied(TestConfig):
        SQLALCHEMY_DATABASE_URI = target.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False)

    app = create_app(Proxied)
    headers = bearer(world["admin"])
    session_id = world["admin"].get_id()  # "id:generation", as the sign-in stores it
    phase = {"now": "up"}
    results = []  # (phase at start, phase at end, kind, status, traceback in body)
    stop = threading.Event()
    lock = threading.Lock()

    def client_loop(kind):
        client = app.test_client()
        if kind == "page":
            with client.session_transaction() as session:
                session["_user_id"] = session_id
                session["_fresh"] = True
                session[SIGNED_IN_AT] = session[SEEN_AT] = int(utcnow().timestamp())
        path = {"page": "/", "api": "/api/v1/units?per_page=5", "health": "/healthz"}[kind]
        while not stop.is_set():
            start = phase["now"]
            resp = client.get(path, headers=headers if kind == "api" else {})
            body = resp.get_data(as_text=True)
            with lock:
                results.append((start, phase["now"], kind, resp.status_code, "Traceback" in body,
                                resp.headers.get("Retry-After")))

    def wait_for(predicate):
        deadline = time.monotonic() + GUARD
        while not predicate():
            assert time.monotonic() < deadline, "the clients did not get that far"
            time.sleep(0.05)

    def seen(ph, status, n=3):
        with lock:
            kinds = {}
            for start, end, kind, st, _tb, _ra in results:
                if start == end == ph and st == status:
                    kinds[kind] = kinds.get(kind, 0) + 1
        return all(kinds.get(k, 0) >= n for k in ("page", "api", "health"))

    threads = [threading.Thread(target=client_loop, args=(k,)) for k in ("page", "api", "health", "api")]
    for t in threads:
        t.start()
    try:
        wait_for(lambda: seen("up", 200))
        # the in-between phases keep a request that straddles a switch out of "down" and "back"
        phase["now"] = "cutting"
        proxy.cut()
        phase["now"] = "down"
        wait_for(lambda: seen("down", 503))
        phase["now"] = "restoring"
        proxy.start()  # the database is back on the same address
        phase["now"] = "back"
        wait_for(lambda: seen("back", 200, n=5))
    finally:
        stop.set()
        for t in threads:
            t.join()
        proxy.cut()
        with app.app_context():
            db.engine.dispose()

    assert not [r for r in results if r[3] not in (200, 503)], "only 200 and 503, never a 500"
    assert not [r for r in results if r[4]], "no traceback in any answer"
    down = [r for r in results if r[0] == r[1] == "down"]
    assert down and all(r[3] == 503 and r[5] for r in down), "every answer while it was away: 503 with Retry-After"
    back = [r for r in results if r[0] == "back"]
    assert back and all(r[3] == 200 for r in back), "after it came back: 200 again, same app, no restart"
    counts = {ph: sum(1 for r in results if r[0] == ph) for ph in ("up", "down", "back")}
    print(f"requests before/while away/after: {counts}; 503s: {sum(1 for r in results if r[3] == 503)}")
