"""The participation loop's scheduler step (``civictwin engagement run``, e.g. every minute).

In order, each step its own transactions and safe to repeat: fan out pending notification
events; record "closing in 3 days" notices (and fan them out); make the consultation report of
every consultation that has closed without one and attach it; queue the daily and weekly
digests that are due. The CLI then sends the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from backend.db.types import utcnow
from backend.repositories.session import Session
from backend.services import notifications, reports
from backend.services.notifications import AppLinks


@dataclass
class StepReport:
    events: int
    notifications: int
    queued: int
    closing_notices: int
    reports: list[int]
    digests: int


def run(
    session: Session,
    links: AppLinks,
    secret: str,
    uploads_dir: Path,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> StepReport:
    now = now or utcnow()
    today = today or now.date()
    closing = notifications.record_closing_soon(session, today)
    fanned = notifications.process_events(session, links, secret, now)
    made = reports.at_close(session, uploads_dir, today)
    digests = notifications.send_digests(session, secret, links, now)
    return StepReport(
        events=fanned.events,
        notifications=fanned.notifications,
        queued=fanned.queued,
        closing_notices=closing,
        reports=made,
        digests=digests,
    )
