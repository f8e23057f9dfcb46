"""Official responses, dispositions and themes: "you said, we did" (docs/engagement.md).

A planner who may edit the proposal (its creator or an admin) answers as the council, on one
comment or on a theme (a group of the proposal's comments they select). A target has one
response; answering again replaces it (the disposition can change as the scheme does). Each
response carries a disposition; a theme's applies to every comment in it, and a comment's own
response wins over its theme's. The authors of the comments answered are notified (once per
response and comment: a revised response is not news again unless its disposition changes).
"""

from __future__ import annotations

from backend.db.models import Comment, Proposal
from backend.db.models_engagement import CommentTheme, OfficialResponse
from backend.db.types import utcnow
from backend.errors import InvalidInputError, NotFoundError
from backend.repositories import audit
from backend.repositories import comments as comments_repo
from backend.repositories import proposals as proposals_repo
from backend.repositories import responses as repo
from backend.repositories.session import Session
from backend.schemas.responses import (
    DispositionCounts,
    ResponseCreate,
    ResponsePublic,
    ThemeCreate,
    ThemePublic,
    YouSaidWeDid,
)
from backend.services import notifications, proposals
from backend.services.auth import Principal

COUNCIL = "Planning team"


def create_theme(
    session: Session, principal: Principal, proposal_id: int, data: ThemeCreate
) -> ThemePublic:
    proposal = proposals.editable(session, principal, proposal_id)
    found = {c.id: c for c in repo.comments_of(session, proposal.id, data.comment_ids)}
    for i, cid in enumerate(data.comment_ids):
        if cid not in found:
            raise InvalidInputError(
                f"comment_ids[{i}]: {cid} is not a comment on proposal {proposal.id}"
            )
        if found[cid].state != "published":
            raise InvalidInputError(f"comment_ids[{i}]: comment {cid} is {found[cid].state}")
    theme = CommentTheme(proposal_id=proposal.id, title=data.title, created_by_id=principal.user.id)
    session.add(theme)
    session.flush()
    repo.add_members(session, theme.id, data.comment_ids)
    session.commit()
    return theme_view(session, theme, sorted(data.comment_ids), None)


def _theme(session: Session, principal: Principal, theme_id: int) -> tuple[CommentTheme, Proposal]:
    theme = repo.theme(session, theme_id)
    if theme is None:
        raise NotFoundError(f"theme {theme_id} not found")
    return theme, proposals.editable(session, principal, theme.proposal_id)


def delete_theme(session: Session, principal: Principal, theme_id: int) -> None:
    theme, _ = _theme(session, principal, theme_id)
    session.delete(theme)
    session.commit()


def _respond(
    session: Session,
    principal: Principal,
    proposal: Proposal,
    data: ResponseCreate,
    *,
    comment_id: int | None,
    theme_id: int | None,
    comment_ids: list[int],
) -> OfficialResponse:
    response = repo.response_for(session, comment_id=comment_id, theme_id=theme_id)
    if response is None:
        response = OfficialResponse(
            proposal_id=proposal.id, comment_id=comment_id, theme_id=theme_id
        )
        session.add(response)
    response.body = data.body
    response.disposition = data.disposition
    response.change_made = data.change_made if data.disposition == "scheme_changed" else None
    response.reason = data.reason if data.disposition == "not_taken_forward" else None
    response.responder_id = principal.user.id
    response.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_id=principal.user.id,
        action="response.set",
        entity_type="proposal",
        entity_id=proposal.id,
        reason=None,
        details={
            "response_id": response.id,
            "comment_id": comment_id,
            "theme_id": theme_id,
            "disposition": data.disposition,
        },
    )
    authors = repo.author_ids(session, comment_ids)
    for cid, author in authors.items():
        notifications.record_for_user(
            session,
            user_id=author,
            kind="official_response",
            proposal_id=proposal.id,
            dedupe_key=f"response:{response.id}:{cid}:{data.disposition}",
            title=f"The council responded to your comment on {proposal.title}",
            body=_sentence(data),
            comment_id=cid,
            words={
                "title": proposal.title,
                "body": data.body,
                "disposition": data.disposition,
                "detail": data.change_made or data.reason or "",
            },
        )
    session.commit()
    return response


