"""Supply chains below the main contract: a contractor that won a work package posts
sub-packages under it; SMEs find them and register interest as for any work package (they are
opportunities of the same development, with ``parent_id`` set), and each is published as an
OCDS release linked to its parent (``relatedProcesses``: ``parent`` on the sub-package,
``subContract`` on the parent; relatedProcess codelist of OCDS 1.1).
"""

from __future__ import annotations

from typing import Any

from backend.db.models import Opportunity
from backend.db.types import utcnow
from backend.errors import NotFoundError, PermissionDeniedError
from backend.repositories import audit
from backend.repositories import opportunities as opportunity_repo
from backend.repositories import subpackages as repo
from backend.repositories.session import Session
from backend.schemas.opportunities import OpportunityPublic, OpportunityWrite
from backend.services import opportunities
from backend.services.auth import Principal
from backend.settings import Settings


def _ocid(settings: Settings, opp: Opportunity) -> str:
    return opp.source_ocid or opportunities.ocid(settings.ocid_prefix, opp.id)


def create(session: Session, principal: Principal, parent_id: int, data: OpportunityWrite) -> int:
    """Post a sub-package under ``parent_id``: only the contractor organisation that won it."""
    parent, proposal = opportunities.get_visible(session, principal, parent_id)
    org = principal.user.organisation
    if not principal.has("contractor") or org is None:
        raise PermissionDeniedError("only a contractor organisation may post sub-packages")
    if not repo.won_by(session, parent.id, org.id):
        raise PermissionDeniedError(
            f"opportunity {parent.id}: your organisation has not been awarded this work package"
        )
    sub = Opportunity(
        proposal_id=proposal.id,
        parent_id=parent.id,
        contractor_organisation_id=org.id,
        created_by_id=principal.user.id,
        title="",
    )
    opportunities.fill(sub, data, set(data.model_fields_set) | {"title", "cpv_codes"})
    sub.published_at = utcnow()
    session.add(sub)
    session.flush()
    parent.updated_at = utcnow()  # the parent's release gains a subContract link
    audit.record(
        session,
        actor_id=principal.user.id,
        action="subpackage.create",
        entity_type="opportunity",
        entity_id=sub.id,
        details={"parent_id": parent.id, "organisation_id": org.id},
    )
    session.commit()
    return sub.id


def of_parent(
    session: Session, principal: Principal | None, parent_id: int, ocid_prefix: str
) -> list[OpportunityPublic]:
    parent, _ = opportunities.get_visible(session, principal, parent_id)
    out = []
    for sub_id in repo.children_ids(session, parent.id):
        found = opportunity_repo.get(session, sub_id)
        if found is None:
            raise NotFoundError(f"opportunity {sub_id} not found")
        out.append(opportunities.get_public(session, principal, sub_id, ocid_prefix))
    return out


def related_processes(
    session: Session, settings: Settings, opps: list[Opportunity]
) -> dict[int, list[dict[str, Any]]]:
    """OCDS ``relatedProcesses`` of each opportunity that has a parent or sub-packages."""
    parents, children = repo.relatives(
        session, [o.id for o in opps], sorted({o.parent_id for o in opps if o.parent_id})
    )
    by_id = {p.id: p for p in parents}
    found: dict[int, list[dict[str, Any]]] = {}
    for opp in opps:
        if opp.parent_id is not None and opp.parent_id in by_id:
            parent = by_id[opp.parent_id]
            found.setdefault(opp.id, []).append(
                {
                    "id": f"parent-{parent.id}",
                    "relationship": ["parent"],
                    "title": parent.title,
                    "scheme": "ocid",
                    "identifier": _ocid(settings, parent),
                }
            )
    for child in children:
        assert child.parent_id is not None
        found.setdefault(child.parent_id, []).append(
            {
                "id": f"sub-{child.id}",
                "relationship": ["subContract"],
                "title": child.title,
                "scheme": "ocid",
                "identifier": _ocid(settings, child),
            }
        )
    return found
