"""A SpatiaLite file the server cannot write says so, naming the file (issue 10 point 11).

Before, it said "install SpatiaLite": opening the database loads the extension and initialises
its metadata in one step, and SQLite's "attempt to write a readonly database" (WAL keeps its
``-shm`` beside the file) was taken for a missing extension.

The file is made read-only for real: permissions 0444 on the file and 0555 on its folder, and the
server runs as an unprivileged user (``setpriv`` to ``nobody`` when the tests run as root, since
root ignores permissions).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from backend.db.engine import create_db_engine
from backend.db.errors import domain_error
from backend.errors import DatabaseUnavailableError

ROOT = Path(__file__).resolve().parents[3]
NOBODY = 65534

#: What the server does at start: open the database and check its revision.
_START = """
import sys
from backend.db import migrate
from backend.db.engine import Database
from backend.errors import ConfigurationError
db = Database.connect(sys.argv[1])
try:
    migrate.require_up_to_date(db.engine)
except ConfigurationError as exc:
    print(exc)
    raise SystemExit(3)
print("started")
"""


@pytest.fixture
def migrated_file(spatialite_template: Path) -> Iterator[Path]:
    """A migrated database in a folder of its own that other users may enter."""
    folder = Path(tempfile.mkdtemp(prefix="civictwin-ro-"))
    path = folder / "civictwin.sqlite"
    path.write_bytes(spatialite_template.read_bytes())
    folder.chmod(0o755)
    path.chmod(0o644)
    yield path
    folder.chmod(0o755)
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()


def _start_server_process(url: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", _START, url]
    if os.geteuid() == 0:  # root bypasses permissions: run as nobody, as a server user would
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": "/tmp"},
    )


def test_a_read_only_file_says_it_is_read_only_and_names_the_path(migrated_file: Path) -> None:
    # the same file and folder, writable by the server's user, start
    writable = migrated_file.parent
    if os.geteuid() == 0:
        os.chown(writable, NOBODY, NOBODY)
        os.chown(migrated_file, NOBODY, NOBODY)
    ok = _start_server_process(f"sqlite:///{migrated_file}")
    assert ok.returncode == 0 and "started" in ok.stdout, ok.stdout + ok.stderr
    for child in writable.iterdir():
        if child != migrated_file:
            child.unlink()  # the -wal/-shm of the run above
    migrated_file.chmod(0o444)
    writable.chmod(0o555)
    failed = _start_server_process(f"sqlite:///{migrated_file}")
    assert failed.returncode == 3, failed.stdout + failed.stderr
    message = failed.stdout
    assert f"the SpatiaLite database '{migrated_file}' is read-only" in message
    assert str(writable) in message and "writable" in message
    assert "install" not in message.lower()


def test_a_read_only_open_of_a_database_reads_and_a_write_is_unavailable_not_a_bug(
    migrated_file: Path,
) -> None:
    """``?mode=ro`` (SQLite's read-only open): the metadata exists, so nothing is written at
    connect; reads work, and a write is the documented 503 "read-only", not a 500."""
    engine = create_db_engine(f"sqlite:///file:{migrated_file}?mode=ro&uri=true")
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM proposals")).scalar() == 0
            assert (conn.execute(sa.text("SELECT CheckSpatialMetaData()")).scalar() or 0) > 0
        with pytest.raises(sa.exc.OperationalError) as raised, engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM proposals"))
        error = domain_error(raised.value)
        assert isinstance(error, DatabaseUnavailableError)
        assert "read-only" in str(error)
    finally:
        engine.dispose()
    assert not (Path.cwd() / "file:").exists()  # a file: URI makes no stray folder
