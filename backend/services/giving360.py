"""Awarded grants as a 360Giving grant package (360Giving Data Standard 1.4).

Mapping (https://standard.threesixtygiving.org/en/latest/technical/reference/):

- one grant per :class:`~backend.db.models_sme.GrantAward`: ``id`` = ``360G-<prefix>-<id>``,
  ``title`` (the award's title, else the scheme's English title), ``description`` (the scheme's
  English summary, else its title), ``currency``, ``amountAwarded``, ``awardDate``;
- ``recipientOrganization``: the organisation (``companyNumber`` when it has an identifier);
- ``fundingOrganization``: the scheme's provider; ``grantProgramme``: the scheme (code, title,
  link); ``fromOpenCall``: "Yes" (the schemes of the directory are open calls).

Only grants of published (or closed) schemes are exported; there is no endorsed standard for the
open calls themselves, which are served by ``/api/v1/schemes``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from backend.db.models import Organisation
from backend.db.models_sme import FundingScheme, GrantAward
from backend.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.repositories import audit
from backend.repositories import funding as repo
from backend.repositories.session import Session
from backend.schemas.grants import GrantCreate, GrantPublic
from backend.services import funding
from backend.services.auth import Principal
from backend.services.links import Links
from backend.settings import Settings

VERSION = "1.4"


def _prefix(settings: Settings) -> str:
    return "360G-" + settings.ocid_prefix.removeprefix("ocds-")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "funder"


def to_public(grant: GrantAward, org: Organisation) -> GrantPublic:
    return GrantPublic(
        id=grant.id,
        scheme_id=grant.scheme_id,
        organisation_id=org.id,
        organisation_name=org.name,
        amount=float(grant.amount),
        currency=grant.currency,
        awarded_on=grant.awarded_on,
        title=grant.title,
    )


def record(
    session: Session, principal: Principal, scheme_id: int, data: GrantCreate
) -> GrantPublic:
    """Record a grant of a scheme to an organisation (the scheme's funder or an admin)."""
    scheme = funding.get_visible(session, principal, scheme_id)
    if not funding.can_manage(principal, scheme):
        raise PermissionDeniedError("only the scheme's funder or an admin may record its grants")
    org = session.get(Organisation, data.organisation_id)
    if org is None:
        raise InvalidInputError(f"organisation_id: organisation {data.organisation_id} not found")
    grant = GrantAward(
        scheme_id=scheme.id,
        organisation_id=org.id,
        amount=Decimal(str(round(data.amount, 2))),
        currency=data.currency,
        awarded_on=data.awarded_on,
        title=(data.title or "").strip(),
        created_by_id=principal.user.id,
    )
    session.add(grant)
    session.flush()
    audit.record(
        session,
        actor_id=principal.user.id,
        action="grant.create",
        entity_type="funding_scheme",
        entity_id=scheme.id,
        details={"organisation_id": org.id, "amount": str(grant.amount)},
    )
    session.commit()
    return to_public(grant, org)


def withdraw(session: Session, principal: Principal, grant_id: int) -> None:
    """Remove a grant recorded in error (the scheme's funder or an admin); the audit trail keeps
    what it was. It leaves the 360Giving package with it."""
    grant = session.get(GrantAward, grant_id)
    if grant is None:
        raise NotFoundError(f"grant {grant_id} not found")
    scheme = funding.get_visible(session, principal, grant.scheme_id)
    if not funding.can_manage(principal, scheme):
        raise PermissionDeniedError("only the scheme's funder or an admin may withdraw its grants")
    audit.record(
        session,
        actor_id=principal.user.id,
        action="grant.delete",
        entity_type="funding_scheme",
        entity_id=scheme.id,
        details={
            "grant_id": grant.id,
            "organisation_id": grant.organisation_id,
            "amount": str(grant.amount),
            "awarded_on": grant.awarded_on.isoformat(),
        },
    )
    session.delete(grant)
    session.commit()


def of_scheme(session: Session, principal: Principal | None, scheme_id: int) -> list[GrantPublic]:
    funding.get_visible(session, principal, scheme_id)
    return [to_public(g, o) for g, _, o in repo.grants(session, scheme_id)]


def _grant(
    settings: Settings, links: Links, grant: GrantAward, scheme: FundingScheme, org: Organisation
) -> dict[str, Any]:
    prefix = _prefix(settings)
    en = (scheme.translations or {}).get("en", {})
    title = grant.title or en.get("title") or scheme.provider
    recipient: dict[str, Any] = {"id": f"{prefix}-org-{org.id}", "name": org.name}
    if org.identifier:
        recipient["companyNumber"] = org.identifier
    if org.website:
        recipient["url"] = org.website
    programme: dict[str, Any] = {
        "code": f"scheme-{scheme.id}",
        "title": en.get("title") or scheme.provider,
        "url": links.operation("getScheme", scheme_id=scheme.id),
    }
    return {
        "id": f"{prefix}-{grant.id}",
        "title": title,
        "description": en.get("summary") or title,
        "currency": grant.currency,
        "amountAwarded": float(grant.amount),
        # a full date-time: the schema's awardDate is oneOf(date-time, YYYY-MM-DD pattern), and
        # a validator without a date-time format checker finds a bare date valid under both
        "awardDate": f"{grant.awarded_on.isoformat()}T00:00:00Z",
        "recipientOrganization": [recipient],
        "fundingOrganization": [
            {"id": f"{prefix}-funder-{_slug(scheme.provider)}", "name": scheme.provider}
        ],
        "grantProgramme": [programme],
        "fromOpenCall": "Yes",
        "fundingType": [{"vocabulary": "civictwin-scheme-kind", "code": scheme.kind}],
        "dateModified": (grant.created_at or scheme.updated_at).isoformat(),
    }


def package(session: Session, settings: Settings, links: Links) -> dict[str, Any]:
    """Every grant of a public scheme as one 360Giving package. The standard requires one grant
    or more in a package, so with none there is no package (NotFoundError)."""
    grants = [_grant(settings, links, g, s, o) for g, s, o in repo.grants(session)]
    if not grants:
        raise NotFoundError("no grants have been awarded yet")
    return {"version": VERSION, "grants": grants}
