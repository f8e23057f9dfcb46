"""Engine creation for the two supported databases, with start-up errors a person can act on.

- SpatiaLite (embedded default): ``sqlite:///path``. The stdlib ``sqlite3`` of some Pythons cannot
  load extensions, so the DB-API module is ``sqlean`` (same API, extension loading enabled).
- PostGIS: ``postgresql+psycopg://user:password@host:port/db``.

Concurrency on SpatiaLite (WAL): a *read* session begins a deferred transaction, which only takes
a read snapshot, so any number of readers run beside one writer and never wait for it; a *write*
session begins ``BEGIN IMMEDIATE``, taking the one write lock up front, so writers queue in turn
(``busy_timeout``) instead of failing when a read snapshot cannot be upgraded. A writer that cannot
get the lock within :data:`SQLITE_BUSY_TIMEOUT_S` fails; :mod:`backend.db.errors` makes that a
"busy, retry" error. The pool of both engines is bounded (:data:`POOL_SIZE` + :data:`POOL_OVERFLOW`
connections; waiting longer than :data:`POOL_TIMEOUT_S` for one is "busy" too).

Reads on the event loop (PostGIS only): :meth:`Database.open_async` opens a second engine on the
same database in psycopg 3's async mode, used by the read paths of the API
(:class:`backend.api.deps.Reads`) through ``AsyncSession.run_sync``, so the same query and
response code runs whichever executor carries it. SpatiaLite has no async driver: its reads stay
in the thread pool.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from geoalchemy2.admin.dialects.sqlite import init_spatialite, load_spatialite_driver
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, sessionmaker

from backend.errors import ConfigurationError

EngineKind = Literal["spatialite", "postgis"]

#: Connections kept open per engine (per worker process), and extra ones allowed under load.
POOL_SIZE = 10
POOL_OVERFLOW = 10
#: Connections of the pool kept for work outside requests' sessions (live-event checks, mail).
RESERVED_CONNECTIONS = 4
#: How long a request waits for a free connection before it is answered 503 (busy).
POOL_TIMEOUT_S = 10.0
#: How long a SpatiaLite writer waits for the write lock before it is answered 503 (busy).
SQLITE_BUSY_TIMEOUT_S = 10.0
#: Read-only requests that may hold a session at once, per worker, on either engine. A read is
#: mostly Python under this process's GIL (the ORM, rows to dicts and JSON; on SpatiaLite the
#: query too), so a third concurrent reader in one worker adds no throughput, only GIL
#: hand-offs between threads: at 50 clients the lists' CPU per request rose by 20-40 % with 6
#: admitted and stayed flat with 2 (issue 10 bench, both engines). Writers have a gate of their
#: own, so writers waiting for a lock (SQLite's, a throttle's) never hold up readers.
READERS = 2
#: Execution option marking a connection whose transactions only read (SpatiaLite: deferred).
READ_ONLY_OPTION = "civictwin_read_only"

_URL_HELP = (
    "expected `sqlite:///path/to/file.sqlite` (SpatiaLite) or "
    "`postgresql+psycopg://user:password@host:5432/dbname` (PostGIS)"
)


def parse_database_url(url: str) -> tuple[URL, EngineKind]:
    """Parse ``url`` and tell which engine it addresses, or raise :class:`ConfigurationError`."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            f"CIVICTWIN_DATABASE_URL {url!r} is not a database URL: {_URL_HELP}."
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ConfigurationError(
                "CIVICTWIN_DATABASE_URL must name a SpatiaLite file (in-memory databases are not "
                f"shared between connections): {_URL_HELP}."
            )
        return parsed, "spatialite"
    if backend == "postgresql":
        # psycopg 3 is the one PostgreSQL driver we ship; `postgresql://` means it too.
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed, "postgis"
    raise ConfigurationError(
        f"CIVICTWIN_DATABASE_URL uses {backend!r}, which CivicTwin does not support: {_URL_HELP}."
    )


def _spatialite_library() -> str:
    return os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite")


#: What SQLite says when the file (or its folder, where WAL keeps ``-wal`` and ``-shm``) cannot
#: be written or opened.
_SQLITE_NOT_WRITABLE = ("readonly database", "unable to open database file", "read-only")


def _file_path(database: str) -> Path:
    """The file a SQLite ``database`` names (plain, or a ``file:`` URI with ``uri=true``)."""
    if database.startswith("file:"):
        database = database.removeprefix("file:").split("?", 1)[0]
    return Path(database).expanduser()


def _read_only_error(path: str, exc: Exception) -> ConfigurationError:
    file = _file_path(path)
    folder, path = file.resolve().parent, str(file)
    return ConfigurationError(
        f"the SpatiaLite database {path!r} is read-only for this process ({exc}): CivicTwin "
        f"writes to it (and, in WAL mode, beside it in {str(folder)!r}); make the file and its "
        "folder writable by the server's user, or point CIVICTWIN_DATABASE_URL at a writable "
        "copy."
    )


