"""`civictwin opportunities import`: OCDS release packages into work packages, idempotently."""

from __future__ import annotations

import copy
import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import Opportunity, OpportunityCPV, Proposal, User
from backend.services import ocds_import
from tests.backend.sme.conftest import BHAM, COVENTRY


def fts_release(n: int, **tender: Any) -> dict[str, Any]:
    """A release shaped like the UK Find a Tender OCDS feed (a tender notice)."""
    base: dict[str, Any] = {
        "ocid": f"ocds-h6vhtk-{n:06d}",
        "id": f"{n:06d}-2030",
        "date": "2030-01-10T09:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
        "tender": {
            "id": f"{n:06d}",
            "title": f"Groundworks lot {n}",
            "description": "Excavation and drainage",
            "status": "active",
            "classification": {"scheme": "CPV", "id": "45111000", "description": "Demolition"},
            "items": [
                {
                    "id": "1",
                    "additionalClassifications": [{"scheme": "CPV", "id": "45232410"}],
                    "deliveryLocations": [
                        {"geometry": {"type": "Point", "coordinates": list(BHAM)}}
                    ],
                }
            ],
            "value": {"amount": 125000, "currency": "GBP"},
            "tenderPeriod": {"endDate": "2030-02-28T12:00:00Z"},
            "contractPeriod": {
                "startDate": "2030-04-01T00:00:00Z",
                "endDate": "2030-12-31T00:00:00Z",
            },
            "suitability": {"sme": True},
        },
    }
    base["tender"].update(tender)
    return base


def package(*releases: dict[str, Any]) -> dict[str, Any]:
    return {"uri": "https://fts.example.org/p.json", "version": "1.1", "releases": list(releases)}


def _rows(database: Database) -> list[tuple[Any, ...]]:
    with database.sessions() as session:
        return [
            tuple(r)
            for r in session.execute(
                sa.select(
                    Opportunity.source_ocid, Opportunity.proposal_id, Opportunity.updated_at
                ).order_by(Opportunity.source_ocid)
            )
        ]


