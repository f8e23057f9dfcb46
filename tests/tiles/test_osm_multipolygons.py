"""Buildings that are members of OSM building multipolygons: each built once, or skipped with a
reason, from the PBF and from its GeoJSON export alike (issue 12)."""

from __future__ import annotations

import json

from tests.tiles.conftest import LONDON_GEOJSON, LONDON_PBF
from tiles.readers import ReadOptions, read_source

# closed ways that are members of multipolygon relations in the London extract
MEMBER_WAYS = [
    "100835946",
    "155363895",
    "155363896",
    "427908006",
    "427908007",
    "503247137",
    "536717517",
]


def _norm(source_id: str) -> str:
    return source_id.replace("way/", "w").replace("relation/", "r")


def test_every_building_of_the_pbf_is_built_once_or_skipped_with_a_reason():
    pbf = read_source(LONDON_PBF, ReadOptions())
    built = [_norm(s) for s in pbf.source_id]
    skipped = {_norm(s.feature): s.reason for s in pbf.skipped}
    assert len(built) == len(set(built))
    assert not set(built) & set(skipped)
    # every building and part of the extract, as its GeoJSON export lists them
    exported = {
        str(f["properties"]["osm_id"]) for f in json.loads(LONDON_GEOJSON.read_text())["features"]
    }
    assert set(built) | set(skipped) == exported
    for way in MEMBER_WAYS:
        assert f"w{way}" in built or f"w{way}" in skipped
    # a building way inside the building relation it is an outer member of: the relation
    # draws it
    assert "r11244352" in built
    assert (
        skipped["w155363896"]
        == "a way of the building multipolygon relation/11244352, built as that"
    )
    # parts outlining a building relation stay parts; churches' ways are built
    assert {"w427908006", "w427908007", "w100835946", "w503247137"} <= set(built)


def test_the_geojson_export_draws_a_relation_and_its_ways_once():
    pbf = read_source(LONDON_PBF, ReadOptions())
    gj = read_source(LONDON_GEOJSON, ReadOptions())
    assert sorted(gj.source_id) == sorted(_norm(s) for s in pbf.source_id)
    assert sorted(s.feature for s in gj.skipped) == sorted(_norm(s.feature) for s in pbf.skipped)
    assert "w155363896" in {s.feature for s in gj.skipped}
