"""Fixtures shared by every test: both databases, Redis, a live server and the browser.

Every database test runs twice, on SpatiaLite and on a real PostGIS server started here. Each
test gets a fresh database cloned from a migrated template (a file copy for SpatiaLite,
``CREATE DATABASE ... TEMPLATE`` for PostGIS), so tests are isolated and the code under test
commits as it does in production.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.db import migrate
from backend.db.engine import Database, create_db_engine
from backend.db.models import Organisation, OutboxMessage, User, UserRole
from backend.db.types import utcnow
from backend.main import create_app
from backend.services.auth import create_api_token, hash_password
from backend.settings import Settings
from tests.services import (
    PostgresServer,
    RedisServer,
    live_server,
    postgres_server,
    redis_server,
)

os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHARED_DATA = ROOT.parent / "shared" / "data"
ENGINES = ("spatialite", "postgis")
_counter = itertools.count()


# --- parallel runs (pytest-xdist) ----------------------------------------------------------

#: Fixtures that start Chromium: the tests using them run one after another on one worker.
BROWSER_FIXTURES = {"browser", "page", "playwright_session"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``-n N`` (``scripts/check.sh``), every browser test goes to one worker, in the
    order collected: two SwiftShader renderers on two cores would slow each other past their
    timeouts, and the end-to-end tests share one session's London tileset and servers; the
    rest of the suite runs beside them on the other workers."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    group = pytest.mark.xdist_group("browser")
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "e2e" in item.path.parts or fixtures & BROWSER_FIXTURES:
            item.add_marker(group)


# --- databases -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgis() -> Iterator[PostgresServer]:
    """A PostgreSQL + PostGIS server of this test session, with a migrated template database."""
    with postgres_server() as server:
        admin = sa.create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("CREATE DATABASE civictwin_template"))
        engine = create_db_engine(server.url("civictwin_template"))
        migrate.upgrade(engine)
        engine.dispose()
        admin.dispose()
        yield server


@pytest.fixture(scope="session")
def spatialite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spatialite") / "template.sqlite"
    engine = create_db_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


def _fresh_postgis(server: PostgresServer) -> Iterator[str]:
    name = f"civictwin_test_{os.getpid()}_{next(_counter)}"
    admin = sa.create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE civictwin_template'))
    try:
        yield server.url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, migrated database: runs the test once per engine."""
    if request.param == "spatialite":
        template: Path = request.getfixturevalue("spatialite_template")
        path = tmp_path / "civictwin.sqlite"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
    else:
        yield from _fresh_postgis(request.getfixturevalue("postgis"))


@pytest.fixture
def engine_name(db_url: str) -> str:
    return "spatialite" if db_url.startswith("sqlite") else "postgis"


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database.connect(db_url)
    yield db
    db.dispose()


# --- the app -------------------------------------------------------------------------------


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=db_url,
        tiles_dir=tmp_path / "tiles",
        uploads_dir=tmp_path / "uploads",
        frontend_dir=tmp_path / "no-frontend",
    )


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings, database=database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def server_url(app: FastAPI) -> Iterator[str]:
    """The app served by a real uvicorn on a free loopback port."""
    with live_server(app) as url:
        yield url


# --- accounts --------------------------------------------------------------------------------

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per session


@pytest.fixture
def make_user(database: Database) -> Callable[..., User]:
    """Create a user with ``roles`` straight in the database (sme users get an organisation).

    By default the account is an established one: its address verified and created
    ``age_days`` ago (so its reports count toward auto-hide); ``verified=False`` gives a fresh,
    unconfirmed account as registration leaves it."""

    def make(
        *roles: str,
        email: str | None = None,
        name: str | None = None,
        verified: bool = True,
        age_days: float = 30,
    ) -> User:
        roles = roles or ("citizen",)
        n = next(_counter)
        created = utcnow() - timedelta(days=age_days)
        with database.sessions() as session:
            org = Organisation(name=f"Org {n}", size="micro") if "sme" in roles else None
            user = User(
                email=email or f"user{n}@example.org",
                password_hash=_PASSWORD_HASH,
                display_name=name or f"User {n}",
                organisation=org,
                roles=[UserRole(role=r) for r in roles],
                created_at=created,
                email_verified_at=created if verified else None,
            )
            session.add(user)
            session.commit()
            session.refresh(user)
            session.expunge_all()
            return user

    return make


@pytest.fixture
def bearer(database: Database) -> Callable[[User], dict[str, str]]:
    """Authorization headers with a fresh API token of ``user``."""

    def headers(user: User) -> dict[str, str]:
        with database.sessions() as session:
            loaded = session.get(User, user.id)
            assert loaded is not None
            _, raw = create_api_token(session, loaded, "tests", None)
        return {"Authorization": f"Bearer {raw}"}

    return headers


def mailed_token(database: Database, email: str, fragment: str) -> str:
    """The token of the newest ``#<fragment>=TOKEN`` link mailed to ``email`` (from the outbox,
    the mail as the SMTP server is handed it)."""
    with database.sessions() as session:
        bodies = session.scalars(
            sa.select(OutboxMessage.body)
            .where(OutboxMessage.to_address == email)
            .order_by(OutboxMessage.id.desc())
        ).all()
    for body in bodies:
        found = re.search(rf"#{fragment}=([A-Za-z0-9_-]+)", body)
        if found:
            return found.group(1)
    raise AssertionError(f"no #{fragment}= link mailed to {email}: {bodies}")


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign ``client`` in with cookies; returns the CSRF token to send on writes."""
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return str(r.json()["csrf_token"])


# --- Redis ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


# --- browser -------------------------------------------------------------------------------

CHROMIUM = os.environ.get("CIVICTWIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
VIEWPORT = {"width": 640, "height": 360}
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[object]:
    """The one Playwright driver of the test session (a second sync instance cannot start)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_session: object) -> Iterator[object]:
    """The system Chromium, headless, driven by Playwright (no browser download)."""
    b = playwright_session.chromium.launch(  # type: ignore[attr-defined]
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield b
    b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")  # type: ignore[attr-defined]
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