def test_import_creates_then_changes_nothing_then_updates_by_ocid(
    database: Database, make_user: Callable[..., User], make_proposal: Callable[..., Proposal]
) -> None:
    planner = make_user("planner")
    birmingham, coventry = make_proposal(planner), make_proposal(planner, at=COVENTRY)
    at_coventry = {
        "deliveryLocations": [{"geometry": {"type": "Point", "coordinates": list(COVENTRY)}}]
    }
    data = package(
        fts_release(1),
        fts_release(2, items=[{**fts_release(2)["tender"]["items"][0], **at_coventry}]),
        fts_release(
            3,
            value={"amount": 90000, "currency": "GBP"},
            minValue={"amount": 60000, "currency": "GBP"},
        ),
    )
    with database.sessions() as session:
        report = ocds_import.import_package(session, copy.deepcopy(data))
    assert report.as_dict() == {
        "releases": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    first = _rows(database)
    # linked by location: the site containing the delivery point
    assert [r[1] for r in first] == [birmingham.id, coventry.id, birmingham.id]
    with database.sessions() as session:
        opp = session.scalars(
            sa.select(Opportunity).where(Opportunity.source_ocid == "ocds-h6vhtk-000003")
        ).one()
        assert [c.code for c in opp.cpv] == ["45111000-8", "45232410-9"]
        assert (float(opp.value_min), float(opp.value_max), opp.value_amount) == (
            60000,
            90000,
            None,
        )
        assert opp.status == "active" and opp.tender_end is not None

    # the same package again: no row written, not even updated_at
    with database.sessions() as session:
        again = ocds_import.import_package(session, copy.deepcopy(data))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert _rows(database) == first

    # a newer release of one ocid updates that work package only
    newer = fts_release(1, title="Groundworks lot 1 (amended)")
    newer["date"] = "2030-01-20T09:00:00Z"
    with database.sessions() as session:
        changed = ocds_import.import_package(
            session, package(*copy.deepcopy(data)["releases"], newer)
        )
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    after = _rows(database)
    assert after[0][2] > first[0][2] and after[1:] == first[1:]


def test_bad_releases_are_reported_by_json_path_and_nothing_of_them_is_stored(
    database: Database, make_user: Callable[..., User], make_proposal: Callable[..., Proposal]
) -> None:
    proposal = make_proposal(make_user("planner"))
    bad_geometry = {"deliveryLocations": [{"geometry": {"type": "Point", "coordinates": [500, 1]}}]}
    data = package(
        fts_release(1),
        fts_release(2, value={"amount": "lots", "currency": "GBP"}),
        fts_release(3, classification={"scheme": "CPV", "id": "99999999"}),
        fts_release(4, items=[{**fts_release(4)["tender"]["items"][0], **bad_geometry}]),
        fts_release(5, status="awarded"),
        {"tender": {"title": "no ocid"}},
        fts_release(
            7, tenderPeriod={"startDate": "2030-03-01T00:00:00Z", "endDate": "2030-02-01T00:00:00Z"}
        ),
    )
    with database.sessions() as session:
        report = ocds_import.import_package(session, data, proposal_id=proposal.id)
    assert report.created == 1
    paths = [e.split(": ")[0] for e in report.errors]
    assert paths == [
        "releases[1].tender.value.amount",
        "releases[2].tender.classification.id",
        "releases[3].tender.items[0].deliveryLocations[0].geometry",
        "releases[4].tender.status",
        "releases[5].ocid",
        "releases[6].tender.tenderPeriod.startDate",
    ]
    assert [r[0] for r in _rows(database)] == ["ocds-h6vhtk-000001"]
    # without --proposal and no site at the location: reported, not stored
    far = {"deliveryLocations": [{"geometry": {"type": "Point", "coordinates": [10.0, 45.0]}}]}
    with database.sessions() as session:
        report = ocds_import.import_package(
            session,
            package(
                fts_release(
                    9,
                    items=[
                        {"id": "1", "classification": {"scheme": "CPV", "id": "45111000"}, **far}
                    ],
                )
            ),
        )
    assert report.created == 0 and "no proposal's site" in report.errors[0]


# --- the command, on both engines, from a file and from a URL on 127.0.0.1 ------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _cli(db_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("CIVICTWIN_")}
    full.update({"CIVICTWIN_DATABASE_URL": db_url, **env})
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", "opportunities", "import", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_imports_a_file_or_a_url_and_refuses_what_is_too_large(
    db_url: str,
    database: Database,
    tmp_path: Path,
    served: str,
    make_user: Callable[..., User],
    make_proposal: Callable[..., Proposal],
) -> None:
    proposal = make_proposal(make_user("planner"))
    (tmp_path / "fts.json").write_text(
        json.dumps(package(fts_release(1), fts_release(2, status="nope")))
    )
    r = _cli(db_url, str(tmp_path / "fts.json"), "--proposal", str(proposal.id), "--json")
    assert r.returncode == 1, r.stderr  # one refused
    report = json.loads(r.stdout)
    assert report["created"] == 1 and report["errors"][0].startswith("releases[1].tender.status")

    r = _cli(db_url, f"{served}/fts.json", "--proposal", str(proposal.id), "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["unchanged"] == 1
    r = _cli(
        db_url,
        f"{served}/fts.json",
        "--proposal",
        str(proposal.id),
        CIVICTWIN_IMPORT_MAX_MB="0.0001",
    )
    assert r.returncode == 2 and "larger than" in r.stderr
    r = _cli(db_url, f"{served}/missing.json")
    assert r.returncode == 2 and "404" in r.stderr
    r = _cli(db_url, "ftp://127.0.0.1/x.json")
    assert r.returncode == 2 and "http(s)" in r.stderr
    r = _cli(db_url, str(tmp_path / "fts.json"), "--proposal", "999999")
    assert r.returncode == 2 and "999999" in r.stderr
    assert len(_rows(database)) == 1


def test_a_mixed_package_is_inserted_in_a_few_statements_not_one_per_run_of_alike_rows(
    database: Database, make_user: Callable[..., User], make_proposal: Callable[..., Proposal]
) -> None:
    """Releases alternating with and without a range and a location: the ORM's bulk insert
    grouped them by their None values, one INSERT per run (and re-spliced RETURNING rows)."""
    make_proposal(make_user("planner"))
    releases = []
    for n in range(60):
        extra: dict[str, Any] = {}
        if n % 3 == 0:
            extra["minValue"] = {"amount": 1000, "currency": "GBP"}
        if n % 2 == 0:
            extra["suitability"] = {"sme": False}
        releases.append(fts_release(n, **extra))
    inserts: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO OPPORTUNITIES"):
            inserts.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.sessions() as session:
            report = ocds_import.import_package(session, package(*releases))
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", count)
    assert report.created == 60 and not report.errors
    assert len(inserts) <= 2, f"{len(inserts)} INSERT statements for 60 releases"
    with database.sessions() as session:
        stored = session.execute(
            sa.select(
                Opportunity.source_ocid, Opportunity.value_min, Opportunity.sme_suitable
            ).order_by(Opportunity.source_ocid)
        ).all()
        codes = session.scalar(sa.select(sa.func.count()).select_from(OpportunityCPV))
    assert len(stored) == 60 and codes == 120
    assert [r[1] is not None for r in stored] == [n % 3 == 0 for n in range(60)]
    assert [r[2] for r in stored] == [n % 2 == 1 for n in range(60)]


def test_a_re_import_of_an_unchanged_package_reads_by_ocid_and_writes_nothing(
    database: Database, make_user: Callable[..., User], make_proposal: Callable[..., Proposal]
) -> None:
    """Unchanged releases cost their share of one indexed read of the imported columns (and one
    of the CPV codes): no work package is loaded as an object, no statement writes; a changed
    one is still found and updated."""
    make_proposal(make_user("planner"))
    releases = [fts_release(n) for n in range(60)]
    with database.sessions() as session:
        assert ocds_import.import_package(session, package(*copy.deepcopy(releases))).created == 60
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()).upper())

    sa.event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.sessions() as session:
            again = ocds_import.import_package(session, package(*copy.deepcopy(releases)))
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", record)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 60)
    writes = [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    reads = [s for s in statements if "FROM OPPORTUNITIES" in s or "FROM OPPORTUNITY_CPV" in s]
    assert len(reads) <= 3, reads  # the imported columns by ocid, their codes (, no objects)
    assert not any("OPPORTUNITIES.CREATED_AT" in s for s in reads)  # not whole rows

    amended = copy.deepcopy(releases)
    amended[7]["tender"]["title"] = "Groundworks lot 7 (amended)"
    amended[7]["date"] = "2030-02-01T09:00:00Z"
    with database.sessions() as session:
        changed = ocds_import.import_package(session, package(*amended))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 59)
    with database.sessions() as session:
        title = session.scalar(
            sa.select(Opportunity.title).where(Opportunity.source_ocid == "ocds-h6vhtk-000007")
        )
    assert title == "Groundworks lot 7 (amended)"
