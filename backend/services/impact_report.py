"""The impact study for the planning file: a printable HTML report and CSV of every point.

Both are built from the stored results (:func:`backend.services.impact_jobs.result_of`). The
report states the method's assumptions: the façade grid (one row per storey, since window
positions are unknown), the tests and thresholds used, and the sunshine data's source.
"""

from __future__ import annotations

import csv
import io
import math
from html import escape
from typing import Any

#: Columns of the points CSV, one row per point of every analysis.
CSV_COLUMNS = (
    "analysis",
    "index",
    "building_id",
    "storey",
    "facing_deg",
    "lon",
    "lat",
    "height_m",
    "before",
    "after",
    "difference",
    "winter_before",
    "winter_after",
    "adverse",
    "share_seen_above",
    "area_m2",
    "share_of_ground",
)
#: Which properties are "before" and "after" in each analysis.
_VALUES = {
    "vsc": ("before", "after"),
    "apsh": ("annual_before", "annual_after"),
    "ground": ("sun_hours_before", "sun_hours_after"),
    "visibility": (None, "share_seen"),
}


def _cell(value: Any) -> Any:
    return "" if value is None else value


def points_csv(data: dict[str, Any]) -> str:
    """Every point of every analysis as CSV (WGS 84 lon/lat, height above the ellipsoid), then
    one ``zone`` row per band of the zone of theoretical visibility: the share of the scheme seen
    above which a place is in it, its area and its share of the open ground studied (lon/lat
    are the zone's centre, blank for an empty band)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for analysis, (before_key, after_key) in _VALUES.items():
        for i, f in enumerate(data.get(analysis, {}).get("features", [])):
            p = f["properties"]
            lon, lat, h = f["geometry"]["coordinates"]
            before = p.get(before_key) if before_key else None
            after = p.get(after_key)
            diff = (
                p.get("difference")
                if "difference" in p
                else (after - before if before is not None and after is not None else None)
            )
            writer.writerow(
                [
                    analysis,
                    i,
                    _cell(p.get("building_id")),
                    _cell(p.get("storey")),
                    _cell(p.get("facing_deg")),
                    lon,
                    lat,
                    round(h, 2),
                    _cell(before),
                    _cell(after),
                    _cell(None if diff is None else round(diff, 3)),
                    _cell(p.get("winter_before")),
                    _cell(p.get("winter_after")),
                    _cell(p.get("adverse")),
                    "",
                    "",
                    "",
                ]
            )
    for i, band in enumerate(_zone_bands(data)):
        centre = band["centre"]
        writer.writerow(
            ["zone", i, "", "", ""]
            + ([round(centre[0], 8), round(centre[1], 8)] if centre else ["", ""])
            + ["", "", "", "", "", "", ""]
            + [band["above"], band["area_m2"], band["share"]]
        )
    return out.getvalue()


def _zone_bands(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The zone's bands: threshold, area, share of the open ground, centre and rings (lon/lat)."""
    out = []
    for f in (data.get("zone") or {}).get("features", []):
        p = f["properties"]
        geom = f.get("geometry") or {}
        polys = geom.get("coordinates", []) if geom.get("type") == "MultiPolygon" else []
        rings = [ring for poly in polys for ring in poly]
        pts = [c for poly in polys for c in poly[0]] if polys else []
        centre = (
            (sum(c[0] for c in pts) / len(pts), sum(c[1] for c in pts) / len(pts)) if pts else None
        )
        out.append(
            {
                "above": p.get("share_seen_above"),
                "area_m2": p.get("area_m2"),
                "share": p.get("share_of_ground"),
                "centre": centre,
                "rings": rings,
            }
        )
    return out


#: Fill of each band in the zone's map (more of the scheme seen: darker).
_BAND_FILL = ("#fdd49e", "#fc8d59", "#b30000")


