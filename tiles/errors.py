"""Exception tree of the tiles pipeline.

Every error the pipeline raises on purpose derives from :class:`TilingError`, so a caller (the CLI,
the backend) can catch one type and show its message, which always names the file and, where it
applies, the feature.
"""

from __future__ import annotations


class TilingError(Exception):
    """Root of every error raised by the tiles pipeline."""


class InvalidInputError(TilingError):
    """An input file cannot be read or holds nothing that can be built."""


class CRSError(InvalidInputError):
    """The coordinate reference system of an input is missing or unknown."""


class EmptyResultError(TilingError):
    """No building survived reading and validation, so no tileset can be written."""


class OutputError(TilingError):
    """The output folder cannot be written or replaced."""
