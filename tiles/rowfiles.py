"""Per-row numeric columns of a bounded build, kept in files instead of memory.

Each column is appended a chunk at a time to a raw binary file in the build's spill folder and
read back a row range at a time (``np.fromfile`` with an offset, not a memory map: a map's touched
pages would stay in the process's resident set), so no array the length of the input is ever
held. What reads them walks the rows in steps of ``ROWS_PER_STEP``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

ROWS_PER_STEP = 200_000  # rows per vectorised step over a column (bounds temporaries)


class RowFiles:
    """Columns of equal length in ``folder``; ``columns`` maps a name to ``(dtype, width)``
    (width 1: a flat column; more: that many values per row); ``step``: the rows read at once
    by what walks them."""

    def __init__(
        self, folder: Path, columns: dict[str, tuple[Any, int]], step: int = ROWS_PER_STEP
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.step = max(step, 1)
        self.columns = {k: (np.dtype(t), w) for k, (t, w) in columns.items()}
        self.rows = 0
        for name in self.columns:
            self.path(name).write_bytes(b"")

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.bin"

    def __len__(self) -> int:
        return self.rows

    def append(self, **arrays: NDArray[Any]) -> None:
        """Append the same number of rows to every column."""
        if arrays.keys() != self.columns.keys():
            raise ValueError(f"columns {sorted(self.columns)} expected, got {sorted(arrays)}")
        counts = {len(v) for v in arrays.values()}
        if len(counts) != 1:
            raise ValueError(f"columns of different lengths: {sorted(counts)}")
        for name, values in arrays.items():
            dtype, _ = self.columns[name]
            with self.path(name).open("ab") as fh:
                np.ascontiguousarray(values, dtype=dtype).tofile(fh)
        self.rows += counts.pop()

    def truncate(self, rows: int) -> None:
        """Drop every row from ``rows`` on (an input that failed half-way)."""
        for name, (dtype, width) in self.columns.items():
            os.truncate(self.path(name), rows * dtype.itemsize * width)
        self.rows = rows

    def read(self, name: str, start: int, stop: int) -> NDArray[Any]:
        """Rows ``start .. stop`` of column ``name``."""
        dtype, width = self.columns[name]
        start, stop = max(start, 0), min(stop, self.rows)
        count = max(stop - start, 0) * width
        values = np.fromfile(
            self.path(name), dtype=dtype, count=count, offset=start * dtype.itemsize * width
        )
        return values.reshape(-1, width) if width > 1 else values

    def steps(self) -> Iterator[tuple[int, int]]:
        """Row ranges covering every row, ``step`` rows each."""
        for a in range(0, self.rows, self.step):
            yield a, min(a + self.step, self.rows)