def _on_sqlite_connect(dbapi_conn: Any, record: Any, busy_timeout_s: float, path: str) -> None:
    # Let SQLAlchemy, not the driver, decide where transactions begin (needed for SAVEPOINT and
    # for DDL inside migrations); see the SQLAlchemy pysqlite "serializable isolation" notes.
    dbapi_conn.isolation_level = None
    try:
        load_spatialite_driver(dbapi_conn)
    except Exception as exc:  # the driver raises its own OperationalError type
        raise ConfigurationError(
            f"the SpatiaLite extension {_spatialite_library()!r} could not be loaded ({exc}): "
            "install it with `apt-get install libsqlite3-mod-spatialite` or point "
            "SPATIALITE_LIBRARY_PATH at mod_spatialite."
        ) from None
    try:
        # writes only when the file has no spatial metadata yet (a new database)
        init_spatialite(dbapi_conn, init_mode="WGS84")
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()
    except Exception as exc:
        if any(m in str(exc).lower() for m in _SQLITE_NOT_WRITABLE):
            raise _read_only_error(path, exc) from None
        raise
    if dbapi_conn.execute("SELECT CheckSpatialMetaData()").fetchone()[0] < 1:
        # InitSpatialMetaData reports a failure to write on stderr only, and returns 0
        raise _read_only_error(path, Exception("the spatial metadata could not be created"))


def _on_sqlite_begin(conn: sa.Connection) -> None:
    if conn.get_execution_options().get(READ_ONLY_OPTION):
        # DEFERRED: only a WAL read snapshot, no lock; readers never wait for the writer.
        conn.exec_driver_sql("BEGIN")
        return
    # IMMEDIATE, not the default DEFERRED, for sessions that write: a deferred transaction that
    # reads and then writes fails at once with "database is locked" when another connection
    # committed in between (WAL cannot upgrade a stale read snapshot, and busy_timeout does not
    # apply). Taking the write lock up front makes concurrent writers wait their turn instead.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_db_engine(
    url: str, *, sqlite_busy_timeout_s: float = SQLITE_BUSY_TIMEOUT_S, **kwargs: Any
) -> Engine:
    """An engine for ``url`` with SpatiaLite loaded on every SQLite connection.

    ``kwargs`` go to :func:`sqlalchemy.create_engine` (the pool bounds default to
    :data:`POOL_SIZE`, :data:`POOL_OVERFLOW`, :data:`POOL_TIMEOUT_S`).
    """
    parsed, kind = parse_database_url(url)
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT_S)
    os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
    if kind == "spatialite":
        import sqlean

        assert parsed.database is not None
        _file_path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            parsed,
            module=sqlean,
            poolclass=sa.pool.QueuePool,
            connect_args={"check_same_thread": False, "timeout": sqlite_busy_timeout_s},
            **kwargs,
        )
        event.listen(
            engine,
            "connect",
            partial(_on_sqlite_connect, busy_timeout_s=sqlite_busy_timeout_s, path=parsed.database),
        )
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    try:
        return sa.create_engine(parsed, pool_pre_ping=True, **kwargs)
    except NoSuchModuleError as exc:  # pragma: no cover - psycopg is a dependency
        raise ConfigurationError(f"database driver missing: {exc}") from None


def engine_kind(engine: Engine) -> EngineKind:
    return "spatialite" if engine.dialect.name == "sqlite" else "postgis"


def describe_connection_error(engine: Engine, exc: Exception) -> ConfigurationError:
    """Turn a failure to connect into one sentence that says what to do."""
    url = engine.url
    if engine_kind(engine) == "postgis":
        where = f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return ConfigurationError(
            f"cannot connect to PostgreSQL at {where} ({reason}): start the server or fix "
            "CIVICTWIN_DATABASE_URL."
        )
    if isinstance(exc, ConfigurationError):
        return exc
    reason = str(getattr(exc, "orig", exc)).strip()
    return ConfigurationError(
        f"cannot open the SpatiaLite database {url.database!r} ({reason}): check the path in "
        "CIVICTWIN_DATABASE_URL and that its folder is writable."
    )


@dataclass
class SpatialInfo:
    engine: EngineKind
    server_version: str
    spatial_version: str


def spatial_info(conn: sa.Connection) -> SpatialInfo:
    """Versions of the database server and its spatial extension."""
    if conn.dialect.name == "sqlite":
        sqlite_v, spatialite_v = conn.execute(
            sa.text("SELECT sqlite_version(), spatialite_version()")
        ).one()
        return SpatialInfo("spatialite", f"SQLite {sqlite_v}", f"SpatiaLite {spatialite_v}")
    server_v = conn.execute(sa.text("SHOW server_version")).scalar_one()
    try:
        postgis_v = conn.execute(sa.text("SELECT postgis_lib_version()")).scalar_one()
    except OperationalError:
        postgis_v = "missing"
    except sa.exc.ProgrammingError:
        conn.rollback()
        postgis_v = "missing"
    return SpatialInfo("postgis", f"PostgreSQL {server_v}", f"PostGIS {postgis_v}")


