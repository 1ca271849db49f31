"""Signing in as a browser at a given client address does."""
from __future__ import annotations

from tests.conftest import csrf_of


def client_at(app, address="10.0.0.1"):
    """A test client whose requests come from that client address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def try_sign_in(client, login, password):
    """POST the sign-in form (with the CSRF token of a fresh page) and return the response."""
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": login, "password": password, "csrf_token": token})


def signed_in(app, login, password, address="10.0.0.1"):
    """A client signed in through the form."""
    client = client_at(app, address)
    resp = try_sign_in(client, login, password)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return client
