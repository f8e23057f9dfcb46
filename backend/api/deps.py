"""Typed dependencies shared by the routes: settings, database session, the caller."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from backend.db.engine import Database
from backend.errors import AuthenticationError, CSRFError, PermissionDeniedError
from backend.services import auth
from backend.services.auth import Principal
from backend.settings import Settings

SESSION_COOKIE = "civictwin_session"
CSRF_COOKIE = "civictwin_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in the
# thread pool, and each such hop costs a request more than the work (issue 10, bench_api.py).


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


_admission: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[str, int], asyncio.Semaphore]
] = weakref.WeakKeyDictionary()


T = TypeVar("T")


def admitted(
    db: Database, size: int | None = None, key: str = "sync", *, reads: bool = False
) -> asyncio.Semaphore:
    """The gate in front of the connection pool, one per event loop (worker).

    A request's session hops between threads (dependencies, endpoint, close) and keeps its
    connection in between. Were more requests let in than the pool has connections, threads
    blocked waiting for a connection could take every thread-pool slot while the holders wait
    for a slot to finish: a stall until the pool timeout. Waiting here, on the event loop and
    before a thread or connection is taken, makes that impossible.

    ``reads``: the request only reads (a read session) and waits on the readers' own gate
    (:attr:`Database.max_read_sessions`), where writers waiting for a lock never hold it up.
    """
    if reads and db.max_read_sessions is not None and key == "sync":
        key, size = "read", db.max_read_sessions
    gates = _admission.setdefault(asyncio.get_running_loop(), {})
    gate = gates.get((key, id(db)))
    if gate is None:
        gate = gates[key, id(db)] = asyncio.Semaphore(size or db.max_sessions)
    return gate


def session_factory(request: Request, db: Database) -> sessionmaker[Session]:
    """Read sessions for a safe request without a bearer token, else sessions that may write."""
    reads_only = request.method in SAFE_METHODS and "authorization" not in request.headers
    return db.read_sessions if reads_only else db.sessions


async def get_session(
    request: Request, db: Annotated[Database, Depends(get_database)]
) -> AsyncIterator[Session]:
    """One session per request; services own the transaction (commit), we close it.

    A safe request without a bearer token only reads, so it gets a read session (on SpatiaLite
    a deferred transaction that neither waits for nor blocks writers); any other request may
    write (a bearer token's use is recorded) and gets a session that takes the write lock first.
    """
    async with _session(request, db, bulk=False) as session:
        yield session


#: Whole-data-set reads (downloads, OCDS/OC4IDS/360Giving packages) admitted at once per
#: worker, on a gate of their own: a download of every comment can take a read slot for a
#: second, and the lists' two slots (:data:`backend.db.engine.READERS`) must not wait for it.
BULK_READERS = 1


async def get_bulk_session(
    request: Request, db: Annotated[Database, Depends(get_database)]
) -> AsyncIterator[Session]:
    """As :func:`get_session`, for a route that reads a whole data set: an anonymous read
    waits on the bulk gate (:data:`BULK_READERS`), never on the lists' read slots."""
    async with _session(request, db, bulk=True) as session:
        yield session


@asynccontextmanager  # not a nested generator: an error raised in the route must close it
async def _session(request: Request, db: Database, *, bulk: bool) -> AsyncIterator[Session]:
    factory = session_factory(request, db)
    reads = factory is db.read_sessions
    gate = (
        admitted(db, BULK_READERS, "bulk")
        if bulk and reads and db.max_read_sessions is not None
        else admitted(db, reads=reads)
    )
    async with gate:
        session = factory()
        try:
            yield session
        finally:
            with anyio.CancelScope(shield=True):  # a client gone must not leak the connection
                await run_in_threadpool(session.close)


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[Session, Depends(get_session)]
BulkSessionDep = Annotated[Session, Depends(get_bulk_session)]


def _in_session(factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    with factory() as session:  # opened, used and closed in the same thread: one hop
        return work(session)


class Reads:
    """Runs a request's unit of work that reads, ``work(session)``, where it is cheapest.

    One code path builds the query and the response (``work`` is plain sync code on a
    :class:`Session`); only the executor differs:

    * PostGIS, a safe request without a bearer token: on the event loop, on psycopg's async
      mode (``AsyncSession.run_sync``: the ORM's I/O awaits on the loop, lazy loads included),
      so concurrent readers neither wait for a thread nor contend for the GIL in one;
    * SpatiaLite (no async driver), or a request that may write (a bearer token's use is
      recorded): a session opened, used and closed in one thread-pool hop.

    Both are admitted on the event loop first (:func:`admitted`), one gate per pool.
    """

    def __init__(self, request: Request, db: Database) -> None:
        self.db = db
        self.factory = session_factory(request, db)
        self.on_loop = self.factory is db.read_sessions and db.async_read_sessions is not None

    async def run(self, work: Callable[[Session], T]) -> T:
        sessions = self.db.async_read_sessions
        if self.on_loop and sessions is not None:
            async with admitted(self.db, self.db.async_sessions_max, "async"), sessions() as s:
                return await s.run_sync(work)
        async with admitted(self.db, reads=self.factory is self.db.read_sessions):
            return await run_in_threadpool(_in_session, self.factory, work)


async def get_reads(request: Request, db: DatabaseDep) -> Reads:
    return Reads(request, db)


ReadsDep = Annotated[Reads, Depends(get_reads)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def get_optional_principal(
    request: Request, session: SessionDep, settings: SettingsDep
) -> Principal | None:
    """The caller, from a bearer token or the session cookie; checks CSRF on cookie writes.

    An anonymous request (neither) is answered on the event loop; a credential is looked up in
    the database in the thread pool."""
    if "authorization" not in request.headers and SESSION_COOKIE not in request.cookies:
        return None
    return await run_in_threadpool(principal_of, request, session, settings)


def principal_of(request: Request, session: Session, settings: Settings) -> Principal | None:
    """:func:`get_optional_principal` for code already in a worker thread."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("Authorization header must be `Bearer <token>`")
        principal = auth.principal_from_bearer(session, token.strip())
        if principal is None:
            raise AuthenticationError("bearer token is invalid, expired or revoked")
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    principal = auth.principal_from_session(session, cookie)
    if principal is None:
        return None  # expired or signed out: treat as anonymous
    if request.method not in SAFE_METHODS and not auth.csrf_valid(
        cookie, request.headers.get(CSRF_HEADER), settings
    ):
        raise CSRFError(f"missing or wrong {CSRF_HEADER} header for a cookie-authenticated write")
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]


async def get_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise AuthenticationError("sign in first")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def get_verified_principal(principal: CurrentPrincipal) -> Principal:
    """The caller, who must have confirmed their e-mail address (to post)."""
    auth.require_verified(principal, "posting")
    return principal


VerifiedPrincipal = Annotated[Principal, Depends(get_verified_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency admitting callers with any of ``roles`` (admins always pass)."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has(*roles, "admin"):
            raise PermissionDeniedError(
                f"needs the role {' or '.join(roles)}",
                key="role_required",
                params={"role": list(roles)},
            )
        return principal

    return dependency


Planner = Annotated[Principal, Depends(require_roles("planner"))]
Moderator = Annotated[Principal, Depends(require_roles("moderator"))]
Admin = Annotated[Principal, Depends(require_roles("admin"))]
SME = Annotated[Principal, Depends(require_roles("sme"))]
