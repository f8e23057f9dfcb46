"""CesiumJS (the frontend's own copy, headless Chromium) loads an ``--implicit`` tileset and
takes every tile's volume from its TILE_BOUNDING_BOX metadata."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

from tests.tiles.conftest import LONDON_GEOJSON, ROOT
from tiles.pipeline import BuildOptions, run

CESIUM = ROOT / "frontend" / "node_modules" / "cesium" / "Build" / "Cesium"
CHROMIUM = Path(os.environ.get("CIVICTWIN_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script src="/Cesium/Cesium.js"></script></head>
<body style="margin:0"><div id="c" style="width:640px;height:360px"></div></body></html>"""

# Load, look at the tileset from above at full detail, wait for every tile, then compare the
# volume CesiumJS uses for each implicit tile with the box stored in the tile's metadata.
SCRIPT = """async () => {
  const widget = new Cesium.CesiumWidget("c", {baseLayer: false, skyBox: false,
                                               skyAtmosphere: false});
  const failed = [];
  const ts = await Cesium.Cesium3DTileset.fromUrl("/ts/implicit/tileset.json",
                                                   {maximumScreenSpaceError: 0.5});
  ts.tileFailed.addEventListener((e) => failed.push(String(e.message)));
  widget.scene.primitives.add(ts);
  const s = ts.boundingSphere;
  widget.camera.viewBoundingSphere(s, new Cesium.HeadingPitchRange(0, -1.2, s.radius * 0.8));
  await new Promise((resolve) => {
    const off = ts.allTilesLoaded.addEventListener(() => { off(); resolve(); });
  });
  const out = {failed, withBox: 0, mismatched: 0, contents: 0, errors: []};
  const walk = (t) => {
    const md = t.metadata;
    const box = md && md.getPropertyBySemantic("TILE_BOUNDING_BOX");
    if (box) {
      out.withBox += 1;
      const c = Cesium.Matrix4.multiplyByPoint(t.computedTransform,
          new Cesium.Cartesian3(box[0], box[1], box[2]), new Cesium.Cartesian3());
      const obb = t.boundingVolume.boundingVolume;
      const half = Cesium.Matrix3.getColumn(obb.halfAxes, 0, new Cesium.Cartesian3());
      const dc = Cesium.Cartesian3.distance(c, obb.center);
      const dh = Math.abs(Cesium.Cartesian3.magnitude(half) - box[3]);
      if (dc > 1e-3 || dh > 1e-3) out.mismatched += 1;
      out.errors.push(t.geometricError);
    }
    if (t.implicitCoordinates && t.contentReady && !t.hasImplicitContent) out.contents += 1;
    t.children.forEach(walk);
  };
  walk(ts.root);
  return out;
}"""


def test_cesiumjs_loads_implicit_tiles_with_their_metadata_boxes(tmp_path, playwright_session):
    # make test installs both; missing ones are a broken set-up, not a reason to skip
    assert CESIUM.exists(), "frontend/node_modules/cesium is missing: run npm ci in frontend"
    assert CHROMIUM.exists(), f"Chromium is missing at {CHROMIUM}"
    options = BuildOptions(name="implicit", max_features=60, implicit=True, subtree_levels=2)
    run([LONDON_GEOJSON], tmp_path / "ts", options)
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "Cesium").symlink_to(CESIUM)
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        pw = playwright_session
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 640, "height": 360})
        page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
        page.set_default_timeout(120_000)
        out = page.evaluate(SCRIPT)
        browser.close()
    finally:
        server.shutdown()
    assert out["failed"] == []
    assert out["contents"] > 1  # content below the root was loaded
    assert out["withBox"] >= out["contents"]
    assert out["mismatched"] == 0
    assert 0.0 in out["errors"]  # leaves: TILE_GEOMETRIC_ERROR, not the implicit halving


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass
