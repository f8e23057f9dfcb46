"""The `civictwin` command as a user runs it: real processes, real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import PostgresServer, free_port

CLI = [sys.executable, "-m", "backend.cli"]


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICTWIN_")}
    full_env.update(env or {})
    return subprocess.run(
        [*CLI, *args], env=full_env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_db_upgrade_then_info_on_a_new_spatialite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/sub/dir/ct.sqlite"
    first = run("db", "upgrade", env={"CIVICTWIN_DATABASE_URL": url})
    assert first.returncode == 0, first.stderr
    assert "migrated from empty to" in first.stdout
    again = run("db", "upgrade", env={"CIVICTWIN_DATABASE_URL": url})
    assert "already at" in again.stdout
    info = run("db", "info", "--json", env={"CIVICTWIN_DATABASE_URL": url})
    data = json.loads(info.stdout)
    assert data["engine"] == "spatialite" and data["up_to_date"] is True


def test_db_upgrade_on_postgis(postgis: PostgresServer) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(postgis.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("CREATE DATABASE cli_upgrade"))
    admin.dispose()
    # a plain postgresql:// URL means psycopg 3 too
    url = postgis.url("cli_upgrade").replace("postgresql+psycopg", "postgresql")
    r = run("db", "upgrade", env={"CIVICTWIN_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    info = json.loads(run("db", "info", "--json", env={"CIVICTWIN_DATABASE_URL": url}).stdout)
    assert info["engine"] == "postgis" and info["spatial_version"].startswith("PostGIS 3")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CIVICTWIN_DATABASE_URL": "not a url"}, "is not a database URL"),
        ({"CIVICTWIN_DATABASE_URL": "mysql://u@h/db"}, "does not support"),
        ({"CIVICTWIN_DATABASE_URL": "sqlite:///:memory:"}, "must name a SpatiaLite file"),
        (
            {"CIVICTWIN_ENVIRONMENT": "production"},
            "CIVICTWIN_SECRET_KEY is the development default",
        ),
        ({"CIVICTWIN_LOG_FORMAT": "xml"}, "CIVICTWIN_LOG_FORMAT"),
    ],
)
def test_bad_configuration_stops_with_one_sentence(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    r = run("db", "info", env=env, cwd=tmp_path)
    assert r.returncode == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_unreachable_postgis_is_explained() -> None:
    port = free_port()
    r = run("serve", env={"CIVICTWIN_DATABASE_URL": f"postgresql+psycopg://u@127.0.0.1:{port}/x"})
    assert r.returncode == 2
    assert f"cannot connect to PostgreSQL at 127.0.0.1:{port}/x" in r.stderr
    assert "Traceback" not in r.stderr


def test_missing_spatialite_module_is_explained(tmp_path: Path) -> None:
    r = run(
        "db",
        "upgrade",
        env={
            "CIVICTWIN_DATABASE_URL": f"sqlite:///{tmp_path}/a.sqlite",
            "SPATIALITE_LIBRARY_PATH": "/nonexistent/mod_spatialite",
        },
    )
    assert r.returncode == 2
    assert "libsqlite3-mod-spatialite" in r.stderr
    assert "Traceback" not in r.stderr


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    r = run("serve", env={"CIVICTWIN_DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite"})
    assert r.returncode == 2
    assert "run `civictwin db upgrade`" in r.stderr


def test_serve_refuses_a_database_from_a_newer_version(db_url: str) -> None:
    import sqlalchemy as sa

    from backend.db.engine import create_db_engine

    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    r = run("serve", env={"CIVICTWIN_DATABASE_URL": db_url})
    assert r.returncode == 2
    assert "newer version" in r.stderr and "Traceback" not in r.stderr


def test_serve_answers_health_over_http(tmp_path: Path) -> None:
    import time

    import httpx

    url = f"sqlite:///{tmp_path}/served.sqlite"
    assert run("db", "upgrade", env={"CIVICTWIN_DATABASE_URL": url}).returncode == 0
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICTWIN_")}
    env.update({"CIVICTWIN_DATABASE_URL": url, "CIVICTWIN_LOG_FORMAT": "json"})
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError("server did not start") from None
                time.sleep(0.2)
        assert r.status_code == 200
        assert r.json()["database"]["engine"] == "spatialite"
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/" in out
    json_lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(line.get("message", "").startswith("GET /api/v1/health 200") for line in json_lines)
