"""What two studies of the same proposal share, kept between runs in a process and on disk.

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

Below the map there can be a folder (:class:`DiskCache`, ``CIVICTWIN_IMPACT_CACHE_DIR`` and
``CIVICTWIN_IMPACT_CACHE_DISK_MB``), so that a fresh process (a restarted server, another
runner, the command line) finds what an earlier one computed. It keeps the plain-data entries
(the rays blocked, sun positions and probabilities, sample points and grids), not the scenes,
whose ray structures are rebuilt; each file is named by a hash of its key and of the code and
libraries that computed it, written atomically, checked by a checksum when read (a corrupt or
unreadable file is a miss, and is removed), and the folder is bounded by bytes, the least
recently used files removed first.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import sys
import tempfile
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
import shapely

T = TypeVar("T")
C = TypeVar("C", bound=type)
log = logging.getLogger(__name__)

DEFAULT_ENTRIES = 256
DEFAULT_MB = 512.0
DEFAULT_DISK_MB = 1024.0


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
        #: the folder below the map (a miss here is looked up there), or None
        self.disk: DiskCache | None = None

    def __len__(self) -> int:
        return len(self._data)

    @property
    def nbytes(self) -> int:
        return self._bytes

    def get(self, key: Any) -> Any | None:
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
                self.stats.hits += 1
                return found[0]
        disk = self.disk
        value = disk.get(key) if disk is not None else None
        if value is None:
            with self._lock:
                self.stats.misses += 1
            return None
        with self._lock:
            self.stats.hits += 1
        self._keep(key, value, None)
        return value

    def put(self, key: Any, value: Any, nbytes: int | None = None) -> None:
        if self.disk is not None:
            self.disk.put(key, value)
        self._keep(key, value, nbytes)

    def _keep(self, key: Any, value: Any, nbytes: int | None) -> None:
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


def configure(
    max_entries: int | None = None,
    max_mb: float | None = None,
    disk_dir: str | os.PathLike[str] | None = None,
    disk_mb: float | None = None,
) -> LruCache:
    """Set the process cache's bounds (entries, megabytes); entries over them are dropped.

    With ``disk_dir`` (and ``disk_mb`` > 0, default :data:`DEFAULT_DISK_MB`) the cache gets a
    folder below it (:class:`DiskCache`); ``disk_mb = 0`` takes it away."""
    if max_entries is not None:
        _cache.max_entries = int(max_entries)
    if max_mb is not None:
        _cache.max_bytes = int(float(max_mb) * 2**20)
    if disk_mb is not None and float(disk_mb) <= 0:
        _cache.disk = None
    elif disk_dir is not None:
        mb = DEFAULT_DISK_MB if disk_mb is None else float(disk_mb)
        _cache.disk = DiskCache(Path(disk_dir), int(mb * 2**20))
    _cache.trim()
    return _cache


# --- the folder below the map ------------------------------------------------------------

#: dataclasses an entry may hold, by name (see :func:`storable`)
_STORABLE: dict[str, type] = {}
#: what a stored entry may be: at most this deep, at most this many arrays
_MAX_DEPTH = 6
_MAX_ARRAYS = 64
_FORMAT = 1


def storable(cls: C) -> C:
    """Mark a dataclass of arrays and plain values as one a :class:`DiskCache` may store."""
    _STORABLE[cls.__name__] = cls
    return cls


class _NotStorable(Exception):
    pass


def _encode(value: Any, arrays: list[np.ndarray], depth: int = 0) -> Any:
    """``value`` as a JSON-ready tree whose arrays are indices into ``arrays``."""
    if depth > _MAX_DEPTH or len(arrays) > _MAX_ARRAYS:
        raise _NotStorable("too deep or too many arrays")
    if value is None or isinstance(value, bool | int | float | str):
        return {"v": value}
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise _NotStorable("an object array")
        arrays.append(np.ascontiguousarray(value))
        return {"a": len(arrays) - 1}
    if isinstance(value, np.generic):
        return {"v": value.item()}
    if isinstance(value, tuple | list):
        kind = "t" if isinstance(value, tuple) else "l"
        return {kind: [_encode(v, arrays, depth + 1) for v in value]}
    if isinstance(value, shapely.Geometry):
        arrays.append(np.frombuffer(shapely.to_wkb(value), np.uint8))
        return {"g": len(arrays) - 1}
    name = type(value).__name__
    if _STORABLE.get(name) is type(value):
        fields = {
            f.name: _encode(getattr(value, f.name), arrays, depth + 1)
            for f in dataclasses.fields(cast(Any, value))
        }
        return {"d": name, "f": fields}
    raise _NotStorable(type(value).__name__)


def _decode(node: Any, arrays: list[np.ndarray]) -> Any:
    if "v" in node:
        return node["v"]
    if "a" in node:
        return arrays[node["a"]]
    if "t" in node:
        return tuple(_decode(v, arrays) for v in node["t"])
    if "l" in node:
        return [_decode(v, arrays) for v in node["l"]]
    if "g" in node:
        return shapely.from_wkb(arrays[node["g"]].tobytes())
    cls = _STORABLE[node["d"]]
    return cls(**{k: _decode(v, arrays) for k, v in node["f"].items()})


def _checksum(tree: Any, arrays: list[np.ndarray]) -> str:
    h = hashlib.sha256(json.dumps(tree, sort_keys=True).encode())
    for a in arrays:
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(np.ascontiguousarray(a).data)
    return h.hexdigest()


_code_key: str | None = None


def code_key() -> str:
    """A hash of what computes the entries: the source of the ``impact`` package and of the
    tiles geometry it meshes with, and the versions of the libraries they call. A changed
    method or an upgraded library gives other file names, so nothing stale is read."""
    global _code_key
    if _code_key is None:
        h = hashlib.sha256(f"format {_FORMAT}".encode())
        here = Path(__file__).resolve().parent
        sources = sorted(here.glob("*.py")) + sorted(
            (here.parent / "tiles" / "geometry").glob("*.py")
        )
        for path in sources:
            h.update(path.name.encode())
            h.update(path.read_bytes())
        for lib in ("numpy", "shapely", "trimesh", "embreex", "pvlib", "pyproj"):
            try:
                h.update(f"{lib} {metadata.version(lib)}".encode())
            except metadata.PackageNotFoundError:
                h.update(f"{lib} -".encode())
        _code_key = h.hexdigest()
    return _code_key


@dataclass
class DiskStats:
    hits: int = 0
    misses: int = 0
    writes: int = 0
    skipped: int = 0  # not storable (a scene) or over the size bound
    corrupt: int = 0
    evictions: int = 0


class DiskCache:
    """Entries as files in ``root`` (one ``.npz`` of arrays and a JSON tree each), bounded by
    ``max_bytes`` in all; the least recently read or written files are removed first.

    Several processes may share the folder: a file is written under a temporary name and
    renamed into place, so a reader sees a whole file or none; files removed by another
    process are misses. Files are read without unpickling anything.
    """

    def __init__(self, root: Path, max_bytes: int = int(DEFAULT_DISK_MB * 2**20)):
        self.root = Path(root)
        self.max_bytes = int(max_bytes)
        self.stats = DiskStats()
        self._lock = threading.Lock()
        self._bytes: int | None = None  # the folder's size as last counted, plus writes since
        self._since_scan = 0  # bytes this process wrote since it last counted the folder

    def path_of(self, key: Any) -> Path:
        name = digest(code_key(), *key) if isinstance(key, tuple) else digest(code_key(), key)
        return self.root / f"{name}.npz"

    def get(self, key: Any) -> Any | None:
        path = self.path_of(key)
        try:
            with np.load(path, allow_pickle=False) as data:
                head = json.loads(data["arr_0"].tobytes().decode())
                arrays = [data[f"arr_{i + 1}"] for i in range(int(head["n"]))]
            if head.get("key") != path.stem or head.get("sum") != _checksum(head["tree"], arrays):
                raise ValueError("the file's key or checksum does not match")
            value = _decode(head["tree"], arrays)
        except FileNotFoundError:
            self.stats.misses += 1
            return None
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as exc:
            self.stats.corrupt += 1
            self.stats.misses += 1
            log.warning("impact cache: dropping unreadable %s (%s)", path.name, exc)
            path.unlink(missing_ok=True)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: evicted last
        self.stats.hits += 1
        return value

    def put(self, key: Any, value: Any) -> bool:
        """Write ``value`` under ``key`` if it is plain data and fits; True when written."""
        arrays: list[np.ndarray] = []
        try:
            tree = _encode(value, arrays)
        except _NotStorable:
            self.stats.skipped += 1
            return False
        size = sum(a.nbytes for a in arrays)
        if self.max_bytes <= 0 or size > self.max_bytes // 4:
            self.stats.skipped += 1
            return False
        path = self.path_of(key)
        head = {"n": len(arrays), "key": path.stem, "sum": _checksum(tree, arrays), "tree": tree}
        blob = np.frombuffer(json.dumps(head).encode(), np.uint8)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-", suffix=".npz")
            try:
                with os.fdopen(fd, "wb") as f:
                    np.savez(f, blob, *arrays)  # arr_0 the head, then the arrays
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:  # a full or read-only disk: the study goes on without it
            log.warning("impact cache: could not write %s (%s)", path.name, exc)
            self.stats.skipped += 1
            return False
        self.stats.writes += 1
        with self._lock:
            self._since_scan += size
            if self._bytes is not None:
                self._bytes += size
        self.trim()
        return True

    def nbytes(self) -> int:
        """The folder's size now (its entry files)."""
        return sum(size for _, size, _ in self._files())

    def _files(self) -> list[tuple[float, int, Path]]:
        out = []
        try:
            entries = list(os.scandir(self.root))
        except FileNotFoundError:
            return []
        for e in entries:
            if not e.name.endswith(".npz") or e.name.startswith(".tmp-"):
                continue
            try:
                st = e.stat()
            except FileNotFoundError:
                continue
            out.append((st.st_mtime, st.st_size, Path(e.path)))
        return out

    def trim(self) -> None:
        """Remove the least recently used files until the folder is within its bound.

        The folder is counted again when this process's count says it is over, and after
        every eighth of the bound this process wrote (other processes write there too)."""
        with self._lock:
            if (
                self._bytes is not None
                and self._bytes <= self.max_bytes
                and self._since_scan <= self.max_bytes // 8
            ):
                return
            self._since_scan = 0
            files = sorted(self._files())
            total = sum(size for _, size, _ in files)
            for _, size, path in files:
                if total <= self.max_bytes:
                    break
                path.unlink(missing_ok=True)
                total -= size
                self.stats.evictions += 1
            self._bytes = total
