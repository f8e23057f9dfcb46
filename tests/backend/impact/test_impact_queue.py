"""The job queue: one job per scene, jobs outlive their process, bad requests are refused."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models_impact import ImpactJob
from backend.db.types import utcnow
from backend.main import create_app
from backend.services.impact_runner import ImpactRunner
from backend.settings import Settings
from tests.backend.city.fixtures import City
from tests.backend.impact.helpers import set_height, tower_proposal
from tests.backend.proposals.helpers import create, square

Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def idle_app(settings: Settings, database: Database) -> FastAPI:
    """The app with no runner of its own: jobs stay queued until a runner is started."""
    return create_app(settings.model_copy(update={"impact_workers": 0}), database=database)


def _jobs(database: Database, proposal_id: int) -> list[ImpactJob]:
    with database.read_sessions() as s:
        rows = s.scalars(
            sa.select(ImpactJob).where(ImpactJob.proposal_id == proposal_id).order_by(ImpactJob.id)
        )
        return list(rows)


def _wait(database: Database, job_id: int, timeout_s: float = 300.0) -> ImpactJob:
    deadline = time.monotonic() + timeout_s
    while True:
        with database.read_sessions() as s:
            job = s.get(ImpactJob, job_id)
            assert job is not None
            if job.status not in ("queued", "running"):
                return job
        assert time.monotonic() < deadline, f"job {job_id} still {job.status}"
        time.sleep(0.5)


def test_one_job_per_scene_and_a_queued_job_survives_a_restart(
    idle_app: FastAPI, database: Database, settings: Settings, as_role: Headers, city: City
) -> None:
    with TestClient(idle_app) as client:
        planner = as_role("planner")
        proposal = tower_proposal(client, planner, city, height_m=40.0)
        pid = proposal["id"]
        queued = client.get(f"/api/v1/proposals/{pid}/impact", headers=planner).json()
        assert queued["job"]["status"] == "queued" and queued["result"] is None
        # asking again, twice, for the same scene: the same job, no second one
        for _ in range(2):
            again = client.post(f"/api/v1/proposals/{pid}/impact", headers=planner)
            assert again.status_code == 202 and again.json()["id"] == queued["job"]["id"]
        # a new height is a new scene: the old queued job is superseded, not run
        set_height(client, planner, city, pid, 30.0)
        jobs = _jobs(database, pid)
        assert [j.status for j in jobs] == ["superseded", "queued"]
        assert jobs[0].scene_hash != jobs[1].scene_hash
        nothing = client.get(f"/api/v1/proposals/{pid}/impact/points", headers=planner)
        assert (
            nothing.status_code == 404
            and "no impact study has finished" in nothing.json()["detail"]
        )
    # the server is gone; the job is a row: a runner started later (a restart) picks it up
    runner = ImpactRunner(database, settings)
    runner.start()
    try:
        done = _wait(database, jobs[1].id)
    finally:
        runner.stop()
    assert done.status == "done" and done.progress == 100 and done.result_id is not None
    assert _jobs(database, pid)[0].status == "superseded"


def test_a_job_whose_process_died_is_run_again(
    idle_app: FastAPI, database: Database, settings: Settings, as_role: Headers, city: City
) -> None:
    with TestClient(idle_app) as client:
        planner = as_role("planner")
        pid = tower_proposal(client, planner, city, height_m=25.0)["id"]
    (job,) = _jobs(database, pid)
    with database.sessions() as s:  # as a crashed worker leaves it: running, silent for a minute
        s.execute(
            sa.update(ImpactJob)
            .where(ImpactJob.id == job.id)
            .values(
                status="running",
                worker="gone:1/0",
                progress=35,
                heartbeat_at=utcnow() - timedelta(minutes=1),
            )
        )
        s.commit()
    runner = ImpactRunner(database, settings)
    runner.start()
    try:
        done = _wait(database, job.id)
    finally:
        runner.stop()
    assert done.status == "done" and done.worker != "gone:1/0"


def test_stopping_the_server_puts_its_running_job_back_in_the_queue(
    idle_app: FastAPI, database: Database, settings: Settings, as_role: Headers, city: City
) -> None:
    with TestClient(idle_app) as client:
        planner = as_role("planner")
        pid = tower_proposal(client, planner, city, height_m=50.0)["id"]
    runner = ImpactRunner(database, settings)
    runner.start()
    deadline = time.monotonic() + 60
    while _jobs(database, pid)[0].status == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    runner.stop()
    after = _jobs(database, pid)[0]
    assert after.status in ("queued", "done")  # back in the queue (or it had just finished)
    if after.status == "queued":
        assert after.worker is None and after.progress == 0


def test_requests_are_checked_and_bounded(client: TestClient, as_role: Headers, city: City) -> None:
    planner = as_role("planner")
    bare = create(client, planner, site_boundary=square())
    pid = bare["id"]
    url = f"/api/v1/proposals/{pid}/impact"
    assert client.post(url).status_code == 401
    assert client.post(url, headers=as_role("citizen")).status_code == 403
    r = client.post(url, headers=planner)
    assert r.status_code == 422 and "no massing to analyse" in r.json()["detail"]
    assert client.get(url, headers=planner).json()["job"] is None
    assert client.get(url).status_code == 404  # a draft is not shown to the public
    r = client.get(f"{url}/points?analysis=sunset", headers=planner)
    assert r.status_code == 422 and "analysis" in r.json()["detail"]
    r = client.get(f"{url}?variant=0", headers=planner)
    assert r.status_code == 422 and "variant" in r.json()["detail"]
    r = client.post(f"{url}?variant=3", headers=planner)
    assert r.status_code == 404 and "variant 3 not found" in r.json()["detail"]

    vp = {"name": "St Paul's", "eye": [-0.1065, 51.5141, 49.0], "target": [-0.0984, 51.5138, 110]}
    bad = {**vp, "eye": [-0.1065, 95.0, 49.0]}
    r = client.post(f"{url}/viewpoints", json=bad, headers=planner)
    assert r.status_code == 422 and "eye" in r.json()["detail"]
    r = client.post(f"{url}/viewpoints", json={**vp, "fov_deg": 170}, headers=planner)
    assert r.status_code == 422 and "fov_deg" in r.json()["detail"]
    r = client.post(f"{url}/viewpoints", json={**vp, "landmark_ids": ["x"] * 21}, headers=planner)
    assert r.status_code == 422 and "landmark_ids" in r.json()["detail"]
    r = client.post(f"{url}/viewpoints", json={**vp, "name": "a\u202eb"}, headers=planner)
    assert r.status_code == 422 and "name" in r.json()["detail"]
    r = client.post(f"{url}/viewpoints", json=vp, headers=as_role("citizen"))
    assert r.status_code == 403


def test_viewpoints_are_saved_per_proposal_or_city_wide_and_enter_the_scene(
    client: TestClient, as_role: Headers, city: City
) -> None:
    planner = as_role("planner")
    a = tower_proposal(client, planner, city, height_m=30.0)
    b = create(client, planner, site_boundary=square())
    first = client.get(f"/api/v1/proposals/{a['id']}/impact", headers=planner).json()["job"]
    vp = {
        "name": "Down Cheapside",
        "eye": [-0.0970, 51.5140, 47.0],
        "target": [-0.0950, 51.5145, 60.0],
    }
    own = client.post(f"/api/v1/proposals/{a['id']}/impact/viewpoints", json=vp, headers=planner)
    assert own.status_code == 201 and own.json()["city_wide"] is False
    wide = client.post(
        f"/api/v1/proposals/{a['id']}/impact/viewpoints",
        json={**vp, "name": "City-wide", "city_wide": True},
        headers=planner,
    )
    assert wide.status_code == 201 and wide.json()["proposal_id"] is None
    names_a = [
        v["name"]
        for v in client.get(
            f"/api/v1/proposals/{a['id']}/impact/viewpoints", headers=planner
        ).json()["items"]
    ]
    names_b = [
        v["name"]
        for v in client.get(
            f"/api/v1/proposals/{b['id']}/impact/viewpoints", headers=planner
        ).json()["items"]
    ]
    assert names_a == ["Down Cheapside", "City-wide"] and names_b == ["City-wide"]
    # a viewpoint is part of the scene: asking again is a new study, not the stored one
    again = client.post(f"/api/v1/proposals/{a['id']}/impact", headers=planner).json()
    assert again["id"] != first["id"]
    gone = client.delete(
        f"/api/v1/proposals/{b['id']}/impact/viewpoints/{own.json()['id']}", headers=planner
    )
    assert gone.status_code == 404  # not b's
    gone = client.delete(
        f"/api/v1/proposals/{a['id']}/impact/viewpoints/{own.json()['id']}", headers=planner
    )
    assert gone.status_code == 204
