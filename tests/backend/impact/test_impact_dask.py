"""With a Dask scheduler configured, the study runs on the cluster (as tiling does)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models_impact import ImpactJob
from backend.main import create_app
from backend.services import impact_jobs
from backend.settings import Settings
from impact.job import compute
from tests.backend.city.fixtures import City
from tests.backend.impact.helpers import tower_proposal, wait_done

Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def cluster() -> Iterator[Any]:
    from dask.distributed import LocalCluster

    cluster = LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        yield cluster
    finally:
        cluster.close()


def test_a_study_runs_on_the_dask_cluster_and_gives_the_local_answer(
    settings: Settings,
    database: Database,
    as_role: Headers,
    city: City,
    cluster: Any,
) -> None:
    on_dask = settings.model_copy(update={"impact_dask_scheduler": cluster.scheduler_address})
    with TestClient(create_app(on_dask, database=database)) as client:
        planner = as_role("planner")
        pid = tower_proposal(client, planner, city, height_m=35.0)["id"]
        status = wait_done(client, planner, pid)
        # the scheduler ran the study's task (impact.job.compute)
        assert "compute" in cluster.scheduler.task_prefixes
        remote = client.get(f"/api/v1/proposals/{pid}/impact/points?analysis=vsc", headers=planner)
    # the same inputs computed here, in this process, give the same values
    with database.read_sessions() as session:
        job = session.get(ImpactJob, status["job"]["id"])
        assert job is not None
        inputs = dict(job.inputs)
    city_rows = impact_jobs.read_city(settings, inputs)
    here = compute(
        city_rows, inputs["massing"], inputs["replaces"], inputs["options"], inputs["views"]
    )
    assert [f["properties"] for f in remote.json()["features"]] == [
        f["properties"] for f in here["vsc"]["features"]
    ]
