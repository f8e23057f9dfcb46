"""Alembic, driven from code: one migration history for SpatiaLite and PostGIS."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from backend.db.engine import describe_connection_error, spatial_info
from backend.errors import ConfigurationError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revisions() -> tuple[str, ...]:
    """Newest revisions (several while parallel branches await a merge revision)."""
    return tuple(sorted(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()))


def head_revision() -> str:
    return "+".join(head_revisions())


def known_revisions() -> set[str]:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return {rev.revision for rev in script.walk_revisions()}


def current_revisions(engine: Engine) -> tuple[str, ...]:
    try:
        with engine.connect() as conn:
            return tuple(sorted(MigrationContext.configure(conn).get_current_heads()))
    except (DBAPIError, ConfigurationError) as exc:
        raise describe_connection_error(engine, exc) from None


def current_revision(engine: Engine) -> str | None:
    return "+".join(current_revisions(engine)) or None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database of ``engine`` to ``revision`` (creating PostGIS if needed)."""
    check_not_newer(engine)
    command.upgrade(alembic_config(engine), "heads" if revision == "head" else revision)


def check_not_newer(engine: Engine) -> str | None:
    revisions = current_revisions(engine)
    current = "+".join(revisions) or None
    unknown = [r for r in revisions if r not in known_revisions()]
    if unknown:
        current = "+".join(unknown)
        raise ConfigurationError(
            f"the database is at migration {current!r}, which this CivicTwin does not know "
            f"(its newest is {head_revision()!r}): it was written by a newer version; upgrade "
            "CivicTwin or point CIVICTWIN_DATABASE_URL at another database."
        )
    return current


@dataclass
class DatabaseStatus:
    engine: str
    server_version: str
    spatial_version: str
    revision: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head


def status(engine: Engine) -> DatabaseStatus:
    current = check_not_newer(engine)
    try:
        with engine.connect() as conn:
            info = spatial_info(conn)
    except (DBAPIError, ConfigurationError) as exc:
        raise describe_connection_error(engine, exc) from None
    return DatabaseStatus(
        info.engine, info.server_version, info.spatial_version, current, head_revision()
    )


_live_versions: dict[str, tuple[str, str, str]] = {}


@functools.cache
def _head_revision_cached() -> str:
    return head_revision()  # the migration files do not change while a process runs


def live_status(engine: Engine) -> DatabaseStatus:
    """:func:`status` for a running server: one query that proves the database answers.

    The server and extension versions are read once per process and the head revision once;
    the current revision is read every time. Driver errors propagate unchanged (the API answers
    them as 503 with ``Retry-After``) instead of becoming a start-up :class:`ConfigurationError`.
    """
    key = engine.url.render_as_string(hide_password=True)
    with engine.connect() as conn:
        known = _live_versions.get(key)
        if known is None:
            info = spatial_info(conn)
            known = _live_versions[key] = (info.engine, info.server_version, info.spatial_version)
        rows = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    revision = "+".join(sorted(rows)) or None
    return DatabaseStatus(*known, revision, _head_revision_cached())


def require_up_to_date(engine: Engine) -> DatabaseStatus:
    """Raise a :class:`ConfigurationError` unless the schema is at the head revision."""
    st = status(engine)
    if not st.up_to_date:
        raise ConfigurationError(
            f"the database schema is at {st.revision or 'no revision (empty)'}, this CivicTwin "
            f"needs {st.head}: run `civictwin db upgrade`."
        )
    return st


__all__ = [
    "DatabaseStatus",
    "current_revision",
    "head_revision",
    "live_status",
    "sa",
    "status",
    "upgrade",
]
