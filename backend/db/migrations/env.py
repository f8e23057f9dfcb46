"""Alembic environment: runs on the engine handed over by ``backend.db.migrate``."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy.types import TypeDecorator

from backend.db.models import Base

config = context.config
target_metadata = Base.metadata


_SPATIALITE_PREFIXES = (
    "idx_",
    "spatial_ref_sys",
    "geometry_columns",
    "views_geometry",
    "virts_geometry",
    "spatialite_history",
    "sql_statements_log",
    "vector_",
    "raster_",
    "wms_",
    "rl2map",
    "SE_",
    "ISO_",
    "topologies",
    "networks",
    "stored_",
    "geom_cols_",
)
_SPATIALITE_TABLES = {"SpatialIndex", "ElementaryGeometries", "KNN", "KNN2", "data_licenses"}


def _include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # SpatiaLite's own bookkeeping tables and spatial index shadow tables are not ours.
    if type_ != "table" or not name:
        return True
    return not (name.startswith(_SPATIALITE_PREFIXES) or name in _SPATIALITE_TABLES)


def _render_item(type_, obj, autogen_context):  # type: ignore[no-untyped-def]
    # Migrations store plain column types, not our Python-side decorators.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return alembic_helpers.render_item(type_, obj, autogen_context)


def run_migrations() -> None:
    engine: sa.Engine = config.attributes["engine"]
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=_include_object,
            process_revision_directives=alembic_helpers.writer,
            render_item=_render_item,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
