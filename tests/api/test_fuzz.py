"""Proof under fire: schemathesis against /api/v1/openapi.json through a real gunicorn on the demo district,
with an admin's token and a secretary's, every check and the stateful phase on. Exit code 0 means: no server
error, every response matches the document, every request the document allows is accepted and every request
it forbids is refused, and undeclared methods answer 405 with `Allow`."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port, start_gunicorn
from tracker.clock import utcnow
from tracker.demo import load_demo
from tracker.extensions import db
from tracker.services.accounts import find_user
from tracker.tokens.service import create_token

ROOT = Path(__file__).resolve().parents[2]
ST = Path(sys.executable).parent / "st"
MAX_EXAMPLES = int(os.environ.get("PROOF_FUZZ_EXAMPLES", "25"))  # bounded: under 3 minutes per database
SEED = 20261130
CONFIG = Path(__file__).with_name("schemathesis.toml")  # the state rules' 422s, per operation

# Every check runs: none was found wrong for this API. (Were one wrong — e.g. `ignored_auth` for a public
# operation — it would be named here, with the reason, in EXCLUDED_CHECKS.)
EXCLUDED_CHECKS: tuple[str, ...] = ()


def _serve(app, port: int, log) -> subprocess.Popen:
    """gunicorn -w 2 on the test database, ready when it answers."""
    # --limit-request-line 0: gunicorn's own 4 KB cap on the request line answers an HTML 400 before the app
    # sees the request (schemathesis repeats query parameters past it); production puts a proxy in front
    return start_gunicorn(app, port, ["-w", "2", "--limit-request-line", "0"], "proof-fuzz", "/api/v1/openapi.json",
                          600, stdout=log, stderr=subprocess.STDOUT, text=True)


def _fuzz(port: int, token: str) -> subprocess.CompletedProcess:
    cmd = [str(ST), "--no-color", "--config-file", str(CONFIG), "run", f"http://127.0.0.1:{port}/api/v1/openapi.json",
           "-H", f"Authorization: Bearer {token}", "--checks", "all",
           *(["--exclude-checks", ",".join(EXCLUDED_CHECKS)] if EXCLUDED_CHECKS else []),
           "--phases", "examples,coverage,fuzzing,stateful", "--max-examples", str(MAX_EXAMPLES),
           "--seed", str(SEED), "--workers", "1"]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)


def _cases(output: str) -> int:
    """The run's total of generated test cases, from schemathesis' closing summary."""
    found = re.search(r"Test cases:\s*\n?\s*(\d+) generated", output)
    assert found, output[-3000:]
    return int(found.group(1))


@pytest.mark.slow  # a real gunicorn, the demo district and two schemathesis runs (about a minute each)
def test_schemathesis_finds_nothing_with_an_admins_and_a_secretarys_token(app, tmp_path):
    logins = load_demo(utcnow())
    by_role = {}
    for role, email, _password in logins:
        by_role.setdefault(role, email)
    now = utcnow()
    tokens = {role: create_token(find_user(by_role[role]), now) for role in ("admin", "secretary")}
    db.session.commit()
    db.session.remove()

    port = free_port()
    # the server's log goes to a file: a pipe nobody reads fills up (one JSON line a request) and blocks it
    with open(tmp_path / "gunicorn.log", "w") as log:
        server = _serve(app, port, log)
        try:
            runs = {role: _fuzz(port, token) for role, token in tokens.items()}
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    for role, run in runs.items():
        print(f"\nschemathesis ({role}): {_cases(run.stdout)} cases, exit {run.returncode}")
        assert run.returncode == 0, f"{role}:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
        assert "Server error" not in run.stdout
