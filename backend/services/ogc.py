"""OGC API - Features, Part 1: Core (OGC 17-069r4) over the public data sets.

Documents are plain dicts (the spec's JSON); parameters are parsed here so that bad ones get the
400 the spec asks for (Requirements /req/core/query-param-invalid and -unknown), naming the
parameter. Coordinates are CRS84 (lon/lat), the spec's default.

No document here carries a link of its own (``self``, ``items``, ``next`` …): the API layer adds
them from its route names (``backend/api/ogc``), as it does every link (issue 10). A page of items
is returned as :class:`ItemsPage`, which says what the paging links need.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from backend.errors import CivicTwinError, NotFoundError
from backend.repositories import ogc as extents
from backend.repositories import opendata as repo
from backend.repositories.session import Session
from backend.services import opendata
from backend.services.links import Links

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
DEFAULT_LIMIT = 10
MAX_LIMIT = 1000
KNOWN_ITEM_PARAMS = {"bbox", "bbox-crs", "limit", "offset", "datetime", "f"}


class BadParameterError(CivicTwinError):
    """A query parameter of an OGC API request is invalid or unknown (HTTP 400)."""


def _collection_or_404(collection_id: str) -> str:
    if collection_id not in opendata.COLLECTIONS:
        raise NotFoundError(f"collection {collection_id!r} not found")
    return collection_id


def parse_bbox(value: str | None) -> list[repo.BBox]:
    """``minx,miny,maxx,maxy`` (or 6 numbers with heights) in CRS84; crossing the antimeridian
    (minx > maxx) is split in two boxes."""
    if value is None:
        return []
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        raise BadParameterError(
            f"bbox: {value!r} is not a comma-separated list of numbers"
        ) from None
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise BadParameterError("bbox: give 4 numbers (minx,miny,maxx,maxy) or 6 with heights")
    west, south, east, north = numbers
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise BadParameterError(
            f"bbox: {value!r} is outside the world (lon -180..180, lat -90..90, miny <= maxy)"
        )
    if west > east:
        return [(west, south, 180.0, north), (-180.0, south, east, north)]
    return [(west, south, east, north)]


def parse_int(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadParameterError(f"{name}: {value!r} is not an integer") from None
    if not low <= number <= high:
        raise BadParameterError(f"{name}: {number} is outside {low}..{high}")
    return number


def _instant(text: str) -> datetime | None:
    if text in ("", ".."):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadParameterError(
            f"datetime: {text!r} is not an RFC 3339 date-time (e.g. 2025-01-31T12:00:00Z)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def parse_datetime(value: str | None) -> tuple[datetime | None, datetime | None]:
    """An instant or a closed/half-bounded interval ``start/end`` (``..`` for open)."""
    if value is None:
        return None, None
    if "/" in value:
        first, _, second = value.partition("/")
        start, end = _instant(first), _instant(second)
        if start is not None and end is not None and start > end:
            raise BadParameterError("datetime: the interval's start is after its end")
        if start is None and end is None:
            raise BadParameterError("datetime: an interval needs at least one end")
        return start, end
    moment = _instant(value)
    if moment is None:
        raise BadParameterError("datetime: give an instant or an interval")
    return moment, moment


def check_params(params: dict[str, str], known: set[str]) -> None:
    unknown = sorted(set(params) - known)
    if unknown:
        raise BadParameterError(f"{unknown[0]}: unknown query parameter")
    fmt = params.get("f")
    if fmt is not None and fmt not in ("json", "geojson"):
        raise BadParameterError(f"f: {fmt!r} is not available; use json")
    crs = params.get("bbox-crs")
    if crs is not None and crs != CRS84:
        raise BadParameterError(f"bbox-crs: only {CRS84} is supported")


def landing(title: str) -> dict[str, Any]:
    """The landing page's text; the API layer adds its links (API, conformance, data)."""
    return {
        "title": f"{title} - OGC API - Features",
        "description": (
            "Development proposals, city buildings, consultation comments (anonymised) and "
            "supply-chain opportunities as OGC API - Features collections (GeoJSON, CRS84)."
        ),
    }


def conformance() -> dict[str, Any]:
    return {"conformsTo": CONFORMANCE}


def _utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat().replace("+00:00", "Z")


def extent_document(found: extents.Extent, temporal: bool) -> dict[str, Any]:
    """The ``extent`` of a collection (OGC 17-069r4, 7.14.1): the bbox of its public features
    and, for collections with a time property, the interval from the first to the last value
    (left out while the collection is empty)."""
    document: dict[str, Any] = {}
    if found.bbox is not None:
        document["spatial"] = {"bbox": [list(found.bbox)], "crs": CRS84}
    if temporal and (found.start is not None or found.end is not None):
        document["temporal"] = {
            "interval": [[_utc(found.start), _utc(found.end)]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    return document


def collection(session: Session, collection_id: str) -> dict[str, Any]:
    """One collection's description (its links are added by the API layer)."""
    cid = _collection_or_404(collection_id)
    temporal = repo.SOURCES[cid].time is not None
    extent = extent_document(extents.extent(session, cid), temporal)
    return {
        "id": cid,
        "title": opendata.TITLES[cid],
        "description": opendata.DESCRIPTIONS[cid],
        "itemType": "feature",
        "crs": [CRS84],
        **({"extent": extent} if extent else {}),
    }


def collections(session: Session) -> list[dict[str, Any]]:
    return [collection(session, c) for c in opendata.COLLECTIONS]


@dataclass(frozen=True)
class ItemsPage:
    """A page of a collection's features and what its paging links need."""

    collection_id: str
    features: list[dict[str, Any]]
    matched: int
    limit: int
    offset: int
    #: the request's query parameters other than ``limit`` and ``offset``, kept in the links
    query: dict[str, str]

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.features) < self.matched


def items(
    session: Session, app_links: Links, collection_id: str, params: dict[str, str]
) -> ItemsPage:
    cid = _collection_or_404(collection_id)
    check_params(params, KNOWN_ITEM_PARAMS)
    bboxes = parse_bbox(params.get("bbox"))
    limit = parse_int(params.get("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = parse_int(params.get("offset"), "offset", 0, 0, 10**9)
    start, end = parse_datetime(params.get("datetime"))
    stmt = repo.filtered(cid, bboxes=bboxes, start=start, end=end)
    rows, matched = repo.page(session, stmt, cid, limit, offset)
    return ItemsPage(
        cid,
        [opendata.feature(cid, r, app_links) for r in rows],
        matched,
        limit,
        offset,
        {k: v for k, v in params.items() if k not in ("offset", "limit")},
    )


def item(session: Session, app_links: Links, collection_id: str, feature_id: str) -> dict[str, Any]:
    cid = _collection_or_404(collection_id)
    try:
        row = repo.one(session, cid, int(feature_id))
    except ValueError:
        row = None
    if row is None:
        raise NotFoundError(f"feature {feature_id!r} not found in {cid}")
    return opendata.feature(cid, row, app_links)


def time_stamp() -> str:
    """Now, as the ``timeStamp`` of a response (RFC 3339, UTC)."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")
