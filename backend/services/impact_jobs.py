"""Impact studies as background jobs: ask for one, follow it, read its results.

A study is keyed by its *scene*: a hash of the city's buildings within the study's reach, the
massing, the buildings it replaces, the protected views and the study options. Asking again for
an unchanged scene returns the stored result at once; asking while a job of the same scene is
queued or running returns that job (never a second one). Jobs are rows, so they outlive the
process: :mod:`backend.services.impact_runner` picks up queued ones and those whose process
stopped beating.

Database work is in :mod:`backend.repositories.impact`; this module never touches SQLAlchemy.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from backend.db.models_impact import ImpactJob, ImpactResult, ImpactViewpoint
from backend.db.types import utcnow
from backend.errors import ConflictError, InvalidInputError, NotFoundError
from backend.repositories import impact as repo
from backend.repositories import proposals as proposals_repo
from backend.repositories.geometry import to_shape
from backend.schemas.comments import ImpactPointRef
from backend.services import massing, proposals
from backend.services.auth import Principal
from backend.settings import Settings
from tiles.geometry.crs import metres_per_degree
from tiles.pipeline import BUILDINGS_FILE

if TYPE_CHECKING:
    from backend.db.models import Proposal
    from backend.repositories.session import Session
    from tiles.model import FeatureTable

log = logging.getLogger(__name__)

#: Bump when the study's method changes, so results of the old method are not reused.
#: 2: the zone of theoretical visibility; 3: finer eye grid if sparse; 4: Birmingham's sunshine
#: table from the Met Office's station records (docs/impact.md, "Sunshine normals")
METHOD_VERSION = "impact-4"
#: The study never looks further than its largest radius (400 m of points + 600 m of shadow).
READ_MARGIN_M = 1100.0
#: Protected viewpoints kept per city tileset.
MAX_VIEWPOINTS = 200
ANALYSES = ("vsc", "apsh", "ground", "visibility")


def study_options(settings: Settings) -> dict[str, Any]:
    """The options of every study of this deployment (part of the scene hash)."""
    opts: dict[str, Any] = {"time_zone": settings.time_zone, "sunshine": settings.impact_sunshine}
    if settings.impact_quick:
        opts.update(
            facade_spacing_m=12.0,
            ground_spacing_m=10.0,
            eye_spacing_m=40.0,
            sky_altitudes=6,
            sky_azimuths=12,
            year_every_days=30,
            year_step_min=60.0,
            day_step_min=30.0,
            view_targets=60,
        )
    return opts


def _massing_records(proposal: Proposal) -> list[dict[str, Any]]:
    return [
        {
            "id": str(m.id),
            "footprint": shapely.geometry.mapping(to_shape(m.footprint)),
            "height_m": float(m.height_m),
            "base_height_m": float(m.base_height_m or 0.0),
            "storeys": m.storeys,
            "name": m.name,
        }
        for m in proposal.massing
    ]


def _read_bbox(records: list[dict[str, Any]]) -> tuple[float, float, float, float]:
    bounds = np.array([shapely.geometry.shape(r["footprint"]).bounds for r in records])
    minx, miny = bounds[:, 0].min(), bounds[:, 1].min()
    maxx, maxy = bounds[:, 2].max(), bounds[:, 3].max()
    mx, my = (float(v[0]) for v in metres_per_degree(np.array([(miny + maxy) / 2])))
    dx, dy = READ_MARGIN_M / mx, READ_MARGIN_M / my
    return (float(minx - dx), float(miny - dy), float(maxx + dx), float(maxy + dy))


def _view_inputs(rows: list[ImpactViewpoint]) -> list[dict[str, Any]]:
    return [
        {
            "name": v.name,
            "eye": [v.eye_lon, v.eye_lat, v.eye_height_m],
            "target": [v.target_lon, v.target_lat, v.target_height_m],
            "landmark_ids": [str(i) for i in v.landmark_ids or []],
            "fov_deg": v.fov_deg,
        }
        for v in rows
    ]


def _variant_records(session: Session, proposal_id: int, variant_id: int) -> list[dict[str, Any]]:
    found = repo.variant(session, variant_id)
    if found is None or found.proposal_id != proposal_id:
        raise NotFoundError(f"variant {variant_id} not found for proposal {proposal_id}")
    features = (found.massing or {}).get("features") or []
    if not features:
        raise InvalidInputError(f"variant {found.name!r}: no massing to analyse")
    records = []
    for i, f in enumerate(features):
        props = f.get("properties") or {}
        base = float(props.get("base_height_m") or 0.0)
        records.append(
            {
                "id": f"v{variant_id}-{i + 1}",
                "footprint": f["geometry"],
                "height_m": massing.height_of(props.get("height_m"), base, props.get("storeys")),
                "base_height_m": base,
                "storeys": props.get("storeys"),
                "name": str(props.get("name") or ""),
            }
        )
    return records


def scene_inputs(
    session: Session,
    settings: Settings,
    proposal: Proposal,
    records: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Everything a study of ``proposal`` (or of a variant's ``records``) needs apart from the
    city (plain JSON data)."""
    if records is None and not proposal.massing:
        raise InvalidInputError(f"proposal {proposal.reference}: no massing to analyse")
    # a site on open ground replaces no building, so it names no tileset: the deployment's city
    tileset = proposal.tileset or settings.default_tileset
    path = settings.tiles_dir / tileset / BUILDINGS_FILE
    if not path.is_file():
        raise InvalidInputError(f"tileset {tileset!r}: no {BUILDINGS_FILE} to study")
    records = records if records is not None else _massing_records(proposal)
    return {
        "tileset": tileset,
        "massing": records,
        "replaces": sorted(str(r) for r in proposal.replaces or []),
        "bbox": list(_read_bbox(records)),
        "options": study_options(settings),
        "views": _view_inputs(repo.viewpoints(session, tileset, proposal.id)),
    }


