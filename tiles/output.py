"""Where a tileset's bytes go: one small interface, one implementation per storage.

A build or a change writes through a :class:`TilesetOutput`: ``begin``, then ``write`` new files
and ``keep`` unchanged ones, then ``end`` publishes the whole set at once (or ``abort`` drops it).
Readers of the published name never see a half-written set. :class:`DirectoryOutput` is the local
folder; object storage would be another implementation (a manifest swapped last), in the manner of
3d-tiles-tools' tileset targets.

On Linux the swap is one ``renameat2(RENAME_EXCHANGE)`` of the new folder and the old: the name
always points at a complete folder, and the old folder is left at the temporary path, to keep (the
previous state of an applied change) or to remove. Where that call does not exist the swap falls
back to two renames (old aside, new in), with a moment in which the name is missing (a 404 for a
request at that instant, never a mix of two sets).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Protocol

from tiles.errors import OutputError

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class TilesetOutput(Protocol):
    """A tileset target: files are added between ``begin`` and ``end``; ``end`` publishes."""

    def begin(self) -> None: ...

    def write(self, relpath: str, data: bytes) -> None: ...

    def keep(self, relpath: str) -> None:
        """Carry an unchanged file of the published set over into the new one, byte for byte."""

    def end(self) -> Path | None:
        """Publish the new set atomically; return where the previous set now is, if kept."""

    def abort(self) -> None: ...


def exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` atomically (Linux ``renameat2``); False if unsupported."""
    libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def publish(tmp: Path, target: Path) -> Path | None:
    """Put the folder ``tmp`` at ``target``; return the path now holding the previous folder
    (``tmp``'s old name after an exchange, or a hidden sibling), or None if there was none."""
    if not target.exists():
        tmp.rename(target)
        return None
    if exchange(tmp, target):
        return tmp
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    target.rename(old)
    try:
        tmp.rename(target)
    except OSError:
        old.rename(target)
        raise
    return old


class DirectoryOutput:
    """A tileset folder ``target``, written beside it and swapped in by :func:`publish`.

    ``base`` (the published folder) is where :meth:`keep` takes unchanged files from: they are
    hard-linked (same bytes, no copy; nothing here ever rewrites a file in place), or copied
    where links are not possible. ``previous`` is where the replaced set is moved after the
    swap; None removes it.
    """

    def __init__(self, target: Path, previous: Path | None = None) -> None:
        self.target = target
        self.previous = previous
        self.tmp: Path | None = None
        self._dirs: set[str] = set()

    def begin(self) -> None:
        # the builder's process id in the name lets a later build remove it if this one dies
        # (tiles.pipeline.remove_stale_temp)
        parent = self.target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.tmp = Path(
                tempfile.mkdtemp(
                    prefix=f".{self.target.name}.{os.getpid()}.", suffix=".tmp", dir=parent
                )
            )
        except OSError as exc:
            raise OutputError(f"{parent}: cannot write a new tileset there ({exc})") from exc
        self.tmp.chmod(0o755)  # mkdtemp makes it private; tilesets are served to everyone

    @property
    def path(self) -> Path:
        """The folder being written (for writers that write files themselves: GDAL, forked
        workers); published by :meth:`end`."""
        assert self.tmp is not None, "begin() first"
        return self.tmp

    def _path(self, relpath: str) -> str:
        # plain strings: an apply links ~50 files, and pathlib's joins cost more than the links
        assert self.tmp is not None, "begin() first"
        path = os.path.join(self.tmp, relpath)
        folder = os.path.dirname(path)
        if folder not in self._dirs:
            os.makedirs(folder, exist_ok=True)
            self._dirs.add(folder)
        return path

    def write(self, relpath: str, data: bytes) -> None:
        with open(self._path(relpath), "wb") as f:
            f.write(data)

    def keep(self, relpath: str) -> None:
        src, dst = os.path.join(self.target, relpath), self._path(relpath)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    def end(self) -> Path | None:
        assert self.tmp is not None, "begin() first"
        tmp, self.tmp = self.tmp, None
        try:
            old = publish(tmp, self.target)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise OutputError(f"{self.target}: cannot swap the new tileset in ({exc})") from exc
        if old is None:
            return None
        if self.previous is None:
            shutil.rmtree(old, ignore_errors=True)
            return None
        self.previous.parent.mkdir(parents=True, exist_ok=True)
        old.rename(self.previous)
        return self.previous

    def abort(self) -> None:
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                shutil.rmtree(self.tmp)
            self.tmp = None
