"""The one migration history builds the domain model on SpatiaLite and PostGIS alike."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon, Point, box
from sqlalchemy.orm import Session

from backend.db import migrate
from backend.db.engine import Database, create_db_engine
from backend.db.models import Building, Proposal, Tileset, User, UserRole
from backend.errors import ConfigurationError

DOMAIN_TABLES = {
    "users",
    "user_roles",
    "api_tokens",
    "organisations",
    "proposals",
    "massing_buildings",
    "documents",
    "comments",
    "reactions",
    "reports",
    "opportunities",
    "opportunity_cpv",
    "interest_registrations",
    "saved_searches",
    "alert_deliveries",
    "outbox",
    "buildings",
    "tilesets",
    "audit_log",
}
SPATIAL = {
    ("buildings", "footprint"),
    ("proposals", "site_boundary"),
    ("comments", "anchor_point"),
    ("massing_buildings", "footprint"),
    ("opportunities", "delivery_location"),
    ("organisations", "location"),
}


def test_migration_creates_every_domain_table(database: Database) -> None:
    tables = set(sa.inspect(database.engine).get_table_names())
    assert DOMAIN_TABLES <= tables
    assert migrate.current_revision(database.engine) == migrate.head_revision()


def test_spatial_columns_are_wgs84_with_spatial_indexes(
    database: Database, engine_name: str
) -> None:
    with database.engine.connect() as conn:
        if engine_name == "spatialite":
            rows = conn.execute(
                sa.text(
                    "SELECT f_table_name, f_geometry_column, srid, spatial_index_enabled "
                    "FROM geometry_columns"
                )
            ).all()
            found = {(t, c) for t, c, srid, idx in rows if srid == 4326 and idx == 1}
        else:
            rows = conn.execute(
                sa.text("SELECT f_table_name, f_geometry_column, srid FROM geometry_columns")
            ).all()
            indexed = {
                r[0]
                for r in conn.execute(
                    sa.text("SELECT indexdef FROM pg_indexes WHERE indexdef ILIKE '%USING gist%'")
                )
            }
            found = {
                (t, c)
                for t, c, srid in rows
                if srid == 4326 and any(f"{t} USING gist ({c})" in d for d in indexed)
            }
    assert SPATIAL <= found


def test_spatial_query_finds_buildings_in_a_site(database: Database) -> None:
    with Session(database.engine) as s:
        s.add(Tileset(name="city", title="City"))
        s.flush()
        s.add_all(
            [
                Building(
                    tileset="city",
                    building_id="way/1",
                    footprint=from_shape(
                        MultiPolygon([box(-0.1, 51.5, -0.0999, 51.5001)]), srid=4326
                    ),
                    height_m=12.0,
                    height_source="height",
                ),
                Building(
                    tileset="city",
                    building_id="way/2",
                    footprint=from_shape(
                        MultiPolygon([box(-0.09, 51.51, -0.0899, 51.5101)]), srid=4326
                    ),
                    height_m=30.0,
                    height_source="levels",
                ),
            ]
        )
        s.commit()
        site = from_shape(box(-0.1001, 51.4999, -0.0998, 51.5002), srid=4326)
        ids = s.scalars(
            sa.select(Building.building_id).where(Building.footprint.ST_Intersects(site))
        ).all()
        assert ids == ["way/1"]
        geom = to_shape(s.scalars(sa.select(Building.footprint)).first())
        assert geom.geom_type == "MultiPolygon"
        assert geom.bounds == pytest.approx((-0.1, 51.5, -0.0999, 51.5001))


def test_constraints_reject_impossible_rows(database: Database) -> None:
    with Session(database.engine) as s:
        s.add(Proposal(reference="X/1", title="t", stage="built"))
        with pytest.raises(sa.exc.IntegrityError):
            s.commit()


def test_roles_and_timestamps_round_trip(database: Database) -> None:
    with Session(database.engine) as s:
        u = User(email="a@example.org", display_name="A", roles=[UserRole(role="planner")])
        s.add(u)
        s.commit()
        uid = u.id
    with Session(database.engine) as s:
        loaded = s.get(User, uid)
        assert loaded is not None
        assert loaded.role_names == {"planner"}
        assert loaded.created_at.tzinfo is not None
        s.add(
            Proposal(
                reference="P/1",
                title="t",
                site_boundary=from_shape(MultiPolygon([box(0, 0, 1, 1)]), srid=4326),
                created_by_id=uid,
            )
        )
        s.commit()
        p = s.scalars(sa.select(Proposal)).one()
        assert to_shape(p.site_boundary).area == pytest.approx(1.0)
        assert p.stage == "draft" and p.replaces == []


def test_a_database_from_a_newer_version_is_refused(db_url: str) -> None:
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(ConfigurationError, match="newer version"):
        migrate.require_up_to_date(engine)
    with pytest.raises(ConfigurationError, match="9999_future"):
        migrate.upgrade(engine)
    engine.dispose()


def test_upgrade_is_idempotent_and_downgrade_reverses(db_url: str) -> None:
    engine = create_db_engine(db_url)
    migrate.upgrade(engine)  # already at head: nothing to do
    assert migrate.current_revision(engine) == migrate.head_revision()
    from alembic import command

    command.downgrade(migrate.alembic_config(engine), "base")
    assert "proposals" not in sa.inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert "proposals" in sa.inspect(engine).get_table_names()
    engine.dispose()


def test_point_geometry_round_trips(database: Database) -> None:
    from backend.db.models import Comment

    with Session(database.engine) as s:
        s.add(Proposal(id=1, reference="P/2", title="t"))
        s.flush()
        s.add(
            Comment(
                proposal_id=1,
                body="hi",
                anchor_point=from_shape(Point(-0.09, 51.51), 4326),
                anchor_height_m=20.5,
            )
        )
        s.commit()
        c = s.scalars(sa.select(Comment)).one()
        assert to_shape(c.anchor_point).coords[0] == pytest.approx((-0.09, 51.51))
