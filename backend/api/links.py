"""Links, built in one place: the API layer, from route names and the app's deep-link format.

* :meth:`Links.operation` — an API URL from an operation's stable ``operation_id`` and its path
  parameters (the route's own path template, so no API path is typed twice);
* :meth:`Links.proposal` / :meth:`Links.home` — the web app, in the format of
  ``frontend/src/core/deeplink.ts``: ``#proposal=ID&comment=ID`` (``key=value`` pairs joined by
  ``&``; ids of 1-64 characters from ``[A-Za-z0-9_-]``). OCDS releases, open-data rows and alert
  e-mails link there so that a link opens the proposal it is about
  (``tests/backend/opportunities/test_links.py`` decodes them with the frontend's own parser).

Services never build a link: they are handed a :class:`Links` (it satisfies the protocol
:class:`backend.services.links.Links`), made here for a request or, by the CLI, for the
configured public address.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, Request

from backend.api.deps import SettingsDep

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,200}$")  # secrets.token_urlsafe
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}")


class Links:
    """Absolute links under ``base_url`` (the deployment's public address).

    ``paths`` maps each operation's ``operation_id`` to its path template, as published in the
    app's OpenAPI document (:meth:`for_app`), so a link is the route's own path.
    """

    def __init__(self, base_url: str, paths: Mapping[str, str]) -> None:
        self.base_url = base_url.rstrip("/")
        self._paths = dict(paths)

    @classmethod
    def for_app(cls, app: FastAPI, base_url: str) -> Links:
        """The links of ``app``'s operations under ``base_url``."""
        paths = {
            operation["operationId"]: path
            for path, item in app.openapi().get("paths", {}).items()
            for operation in item.values()
            if isinstance(operation, dict) and "operationId" in operation
        }
        return cls(base_url, paths)

    def at(self, base_url: str) -> Links:
        """The same links under ``base_url`` (e.g. the address a request came to), sharing
        this object's path table."""
        other = copy.copy(self)
        other.base_url = base_url.rstrip("/")
        return other

    def home(self) -> str:
        """The app's home page (for what has no view of its own, e.g. saved searches)."""
        return f"{self.base_url}/"

    def proposal(self, proposal_id: int | str, comment_id: int | str | None = None) -> str:
        """The app with ``proposal_id`` selected (and ``comment_id`` open, if given)."""
        state = {"proposal": str(proposal_id)}
        if comment_id is not None:
            state["comment"] = str(comment_id)
        for key, value in state.items():
            if not _ID.match(value):
                raise ValueError(f"{key} id {value!r} cannot be put in an app link")
        return f"{self.home()}#{urlencode(state)}"

    def account(self, action: str | None = None, token: str | None = None) -> str:
        """The app's account tab (``#account``), or a mailed link acting on it with a token
        (``#verify=TOKEN``, ``#reset=TOKEN``: read by ``frontend/src/ui/account.ts``)."""
        if action is None:
            return f"{self.home()}#account"
        if action not in ("verify", "reset") or not token or not _TOKEN.match(token):
            raise ValueError(f"no account link for {action!r} with that token")
        return f"{self.home()}#{urlencode({action: token})}"

    def operation(self, operation_id: str, **path_params: int | str) -> str:
        """The URL of the API operation ``operation_id`` with ``path_params`` filled in."""
        template = self._paths.get(operation_id)
        if template is None:
            raise KeyError(f"no API operation {operation_id!r}")
        wanted = set(_PARAM.findall(template))
        if wanted != set(path_params):
            raise KeyError(f"{operation_id} takes path parameters {sorted(wanted)}")
        path = _PARAM.sub(lambda m: quote(str(path_params[m.group(1)]), safe=""), template)
        return f"{self.base_url}{path}"


async def links_of(request: Request, settings: SettingsDep) -> Links:
    """Dependency: links under the configured public address (made once per app)."""
    found: Links | None = getattr(request.app.state, "links", None)
    if found is None or found.base_url != settings.public_base_url.rstrip("/"):
        found = Links.for_app(request.app, settings.public_base_url)
        request.app.state.links = found
    return found


LinksDep = Annotated[Links, Depends(links_of)]