def zone_svg(data: dict[str, Any], size: int = 360) -> str:
    """The zone of theoretical visibility as a small map (inline SVG, north up, metres to
    scale): each band filled, the site centre marked, the studied radius drawn, a scale bar."""
    site = data.get("site", {})
    lon0, lat0 = float(site.get("lon", 0.0)), float(site.get("lat", 0.0))
    radius = float(site.get("points_radius_m") or 100.0)
    mx = 111_320.0 * max(math.cos(math.radians(lat0)), 1e-6)
    my = 110_574.0
    half = radius * 1.05
    scale = size / (2 * half)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - lon0) * mx + half) * scale, (half - (lat - lat0) * my) * scale

    paths = []
    for i, band in enumerate(_zone_bands(data)):
        d = " ".join(
            "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (xy(c[0], c[1]) for c in ring)) + " Z"
            for ring in band["rings"]
        )
        if d:
            fill = _BAND_FILL[min(i, len(_BAND_FILL) - 1)]
            paths.append(f'<path d="{d}" fill="{fill}" fill-rule="evenodd" stroke="none"/>')
    bar_m = 10 ** math.floor(math.log10(max(radius / 2, 1.0)))
    bar = bar_m * scale
    c = size / 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" '
        f'height="{size}" role="img" aria-label="Map of the zone of theoretical visibility">'
        f'<rect width="{size}" height="{size}" fill="#fff" stroke="#999"/>'
        + "".join(paths)
        + f'<circle cx="{c:.1f}" cy="{c:.1f}" r="{radius * scale:.1f}" fill="none" '
        'stroke="#555" stroke-dasharray="4 3"/>'
        f'<circle cx="{c:.1f}" cy="{c:.1f}" r="4" fill="#000"/>'
        f'<line x1="10" y1="{size - 12}" x2="{10 + bar:.1f}" y2="{size - 12}" stroke="#000" '
        'stroke-width="3"/>'
        f'<text x="10" y="{size - 18}" font-size="11">{bar_m:g} m</text>'
        f'<text x="{size - 14}" y="18" font-size="12" text-anchor="middle">N ↑</text>'
        "</svg>"
    )


