"""Reports and moderation: report a comment, auto-hide after N reports, the queue, hide, restore.

- One report per user per comment; a second report by the same user changes nothing (idempotent).
- Only a verified account may report. When a published comment has ``report_hide_threshold``
  distinct *open* (unresolved) reports from *established* accounts (verified, and older than
  ``report_established_hours`` or with a published comment of their own) it is hidden pending
  review, with the reason ``auto: N reports``; reports from fresh accounts wait for a moderator,
  so a burst of new accounts cannot hide a comment. Reports resolved by a moderator
  no longer count, so a restored comment is not re-hidden by the reports already reviewed.
- Moderators (admins pass) see comments with open reports, oldest first report first, and hide or
  restore them with a reason; that resolves the open reports. They see who filed each report and
  whether it counted toward auto-hide. Every decision, automatic ones
  included, is written to the audit log (who, when, why).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from backend.db.models import Comment, Report
from backend.db.types import utcnow
from backend.errors import ConflictError, NotFoundError
from backend.repositories import audit
from backend.repositories import comments as repo
from backend.repositories import session as uow
from backend.repositories import users as users_repo
from backend.repositories.session import Session
from backend.schemas.comments import (
    CommentModeration,
    ModerationItem,
    ModerationReport,
    ReportCreate,
    ReportPublic,
    ReportReporter,
)
from backend.services.auth import Principal, require_verified
from backend.services.comments import (
    moderation_view,
    public_view,
    publish_event,
    visible_comment,
)
from backend.services.events import EventBroker
from backend.settings import Settings


def _report_view(report: Report) -> ReportPublic:
    return ReportPublic(
        id=report.id,
        comment_id=report.comment_id,
        reason=report.reason,
        details=report.details,
        created_at=report.created_at,
        resolved_at=report.resolved_at,
        resolution=report.resolution,
    )


def report(
    session: Session,
    settings: Settings,
    principal: Principal,
    comment_id: int,
    data: ReportCreate,
    events: EventBroker | None,
) -> tuple[ReportPublic, bool]:
    """File a report; returns it and whether it is new. May hide the comment (auto)."""
    require_verified(principal, "reporting")
    comment, proposal = visible_comment(session, comment_id)
    if comment.state == "deleted":
        raise ConflictError(f"comment {comment_id}: is deleted")
    if comment.author_id == principal.user.id:
        raise ConflictError(f"comment {comment_id}: you cannot report your own comment")
    existing = repo.report_by(session, comment.id, principal.user.id)
    if existing is not None:
        return _report_view(existing), False
    filed = Report(
        comment_id=comment.id,
        reporter_id=principal.user.id,
        reason=data.reason,
        details=data.details,
        created_at=utcnow(),
    )
    session.add(filed)
    try:
        uow.flush(session)
    except uow.UniqueViolation:  # the same user's concurrent report won
        again = repo.report_by(session, comment_id, principal.user.id)
        if again is None:
            raise
        return _report_view(again), False
    # lock the comment row first, then count: concurrent reports serialise on the threshold
    repo.add_report_count(session, comment.id)
    session.refresh(comment)
    hidden = False
    open_reports = users_repo.count_established_open_reports(
        session, comment.id, established_before(settings)
    )
    if comment.state == "published" and open_reports >= settings.report_hide_threshold:
        reason = f"auto: {open_reports} reports"
        comment.state = "hidden"
        comment.hidden_reason = reason
        audit.record(
            session,
            actor_id=None,
            action="comment.auto_hide",
            entity_type="comment",
            entity_id=comment.id,
            reason=reason,
            details={"open_reports": open_reports},
        )
        hidden = True
    session.commit()
    if hidden:
        publish_event(events, proposal.id, {"type": "comment_hidden", "comment_id": comment.id})
    return _report_view(filed), True


def established_before(settings: Settings) -> datetime:
    """Accounts created before this time count toward auto-hide (when verified)."""
    return utcnow() - timedelta(hours=settings.report_established_hours)


def queue(
    session: Session, settings: Settings, *, limit: int, offset: int
) -> tuple[list[ModerationItem], int]:
    """Comments waiting for review with their open reports and reporters, oldest first."""
    comments, total = repo.moderation_queue(session, limit=limit, offset=offset)
    reports = repo.open_reports(session, (c.id for c in comments))
    reporters = repo.users_by_id(session, (r.reporter_id for r in reports))
    established = users_repo.established_ids(session, list(reporters), established_before(settings))
    by_comment: dict[int, list[ModerationReport]] = {}
    for r in reports:
        who = reporters.get(r.reporter_id) if r.reporter_id is not None else None
        view = ModerationReport(
            **_report_view(r).model_dump(),
            reporter=None
            if who is None
            else ReportReporter(
                id=who.id, display_name=who.display_name, counts_toward_hide=who.id in established
            ),
        )
        by_comment.setdefault(r.comment_id, []).append(view)
    authors = repo.users_by_id(session, (c.author_id for c in comments))
    items = [
        ModerationItem(
            comment=moderation_view(c, authors),
            reports=by_comment.get(c.id, []),
            first_reported_at=by_comment[c.id][0].created_at if by_comment.get(c.id) else None,
        )
        for c in comments
    ]
    return items, total


def _decide(
    session: Session, principal: Principal, comment: Comment, action: str, reason: str
) -> tuple[str, int]:
    if comment.state == "deleted":
        raise ConflictError(f"comment {comment.id}: is deleted")
    previous = comment.state
    now = utcnow()
    if action == "hide":
        comment.state = "hidden"
        comment.hidden_reason = reason
        resolution = "hidden"
    else:
        comment.state = "published"
        comment.hidden_reason = None
        resolution = "restored" if previous == "hidden" else "dismissed"
    resolved = repo.resolve_reports(session, comment.id, resolution, now)
    audit.record(
        session,
        actor_id=principal.user.id,
        action=f"comment.{action}",
        entity_type="comment",
        entity_id=comment.id,
        reason=reason,
        details={"previous_state": previous, "reports_resolved": resolved},
    )
    session.commit()
    return previous, resolved


def hide(
    session: Session,
    principal: Principal,
    comment_id: int,
    reason: str,
    events: EventBroker | None,
) -> CommentModeration:
    comment, proposal = visible_comment(session, comment_id)
    previous, _ = _decide(session, principal, comment, "hide", reason)
    if previous == "published":
        publish_event(events, proposal.id, {"type": "comment_hidden", "comment_id": comment.id})
    return moderation_view(comment, repo.users_by_id(session, [comment.author_id]))


def restore(
    session: Session,
    principal: Principal,
    comment_id: int,
    reason: str,
    events: EventBroker | None,
) -> CommentModeration:
    comment, proposal = visible_comment(session, comment_id)
    previous, _ = _decide(session, principal, comment, "restore", reason)
    authors = repo.users_by_id(session, [comment.author_id])
    if previous == "hidden":
        payload = public_view(comment, authors).model_dump(mode="json")
        publish_event(events, proposal.id, {"type": "comment_restored", "comment": payload})
    return moderation_view(comment, authors)


def dismiss_report(
    session: Session, principal: Principal, report_id: int, reason: str
) -> ReportPublic:
    """Dismiss one open report (the comment and its other reports stay as they are)."""
    filed = repo.report_by_id(session, report_id)
    if filed is None:
        raise NotFoundError(f"report {report_id} not found")
    comment = session.get(Comment, filed.comment_id)
    if comment is None or comment.state == "deleted":
        raise NotFoundError(f"report {report_id} not found")
    if not repo.resolve_report(session, report_id, "dismissed", utcnow()):
        raise ConflictError(
            f"report {report_id}: is resolved already ({filed.resolution})",
            key="report_resolved",
            params={"resolution": filed.resolution or ""},
        )
    audit.record(
        session,
        actor_id=principal.user.id,
        action="report.dismiss",
        entity_type="report",
        entity_id=report_id,
        reason=reason,
        details={"comment_id": filed.comment_id, "reporter_id": filed.reporter_id},
    )
    session.commit()
    session.refresh(filed)
    return _report_view(filed)


def hidden(session: Session, *, limit: int, offset: int) -> tuple[list[CommentModeration], int]:
    """Hidden comments, newest first, so a moderator can find one again and restore it."""
    comments, total = repo.hidden_comments(session, limit=limit, offset=offset)
    authors = repo.users_by_id(session, (c.author_id for c in comments))
    return [moderation_view(c, authors) for c in comments], total
