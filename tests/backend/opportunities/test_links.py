"""Links into the web app open what they name: decoded by the frontend's own deep-link parser.

OCDS releases, open-data rows and alert e-mails linked to ``/#/proposals/{id}`` while the app
reads ``#proposal=ID`` (``frontend/src/core/deeplink.ts``), so they opened the home view.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.api.links import Links
from backend.db.engine import Database
from backend.db.models import OutboxMessage, Proposal, User
from backend.services import alerts
from tests.backend.opportunities.conftest import publish

ROOT = Path(__file__).resolve().parents[3]
FRONTEND = ROOT / "frontend"

#: Transpile deeplink.ts with the frontend's TypeScript and decode each argument's hash.
_DECODE = """
const ts = require(process.argv[1] + '/node_modules/typescript')
const fs = require('fs')
const src = fs.readFileSync(process.argv[1] + '/src/core/deeplink.ts', 'utf8')
const options = { compilerOptions: { module: ts.ModuleKind.CommonJS } }
const js = ts.transpileModule(src, options).outputText
const mod = { exports: {} }
new Function('module', 'exports', 'require', js)(mod, mod.exports, require)
const out = process.argv.slice(2).map((u) => mod.exports.decodeDeepLink(new URL(u).hash))
console.log(JSON.stringify(out))
"""


def links(base_url: str) -> Links:
    """Links without API operations: enough for the app's deep links."""
    return Links(base_url, {})


def decode(*urls: str) -> list[dict[str, str]]:
    """What the frontend reads from each URL's hash."""
    done = subprocess.run(
        ["node", "-e", _DECODE, str(FRONTEND), *urls],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: list[dict[str, str]] = json.loads(done.stdout)
    return result


def test_proposal_links_are_read_by_the_frontend_parser() -> None:
    got = decode(
        links("https://twin.example.org").proposal(12),
        links("https://twin.example.org/").proposal(12, comment_id=34),
        links("https://twin.example.org").home(),
    )
    assert got == [{"proposalId": "12"}, {"proposalId": "12", "commentId": "34"}, {}]
    with pytest.raises(ValueError, match="proposal id"):
        links("https://twin.example.org").proposal("12&cam=0")


def test_ocds_open_data_and_alert_links_open_the_proposal(
    app: FastAPI,
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
    database: Database,
) -> None:
    planner = make_user("planner")
    proposal = make_proposal(planner)
    publish(client, bearer(planner), proposal.id)
    sme = make_user("sme")
    r = client.post(
        "/api/v1/saved-searches",
        json={"name": "Everything", "query": {}, "frequency": "immediate"},
        headers=bearer(sme),
    )
    assert r.status_code == 201, r.text

    package = client.get("/api/v1/opportunities/release-package.json").json()
    ocds_uri = package["releases"][0]["planning"]["project"]["uri"]
    rows = client.get("/api/v1/opendata/proposals.geojson").json()["features"]
    row_url = next(f["properties"]["url"] for f in rows)
    with database.sessions() as session:
        alerts.run(session, Links.for_app(app, "https://twin.example.org"), "a-secret")
        session.commit()
        body = session.scalars(sa.select(OutboxMessage.body)).one()
    mail_urls = [w for w in body.split() if w.startswith("https://twin.example.org/")]
    assert "/#/" not in body
    app_links = [u for u in mail_urls if "/api/" not in u]
    got = decode(ocds_uri, row_url, *app_links)
    assert got[:2] == [{"proposalId": str(proposal.id)}] * 2
    assert {"proposalId": str(proposal.id)} in got[2:]
    assert {} in got[2:]  # "change these alerts": the app's home
    # the mail's data link is the API's own route for the opportunity, and it answers
    opportunity_id = package["releases"][0]["ocid"].rsplit("-", 1)[-1]
    api_links = [u for u in mail_urls if "/api/" in u and "/stop?" not in u]
    assert api_links == [f"https://twin.example.org/api/v1/opportunities/{opportunity_id}"]
    opened = client.get(api_links[0].removeprefix("https://twin.example.org"))
    assert opened.status_code == 200 and opened.json()["id"] == int(opportunity_id)


def test_api_links_come_from_the_routes_by_operation_id(app: FastAPI) -> None:
    links = Links.for_app(app, "https://twin.example.org/")
    assert links.operation("getOpportunity", opportunity_id=7) == (
        "https://twin.example.org/api/v1/opportunities/7"
    )
    assert links.operation("getOpportunitiesReleasePackage") == (
        "https://twin.example.org/api/v1/opportunities/release-package.json"
    )
    assert links.operation("ogcItems", collection_id="proposals") == (
        "https://twin.example.org/ogc/collections/proposals/items"
    )
    with pytest.raises(KeyError, match="noSuchOperation"):
        links.operation("noSuchOperation")
    with pytest.raises(KeyError, match="takes path parameters"):
        links.operation("getOpportunity")


def test_account_links_are_the_hash_the_account_panel_reads() -> None:
    links = Links("https://twin.example.org/", {})
    token = "AbC-123_xyz" * 4
    assert links.account() == "https://twin.example.org/#account"
    assert links.account("verify", token) == f"https://twin.example.org/#verify={token}"
    assert links.account("reset", token) == f"https://twin.example.org/#reset={token}"
    for action, bad in (("reset", "short"), ("reset", token + "&cam=0"), ("delete", token)):
        with pytest.raises(ValueError, match="no account link"):
            links.account(action, bad)
