"""What services need to link to things; the links are built by the API layer.

A service that puts a link in what it returns (an e-mail, an OCDS release, an open-data row)
is handed an object with this interface: :class:`backend.api.links.Links` builds them from
route names and the frontend's deep-link format, so no path or hash format is typed here.
"""

from __future__ import annotations

from typing import Protocol


class Links(Protocol):
    def home(self) -> str:
        """The web app's home page."""
        ...

    def proposal(self, proposal_id: int | str, comment_id: int | str | None = None) -> str:
        """The web app with the proposal (and comment) selected."""
        ...

    def account(self, action: str | None = None, token: str | None = None) -> str:
        """The web app's account tab, or a mailed ``verify``/``reset`` link with its token."""
        ...

    def operation(self, operation_id: str, **path_params: int | str) -> str:
        """The URL of an API operation, by its ``operation_id``."""
        ...
