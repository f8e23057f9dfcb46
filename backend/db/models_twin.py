"""Tables for approved schemes applied to the city (issue 12).

Declared on the same ``Base`` as ``backend.db.models``; imported at the end of that module so
that its metadata (and Alembic) see them.
"""

from __future__ import annotations
