"""The one-stop-shop guide: journeys (start, grow, bid for public work, go abroad) as ordered
steps (procedure or service, provider, cost, time, link) in five languages, edited by the city
(planners and admins). Positions are kept 1..n per journey: inserting or moving a step shifts
the others, so the order is always a plain sequence."""

from __future__ import annotations

from typing import Any

from backend.db.models_sme import GuideStep
from backend.db.types import utcnow
from backend.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.repositories import audit
from backend.repositories import guide as repo
from backend.repositories.session import Session
from backend.schemas.funding import LANGUAGES
from backend.schemas.guide import (
    JOURNEYS,
    MAX_STEPS,
    JourneyPublic,
    StepCreate,
    StepPublic,
    StepText,
    StepUpdate,
    StepWrite,
)
from backend.schemas.text import visible_text_problem
from backend.services.auth import Principal

EDITOR_ROLES = ("planner", "admin")


def to_public(step: GuideStep) -> StepPublic:
    return StepPublic(
        id=step.id,
        journey=step.journey,
        position=step.position,
        translations={k: StepText(**v) for k, v in (step.translations or {}).items()},
        provider=step.provider,
        cost=step.cost,
        duration=step.duration,
        url=step.url,
        updated_at=step.updated_at,
    )


def journeys(session: Session) -> list[JourneyPublic]:
    by: dict[str, list[StepPublic]] = {j: [] for j in JOURNEYS}
    for step in repo.steps(session):
        by[step.journey].append(to_public(step))
    return [JourneyPublic(journey=j, steps=by[j]) for j in JOURNEYS]


def _check(field: str, value: str) -> str:
    value = value.strip()
    problem = visible_text_problem(value) if value else None
    if problem:
        raise InvalidInputError(f"{field}: {problem}")
    return value


def _apply(step: GuideStep, data: StepWrite, fields: set[str]) -> None:
    if "translations" in fields:
        texts = data.translations or {}
        if "en" not in texts:
            raise InvalidInputError("translations.en: an English title is required")
        out: dict[str, Any] = {}
        for lang in LANGUAGES:
            if lang in texts:
                title = _check(f"translations.{lang}.title", texts[lang].title)
                if not title:
                    raise InvalidInputError(f"translations.{lang}.title: must not be empty")
                out[lang] = {
                    "title": title,
                    "description": _check(
                        f"translations.{lang}.description", texts[lang].description
                    ),
                }
        step.translations = out
    for name in ("provider", "cost", "duration"):
        if name in fields:
            setattr(step, name, _check(name, getattr(data, name) or ""))
    if "url" in fields:
        step.url = data.url


def _editor(principal: Principal) -> None:
    if not principal.has(*EDITOR_ROLES):
        raise PermissionDeniedError("only the city (a planner or an admin) edits the guide")


def _renumber(
    session: Session, journey: str, moved: GuideStep | None, position: int | None
) -> None:
    """Positions 1..n in order, with ``moved`` at ``position`` (clamped to the end)."""
    others = [s for s in repo.steps(session, journey) if s is not moved]
    if moved is not None:
        at = len(others) if position is None else min(position - 1, len(others))
        others.insert(at, moved)
    for i, s in enumerate(others, start=1):
        s.position = i


def create(session: Session, principal: Principal, data: StepCreate) -> StepPublic:
    _editor(principal)
    if len(repo.steps(session, data.journey)) >= MAX_STEPS:
        raise InvalidInputError(f"journey: {data.journey!r} already has {MAX_STEPS} steps")
    step = GuideStep(journey=data.journey, position=0, provider="", cost="", duration="")
    step.updated_by_id = principal.user.id
    _apply(step, data, set(data.model_fields_set) | {"translations"})
    _renumber(session, data.journey, step, data.position)
    session.add(step)
    session.flush()
    audit.record(
        session,
        actor_id=principal.user.id,
        action="guide.create",
        entity_type="guide_step",
        entity_id=step.id,
    )
    session.commit()
    return to_public(step)


def update(session: Session, principal: Principal, step_id: int, data: StepUpdate) -> StepPublic:
    _editor(principal)
    step = repo.get(session, step_id)
    if step is None:
        raise NotFoundError(f"guide step {step_id} not found")
    fields = set(data.model_fields_set)
    _apply(step, data, fields)
    old = step.journey
    if "journey" in fields and data.journey is not None and data.journey != old:
        step.journey = data.journey
        _renumber(session, old, None, None)
    if "journey" in fields or "position" in fields:
        session.flush()
        _renumber(session, step.journey, step, data.position)
    step.updated_by_id, step.updated_at = principal.user.id, utcnow()
    audit.record(
        session,
        actor_id=principal.user.id,
        action="guide.update",
        entity_type="guide_step",
        entity_id=step.id,
        details={"fields": sorted(fields)},
    )
    session.commit()
    return to_public(step)


def delete(session: Session, principal: Principal, step_id: int) -> None:
    _editor(principal)
    step = repo.get(session, step_id)
    if step is None:
        raise NotFoundError(f"guide step {step_id} not found")
    journey = step.journey
    session.delete(step)
    session.flush()
    _renumber(session, journey, None, None)
    audit.record(
        session,
        actor_id=principal.user.id,
        action="guide.delete",
        entity_type="guide_step",
        entity_id=step_id,
    )
    session.commit()
