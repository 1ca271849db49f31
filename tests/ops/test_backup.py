"""`flask backup DIR`: a consistent copy, restored into a fresh database with the same rows."""
import os
import shutil
import subprocess

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tracker.extensions import db
from tracker.ops.backup import BackupError, find_pg_dump

TABLES = ("units", "items", "users", "working_groups", "journal", "item_templates")


def facts(engine):
    """Row counts of a few tables and a few rows, to compare the original and the restored copy."""
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}
        rows = conn.execute(text("SELECT code, name, party_members FROM units ORDER BY code")).all()
        items = conn.execute(text("SELECT unit_id, stage, key, done FROM items ORDER BY id LIMIT 20")).all()
    return counts, [tuple(r) for r in rows], [tuple(r) for r in items]


def run_backup(app, directory):
    result = app.test_cli_runner().invoke(args=["backup", str(directory)])
    return result.exit_code, result.output


def test_backup_then_restore_gives_the_same_rows(app, world, tmp_path):
    db.session.commit()
    code, out = run_backup(app, tmp_path)
    assert code == 0, out
    path = out.strip().splitlines()[-1]
    assert os.path.dirname(path) == str(tmp_path) and os.path.isfile(path)
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".partial")]
    original = facts(db.engine)
    assert original[0]["units"] > 0 and original[0]["items"] > 0
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        assert path.endswith(".sqlite3")
        restored_file = tmp_path / "restored.db"
        shutil.copy(path, restored_file)  # the README's restore: copy the file into place
        engine = create_engine(f"sqlite:///{restored_file}")
    else:
        assert path.endswith(".dump") and os.path.basename(path).startswith(url.database + "-")
        name = url.database + "_restored"
        subprocess.run(["dropdb", "--if-exists", "-h", url.host, "-U", url.username, name], check=True)
        subprocess.run(["createdb", "-h", url.host, "-U", url.username, name], check=True)
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "-h", url.host, "-U", url.username,
                        "-d", name, path], check=True)
        engine = create_engine(url.set(database=name))
    try:
        assert facts(engine) == original
    finally:
        engine.dispose()
        if url.get_backend_name() != "sqlite":
            subprocess.run(["dropdb", "--if-exists", "-h", url.host, "-U", url.username, name], check=True)


def test_two_backups_in_a_row_keep_both(app, campaign, tmp_path):
    first, second = run_backup(app, tmp_path)[1], run_backup(app, tmp_path)[1]
    assert first.strip().splitlines()[-1] != second.strip().splitlines()[-1]
    assert len(os.listdir(tmp_path)) == 2


@pytest.mark.parametrize("bad", ["missing", "a-file"])
def test_a_bad_directory_is_one_line_and_a_non_zero_exit(app, campaign, tmp_path, bad):
    (tmp_path / "a-file").write_text("x")
    code, out = run_backup(app, tmp_path / bad)
    assert code == 1
    assert out.strip().splitlines() == [f"Error: {tmp_path / bad} is not a directory"]


def test_a_missing_pg_dump_is_said_clearly():
    with pytest.raises(BackupError, match="pg_dump not found"):
        find_pg_dump("/nowhere/pg_dump")


def test_a_backup_is_readable_by_its_owner_only_even_under_a_lax_umask(app, campaign, tmp_path):
    import stat

    db.session.commit()
    old = os.umask(0o022)
    try:
        code, out = run_backup(app, tmp_path)
    finally:
        os.umask(old)
    assert code == 0, out
    path = out.strip().splitlines()[-1]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert {stat.S_IMODE(os.stat(tmp_path / p).st_mode) for p in os.listdir(tmp_path)} == {0o600}
