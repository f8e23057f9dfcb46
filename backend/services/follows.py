"""Following a proposal or an area (docs/engagement.md, "Following").

An area is a drawn polygon, or a circle: a point and a radius, stored as the geodesic polygon
of 64 points on the WGS 84 ellipsoid (so the fan-out's ``ST_Intersects`` is the same on both
engines) together with its centre and radius. Areas are bounded: at most
:data:`~backend.schemas.follows.MAX_AREA_KM2` (measured geodesically: "a polygon the size of
a country" is a 422 that says how big it is), radius at most
:data:`~backend.schemas.follows.MAX_RADIUS_M`, at most
:data:`~backend.schemas.follows.MAX_FOLLOWS_PER_ACCOUNT` follows per account.
"""

from __future__ import annotations

from shapely import wkb
from shapely.geometry import Polygon, mapping

from backend.db.models_engagement import Follow
from backend.db.types import SRID
from backend.errors import ConflictError, InvalidInputError, NotFoundError
from backend.repositories import follows as repo
from backend.repositories import session as uow
from backend.repositories.geometry import from_shape, to_shape
from backend.repositories.session import Session, UniqueViolation
from backend.schemas.follows import (
    MAX_AREA_KM2,
    MAX_FOLLOWS_PER_ACCOUNT,
    FollowCreate,
    FollowPublic,
)
from backend.schemas.geometry import shape_of
from backend.services import notifications, proposals
from backend.services.auth import Principal
from backend.services.geodesy import GEOD

CIRCLE_POINTS = 64


def area_km2(polygon: Polygon) -> float:
    area_m2, _ = GEOD.geometry_area_perimeter(polygon)
    return abs(area_m2) / 1e6


def circle(lon: float, lat: float, radius_m: float) -> Polygon:
    """The geodesic circle of ``radius_m`` around lon/lat as a polygon."""
    azimuths = [360.0 * i / CIRCLE_POINTS for i in range(CIRCLE_POINTS)]
    lons, lats, _ = GEOD.fwd(
        [lon] * CIRCLE_POINTS, [lat] * CIRCLE_POINTS, azimuths, [radius_m] * CIRCLE_POINTS
    )
    ring = list(zip(lons, lats, strict=True))
    return Polygon(ring[::-1])  # counter-clockwise (RFC 7946 §3.1.6)


def _area(data: FollowCreate) -> tuple[Polygon, tuple[float, float] | None]:
    if data.area is not None:
        geom = shape_of("area", data.area)
        assert isinstance(geom, Polygon)
        center = None
    else:
        assert data.point is not None and data.radius_m is not None
        lon, lat = (float(c) for c in data.point.coordinates[:2])
        if abs(lat) > 89:
            raise InvalidInputError("point: too close to a pole for a radius follow")
        geom = circle(lon, lat, data.radius_m)
        center = (lon, lat)
    km2 = area_km2(geom)
    if km2 > MAX_AREA_KM2:
        raise InvalidInputError(
            f"area: covers {km2:,.0f} km², more than the {MAX_AREA_KM2:,.0f} km² an area "
            "follow may cover (follow a smaller area, or the proposals themselves)"
        )
    return geom, center


def create(session: Session, principal: Principal, data: FollowCreate, secret: str) -> Follow:
    user_id = principal.user.id
    if repo.count_of_user(session, user_id) >= MAX_FOLLOWS_PER_ACCOUNT:
        raise ConflictError(f"an account may follow at most {MAX_FOLLOWS_PER_ACCOUNT} things")
    if data.proposal_id is not None:
        proposal = proposals.visible(session, principal, data.proposal_id)
        existing = repo.of_proposal(session, user_id, proposal.id)
        if existing is not None:
            return existing  # following twice is following once
        follow = Follow(
            user_id=user_id, proposal_id=proposal.id, label=data.label or proposal.title
        )
    else:
        geom, center = _area(data)
        west, south, east, north = geom.bounds
        follow = Follow(
            user_id=user_id,
            label=data.label.strip(),
            area=from_shape(geom, SRID),
            center_lon=center[0] if center else None,
            center_lat=center[1] if center else None,
            radius_m=data.radius_m,
            min_lon=west,
            min_lat=south,
            max_lon=east,
            max_lat=north,
        )
    session.add(follow)
    notifications.ensure_token(session, secret, user_id)
    try:
        uow.commit(session)
    except UniqueViolation:  # the same proposal followed by a parallel request
        session.rollback()
        existing = repo.of_proposal(session, user_id, data.proposal_id or 0)
        if existing is None:
            raise
        return existing
    return follow


def mine(session: Session, principal: Principal) -> list[Follow]:
    return repo.of_user(session, principal.user.id)


def delete(session: Session, principal: Principal, follow_id: int) -> None:
    follow = repo.get(session, follow_id)
    if follow is None or follow.user_id != principal.user.id:
        raise NotFoundError(f"follow {follow_id} not found")
    session.delete(follow)
    session.commit()


def view(session: Session, f: Follow) -> FollowPublic:
    area = None
    km2 = None
    if f.area is not None:
        raw = repo.area_of(session, f)
        geom = wkb.loads(bytes(raw)) if raw is not None else to_shape(f.area)
        area = dict(mapping(geom))
        km2 = round(area_km2(geom), 4)
    center = None
    if f.center_lon is not None and f.center_lat is not None:
        center = {"type": "Point", "coordinates": [f.center_lon, f.center_lat]}
    return FollowPublic(
        id=f.id,
        proposal_id=f.proposal_id,
        label=f.label,
        area=area,
        center=center,
        radius_m=f.radius_m,
        area_km2=km2,
        created_at=f.created_at,
    )
