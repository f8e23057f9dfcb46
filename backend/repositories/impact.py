"""Queries on impact jobs, results and protected viewpoints. No HTTP, no commit.

Claiming a job is one conditional ``UPDATE … WHERE status = 'queued'``: of several runners
(uvicorn workers, hosts) exactly one sees a row changed, so a job never runs twice at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models_engagement import ProposalVariant
from backend.db.models_impact import ImpactJob, ImpactResult, ImpactViewpoint

ACTIVE = ("queued", "running")


def result_by_hash(session: Session, scene_hash: str) -> ImpactResult | None:
    return session.scalar(sa.select(ImpactResult).where(ImpactResult.scene_hash == scene_hash))


def result(session: Session, result_id: int) -> ImpactResult | None:
    return session.get(ImpactResult, result_id)


def add_result(session: Session, row: ImpactResult) -> ImpactResult:
    session.add(row)
    session.flush()
    return row


def job(session: Session, job_id: int) -> ImpactJob | None:
    return session.get(ImpactJob, job_id)


def _of(proposal_id: int, variant_id: int | None) -> list[sa.ColumnElement[bool]]:
    variant = (
        ImpactJob.variant_id.is_(None) if variant_id is None else ImpactJob.variant_id == variant_id
    )
    return [ImpactJob.proposal_id == proposal_id, variant]


def active_job(
    session: Session, proposal_id: int, variant_id: int | None, scene_hash: str
) -> ImpactJob | None:
    """A queued or running job of this scene, if any (no second one is ever added)."""
    return session.scalar(
        sa.select(ImpactJob)
        .where(*_of(proposal_id, variant_id), ImpactJob.scene_hash == scene_hash)
        .where(ImpactJob.status.in_(ACTIVE))
        .order_by(ImpactJob.id.desc())
        .limit(1)
    )


def latest_job(session: Session, proposal_id: int, variant_id: int | None) -> ImpactJob | None:
    return session.scalar(
        sa.select(ImpactJob)
        .where(*_of(proposal_id, variant_id), ImpactJob.status != "superseded")
        .order_by(ImpactJob.id.desc())
        .limit(1)
    )


def latest_done_job(session: Session, proposal_id: int, variant_id: int | None) -> ImpactJob | None:
    return session.scalar(
        sa.select(ImpactJob)
        .where(*_of(proposal_id, variant_id), ImpactJob.status == "done")
        .where(ImpactJob.result_id.is_not(None))
        .order_by(ImpactJob.id.desc())
        .limit(1)
    )


def add_job(session: Session, row: ImpactJob) -> ImpactJob:
    session.add(row)
    session.flush()
    return row


def supersede_queued(
    session: Session, proposal_id: int, variant_id: int | None, now: datetime
) -> int:
    """Queued jobs of an older scene of this proposal are not worth running any more."""
    res = session.execute(
        sa.update(ImpactJob)
        .where(*_of(proposal_id, variant_id), ImpactJob.status == "queued")
        .values(status="superseded", finished_at=now)
    )
    return int(getattr(res, "rowcount", 0) or 0)


def next_queued(session: Session) -> int | None:
    return session.scalar(
        sa.select(ImpactJob.id).where(ImpactJob.status == "queued").order_by(ImpactJob.id).limit(1)
    )


def claim(session: Session, job_id: int, worker: str, now: datetime) -> bool:
    res = session.execute(
        sa.update(ImpactJob)
        .where(ImpactJob.id == job_id, ImpactJob.status == "queued")
        .values(
            status="running",
            worker=worker,
            started_at=now,
            heartbeat_at=now,
            progress=0,
            stage="scene",
        )
    )
    return int(getattr(res, "rowcount", 0) or 0) == 1


def beat(
    session: Session, job_id: int, worker: str, progress: int, stage: str, now: datetime
) -> bool:
    """Record progress; ``False`` when the job is no longer this worker's (requeued)."""
    res = session.execute(
        sa.update(ImpactJob)
        .where(ImpactJob.id == job_id, ImpactJob.status == "running")
        .where(ImpactJob.worker == worker)
        .values(progress=progress, stage=stage, heartbeat_at=now)
    )
    return int(getattr(res, "rowcount", 0) or 0) == 1


def finish_scene(session: Session, scene_hash: str, result_id: int, now: datetime) -> int:
    """Every queued or running job of this scene is done with this result."""
    res = session.execute(
        sa.update(ImpactJob)
        .where(ImpactJob.scene_hash == scene_hash, ImpactJob.status.in_(ACTIVE))
        .values(status="done", result_id=result_id, progress=100, stage="done", finished_at=now)
    )
    return int(getattr(res, "rowcount", 0) or 0)


def fail(session: Session, job_id: int, error: str, now: datetime) -> None:
    session.execute(
        sa.update(ImpactJob)
        .where(ImpactJob.id == job_id, ImpactJob.status == "running")
        .values(status="failed", error=error[:2000], finished_at=now)
    )


def requeue(session: Session, job_id: int) -> None:
    session.execute(
        sa.update(ImpactJob)
        .where(ImpactJob.id == job_id, ImpactJob.status == "running")
        .values(status="queued", worker=None, progress=0, stage=None)
    )


def requeue_stale(session: Session, older_than: datetime) -> int:
    """Running jobs whose process stopped beating (a crash, a restart) are queued again."""
    res = session.execute(
        sa.update(ImpactJob)
        .where(ImpactJob.status == "running", ImpactJob.heartbeat_at < older_than)
        .values(status="queued", worker=None, progress=0, stage=None)
    )
    return int(getattr(res, "rowcount", 0) or 0)


def latest_done_ids() -> sa.Select[Any]:
    """Ids of the latest finished study of each proposal's scheme (not of its variants)."""
    return (
        sa.select(sa.func.max(ImpactJob.id))
        .where(ImpactJob.status == "done", ImpactJob.variant_id.is_(None))
        .where(ImpactJob.result_id.is_not(None))
        .group_by(ImpactJob.proposal_id)
    )


def viewpoints(session: Session, tileset: str, proposal_id: int | None) -> list[ImpactViewpoint]:
    """City-wide viewpoints of ``tileset`` and, when given, those of one proposal."""
    scope: sa.ColumnElement[bool] = ImpactViewpoint.proposal_id.is_(None)
    if proposal_id is not None:
        scope = sa.or_(scope, ImpactViewpoint.proposal_id == proposal_id)
    return list(
        session.scalars(
            sa.select(ImpactViewpoint)
            .where(ImpactViewpoint.tileset == tileset, scope)
            .order_by(ImpactViewpoint.id)
        )
    )


def count_viewpoints(session: Session, tileset: str) -> int:
    return int(
        session.scalar(
            sa.select(sa.func.count())
            .select_from(ImpactViewpoint)
            .where(ImpactViewpoint.tileset == tileset)
        )
        or 0
    )


def viewpoint(session: Session, viewpoint_id: int) -> ImpactViewpoint | None:
    return session.get(ImpactViewpoint, viewpoint_id)


def add_viewpoint(session: Session, row: ImpactViewpoint) -> ImpactViewpoint:
    session.add(row)
    session.flush()
    return row


def delete_viewpoint(session: Session, row: ImpactViewpoint) -> None:
    session.delete(row)
    session.flush()


def variant(session: Session, variant_id: int) -> ProposalVariant | None:
    return session.get(ProposalVariant, variant_id)