def _zone_section(data: dict[str, Any]) -> str:
    bands = _zone_bands(data)
    if not bands:
        return ""
    rows = "".join(
        f'<tr><td><span style="display:inline-block;width:.9em;height:.9em;'
        f'background:{_BAND_FILL[min(i, len(_BAND_FILL) - 1)]}"></span> '
        f"more than {_num(100 * (b['above'] or 0), 0)}%</td>"
        f"<td>{_num(b['area_m2'], 0)}</td>"
        f"<td>{_num(None if b['share'] is None else 100 * b['share'])}</td></tr>"
        for i, b in enumerate(bands)
    )
    radius = data.get("site", {}).get("points_radius_m", 0)
    return (
        "<h2>Zone of theoretical visibility</h2>"
        f"<p>Where the scheme can be seen from eye height (1.6 m) on open ground within "
        f"{radius:.0f} m of the site, by the share of the scheme's surface seen from there. The "
        "dashed circle is the area studied, the dot the site's centre; buildings are left "
        "white.</p>"
        f"<figure>{zone_svg(data)}</figure>"
        "<table><thead><tr><th>scheme seen</th><th>area (m²)</th>"
        "<th>share of the open ground studied (%)</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


_VIEWS_HEAD = (
    "<h2>Protected views</h2><table><thead><tr><th>view</th><th>scheme's share (%)</th>"
    "<th>above the landmark</th></tr></thead><tbody>"
)


def _num(value: Any, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def report_html(proposal: dict[str, Any], data: dict[str, Any], sunshine: dict[str, str]) -> str:
    """A self-contained printable page (no script, no external resource)."""
    title = f"Daylight, sunlight and views: {proposal['reference']} {proposal['title']}"
    site = data.get("site", {})
    stats = data.get("stats", {})
    opts = stats.get("options", {})
    rows = "".join(
        "<tr>"
        f"<td>{escape(str(b['building_id']))}</td><td>{b['facade_points']}</td>"
        f"<td>{_num(b['vsc_mean_before'])}</td><td>{_num(b['vsc_mean_after'])}</td>"
        f"<td>{b['vsc_adverse_points']}</td><td>{b['apsh_adverse_points']}</td>"
        "</tr>"
        for b in data.get("buildings", [])
    )
    areas = "".join(
        "<tr>"
        f"<td>{escape(str(a['name']))}</td>"
        f"<td>{_num(None if a['share_two_hours_before'] is None else 100 * a['share_two_hours_before'], 0)}</td>"  # noqa: E501
        f"<td>{_num(None if a['share_two_hours_after'] is None else 100 * a['share_two_hours_after'], 0)}</td>"  # noqa: E501
        f"<td>{'yes' if a['adverse'] else 'no'}</td>"
        "</tr>"
        for a in data.get("areas", [])
    )
    views = "".join(
        f"<tr><td>{escape(str(v['name']))}</td><td>{_num(100 * v['scheme_share'])}</td>"
        f"<td>{'yes' if v['rises_above_landmark'] else 'no'}</td></tr>"
        for v in data.get("views", [])
    )
    sentences = "".join(f"<li>{escape(s)}</li>" for s in data.get("summary", []))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(title)}</title>
<style>
body{{font:11pt/1.45 system-ui,sans-serif;max-width:48em;margin:2em auto;color:#111}}
table{{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}}
th,td{{border:1px solid #999;padding:.2em .4em;text-align:left}}
th{{background:#eee}} h1{{font-size:1.5em}} h2{{font-size:1.15em;margin-top:1.5em}}
@media print{{body{{margin:0}}}}
</style></head><body>
<h1>{escape(title)}</h1>
<p>Site centre {site.get("lat", 0):.5f}° N, {site.get("lon", 0):.5f}° E; scheme up to
{site.get("height_m", 0):.1f} m. Façade points within {site.get("points_radius_m", 0):.0f} m of the
site; buildings within {site.get("scene_radius_m", 0):.0f} m cast shadows.</p>
<h2>Summary</h2><ul>{sentences}</ul>
<h2>Neighbouring buildings</h2>
<table><thead><tr><th>building</th><th>façade points</th><th>mean VSC before (%)</th>
<th>mean VSC after (%)</th><th>points failing VSC</th><th>points failing APSH</th></tr></thead>
<tbody>{rows}</tbody></table>
<h2>Open ground: 2 hours of sun on 21 March</h2>
<table><thead><tr><th>area</th><th>share before (%)</th><th>share after (%)</th>
<th>fails the test</th></tr></thead><tbody>{areas}</tbody></table>
{_zone_section(data)}
{_VIEWS_HEAD + views + "</tbody></table>" if views else ""}
<h2>Method and assumptions</h2>
<ul>
<li><strong>Window positions are not known.</strong> Each façade facing the site is assessed on
a grid: one row of points per storey (at mid-storey; storeys from the building's levels, else its
height / 3 m) and a column every {opts.get("facade_spacing_m", 6):g} m along the wall. Results
are for those points, not for actual windows.</li>
<li><strong>Tests used</strong> (BRE 209, <em>Site layout planning for daylight and
sunlight</em>, 3rd edition 2022): vertical sky component (VSC) adverse where below 27% and below
0.8 times its former value; annual and winter probable sunlight hours (APSH) on façades within 90°
of due south, adverse where below 25% annual or 5% winter (21 September–21 March), below 0.8
times the former value and with a loss over 4% of the annual total; sun on the ground, adverse
where less than half of an area has 2 hours of sun on 21 March and less than 0.8 times its former
share. EN 17037 (daylight in buildings) shares the CIE standard overcast sky used for VSC; its
room-based daylight and sunlight-exposure tests need room layouts and are not computed.</li>
<li><strong>Sunshine data</strong>: monthly sunshine normals for {escape(sunshine["place"])}
({escape(sunshine["source"])}), divided by the month's possible sunshine hours at the site.</li>
<li>Sky: CIE standard overcast sky, {opts.get("sky_altitudes", "?")} ×
{opts.get("sky_azimuths", "?")} patches; sun positions from NREL's Solar Position Algorithm in
{escape(str(opts.get("time_zone", "")))}.
The ground is the ellipsoid (no terrain); only the massing is studied (not a placed 3D model).</li>
<li>Computed in {stats.get("seconds", {}).get("total", 0):.1f} s: {stats.get("rays", 0):,}
rays, {stats.get("facade_points", 0)} façade points, {stats.get("ground_points", 0)} ground
points.</li>
</ul>
</body></html>
"""