def read_city(settings: Settings, inputs: dict[str, Any]) -> FeatureTable:
    """The city near the site as it stands now, applied city changes included (the rows the
    buildings table holds), so a study sees approved schemes already built."""
    from impact.scene import read_city as current_city

    return current_city(settings.tiles_dir / inputs["tileset"], tuple(inputs["bbox"]))


def scene_hash(city: FeatureTable, inputs: dict[str, Any]) -> str:
    """SHA-256 of the city rows within reach (ids, drawn footprints as WKB, heights) and the
    inputs; independent of row order."""
    h = hashlib.sha256(METHOD_VERSION.encode())
    order = np.argsort(city.building_id.astype(str))
    wkb = shapely.to_wkb(np.asarray(city.geometry_to_draw, dtype=object)[order], output_dimension=2)
    for i, k in enumerate(order):
        h.update(str(city.building_id[k]).encode())
        h.update(wkb[i])
        h.update(np.array([city.height_m[k], city.base_height_m[k], city.levels[k]]).tobytes())
    h.update(json.dumps({k: v for k, v in inputs.items() if k != "bbox"}, sort_keys=True).encode())
    return h.hexdigest()


def request(
    session: Session,
    settings: Settings,
    proposal_id: int,
    reason: str,
    variant_id: int | None = None,
) -> ImpactJob:
    """Ask for a study of the proposal as it is now; returns the job (done at once when the
    scene was studied before, the active job of the same scene when one is queued or running)."""
    proposal = proposals_repo.get(session, proposal_id)
    if proposal is None:
        raise NotFoundError(f"proposal {proposal_id} not found")
    records = None
    if variant_id is not None:  # a design variant (issue 14): its own massing, same city
        records = _variant_records(session, proposal.id, variant_id)
    inputs = scene_inputs(session, settings, proposal, records)
    digest = scene_hash(read_city(settings, inputs), inputs)
    now = utcnow()
    active = repo.active_job(session, proposal.id, variant_id, digest)
    if active is not None:
        return active
    last = repo.latest_job(session, proposal.id, variant_id)
    if last is not None and last.status == "done" and last.scene_hash == digest:
        return last  # nothing changed since the last study
    repo.supersede_queued(session, proposal.id, variant_id, now)
    cached = repo.result_by_hash(session, digest)
    job = repo.add_job(
        session,
        ImpactJob(
            proposal_id=proposal.id,
            variant_id=variant_id,
            scene_hash=digest,
            reason=reason,
            inputs=inputs,
            status="done" if cached else "queued",
            progress=100 if cached else 0,
            stage="done" if cached else None,
            result_id=cached.id if cached else None,
            finished_at=now if cached else None,
        ),
    )
    session.commit()
    if cached is None:
        from backend.services import impact_runner

        impact_runner.wake()
    log.info("impact job %d for proposal %d (%s): %s", job.id, proposal.id, reason, job.status)
    return job


