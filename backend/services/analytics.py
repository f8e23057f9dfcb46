"""Consultation analytics: counts by sentiment × topic, comments per day, most discussed
buildings and a grid heat map of comment anchors, per proposal or for an area.

Counts cover published comments only (hidden and deleted ones are moderated out). The heat map
grid is square in metres: cell sizes in degrees come from the latitude of the grid's south-west
corner (exact enough for a city; documented in docs/api.md).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from backend.db.models import Comment
from backend.errors import NotFoundError
from backend.repositories import opendata as repo
from backend.repositories.geometry import to_shape
from backend.repositories.session import Session
from backend.schemas.analytics import Analytics, BuildingCount, DayCount, SentimentTopicCount
from backend.schemas.geometry import BBox
from backend.services.geodesy import KM_PER_DEGREE_LAT_MIN, KM_PER_DEGREE_LON_EQUATOR

SENTIMENTS = ("objection", "neutral", "supportive")
TOP_BUILDINGS = 10


def heatmap(comments: list[Comment], cell_m: float) -> dict[str, Any]:
    points = [to_shape(c.anchor_point) for c in comments if c.anchor_point is not None]
    if not points:
        return {"type": "FeatureCollection", "features": []}
    west = min(p.x for p in points)
    south = min(p.y for p in points)
    dlat = cell_m / 1000 / KM_PER_DEGREE_LAT_MIN
    dlon = cell_m / 1000 / (KM_PER_DEGREE_LON_EQUATOR * max(math.cos(math.radians(south)), 0.01))
    cells = Counter((int((p.x - west) // dlon), int((p.y - south) // dlat)) for p in points)
    features = []
    for (i, j), count in sorted(cells.items()):
        x0, y0 = west + i * dlon, south + j * dlat
        ring = [[x0, y0], [x0 + dlon, y0], [x0 + dlon, y0 + dlat], [x0, y0 + dlat], [x0, y0]]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"count": count, "column": i, "row": j},
            }
        )
    return {"type": "FeatureCollection", "cell_size_m": cell_m, "features": features}


def summarise(session: Session, comments: list[Comment], cell_m: float) -> dict[str, Any]:
    by_pair: Counter[tuple[str, str]] = Counter()
    for c in comments:
        for topic in c.topics or ["other"]:
            by_pair[(c.sentiment, topic)] += 1
    days = Counter(c.created_at.date() for c in comments)
    buildings = Counter(c.anchor_building_id for c in comments if c.anchor_building_id)
    top = buildings.most_common(TOP_BUILDINGS)
    known = repo.buildings_by_building_id(session, [b for b, _ in top])
    return {
        "comment_count": len(comments),
        "by_sentiment": {s: sum(1 for c in comments if c.sentiment == s) for s in SENTIMENTS},
        "by_sentiment_topic": [
            SentimentTopicCount(sentiment=s, topic=t, count=n)
            for (s, t), n in sorted(by_pair.items())
        ],
        "over_time": [DayCount(day=d, count=n) for d, n in sorted(days.items())],
        "most_discussed_buildings": [
            BuildingCount(building_id=b, name=known[b].name if b in known else None, count=n)
            for b, n in top
        ],
        "heatmap": heatmap(comments, cell_m),
    }


def for_proposal(session: Session, proposal_id: int, cell_m: float) -> Analytics:
    if repo.any_proposal(session, proposal_id) is None:
        raise NotFoundError(f"proposal {proposal_id} not found")
    stmt = repo.filtered("comments", proposal_id=proposal_id, include_drafts=True)
    comments = repo.all_rows(session, stmt, "comments")
    return Analytics(proposal_id=proposal_id, **summarise(session, comments, cell_m))


def for_area(session: Session, bbox: BBox, cell_m: float) -> Analytics:
    """Analytics of the public comments in ``bbox`` (checked by the API's bbox parameter)."""
    stmt = repo.filtered("comments", bboxes=[bbox])
    comments = repo.all_rows(session, stmt, "comments")
    return Analytics(bbox=list(bbox), **summarise(session, comments, cell_m))
