"""A twin that follows decisions: an approved proposal's massing joins its city tileset.

Rules (documented in docs/api.md, "City changes"):

- Approving a proposal (moving it to *decided* with decision *approved*) queues a change when the
  proposal has massing and sits in a city tileset; a planner may also queue one by hand (after a
  revert, say). One change per proposal at a time (queued, running or applied): another is 409.
- The change runs in the background (:func:`run`): ``tiles.apply.apply_change`` puts the blocks
  into the tileset and takes out the proposal's ``replaces`` and every building the blocks
  overlap, re-tiling only the tiles touched and swapping the folder in atomically. The row says
  queued → running → applied (or failed, with the reason).
- The buildings table (``/api/v1/buildings``, OGC API) follows: applying deletes the replaced
  rows and adds the blocks (``massing:<id>``), reverting the other way round.
- Applied and reverted changes are written to the audit log: who, which proposal, which tiles,
  which buildings, and where the previous state is kept.
- Only the latest change still applied to a tileset can be reverted (undo later ones first): the
  previous folder is swapped back.
- A proposal's uploaded 3D model is not applied (only its massing blocks are).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend.db.models_twin import CityChange
from backend.db.types import utcnow
from backend.errors import ConflictError, InvalidInputError, NotFoundError
from backend.repositories import audit
from backend.repositories import city_changes as repo
from backend.repositories import proposals as proposals_repo
from backend.schemas.city_changes import CityChangePublic
from backend.services import buildings, massing, tilesets

# tiles is imported at import time with pyogrio (GDAL) before mod_spatialite, as in
# backend.services.massing
from tiles.apply import ChangeError, apply_change, buildings_of, revert_change
from tiles.errors import TilingError

if TYPE_CHECKING:  # typing only: database work is in backend.repositories.city_changes
    from backend.db.models import Proposal
    from backend.repositories.session import Session

log = logging.getLogger(__name__)

APPLY_ACTION = "city.apply"
REVERT_ACTION = "city.revert"
ENTITY = "city_change"
Sessions = Callable[[], AbstractContextManager["Session"]]


def public_view(change: CityChange) -> CityChangePublic:
    return CityChangePublic.model_validate(
        {
            **{k: getattr(change, k) for k in CityChangePublic.model_fields if k != "tileset_url"},
            "tileset_url": tilesets.tileset_url(change.tileset),
        }
    )


def get(session: Session, change_id: int) -> CityChange:
    change = repo.get(session, change_id)
    if change is None:
        raise NotFoundError(f"city change {change_id} not found")
    return change


def search(
    session: Session, tileset: str | None, proposal_id: int | None, limit: int, offset: int
) -> tuple[list[CityChangePublic], int]:
    items, total = repo.search(
        session, tileset=tileset, proposal_id=proposal_id, limit=limit, offset=offset
    )
    return [public_view(c) for c in items], total


def approved(proposal: Proposal) -> bool:
    return proposal.stage == "decided" and proposal.decision == "approved"


def queue(session: Session, actor_id: int | None, proposal: Proposal) -> CityChange:
    """Queue applying ``proposal`` (approved, with massing, in a tileset) to its city; commits."""
    if not approved(proposal):
        raise ConflictError(
            f"proposal {proposal.id} is not approved (stage {proposal.stage}, decision "
            f"{proposal.decision}): only an approved scheme joins the city"
        )
    if not proposal.massing:
        raise ConflictError(f"massing: proposal {proposal.id} has no massing to put in the city")
    if not proposal.tileset:
        raise ConflictError(f"site_boundary: proposal {proposal.id} lies in no city tileset")
    active = repo.active_for_proposal(session, proposal.id)
    if active is not None:
        raise ConflictError(
            f"proposal {proposal.id} already has city change {active.id} ({active.state})"
        )
    change = repo.add(
        session,
        CityChange(
            proposal_id=proposal.id,
            proposal_reference=proposal.reference,
            tileset=proposal.tileset,
            state="queued",
            requested_by_id=actor_id,
            tiles=[],
            removed_tiles=[],
            replaced=[],
            added=[],
        ),
    )
    session.commit()
    return change


def queue_if_approved(
    session: Session, actor_id: int | None, proposal: Proposal
) -> CityChange | None:
    """After a stage change: queue the change when the proposal was just approved and has a
    scheme to apply (no massing or no tileset: nothing to do, and no error)."""
    if not approved(proposal) or not proposal.massing or not proposal.tileset:
        return None
    if repo.active_for_proposal(session, proposal.id) is not None:
        return None
    return queue(session, actor_id, proposal)


def _features(proposal: Proposal) -> list[dict[str, Any]]:
    collection = massing.feature_collection(proposal.massing)
    return [
        {
            "id": str(f["id"]),
            "footprint": f["geometry"],
            "height_m": massing.height_of(
                f["properties"]["height_m"],
                f["properties"]["base_height_m"] or 0.0,
                f["properties"]["storeys"],
            ),
            "base_height_m": f["properties"]["base_height_m"] or 0.0,
            "storeys": f["properties"]["storeys"],
            "name": f["properties"]["name"] or "",
        }
        for f in collection["features"]
    ]


def run(sessions: Sessions, tiles_dir: Path, change_id: int) -> None:
    """Apply a queued change (the background job); the row records the outcome."""
    with sessions() as session:
        change = repo.get(session, change_id)
        if change is None or change.state != "queued":
            return
        change.state, change.started_at = "running", utcnow()
        session.commit()
        proposal = proposals_repo.get(session, change.proposal_id) if change.proposal_id else None
        try:
            if proposal is None:
                raise ChangeError("the proposal was deleted before its change ran")
            result = apply_change(
                tiles_dir / change.tileset,
                change.change_key,
                _features(proposal),
                list(proposal.replaces or []),
            )
        except (TilingError, InvalidInputError) as exc:
            change.state, change.error = "failed", str(exc)
        except Exception:
            log.exception("city change %s failed", change_id)
            change.state, change.error = "failed", "internal error (see the server log)"
        else:
            change.state = "applied"
            # the buildings table follows the tiles: the replaced rows out, the blocks in
            try:
                buildings.replace_buildings(
                    session,
                    change.tileset,
                    result.replaced,
                    buildings_of(tiles_dir / change.tileset, result.added),
                )
            except Exception:
                log.exception("city change %s: buildings table not updated", change_id)
                session.rollback()
                change = repo.get(session, change_id) or change
                change.error = "applied to the tiles; the buildings table was not updated"
            change.tiles, change.removed_tiles = result.tiles, result.removed_tiles
            change.replaced, change.added = result.replaced, result.added
            change.previous = str(result.previous) if result.previous else None
            change.seconds = round(result.seconds, 4)
            audit.record(
                session,
                actor_id=change.requested_by_id,
                action=APPLY_ACTION,
                entity_type=ENTITY,
                entity_id=change.id,
                details={
                    "proposal_id": change.proposal_id,
                    "proposal_reference": change.proposal_reference,
                    "tileset": change.tileset,
                    "tiles": result.tiles,
                    "removed_tiles": result.removed_tiles,
                    "replaced": result.replaced,
                    "added": result.added,
                    "previous": change.previous,
                },
            )
        change.finished_at = utcnow()
        session.commit()


def revert(session: Session, actor_id: int | None, change_id: int, tiles_dir: Path) -> CityChange:
    """Put the tileset back as it was before ``change_id`` (the latest applied to it)."""
    change = get(session, change_id)
    if change.state != "applied":
        raise ConflictError(
            f"state: city change {change_id} is {change.state}; only an applied change is reverted"
        )
    later = repo.applied_after(session, change.tileset, change.id)
    if later:
        raise ConflictError(
            f"city change {change_id} is not the latest on {change.tileset}: revert "
            f"{', '.join(str(c.id) for c in later)} first"
        )
    try:
        result = revert_change(tiles_dir / change.tileset, change.change_key)
    except TilingError as exc:
        raise ConflictError(f"city change {change_id}: {exc}") from exc
    buildings.replace_buildings(
        session,
        change.tileset,
        list(change.added),
        buildings_of(tiles_dir / change.tileset, change.replaced),
    )
    change.state, change.reverted_at = "reverted", utcnow()
    change.reverted_by_id = actor_id
    audit.record(
        session,
        actor_id=actor_id,
        action=REVERT_ACTION,
        entity_type=ENTITY,
        entity_id=change.id,
        details={
            "proposal_id": change.proposal_id,
            "tileset": change.tileset,
            "tiles": result.tiles,
            "removed_tiles": result.removed_tiles,
            "restored_from": change.previous,
        },
    )
    session.commit()
    return change


def find_proposal(session: Session, key: str) -> Proposal:
    """A proposal by id or reference (the CLI's argument)."""
    found = proposals_repo.get(session, int(key)) if key.isdigit() else None
    found = found or proposals_repo.by_reference(session, key)
    if found is None:
        raise NotFoundError(f"proposal {key!r} not found (give its id or reference)")
    return found
