"""The CPV 2008 vocabulary: validating codes and sector prefixes, labels in the UI languages.

The list ships as ``backend/data/cpv_2008.csv`` (see ``backend/data/README.md``) and is read once.
CPV is a digit hierarchy: a code's subtree is every code starting with the code's digits once its
trailing zeros are dropped (``45210000`` → ``4521``), keeping at least the two division digits.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from backend.errors import InvalidInputError

LANGUAGES = ("en", "it", "sv", "et", "hu")
CPV_FILE = Path(__file__).resolve().parent.parent / "data" / "cpv_2008.csv"

_CODE = re.compile(r"^(\d{8})(?:-(\d))?$")
_PREFIX = re.compile(r"^\d{2,8}$")


@dataclass(frozen=True)
class CpvEntry:
    """One CPV code: ``code`` with check digit (``45210000-2``), parent, labels by language."""

    code: str
    parent: str | None
    labels: dict[str, str]

    @property
    def digits(self) -> str:
        return self.code[:8]

    @property
    def prefix(self) -> str:
        return subtree_prefix(self.digits)

    def label(self, lang: str = "en") -> str:
        """The label in ``lang``, falling back to English where the official list has none."""
        return self.labels.get(lang) or self.labels["en"]


@dataclass(frozen=True)
class Vocabulary:
    by_digits: dict[str, CpvEntry]
    ordered: tuple[CpvEntry, ...]


@cache
def vocabulary() -> Vocabulary:
    entries: list[CpvEntry] = []
    with CPV_FILE.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            labels = {lang: row[lang] for lang in LANGUAGES if row[lang]}
            entries.append(CpvEntry(row["code"], row["parent"] or None, labels))
    return Vocabulary({e.digits: e for e in entries}, tuple(entries))


def subtree_prefix(digits: str) -> str:
    """The digits that every code of ``digits``' subtree starts with (at least two)."""
    stripped = digits.rstrip("0")
    return stripped if len(stripped) >= 2 else digits[:2]


def lookup(code: str, field: str = "cpv") -> CpvEntry:
    """The entry of ``code`` (``45210000`` or ``45210000-2``), or :class:`InvalidInputError`."""
    match = _CODE.match(code.strip())
    if not match:
        raise InvalidInputError(
            f"{field}: {code!r} is not a CPV code (8 digits, optional check digit: 45210000-2)"
        )
    entry = vocabulary().by_digits.get(match.group(1))
    if entry is None:
        raise InvalidInputError(f"{field}: {code!r} is not in the CPV 2008 list")
    if match.group(2) is not None and match.group(2) != entry.code[-1]:
        raise InvalidInputError(
            f"{field}: {code!r} has a wrong check digit (expected {entry.code})"
        )
    return entry


def validate_codes(codes: list[str], field: str = "cpv_codes") -> list[str]:
    """Canonical codes with check digits, in order, without duplicates."""
    seen: dict[str, None] = {}
    for code in codes:
        seen.setdefault(lookup(code, field).code, None)
    return list(seen)


def validate_prefix(value: str, field: str = "cpv") -> str:
    """Turn a sector (a full code or a digit prefix) into the prefix of its subtree.

    ``45210000-2`` and ``45210000`` become ``4521``; a bare prefix such as ``4521`` must start
    at least one CPV code.
    """
    value = value.strip()
    if _CODE.match(value):
        return lookup(value, field).prefix
    if not _PREFIX.match(value):
        raise InvalidInputError(
            f"{field}: {value!r} is neither a CPV code nor a prefix of 2 to 8 digits"
        )
    prefix = value.rstrip("0") if len(value.rstrip("0")) >= 2 else value[:2]
    if not any(digits.startswith(prefix) for digits in vocabulary().by_digits):
        raise InvalidInputError(f"{field}: no CPV 2008 code starts with {value!r}")
    return prefix


def search(
    text: str | None = None, prefix: str | None = None, lang: str = "en", limit: int = 20
) -> list[CpvEntry]:
    """Codes whose label (in ``lang`` or English) contains ``text``, within ``prefix``."""
    needle = (text or "").strip().casefold()
    start = validate_prefix(prefix, "prefix") if prefix else ""
    found: list[CpvEntry] = []
    for entry in vocabulary().ordered:
        if start and not entry.digits.startswith(start):
            continue
        if needle and not (
            needle in entry.label(lang).casefold()
            or needle in entry.labels["en"].casefold()
            or entry.digits.startswith(needle)
        ):
            continue
        found.append(entry)
        if len(found) >= limit:
            break
    return found


def procurement_category(code: str) -> str:
    """OCDS ``mainProcurementCategory`` of a CPV code: division 45 is works, 50+ services."""
    division = int(code[:2])
    if division == 45:
        return "works"
    return "services" if division >= 50 else "goods"