def _sentence(data: ResponseCreate) -> str:
    text = data.body
    if data.disposition == "scheme_changed":
        text += f"\n\nWhat changed: {data.change_made}"
    elif data.disposition == "not_taken_forward":
        text += f"\n\nNot taken forward: {data.reason}"
    else:
        text += "\n\nYour comment was noted."
    return text


def respond_to_comment(
    session: Session,
    principal: Principal,
    comment_id: int,
    data: ResponseCreate,
) -> ResponsePublic:
    comment = _comment(session, comment_id)
    proposal = proposals.editable(session, principal, comment.proposal_id)
    if comment.state != "published":
        raise InvalidInputError(f"comment {comment_id}: is {comment.state}")
    response = _respond(
        session,
        principal,
        proposal,
        data,
        comment_id=comment.id,
        theme_id=None,
        comment_ids=[comment.id],
    )
    return view(session, response)


def respond_to_theme(
    session: Session,
    principal: Principal,
    theme_id: int,
    data: ResponseCreate,
) -> ResponsePublic:
    theme, proposal = _theme(session, principal, theme_id)
    ids = repo.members(session, [theme.id])[theme.id]
    response = _respond(
        session,
        principal,
        proposal,
        data,
        comment_id=None,
        theme_id=theme.id,
        comment_ids=ids,
    )
    return view(session, response)


def _comment(session: Session, comment_id: int) -> Comment:
    comment = comments_repo.get(session, comment_id)
    if comment is None:
        raise NotFoundError(f"comment {comment_id} not found")
    return comment


def view(session: Session, r: OfficialResponse) -> ResponsePublic:
    users = proposals_repo.users_by_id(session, {r.responder_id} if r.responder_id else set())
    user = users.get(r.responder_id) if r.responder_id else None
    return ResponsePublic(
        id=r.id,
        proposal_id=r.proposal_id,
        comment_id=r.comment_id,
        theme_id=r.theme_id,
        official=True,
        responder=f"{user.display_name}, {COUNCIL}" if user else COUNCIL,
        body=r.body,
        disposition=r.disposition,
        change_made=r.change_made,
        reason=r.reason,
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


def theme_view(
    session: Session, t: CommentTheme, comment_ids: list[int], r: OfficialResponse | None
) -> ThemePublic:
    return ThemePublic(
        id=t.id,
        proposal_id=t.proposal_id,
        title=t.title,
        comment_ids=comment_ids,
        response=view(session, r) if r else None,
        created_at=t.created_at,
    )


def dispositions(session: Session, proposal_id: int) -> dict[int, OfficialResponse]:
    """Each answered comment's response: its own, else its theme's."""
    responses = repo.responses_of(session, proposal_id)
    by_theme = {r.theme_id: r for r in responses if r.theme_id is not None}
    members = repo.members(session, list(by_theme))
    out: dict[int, OfficialResponse] = {}
    for theme_id, ids in members.items():
        for cid in ids:
            out[cid] = by_theme[theme_id]
    for r in responses:
        if r.comment_id is not None:
            out[r.comment_id] = r
    return out


def you_said_we_did(
    session: Session, principal: Principal | None, proposal_id: int
) -> YouSaidWeDid:
    proposal = proposals.visible(session, principal, proposal_id)
    responses = repo.responses_of(session, proposal.id)
    by_theme = {r.theme_id: r for r in responses if r.theme_id is not None}
    themes = repo.themes_of(session, proposal.id)
    members = repo.members(session, [t.id for t in themes])
    answered = dispositions(session, proposal.id)
    counts = DispositionCounts()
    for cid in repo.published_top_level_ids(session, proposal.id):
        r = answered.get(cid)
        key = r.disposition if r else "no_response"
        setattr(counts, key, getattr(counts, key) + 1)
    changes: list[str] = []
    for r in responses:
        if r.change_made and r.change_made not in changes:
            changes.append(r.change_made)
    return YouSaidWeDid(
        proposal_id=proposal.id,
        themes=[theme_view(session, t, members[t.id], by_theme.get(t.id)) for t in themes],
        responses=[view(session, r) for r in responses if r.comment_id is not None],
        changes=changes,
        counts=counts,
    )