@dataclass
class Database:
    """The engine and session factories of one running app, kept on ``app.state.db``.

    ``sessions`` may write (on SpatiaLite each transaction takes the write lock up front);
    ``read_sessions`` and ``read_engine`` are for work that only reads (on SpatiaLite a
    deferred transaction that never blocks or is blocked by a writer; a write attempted in one
    may fail as busy).
    """

    engine: Engine
    sessions: sessionmaker[Session]
    read_engine: Engine
    read_sessions: sessionmaker[Session]
    #: How many requests may hold a session at once (per worker): the pool's kept connections
    #: minus a reserve (the overflow absorbs the work outside requests).
    max_sessions: int = POOL_SIZE - RESERVED_CONNECTIONS
    #: The pool bounds the engine was made with (the async engine gets the same).
    pool_options: dict[str, Any] = field(default_factory=dict)
    #: How many read-only requests may hold a session at once (per worker), on a gate of their
    #: own; ``None`` (a pool of one): readers and writers share the gate of ``max_sessions``.
    max_read_sessions: int | None = None
    #: PostGIS, between :meth:`open_async` and :meth:`close_async`: read-only sessions on
    #: psycopg's async mode, for reads on the event loop; ``None`` otherwise (SpatiaLite).
    async_read_sessions: async_sessionmaker[AsyncSession] | None = None
    #: The engine behind :attr:`async_read_sessions`.
    async_engine: AsyncEngine | None = None

    @classmethod
    def connect(cls, url: str, **kwargs: Any) -> Database:
        engine = create_db_engine(url, **kwargs)
        reader = engine.execution_options(**{READ_ONLY_OPTION: True})  # same pool
        if engine_kind(engine) == "postgis":
            # reads in autocommit: under READ COMMITTED each statement takes its own snapshot
            # whether in a transaction or not, so a BEGIN and a ROLLBACK per request bought
            # nothing but two round trips (in process: PostgreSQL's CPU per list request
            # 0.33-1.25 -> 0.07-0.40 ms, ours 0.3-0.7 ms less; issue 10). Nothing that must be
            # atomic runs on a read session (throttles.serialize refuses one).
            reader = reader.execution_options(isolation_level="AUTOCOMMIT")
        options = {
            "pool_size": kwargs.get("pool_size", POOL_SIZE),
            "max_overflow": kwargs.get("max_overflow", POOL_OVERFLOW),
            "pool_timeout": kwargs.get("pool_timeout", POOL_TIMEOUT_S),
        }
        # requests hold at most the pool's kept connections (less a reserve), never its
        # overflow: a connection beyond ``pool_size`` is closed when it is given back, so
        # admitting more requests than that would open and close a connection per request under
        # load (PostgreSQL forks a backend, SpatiaLite loads its extension: issue 10 bench)
        pool = options["pool_size"]
        admitted = max(1, pool - min(RESERVED_CONNECTIONS, pool // 2))
        readers = None
        if admitted > 1:
            readers = min(READERS, admitted - 1)  # the rest of the admitted write
            admitted -= readers
        return cls(
            engine,
            sessionmaker(engine, expire_on_commit=False),
            reader,
            sessionmaker(reader, expire_on_commit=False),
            admitted,
            options,
            readers,
        )

    @property
    def async_sessions_max(self) -> int:
        """How many requests may read on the async engine at once (per worker): its pool."""
        return self.pool_options.get("pool_size", POOL_SIZE)

    def open_async(self) -> bool:
        """On PostGIS, open the async engine for reads (in the app's lifespan, on the event loop
        that will use it). False when there is nothing to open (SpatiaLite, or already open)."""
        if self.kind != "postgis" or self.async_engine is not None:
            return False
        # the same URL (psycopg 3 is sync and async in one driver); only requests use this
        # pool and they are admitted up to its size (deps.Reads), so it has no overflow
        self.async_engine = create_async_engine(
            self.engine.url,
            isolation_level="AUTOCOMMIT",  # reads only, as the sync read sessions
            pool_pre_ping=True,
            pool_size=self.async_sessions_max,
            max_overflow=0,
            pool_timeout=self.pool_options.get("pool_timeout", POOL_TIMEOUT_S),
        )
        self.async_read_sessions = async_sessionmaker(self.async_engine, expire_on_commit=False)
        return True

    async def close_async(self) -> None:
        """Close the async engine's connections (on the event loop that opened them)."""
        engine, self.async_engine, self.async_read_sessions = self.async_engine, None, None
        if engine is not None:
            await engine.dispose()

    @property
    def kind(self) -> EngineKind:
        return engine_kind(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


__all__ = [
    "Database",
    "SpatialInfo",
    "create_db_engine",
    "describe_connection_error",
    "engine_kind",
    "parse_database_url",
    "spatial_info",
]