def request_quietly(session: Session, settings: Settings, proposal_id: int, reason: str) -> None:
    """:func:`request` after a change, when the proposal can be studied; never raises for a
    proposal that cannot (no massing yet, no city): the change itself has succeeded."""
    try:
        request(session, settings, proposal_id, reason)
    except (InvalidInputError, NotFoundError) as exc:
        session.rollback()
        log.info("impact study of proposal %d not queued: %s", proposal_id, exc)


def request_for(
    session: Session,
    settings: Settings,
    principal: Principal,
    proposal_id: int,
    variant_id: int | None = None,
) -> ImpactJob:
    """A planner asks for a study (editable proposals only)."""
    proposals.editable(session, principal, proposal_id)
    return request(session, settings, proposal_id, "requested", variant_id)


# --- reading ---------------------------------------------------------------------------------


def latest(
    session: Session, principal: Principal | None, proposal_id: int, variant_id: int | None
) -> tuple[ImpactJob | None, ImpactJob | None]:
    """The proposal's latest job and its latest finished one (either may be ``None``)."""
    proposals.visible(session, principal, proposal_id)
    return (
        repo.latest_job(session, proposal_id, variant_id),
        repo.latest_done_job(session, proposal_id, variant_id),
    )


def stored(session: Session, result_id: int) -> ImpactResult | None:
    return repo.result(session, result_id)


