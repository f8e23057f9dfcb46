"""Rendering a consultation report: the printable HTML page, the CSV files, the SVG map.

Pure functions of :class:`ReportData` (``backend.services.reports`` gathers it), so what the
files say is exactly what was counted. Every user-written text is HTML-escaped; names are
already replaced by "Resident N" and e-mail addresses and phone numbers masked.
"""

from __future__ import annotations

import csv
import html
import io
import math
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry.base import BaseGeometry

from backend.schemas.questionnaires import QuestionnaireResults

SENTIMENT_ORDER = ("supportive", "neutral", "objection")
#: The columns of the comments CSV: the UK Digital Planning Data names of a published comment.
COMMENT_COLUMNS = (
    "id",
    "receivedAt",
    "author",
    "sentiment",
    "topics",
    "comment",
    "inReplyTo",
    "variant",
    "lon",
    "lat",
    "disposition",
    "response",
    "changeMade",
    "reason",
)
#: The summary CSV: ODP's comment summary (totalComments, totalConsulted and sentiment counts;
#: the specialist-comment triple approved / amendmentsNeeded / objected as supportive /
#: neutral / objection), then what became of the comments.
SUMMARY_COLUMNS = (
    "reference",
    "totalComments",
    "totalConsulted",
    "supportive",
    "neutral",
    "objection",
    "approved",
    "amendmentsNeeded",
    "objected",
    "noted",
    "schemeChanged",
    "notTakenForward",
    "noResponse",
    "questionnaireSubmissions",
)


@dataclass
class RedactedComment:
    id: int
    received_at: str
    author: str
    sentiment: str
    topics: list[str]
    text: str
    in_reply_to: int | None
    variant: str
    lon: float | None
    lat: float | None
    disposition: str
    response: str
    change_made: str
    reason: str


@dataclass
class ReportData:
    reference: str
    title: str
    site_address: str
    generated_at: str
    trigger: str
    counts: dict[str, Any]
    comments: list[RedactedComment]
    site: BaseGeometry | None
    questionnaire: QuestionnaireResults
    responses: list[dict[str, str]] = field(default_factory=list)


