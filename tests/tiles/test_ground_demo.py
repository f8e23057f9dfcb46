"""The demo builds its city with the ground layer, and a demo folder without one is rebuilt."""

from __future__ import annotations

import json

from backend.demo import build_city
from backend.settings import Settings


def test_demo_city_has_the_ground_layer_with_its_names(tmp_path):
    settings = Settings(_env_file=None, tiles_dir=tmp_path / "tiles")  # type: ignore[call-arg]
    assert build_city(settings) is True
    ground = tmp_path / "tiles" / "london" / "ground"
    assert (ground / "tileset.json").is_file()
    labels = json.loads((ground / "labels.json").read_text(encoding="utf-8"))
    names = {f["properties"]["name"] for f in labels["features"]}
    assert {"River Thames", "Cheapside", "Gough Square"} <= names
    assert build_city(settings) is False  # reused
    # a demo folder from before the ground layer is built again
    (ground / "tileset.json").unlink()
    assert build_city(settings) is True
    assert (ground / "tileset.json").is_file()
