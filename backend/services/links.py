"""Links into the web app, the one place the backend builds them.

The app reads its state from the URL hash in the format of ``frontend/src/core/deeplink.ts``:
``#proposal=ID&comment=ID`` (``key=value`` pairs joined by ``&``; ids of 1-64 characters from
``[A-Za-z0-9_-]``). OCDS releases, open-data rows and alert e-mails link here so that the link
opens the proposal they are about (``tests/backend/test_links.py`` decodes them with the
frontend's own parser).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def app_url(base_url: str) -> str:
    """The app's home page (for what has no view of its own, e.g. saved searches)."""
    return f"{base_url.rstrip('/')}/"


def proposal_url(base_url: str, proposal_id: int | str, comment_id: int | str | None = None) -> str:
    """The app with ``proposal_id`` selected (and ``comment_id`` open, if given)."""
    state = {"proposal": str(proposal_id)}
    if comment_id is not None:
        state["comment"] = str(comment_id)
    for key, value in state.items():
        if not _ID.match(value):
            raise ValueError(f"{key} id {value!r} cannot be put in an app link")
    return f"{app_url(base_url)}#{urlencode(state)}"