def summary_csv(data: ReportData) -> bytes:
    c = data.counts
    s = c["by_sentiment"]
    d = c["by_disposition"]
    row = {
        "reference": data.reference,
        "totalComments": c["comments"],
        "totalConsulted": c["commenters"],
        "supportive": s["supportive"],
        "neutral": s["neutral"],
        "objection": s["objection"],
        "approved": s["supportive"],
        "amendmentsNeeded": s["neutral"],
        "objected": s["objection"],
        "noted": d["noted"],
        "schemeChanged": d["scheme_changed"],
        "notTakenForward": d["not_taken_forward"],
        "noResponse": d["no_response"],
        "questionnaireSubmissions": c["questionnaire_submissions"],
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SUMMARY_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue().encode()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # a cell a spreadsheet would run as a formula is quoted as text (CSV injection)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def comments_csv(data: ReportData) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COMMENT_COLUMNS)
    for c in data.comments:
        writer.writerow(
            [
                c.id,
                c.received_at,
                c.author,
                c.sentiment,
                ";".join(c.topics),
                _cell(c.text),
                c.in_reply_to or "",
                _cell(c.variant),
                "" if c.lon is None else f"{c.lon:.6f}",
                "" if c.lat is None else f"{c.lat:.6f}",
                c.disposition,
                _cell(c.response),
                _cell(c.change_made),
                _cell(c.reason),
            ]
        )
    return out.getvalue().encode()


def map_svg(site: BaseGeometry | None, points: list[tuple[float, float, str]]) -> str:
    """A static map: the site outline and every anchored comment as a dot coloured by
    sentiment (equirectangular, x scaled by cos(latitude), north up)."""
    width, height, pad = 640.0, 420.0, 20.0
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    if site is not None:
        w, s, e, n = site.bounds
        xs += [w, e]
        ys += [s, n]
    if not xs:
        return ""
    lat0 = (min(ys) + max(ys)) / 2
    k = math.cos(math.radians(lat0))
    span_x = max((max(xs) - min(xs)) * k, 1e-6)
    span_y = max(max(ys) - min(ys), 1e-6)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    x0, y1 = min(xs), max(ys)

    def xy(lon: float, lat: float) -> str:
        return f"{pad + (lon - x0) * k * scale:.1f},{pad + (y1 - lat) * scale:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        'role="img" aria-labelledby="map-title">',
        '<title id="map-title">Where comments were anchored, over the site outline</title>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#f7f7f2"/>',
    ]
    if site is not None:
        polys = list(getattr(site, "geoms", [site]))
        for poly in polys:
            ring = " ".join(xy(x, y) for x, y in poly.exterior.coords)
            parts.append(
                f'<polygon points="{ring}" fill="#dde8f5" stroke="#1f4e8c" stroke-width="2"/>'
            )
    colours = {"supportive": "#1b7837", "neutral": "#6b6b6b", "objection": "#b2182b"}
    for lon, lat, sentiment in points:
        x, y = xy(lon, lat).split(",")
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="4" fill="{colours.get(sentiment, "#333")}" '
            'fill-opacity="0.75"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(head: list[str], rows: list[list[object]]) -> str:
    h = "".join(f'<th scope="col">{html.escape(x)}</th>' for x in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """
body{font:11pt/1.4 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #999}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.2rem .5rem;
text-align:left;vertical-align:top}article{border-top:1px solid #ddd;padding:.5rem 0;
break-inside:avoid}.meta{color:#444;font-size:.9em}.official{background:#eef4ff;padding:.4rem;
border-left:4px solid #1f4e8c}svg{max-width:100%;height:auto;border:1px solid #ccc}
@media print{body{margin:0;max-width:none}a{color:inherit}}
"""


def page_html(data: ReportData) -> bytes:
    e = html.escape
    c = data.counts
    sections = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Consultation report: {e(data.title)} ({e(data.reference)})</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Consultation report: {e(data.title)}</h1>",
        f'<p class="meta">Reference {e(data.reference)} · {e(data.site_address)} · generated '
        f"{e(data.generated_at)} ({e(data.trigger.replace('_', ' '))}). Names are replaced by "
        "“Resident N”; e-mail addresses and phone numbers are removed.</p>",
        "<h2>Summary</h2>",
        _table(
            ["Published comments", "People who commented", "Questionnaire answers"],
            [[c["comments"], c["commenters"], c["questionnaire_submissions"]]],
        ),
        "<h2>By sentiment</h2>",
        _table(["Sentiment", "Comments"], [[s, c["by_sentiment"][s]] for s in SENTIMENT_ORDER]),
        "<h2>By topic</h2>",
        _table(["Topic", "Comments"], [[t, n] for t, n in c["by_topic"].items()]),
        "<h2>Over time</h2>",
        _table(["Day", "Comments"], [[d, n] for d, n in c["by_day"].items()]),
        "<h2>Per design variant</h2>",
        _table(
            ["Variant", "Comments", "Preferred by"],
            [[v["name"], v["comments"], v["preferences"]] for v in c["by_variant"]],
        )
        if c["by_variant"]
        else "<p>No design variants.</p>",
        "<h2>Where comments were placed</h2>",
        f"<p>{c['anchored']} of {c['comments']} comments were anchored to a place.</p>",
        map_svg(
            data.site,
            [
                (x.lon, x.lat, x.sentiment)
                for x in data.comments
                if x.lon is not None and x.lat is not None
            ],
        ),
        "<h2>What became of the comments</h2>",
        _table(
            ["Disposition", "Comments"],
            [[k.replace("_", " "), n] for k, n in c["by_disposition"].items()],
        ),
    ]
    for r in data.responses:
        sections.append(
            f'<div class="official"><strong>Official response ({e(r["target"])}) — '
            f"{e(r['disposition'].replace('_', ' '))}</strong><p>{e(r['body'])}</p>"
            + (f"<p>What changed: {e(r['change_made'])}</p>" if r["change_made"] else "")
            + (f"<p>Reason: {e(r['reason'])}</p>" if r["reason"] else "")
            + "</div>"
        )
    sections.append("<h2>Questionnaire</h2>")
    q = data.questionnaire
    if not q.questions:
        sections.append("<p>No questionnaire.</p>")
    for question in q.questions:
        sections.append(f"<h3>{e(question.prompt)}</h3><p>{question.answers} answers.</p>")
        if question.options:
            sections.append(
                _table(
                    ["Option", "Chosen"],
                    [[o, n] for o, n in zip(question.options, question.option_counts, strict=True)],
                )
            )
        if question.rating_counts:
            sections.append(
                _table(
                    ["Rating", "Given"],
                    [[i + 1, n] for i, n in enumerate(question.rating_counts)],
                )
                + f"<p>Mean {'–' if question.rating_mean is None else question.rating_mean}.</p>"
            )
        if question.points:
            sections.append(map_svg(data.site, [(p[0], p[1], "neutral") for p in question.points]))
    sections.append(f"<h2>Every published comment ({len(data.comments)})</h2>")
    for x in data.comments:
        reply = f" · in reply to {x.in_reply_to}" if x.in_reply_to else ""
        variant = f" · on {e(x.variant)}" if x.variant else ""
        official = ""
        if x.disposition != "no_response":
            official = (
                f'<div class="official">{e(x.disposition.replace("_", " "))}: {e(x.response)}'
                + (f" — what changed: {e(x.change_made)}" if x.change_made else "")
                + (f" — reason: {e(x.reason)}" if x.reason else "")
                + "</div>"
            )
        sections.append(
            f'<article id="c{x.id}"><p class="meta">#{x.id} · {e(x.author)} · {e(x.received_at)} '
            f"· {e(x.sentiment)} · {e(', '.join(x.topics))}{reply}{variant}</p>"
            f"<p>{e(x.text)}</p>{official}</article>"
        )
    sections.append("</body></html>")
    return "\n".join(sections).encode()
