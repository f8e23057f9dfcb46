"""What the health endpoint reports."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

from backend.db import migrate
from backend.db.engine import Database
from backend.schemas.health import DatabaseHealth, Health


@cache  # the installed package's metadata is parsed once, not on every health check
def app_version() -> str:
    try:
        return version("civictwin")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def check(db: Database) -> Health:
    st = migrate.live_status(db.read_engine)
    database = DatabaseHealth(
        engine=db.kind,
        server_version=st.server_version,
        spatial_version=st.spatial_version,
        revision=st.revision,
        head=st.head,
        up_to_date=st.up_to_date,
    )
    return Health(
        status="ok" if st.up_to_date else "degraded", version=app_version(), database=database
    )
