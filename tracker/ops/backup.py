"""A consistent copy of the database: SQLite's online backup API, or `pg_dump -Fc` for PostgreSQL.

A backup holds every password hash and personal detail: its file is created 0600 (owner only), never
widened by the umask and never chmod-ed after the data is in it."""
from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Optional

from sqlalchemy.engine import URL


class BackupError(Exception):
    """A backup that could not be made, with a one-line reason."""


def backup(url: URL, directory: str, now: Optional[datetime] = None, pg_dump: Optional[str] = None) -> Path:
    """Copy the database at `url` into `directory`; the new file's path (never overwrites one)."""
    target = Path(directory)
    if not target.is_dir():
        raise BackupError(f"{directory} is not a directory")
    if not os.access(target, os.W_OK | os.X_OK):
        raise BackupError(f"{directory} is not writable")
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    if url.get_backend_name() == "sqlite":
        return _sqlite(url, target, stamp)
    if url.get_backend_name() == "postgresql":
        return _postgres(url, target, stamp, pg_dump)
    raise BackupError(f"no backup method for {url.get_backend_name()}")


PRIVATE = 0o600
PRIVATE_UMASK = 0o077  # for pg_dump and whatever else it creates


def _private_file(path: Path) -> None:
    """Create an empty file at path that only its owner may read or write (refuses an existing one)."""
    # the umask can only narrow os.open's mode, so the file is never wider than 0600
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        raise BackupError(f"{path} already exists: is another backup running?") from None


def _free_name(directory: Path, stem: str, suffix: str) -> Path:
    path, n = directory / f"{stem}{suffix}", 1
    while path.exists():  # two backups within one second keep both
        n += 1
        path = directory / f"{stem}-{n}{suffix}"
    return path


def _sqlite(url: URL, directory: Path, stamp: str) -> Path:
    source = url.database
    if not source or source == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    if not Path(source).is_file():
        raise BackupError(f"no SQLite database at {source}")
    path = _free_name(directory, f"{Path(source).stem}-{stamp}", ".sqlite3")
    partial = path.with_suffix(".partial")
    _private_file(partial)  # SQLite writes into it, and gives its journal the file's own mode
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(partial)
    try:
        with dst:
            src.backup(dst)  # pages copied under SQLite's own locking: consistent while the app writes
    finally:
        dst.close()
        src.close()
    os.replace(partial, path)  # a half-written file never carries the backup's name
    return path


def find_pg_dump(configured: Optional[str] = None) -> str:
    """pg_dump: the configured path, else the one on PATH, else the newest under /usr/lib/postgresql."""
    if configured:
        if not (shutil.which(configured)):
            raise BackupError(f"pg_dump not found at {configured} (TRACKER_PG_DUMP)")
        return shutil.which(configured)
    found = shutil.which("pg_dump") or next(iter(sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), key=lambda p: int(Path(p).parts[-3]), reverse=True)), None)
    if not found:
        raise BackupError("pg_dump not found: install the PostgreSQL client (apt-get install postgresql-client) "
                          "or set TRACKER_PG_DUMP")
    return found


def _postgres(url: URL, directory: Path, stamp: str, pg_dump: Optional[str]) -> Path:
    program = find_pg_dump(pg_dump)
    path = _free_name(directory, f"{url.database}-{stamp}", ".dump")
    partial = path.with_suffix(".partial")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # not on the command line, where `ps` would show it
    dsn = URL.create("postgresql", username=url.username, host=url.host, port=url.port, database=url.database,
                     query=url.query).render_as_string(hide_password=False)
    _private_file(partial)  # pg_dump truncates and fills it, keeping its mode
    done = subprocess.run([program, "-Fc", "-f", str(partial), "-d", dsn], env=env,
                          capture_output=True, text=True, umask=PRIVATE_UMASK)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise BackupError(f"pg_dump failed: {lines[-1] if lines else 'exit ' + str(done.returncode)}")
    os.replace(partial, path)
    return path
