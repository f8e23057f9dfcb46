#!/usr/bin/env python3
"""A scripted walk-through of a consultation, as API clients, against a running CivicTwin.

    make demo                      # in one terminal
    .venv/bin/python scripts/walkthrough.py http://127.0.0.1:8000

1. the planner creates a proposal with a site boundary and two massing blocks, and opens the
   consultation;
2. a citizen (a demo account: new accounts first confirm their address by a mailed link)
   comments on an existing building in 3D, with the point picked on it and the camera view;
3. a second citizen agrees with the comment and reports it;
4. the moderator hides it with a reason; the public list no longer shows its body.

Each step prints what it did; any unexpected answer stops the script with the server's message.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from datetime import date, timedelta
from typing import Any

import httpx

DEMO_PASSWORD = "civictwin-demo"  # noqa: S105 - the demo's published password


class Session:
    """One signed-in browser: cookie session plus the CSRF token on every write."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base.rstrip("/") + "/api/v1", timeout=60)
        self.csrf = ""

    def call(self, method: str, path: str, expect: int = 200, **kw: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if method != "GET" and self.csrf else {}
        r = self.http.request(method, path, headers=headers, **kw)
        if r.status_code != expect:
            sys.exit(f"{method} {path} answered {r.status_code}: {r.text[:400]}")
        return r.json() if r.content else None

    def login(self, email: str, password: str) -> Session:
        self.csrf = self.call("POST", "/auth/login", json={"email": email, "password": password})[
            "csrf_token"
        ]
        return self


def square(lon: float, lat: float, d: float) -> list[list[list[float]]]:
    return [
        [
            [lon - d, lat - d],
            [lon + d, lat - d],
            [lon + d, lat + d],
            [lon - d, lat + d],
            [lon - d, lat - d],
        ]
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--planner", default="planner@demo.civictwin.org")
    parser.add_argument("--moderator", default="moderator@demo.civictwin.org")
    parser.add_argument("--citizen", default="citizen1@demo.civictwin.org")
    parser.add_argument("--neighbour", default="citizen2@demo.civictwin.org")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--tileset", default="london")
    args = parser.parse_args(argv)

    planner = Session(args.url).login(args.planner, args.password)
    lon, lat = -0.09750, 51.51640
    today = date.today()
    proposal = planner.call(
        "POST",
        "/proposals",
        201,
        json={
            "reference": f"WALK/{today:%Y}/{secrets.token_hex(3).upper()}",
            "title": "Walk-through: Aldersgate Street pavilion (fictional)",
            "description": "A two-block scheme created by scripts/walkthrough.py.",
            "site_address": "Aldersgate Street, London EC1A (fictional scheme)",
            "site_boundary": {"type": "MultiPolygon", "coordinates": [square(lon, lat, 0.0004)]},
            "consultation_start": today.isoformat(),
            "consultation_end": (today + timedelta(days=28)).isoformat(),
            "tileset": args.tileset,
        },
    )
    pid = proposal["id"]
    print(
        f"1. planner created proposal {pid} ({proposal['reference']}); "
        f"it replaces {len(proposal['replaces'])} existing building(s)"
    )
    blocks = [
        ("Pavilion", square(lon - 0.0002, lat, 0.00015), 12.0, 3),
        ("Tower", square(lon + 0.0002, lat, 0.00015), 45.0, 14),
    ]
    planner.call(
        "PUT",
        f"/proposals/{pid}/massing",
        json={
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": fp},
                    "properties": {"name": name, "height_m": h, "storeys": s},
                }
                for name, fp, h, s in blocks
            ],
        },
    )
    planner.call("POST", f"/proposals/{pid}/stage", json={"stage": "consultation"})
    print(
        f"   massing of {len(blocks)} blocks meshed to /tiles/proposals/{pid}/tileset.json; "
        "consultation open"
    )

    nearby = planner.call(
        "GET",
        "/buildings",
        params={
            "bbox": f"{lon - 0.002},{lat - 0.002},{lon + 0.002},{lat + 0.002}",
            "tileset": args.tileset,
            "limit": 1,
        },
    )
    building = nearby["features"][0]["properties"]["building_id"] if nearby["features"] else None
    citizen = Session(args.url).login(args.citizen, args.password)
    comment = citizen.call(
        "POST",
        f"/proposals/{pid}/comments",
        201,
        json={
            "body": "The tower will shade the courtyard next door in the afternoon.",
            "sentiment": "objection",
            "topics": ["light", "design"],
            "anchor": {
                "point": {"lon": lon + 0.0003, "lat": lat + 0.0002, "height_m": 18.0},
                "building_id": building,
                "camera": {
                    "position": {"lon": lon - 0.003, "lat": lat - 0.002, "height_m": 220.0},
                    "heading_deg": 45.0,
                    "pitch_deg": -30.0,
                    "roll_deg": 0.0,
                },
            },
        },
    )
    print(f"2. a citizen commented ({comment['id']}) on building {building} with a camera view")

    other = Session(args.url).login(args.neighbour, args.password)
    counts = other.call("PUT", f"/comments/{comment['id']}/reaction", json={"kind": "agree"})
    other.call(
        "POST",
        f"/comments/{comment['id']}/reports",
        201,
        json={"reason": "off_topic", "details": "walk-through report"},
    )
    print(f"3. a second citizen agreed (agree={counts['agree_count']}) and reported it")

    moderator = Session(args.url).login(args.moderator, args.password)
    queue = moderator.call("GET", "/moderation/queue")
    assert any(item["comment"]["id"] == comment["id"] for item in queue["items"])
    moderator.call(
        "POST",
        f"/moderation/comments/{comment['id']}/hide",
        json={"reason": "walk-through: off topic"},
    )
    public = Session(args.url).call("GET", f"/proposals/{pid}/comments")
    shown = (
        next(c for c in public["items"] if c["id"] == comment["id"]) if public["items"] else None
    )
    print(
        f"4. the moderator hid it; the public list shows state={shown and shown['state']}, "
        f"body={shown and shown['body']!r}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
