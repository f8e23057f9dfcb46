"""Password strength: length, the bundled common-password list, patterns, the e-mail address.

The rules follow NIST SP 800-63B §5.1.1.2: a minimum length, no composition rules, and a check
against passwords known to be common (``backend/data/common-passwords.txt``, see its README),
values derived from the account (its e-mail address) and repetitive or sequential characters.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from backend.errors import InvalidInputError

MIN_PASSWORD = 10
MAX_PASSWORD = 128
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
#: keyboard rows and the digit row as typed (``1234567890``), for runs like ``qwerty``
_RUNS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz")
_EDGES = "0123456789!@#$%^&*()-_=+.,;:?'\"~ "


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list, lower-cased, comments left out."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#!"))


def _follows(a: str, b: str) -> bool:
    """Whether ``b`` comes right after or before ``a`` in a keyboard row or the alphabet."""
    if a == b:
        return True
    for run in _RUNS:
        i, j = run.find(a), run.find(b)
        if i >= 0 and j >= 0 and abs(i - j) == 1:
            return True
    return False


def pattern_share(password: str) -> int:
    """How many characters belong to runs of 3+ repeated or sequential characters."""
    text = password.lower()
    covered = 0
    start = 0
    for i in range(1, len(text) + 1):
        if i < len(text) and _follows(text[i - 1], text[i]):
            continue
        if i - start >= 3:
            covered += i - start
        start = i
    return covered


def check_password(password: str, email: str = "") -> None:
    """Raise :class:`InvalidInputError` naming the rule ``password`` breaks.

    >>> check_password("a long passphrase", "ada@example.org")
    >>> check_password("1234567890a")
    Traceback (most recent call last):
    ...
    backend.errors.InvalidInputError: password: too common a pattern (runs such as 1234 or aaaa); choose another
    """  # noqa: E501
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"password: must be at least {MIN_PASSWORD} characters long")
    if len(password) > MAX_PASSWORD:
        raise InvalidInputError(f"password: must be at most {MAX_PASSWORD} characters long")
    lowered = password.lower()
    email = email.strip().lower()
    local = email.partition("@")[0]
    if email and (lowered in (email, local) or lowered.strip(_EDGES) in (email, local)):
        raise InvalidInputError("password: must not be your e-mail address")
    common = common_passwords()
    core = lowered.strip(_EDGES)  # "password2024!" is "password" with a year and a mark
    if lowered in common or (len(core) >= 4 and core in common):
        raise InvalidInputError(
            "password: too common (in the list of most-used passwords); choose another"
        )
    if len(set(lowered)) < 4 or pattern_share(password) >= len(password) - 2:
        raise InvalidInputError(
            "password: too common a pattern (runs such as 1234 or aaaa); choose another"
        )
