"""Tables for funding schemes, business guide, awards, sub-packages (issue 15).

Declared on the same ``Base`` as ``backend.db.models``; imported at the end of that module so
that its metadata (and Alembic) see them.
"""

from __future__ import annotations
