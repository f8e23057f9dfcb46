"""Rules for user-written text and addresses, shared by every schema that takes them.

- :data:`WebURL`: an ``http`` or ``https`` address with a host, nothing else (no
  ``javascript:``, ``data:`` or relative links that a client could be tricked into following);
- :func:`visible_text_problem`: what is wrong with a plain-text body that others will read:
  control characters, bidirectional overrides and isolates (they reorder what readers see, the
  "Trojan Source" trick, Unicode TR 9 §2.4-2.5), or no visible character at all (only spaces
  and zero-width characters). Zero-width joiners inside text stay allowed: emoji sequences and
  several scripts need them.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

#: Explicit embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
WEB_SCHEMES = ("http", "https")


def visible_text_problem(text: str) -> str | None:
    """Why ``text`` may not be shown to others as written, or None if it may.

    >>> visible_text_problem("\\u200b\\u200b")
    'has no visible character (only spaces or zero-width characters)'
    >>> visible_text_problem("ok \\u202e") is not None
    True
    """
    visible = False
    for i, char in enumerate(text):
        if char in BIDI_CONTROLS:
            return (
                f"bidirectional control character U+{ord(char):04X} at position {i} is not "
                "allowed (it reorders the text readers see)"
            )
        category = unicodedata.category(char)
        if category == "Cc" and char not in "\n\t":
            return (
                f"control character U+{ord(char):04X} at position {i} is not allowed "
                "(only newline and tab)"
            )
        if not visible and not char.isspace() and category not in ("Cf", "Zs", "Zl", "Zp"):
            visible = True
    if not visible:
        return "has no visible character (only spaces or zero-width characters)"
    return None


def _web_url(value: str) -> str:
    value = value.strip()
    if any(c.isspace() or unicodedata.category(c) == "Cc" for c in value):
        raise PydanticCustomError("url", "must be an http(s) address without spaces")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise PydanticCustomError("url", "is not a valid http(s) address") from None
    if parts.scheme.lower() not in WEB_SCHEMES:
        raise PydanticCustomError(
            "url",
            "must start with http:// or https://, got {scheme}",
            {"scheme": repr(parts.scheme + ":") if parts.scheme else "no scheme"},
        )
    if not parts.hostname:
        raise PydanticCustomError("url", "has no host name")
    return value


#: An absolute http(s) address (kept as written, trimmed).
WebURL = Annotated[str, AfterValidator(_web_url)]
