"""Consultation reports (docs/engagement.md, "Consultation report").

Made at close (the scheduler step finds consultations that moved past ``consultation`` or whose
closing date has passed, once each) and on demand by the proposal's planner. A report counts
the published comments by sentiment, topic, day, variant and place, adds the questionnaire
results and the official responses and dispositions, and lists every published comment with
personal data redacted: authors become "Resident N" (numbered in the order they first
commented), e-mail addresses and phone numbers in the text are masked. It is kept as documents
of the proposal: a printable HTML page, a summary CSV (the UK Digital Planning Data comment
summary fields) and a CSV of the redacted comments; the figures are stored with it.

No PDF: the well-kept offline renderers need system libraries (WeasyPrint: Pango) that the
bootstrap does not install; the HTML page has print styles, so a browser prints it to PDF.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from shapely import wkb

from backend.db.models import TOPICS, Proposal
from backend.db.models_engagement import ConsultationReport
from backend.db.types import utcnow
from backend.errors import ConflictError
from backend.repositories import reports as repo
from backend.repositories import variants as variants_repo
from backend.repositories.session import Session
from backend.schemas.reports import ConsultationReportList, ConsultationReportPublic
from backend.services import documents, proposals, questionnaires, responses
from backend.services.auth import Principal
from backend.services.report_render import (
    RedactedComment,
    ReportData,
    comments_csv,
    page_html,
    summary_csv,
)

logger = logging.getLogger(__name__)

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
#: Phone numbers: 7 or more digits, with spaces, dots, dashes, brackets or a leading +.
PHONE = re.compile(r"(?<!\w)\+?\(?\d[\d\s().-]{5,}\d(?!\w)")
SENTIMENTS = ("supportive", "neutral", "objection")


def redact(text: str) -> str:
    """``text`` with e-mail addresses and phone numbers masked.

    >>> redact("Call 020 7946 0958 or mail ada@example.org")
    'Call [phone removed] or mail [e-mail removed]'
    """
    text = EMAIL.sub("[e-mail removed]", text)
    return PHONE.sub(
        lambda m: "[phone removed]" if sum(ch.isdigit() for ch in m.group()) >= 7 else m.group(),
        text,
    )


def gather(session: Session, proposal: Proposal, trigger: str) -> ReportData:
    rows = repo.published_comments(session, proposal.id)
    variants = variants_repo.of_proposal(session, proposal.id)
    names = {v.id: v.name for v in variants}
    prefs = variants_repo.preference_counts(session, proposal.id)
    answered = responses.dispositions(session, proposal.id)
    residents: dict[int | None, str] = {}
    by_sentiment = Counter(dict.fromkeys(SENTIMENTS, 0))
    by_topic = Counter(dict.fromkeys(TOPICS, 0))
    by_day: Counter[str] = Counter()
    by_variant: Counter[int] = Counter()
    by_disposition = Counter(
        {"noted": 0, "scheme_changed": 0, "not_taken_forward": 0, "no_response": 0}
    )
    comments = []
    anchored = 0
    for r in rows:
        if r.author_id not in residents:
            residents[r.author_id] = (
                f"Resident {len(residents) + 1}" if r.author_id is not None else "Former resident"
            )
        by_sentiment[r.sentiment] += 1
        for t in r.topics or []:
            by_topic[t] += 1
        day = r.created_at.date().isoformat()
        by_day[day] += 1
        if r.variant_id is not None:
            by_variant[r.variant_id] += 1
        if r.lon is not None:
            anchored += 1
        resp = answered.get(r.id)
        disposition = resp.disposition if resp else "no_response"
        if r.parent_id is None:
            by_disposition[disposition] += 1
        comments.append(
            RedactedComment(
                id=r.id,
                received_at=r.created_at.isoformat(),
                author=residents[r.author_id],
                sentiment=r.sentiment,
                topics=list(r.topics or []),
                text=redact(r.body),
                in_reply_to=r.parent_id,
                variant=names.get(r.variant_id, "") if r.variant_id else "",
                lon=float(r.lon) if r.lon is not None else None,
                lat=float(r.lat) if r.lat is not None else None,
                disposition=disposition,
                response=redact(resp.body) if resp else "",
                change_made=redact(resp.change_made or "") if resp else "",
                reason=redact(resp.reason or "") if resp else "",
            )
        )
    results = questionnaires.aggregate(session, proposal.id)
    counts: dict[str, Any] = {
        "comments": len(rows),
        "top_level_comments": sum(1 for r in rows if r.parent_id is None),
        "commenters": len([a for a in residents if a is not None]),
        "anchored": anchored,
        "by_sentiment": dict(by_sentiment),
        "by_topic": dict(by_topic),
        "by_day": dict(sorted(by_day.items())),
        "by_variant": [
            {
                "id": v.id,
                "name": v.name,
                "comments": by_variant.get(v.id, 0),
                "preferences": prefs.get(v.id, 0),
            }
            for v in variants
        ],
        "by_disposition": dict(by_disposition),
        "questionnaire_submissions": results.submissions,
    }
    site_raw = repo.site_wkb(session, proposal.id)
    official = []
    for r in sorted({id(x): x for x in answered.values()}.values(), key=lambda x: x.id):
        if r.theme_id is not None:
            official.append(
                {
                    "target": f"theme {r.theme_id}",
                    "disposition": r.disposition,
                    "body": redact(r.body),
                    "change_made": redact(r.change_made or ""),
                    "reason": redact(r.reason or ""),
                }
            )
    return ReportData(
        reference=proposal.reference,
        title=proposal.title,
        site_address=proposal.site_address,
        generated_at=utcnow().isoformat(timespec="seconds"),
        trigger=trigger,
        counts=counts,
        comments=comments,
        site=wkb.loads(site_raw) if site_raw else None,
        questionnaire=results,
        responses=official,
    )


def generate(
    session: Session,
    proposal: Proposal,
    *,
    trigger: str,
    uploads_dir: Path,
    user_id: int | None,
) -> ConsultationReport:
    """Make the report files, attach them to the proposal and record the report (commits)."""
    data = gather(session, proposal, trigger)
    stamp = date.today().isoformat()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", proposal.reference).strip("-") or str(proposal.id)
    stored: list[Path] = []
    try:
        page, p1 = documents.add_generated(
            session,
            proposal,
            page_html(data),
            title=f"Consultation report ({stamp})",
            filename=f"consultation-report-{slug}-{stamp}.html",
            content_type="text/html",
            uploads_dir=uploads_dir,
            uploaded_by_id=user_id,
        )
        stored.append(p1)
        summary, p2 = documents.add_generated(
            session,
            proposal,
            summary_csv(data),
            title=f"Consultation comment summary ({stamp})",
            filename=f"comment-summary-{slug}-{stamp}.csv",
            content_type="text/csv",
            uploads_dir=uploads_dir,
            uploaded_by_id=user_id,
        )
        stored.append(p2)
        listing, p3 = documents.add_generated(
            session,
            proposal,
            comments_csv(data),
            title=f"Consultation comments, redacted ({stamp})",
            filename=f"comments-{slug}-{stamp}.csv",
            content_type="text/csv",
            uploads_dir=uploads_dir,
            uploaded_by_id=user_id,
        )
        stored.append(p3)
        counts = dict(data.counts, comments_csv_document_id=listing.id)
        report = ConsultationReport(
            proposal_id=proposal.id,
            trigger=trigger,
            counts=counts,
            html_document_id=page.id,
            csv_document_id=summary.id,
            generated_by_id=user_id,
        )
        session.add(report)
        session.commit()
    except Exception:
        session.rollback()
        for path in stored:
            path.unlink(missing_ok=True)
        raise
    logger.info(
        "consultation report %s of proposal %s: %s comments",
        report.id,
        proposal.id,
        data.counts["comments"],
    )
    return report


def on_demand(
    session: Session, principal: Principal, proposal_id: int, uploads_dir: Path
) -> ConsultationReport:
    proposal = proposals.editable(session, principal, proposal_id)
    if proposal.stage == "draft":
        raise ConflictError(f"proposal {proposal_id}: a draft has no consultation to report on")
    return generate(
        session, proposal, trigger="on_demand", uploads_dir=uploads_dir, user_id=principal.user.id
    )


def at_close(session: Session, uploads_dir: Path, today: date | None = None) -> list[int]:
    """The scheduler step: a report for every consultation closed without one (ids made)."""
    made = []
    for proposal in repo.due_at_close(session, today or date.today()):
        made.append(
            generate(session, proposal, trigger="close", uploads_dir=uploads_dir, user_id=None).id
        )
    return made


def view(r: ConsultationReport) -> ConsultationReportPublic:
    return ConsultationReportPublic(
        id=r.id,
        proposal_id=r.proposal_id,
        trigger=r.trigger,
        counts=r.counts,
        html_document_id=r.html_document_id,
        csv_document_id=r.csv_document_id,
        html_url=proposals.document_url(r.html_document_id) if r.html_document_id else None,
        csv_url=proposals.document_url(r.csv_document_id) if r.csv_document_id else None,
        created_at=r.created_at,
    )


def listing(
    session: Session, principal: Principal | None, proposal_id: int
) -> ConsultationReportList:
    proposal = proposals.visible(session, principal, proposal_id)
    return ConsultationReportList(items=[view(r) for r in repo.reports_of(session, proposal.id)])