def decode(row: ImpactResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(gzip.decompress(row.data))
    return data


def encode(data: dict[str, Any]) -> bytes:
    return gzip.compress(json.dumps(data, separators=(",", ":")).encode(), compresslevel=6)


def result_of(
    session: Session, principal: Principal | None, proposal_id: int, variant_id: int | None
) -> tuple[ImpactJob, dict[str, Any]]:
    """The latest finished study of the proposal, decoded; 404 when there is none yet."""
    _, done = latest(session, principal, proposal_id, variant_id)
    row = repo.result(session, done.result_id) if done and done.result_id else None
    if done is None or row is None:
        raise NotFoundError(f"proposal {proposal_id}: no impact study has finished yet")
    return done, decode(row)


def previous_before(
    session: Session, proposal_id: int, variant_id: int | None
) -> dict[str, Any] | None:
    """The ``_before`` block of the proposal's latest finished study, for a re-run to reuse."""
    done = repo.latest_done_job(session, proposal_id, variant_id)
    row = repo.result(session, done.result_id) if done and done.result_id else None
    if row is None:
        return None
    before: dict[str, Any] | None = decode(row).get("_before")
    return before


def zone_of(proposal_id: int, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The zone of theoretical visibility of a finished study (one feature per band)."""
    zone = data.get("zone")
    if zone is None:  # stored by a version before the zone: the next study has it
        raise NotFoundError(
            f"proposal {proposal_id}: the latest study has no visibility zone; run it again"
        )
    features: list[dict[str, Any]] = zone["features"]
    return features


def point_values(data: dict[str, Any], analysis: str, index: int) -> dict[str, Any]:
    """One point's feature, by its analysis and index (as the GeoJSON lists them)."""
    feats = data[analysis]["features"]
    if not 0 <= index < len(feats):
        raise NotFoundError(
            f"point: {analysis} has {len(feats)} points, index {index} is out of range"
        )
    feature: dict[str, Any] = feats[index]
    return feature


def checked_point(session: Session, proposal_id: int, ref: ImpactPointRef) -> ImpactPointRef:
    """A comment's reference to a point of the proposal's latest finished study, checked to
    exist and pinned to that study (later studies renumber their points)."""
    done = repo.latest_done_job(session, proposal_id, None)
    row = repo.result(session, done.result_id) if done and done.result_id else None
    if done is None or row is None:
        raise InvalidInputError(f"anchor.impact: proposal {proposal_id} has no impact study yet")
    count = len(decode(row)[ref.analysis]["features"])
    if ref.index >= count:
        raise InvalidInputError(
            f"anchor.impact.index: {ref.analysis} has {count} points, {ref.index} is out of range"
        )
    return ImpactPointRef(analysis=ref.analysis, index=ref.index, job_id=done.id)


def store_result(
    session: Session, job_id: int, scene: str, tileset: str, data: dict[str, Any]
) -> ImpactResult:
    """Keep a finished study and mark every active job of its scene done (one commit)."""
    now = utcnow()
    row = repo.result_by_hash(session, scene)
    if row is None:
        row = repo.add_result(
            session,
            ImpactResult(
                scene_hash=scene,
                tileset=tileset,
                data=encode(data),
                summary={"facts": data.get("facts", []), "sentences": data.get("summary", [])},
                seconds=float(data.get("stats", {}).get("seconds", {}).get("total", 0.0)),
            ),
        )
    repo.finish_scene(session, scene, row.id, now)
    session.commit()
    return row


# --- protected viewpoints --------------------------------------------------------------------


def viewpoints(
    session: Session, principal: Principal | None, proposal_id: int
) -> list[ImpactViewpoint]:
    proposal = proposals.visible(session, principal, proposal_id)
    return repo.viewpoints(session, proposal.tileset, proposal.id) if proposal.tileset else []


def add_viewpoint(
    session: Session,
    principal: Principal,
    proposal_id: int,
    data: dict[str, Any],
    city_wide: bool,
) -> ImpactViewpoint:
    proposal = proposals.editable(session, principal, proposal_id)
    if not proposal.tileset:
        raise ConflictError(f"proposal {proposal_id}: not placed in a city tileset")
    if repo.count_viewpoints(session, proposal.tileset) >= MAX_VIEWPOINTS:
        raise ConflictError(f"tileset {proposal.tileset!r}: at most {MAX_VIEWPOINTS} viewpoints")
    eye, target = data["eye"], data["target"]
    row = repo.add_viewpoint(
        session,
        ImpactViewpoint(
            proposal_id=None if city_wide else proposal.id,
            tileset=proposal.tileset,
            name=data["name"],
            eye_lon=eye[0],
            eye_lat=eye[1],
            eye_height_m=eye[2],
            target_lon=target[0],
            target_lat=target[1],
            target_height_m=target[2],
            landmark_ids=list(data.get("landmark_ids") or []),
            fov_deg=float(data.get("fov_deg") or 30.0),
            created_by_id=principal.user.id,
        ),
    )
    session.commit()
    return row


def delete_viewpoint(
    session: Session, principal: Principal, proposal_id: int, viewpoint_id: int
) -> None:
    proposal = proposals.editable(session, principal, proposal_id)
    row = repo.viewpoint(session, viewpoint_id)
    if row is None or row.tileset != proposal.tileset or row.proposal_id not in (None, proposal.id):
        raise NotFoundError(f"viewpoint {viewpoint_id} not found for proposal {proposal_id}")
    repo.delete_viewpoint(session, row)
    session.commit()
