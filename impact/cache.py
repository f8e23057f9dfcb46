"""What two studies of the same proposal share, kept between runs in one process.

A re-run after one block's height changed differs from the first run only in the scheme's own
geometry. Everything else is a pure function of inputs that did not change, and is kept here
under a content key (a hash of exactly those inputs, never a name or a time):

- the city part of the scene (the buildings as they are, and without the ones the scheme
  replaces), meshed, with its ray structure — keyed by the buildings' ids, footprints and heights
  and the scene's frame, so a rebuilt tileset or an applied city change gives another key;
- which rays the city part blocks (per call, keyed by the scene and a hash of the rays), so the
  *after* half casts only the rays that escape the city against the scheme alone;
- sun positions and sunshine probabilities (keyed by site, year, steps and climate table);
- the façade and ground sample points (keyed by the buildings, the site and the spacings).

The cache is a least-recently-used map bounded by entry count and by bytes
(:func:`configure`; ``CIVICTWIN_IMPACT_CACHE_ENTRIES`` and ``CIVICTWIN_IMPACT_CACHE_MB`` in a
server). An entry larger than the byte bound is returned but not kept. Values must not be
mutated by callers.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

DEFAULT_ENTRIES = 256
DEFAULT_MB = 512.0


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    evictions: int = 0


class LruCache:
    """A thread-safe LRU map bounded by ``max_entries`` and ``max_bytes``."""

    def __init__(
        self, max_entries: int = DEFAULT_ENTRIES, max_bytes: int = int(DEFAULT_MB * 2**20)
    ):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._data: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.stats = CacheStats()

    def __len__(self) -> int:
        return len(self._data)

    @property
    def nbytes(self) -> int:
        return self._bytes

    def get(self, key: Any) -> Any | None:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                self.stats.misses += 1
                return None
            self._data.move_to_end(key)
            self.stats.hits += 1
            return found[0]

    def put(self, key: Any, value: Any, nbytes: int | None = None) -> None:
        size = size_of(value) if nbytes is None else int(nbytes)
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if self.max_entries <= 0 or size > self.max_bytes:
                return
            self._data[key] = (value, size)
            self._bytes += size
        self.trim()

    def memo(
        self, key: Any, compute: Callable[[], T], nbytes: Callable[[T], int] | None = None
    ) -> T:
        """The value under ``key``, computed (and kept) on a miss."""
        found = self.get(key)
        if found is not None:
            return found
        value = compute()
        self.put(key, value, None if nbytes is None else nbytes(value))
        return value

    def trim(self) -> None:
        """Drop the least recently used entries until the bounds hold."""
        with self._lock:
            while self._data and (
                len(self._data) > self.max_entries or self._bytes > self.max_bytes
            ):
                _, (_, dropped) = self._data.popitem(last=False)
                self._bytes -= dropped
                self.stats.evictions += 1

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0
            self.stats = CacheStats()


def size_of(value: Any) -> int:
    """Bytes held by ``value``: numpy arrays (also inside tuples, lists, dicts and objects with
    ``nbytes`` or ``__dict__``) are counted by their buffers, the rest by ``sys.getsizeof``."""
    seen: set[int] = set()

    def walk(v: Any, depth: int) -> int:
        if id(v) in seen or depth > 4:
            return 0
        seen.add(id(v))
        if isinstance(v, np.ndarray):
            if v.dtype == object:
                return int(v.nbytes) + sum(walk(x, depth + 1) for x in v.ravel()[:1]) * v.size
            return int(v.nbytes)
        if isinstance(v, dict):
            return sum(walk(x, depth + 1) for x in v.values()) + sys.getsizeof(v)
        if isinstance(v, list | tuple):
            return sum(walk(x, depth + 1) for x in v) + sys.getsizeof(v)
        nb = getattr(v, "nbytes", None)
        if isinstance(nb, int):
            return nb
        if hasattr(v, "__dict__"):
            return sum(walk(x, depth + 1) for x in vars(v).values())
        return sys.getsizeof(v)

    return walk(value, 0)


def digest(*parts: Any) -> str:
    """A content key: SHA-256 over numpy buffers (with dtype and shape), bytes and reprs."""
    h = hashlib.sha256()
    for p in parts:
        if isinstance(p, np.ndarray):
            a = np.ascontiguousarray(p)
            h.update(f"{a.dtype.str}{a.shape}".encode())
            h.update(a.tobytes())
        elif isinstance(p, bytes):
            h.update(b"b")
            h.update(p)
        else:
            h.update(repr(p).encode())
        h.update(b"\0")
    return h.hexdigest()


_cache = LruCache()


def shared() -> LruCache:
    """The process's cache (studies in one process share it)."""
    return _cache


def configure(max_entries: int | None = None, max_mb: float | None = None) -> LruCache:
    """Set the process cache's bounds (entries, megabytes); entries over them are dropped."""
    if max_entries is not None:
        _cache.max_entries = int(max_entries)
    if max_mb is not None:
        _cache.max_bytes = int(float(max_mb) * 2**20)
    _cache.trim()
    return _cache
