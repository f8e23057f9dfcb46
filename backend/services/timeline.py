"""A proposal's public timeline: stages with dates, documents added, variants, the decision
with its reasons, consultation reports (oldest first).

Built from what is already recorded (the audit log of stage changes, documents, variants,
reports), so there is nothing extra to keep in step. Drafts have no public timeline (404 as
the proposal itself).
"""

from __future__ import annotations

from backend.repositories import audit
from backend.repositories import documents as documents_repo
from backend.repositories import variants as variants_repo
from backend.repositories.session import Session
from backend.schemas.timeline import Timeline, TimelineEntry
from backend.services import proposals
from backend.services.auth import Principal

STAGE_TITLES = {
    "consultation": "Consultation opened",
    "assessment": "Consultation closed; under assessment",
    "decided": "Decided",
}


def build(session: Session, principal: Principal | None, proposal_id: int) -> Timeline:
    proposal = proposals.visible(session, principal, proposal_id)
    items: list[TimelineEntry] = []
    for e in audit.for_entity(session, "proposal", proposal.id):
        if e.action != proposals.STAGE_ACTION:
            continue
        to = str(e.details.get("to"))
        items.append(
            TimelineEntry(
                at=e.at, kind="stage", title=STAGE_TITLES.get(to, to), detail=e.reason, stage=to
            )
        )
        if to == "decided" and e.details.get("decision"):
            items.append(
                TimelineEntry(
                    at=e.at,
                    kind="decision",
                    title=f"Decision: {e.details['decision']}",
                    detail=e.reason,
                    stage=to,
                )
            )
    for d in documents_repo.of_proposal(session, proposal.id):
        kind = "report" if d.kind == "report" else "document"
        title = d.title if kind == "report" else f"Document added: {d.title}"
        items.append(TimelineEntry(at=d.created_at, kind=kind, title=title, document_id=d.id))
    for v in variants_repo.of_proposal(session, proposal.id):
        items.append(
            TimelineEntry(
                at=v.created_at,
                kind="variant",
                title=f"Design variant: {v.name}",
                detail=v.description or None,
                variant_id=v.id,
            )
        )
    items.sort(key=lambda i: (i.at, i.kind != "stage"))
    return Timeline(proposal_id=proposal.id, items=items)
