"""The zone of theoretical visibility in the printed report and in the CSV."""

import csv
import io

import pytest

from backend.services.impact_report import points_csv, report_html
from impact.cache import LruCache
from impact.study import run_study
from tests.impact.test_study import FAST, _city, _scheme

SUNSHINE = {"place": "London", "source": "Met Office normals, Heathrow"}


@pytest.fixture(scope="module")
def result() -> dict:
    return run_study(_city(), _scheme(30), ["city:shed"], FAST, cache=LruCache())


def test_the_report_maps_and_tabulates_the_zone_of_theoretical_visibility(result: dict):
    bands = result["zone"]["features"]
    assert bands and bands[0]["properties"]["area_m2"] > 0
    page = report_html({"reference": "T/1", "title": "Tower"}, result, SUNSHINE)
    section = page.split("<h2>Zone of theoretical visibility</h2>", 1)[1].split("<h2>", 1)[0]
    # a map: one filled path per band that has an area, the site and the radius studied
    svg = section.split("<svg", 1)[1].split("</svg>", 1)[0]
    drawn = sum(1 for b in bands if b["geometry"]["coordinates"])
    assert svg.count("<path ") == drawn > 0
    assert 'aria-label="Map of the zone of theoretical visibility"' in section
    # a table: each band's area and share of the open ground, as the zone's own numbers
    for b in bands:
        p = b["properties"]
        assert f"more than {100 * p['share_seen_above']:.0f}%" in section
        assert f"<td>{p['area_m2']:.0f}</td>" in section
        assert f"<td>{100 * p['share_of_ground']:.1f}</td>" in section
    assert "<script" not in page and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_the_csv_has_a_row_per_band_of_the_zone(result: dict):
    rows = list(csv.DictReader(io.StringIO(points_csv(result))))
    zone = [r for r in rows if r["analysis"] == "zone"]
    bands = result["zone"]["features"]
    assert len(zone) == len(bands)
    for r, b in zip(zone, bands, strict=True):
        assert float(r["share_seen_above"]) == b["properties"]["share_seen_above"]
        assert float(r["area_m2"]) == b["properties"]["area_m2"]
        assert float(r["share_of_ground"]) == b["properties"]["share_of_ground"]
    first = zone[0]
    assert abs(float(first["lon"]) - result["site"]["lon"]) < 0.01
    # the point rows are unchanged and say nothing of the zone
    points = [r for r in rows if r["analysis"] != "zone"]
    assert len(points) == sum(
        len(result[a]["features"]) for a in ("vsc", "apsh", "ground", "visibility")
    )
    assert all(r["area_m2"] == "" for r in points)
