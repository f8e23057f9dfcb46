"""One exception root for the impact package."""

from __future__ import annotations


class ImpactError(Exception):
    """Base of every error the impact package raises on purpose."""


class InvalidInputError(ImpactError, ValueError):
    """An argument is out of range or malformed; the message names it and where."""


class TooLargeError(InvalidInputError):
    """A study would exceed a bound (points, rays, triangles) before any work is done."""
