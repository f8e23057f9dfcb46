"""Every demo work package has a real delivery location inside its proposal's site, so the map
shows it where the work happens."""

from __future__ import annotations

from shapely.geometry import Point, shape

from backend.services.demo_content import OPPORTUNITIES, PROPOSALS


def test_every_demo_opportunity_lies_inside_its_proposal_site() -> None:
    sites = {p["key"]: shape(p["site_boundary"]) for p in PROPOSALS}
    for spec in OPPORTUNITIES:
        where = spec.get("delivery_location")
        assert where and where["type"] == "Point", spec["title"]
        assert sites[spec["proposal"]].contains(Point(where["coordinates"])), spec["title"]
