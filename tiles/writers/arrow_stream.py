"""A minimal Arrow C stream of numpy columns, so GDAL can write a layer batch by batch.

pyogrio's only streaming writer (``pyogrio.raw.write_arrow``) takes an object with an
``__arrow_c_stream__`` method (the Arrow PyCapsule protocol); its numpy writer needs every row at
once, and FlatGeobuf "appends" make GDAL rewrite the whole file. The project has no Arrow library,
and needs very little of one: a flat struct of UTF-8 strings, float64 (NaN as null, as pyogrio's
numpy writer does), booleans and one WKB geometry column. This module builds exactly that with
ctypes, following the Arrow C data and C stream interfaces
(https://arrow.apache.org/docs/format/CDataInterface.html,
https://arrow.apache.org/docs/format/CStreamInterface.html).

Memory: every buffer of a batch is a numpy array or bytes kept alive by this object until GDAL
releases the batch; only one batch is alive at a time besides the one GDAL is writing.
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

ARROW_FLAG_NULLABLE = 2
EIO = 5


class ArrowSchema(ctypes.Structure):
    pass


class ArrowArray(ctypes.Structure):
    pass


class ArrowArrayStream(ctypes.Structure):
    pass


_SchemaRelease = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowSchema))
_ArrayRelease = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArray))
ArrowSchema._fields_ = [
    ("format", ctypes.c_char_p),
    ("name", ctypes.c_char_p),
    ("metadata", ctypes.c_void_p),
    ("flags", ctypes.c_int64),
    ("n_children", ctypes.c_int64),
    ("children", ctypes.POINTER(ctypes.POINTER(ArrowSchema))),
    ("dictionary", ctypes.POINTER(ArrowSchema)),
    ("release", _SchemaRelease),
    ("private_data", ctypes.c_void_p),
]
ArrowArray._fields_ = [
    ("length", ctypes.c_int64),
    ("null_count", ctypes.c_int64),
    ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64),
    ("n_children", ctypes.c_int64),
    ("buffers", ctypes.POINTER(ctypes.c_void_p)),
    ("children", ctypes.POINTER(ctypes.POINTER(ArrowArray))),
    ("dictionary", ctypes.POINTER(ArrowArray)),
    ("release", _ArrayRelease),
    ("private_data", ctypes.c_void_p),
]
_GetSchema = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ArrowSchema)
)
_GetNext = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ArrowArray)
)
_GetLastError = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.POINTER(ArrowArrayStream))
_StreamRelease = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArrayStream))
ArrowArrayStream._fields_ = [
    ("get_schema", _GetSchema),
    ("get_next", _GetNext),
    ("get_last_error", _GetLastError),
    ("release", _StreamRelease),
    ("private_data", ctypes.c_void_p),
]

_CAPSULE_NAME = b"arrow_array_stream"
_capsule_new = ctypes.pythonapi.PyCapsule_New
_capsule_new.restype = ctypes.py_object
_capsule_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]

# Arrow format strings of the column kinds this stream supports
FORMATS = {"str": b"u", "float64": b"g", "bool": b"b", "wkb": b"z"}

Batch = tuple[NDArray[np.object_], dict[str, NDArray[Any]]]


def _metadata(pairs: dict[str, str]) -> bytes:
    out = [struct.pack("=i", len(pairs))]
    for k, v in pairs.items():
        kb, vb = k.encode(), v.encode()
        out += [struct.pack("=i", len(kb)), kb, struct.pack("=i", len(vb)), vb]
    return b"".join(out)


def _bits(mask: NDArray[np.bool_]) -> NDArray[np.uint8]:
    return np.packbits(mask.astype(bool), bitorder="little")


def _varlen(values: list[bytes]) -> tuple[NDArray[np.int32], NDArray[np.uint8]]:
    lengths = np.fromiter(map(len, values), np.int64, len(values))
    offsets = np.zeros(len(values) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if offsets[-1] >= 2**31:
        raise ValueError("a batch holds more than 2 GiB of variable-length data; use smaller ones")
    data = np.frombuffer(b"".join(values), np.uint8) if offsets[-1] else np.zeros(1, np.uint8)
    return offsets.astype(np.int32), data


class NumpyArrowStream:
    """An Arrow C stream (``__arrow_c_stream__``) over batches of numpy columns.

    ``kinds`` maps each column name to ``"str"``, ``"float64"``, ``"bool"`` or ``"wkb"`` (in the
    order the columns are written); ``batches`` yields ``(geometry_wkb, {name: array})``.
    """

    def __init__(
        self, kinds: dict[str, str], geometry: str, batches: Iterable[Batch], crs: str
    ) -> None:
        self.kinds = {**kinds, geometry: "wkb"}
        self.geometry = geometry
        self.batches: Iterator[Batch] = iter(batches)
        self.crs = crs
        self.error = b""
        self.rows = 0
        self._alive: dict[int, Any] = {}  # address of a struct handed out -> what it points to
        self._stream = ArrowArrayStream(
            _GetSchema(self._get_schema),
            _GetNext(self._get_next),
            _GetLastError(self._get_last_error),
            _StreamRelease(self._release_stream),
            None,
        )
        self._schema_release = _SchemaRelease(self._release_schema)
        self._array_release = _ArrayRelease(self._release_array)

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return _capsule_new(ctypes.addressof(self._stream), _CAPSULE_NAME, None)

    # -- schema ---------------------------------------------------------------------------------
    def _get_schema(self, _stream: Any, out: Any) -> int:
        try:
            keep: list[Any] = []
            children = []
            for name, kind in self.kinds.items():
                meta = None
                if kind == "wkb":
                    meta = ctypes.create_string_buffer(
                        _metadata({"ARROW:extension:name": "ogc.wkb"})
                    )
                    keep.append(meta)
                child = ArrowSchema(
                    FORMATS[kind],
                    name.encode(),
                    ctypes.cast(meta, ctypes.c_void_p) if meta is not None else None,
                    ARROW_FLAG_NULLABLE,
                    0,
                    None,
                    None,
                    self._schema_release,
                    None,
                )
                children.append(child)
            pointers = (ctypes.POINTER(ArrowSchema) * len(children))(
                *[ctypes.pointer(c) for c in children]
            )
            keep += [children, pointers]
            s = out.contents
            s.format, s.name, s.metadata, s.flags = b"+s", b"", None, 0
            s.n_children = len(children)
            s.children = ctypes.cast(pointers, ctypes.POINTER(ctypes.POINTER(ArrowSchema)))
            s.dictionary = None
            s.release = self._schema_release
            s.private_data = None
            self._alive[ctypes.addressof(s)] = keep
            return 0
        except Exception as exc:  # a C caller cannot take a Python exception
            self.error = f"schema: {exc!r}".encode()
            return EIO

    def _release_schema(self, schema: Any) -> None:
        s = schema.contents
        self._alive.pop(ctypes.addressof(s), None)
        for k in range(s.n_children or 0):
            child = s.children[k].contents
            child.release = _SchemaRelease()
        s.release = _SchemaRelease()

    # -- arrays ---------------------------------------------------------------------------------
    def _column(self, kind: str, values: NDArray[Any], keep: list[Any]) -> ArrowArray:
        n = len(values)
        validity: NDArray[np.uint8] | None = None
        nulls = 0
        buffers: list[NDArray[Any]]
        if kind == "str":
            offsets, data = _varlen([v.encode("utf-8") for v in values])
            buffers = [offsets, data]
        elif kind == "wkb":
            offsets, data = _varlen(list(values))
            buffers = [offsets, data]
        elif kind == "float64":
            arr = np.ascontiguousarray(values, dtype=np.float64)
            missing = np.isnan(arr)
            nulls = int(missing.sum())
            if nulls:
                validity = _bits(~missing)
            buffers = [arr]
        elif kind == "bool":
            buffers = [_bits(np.asarray(values, dtype=bool))]
        else:
            raise ValueError(f"unsupported column kind {kind!r}")
        keep += buffers
        if validity is not None:
            keep.append(validity)
        ptrs = (ctypes.c_void_p * (1 + len(buffers)))(
            None if validity is None else validity.ctypes.data, *[b.ctypes.data for b in buffers]
        )
        keep.append(ptrs)
        return ArrowArray(
            n,
            nulls,
            0,
            1 + len(buffers),
            0,
            ctypes.cast(ptrs, ctypes.POINTER(ctypes.c_void_p)),
            None,
            None,
            self._array_release,
            None,
        )

    def _get_next(self, _stream: Any, out: Any) -> int:
        try:
            a = out.contents
            batch = next(self.batches, None)
            if batch is None:  # end of stream: a released array
                a.release = _ArrayRelease()
                return 0
            wkb, columns = batch
            keep: list[Any] = []
            values = {**columns, self.geometry: wkb}
            children = [self._column(kind, values[name], keep) for name, kind in self.kinds.items()]
            pointers = (ctypes.POINTER(ArrowArray) * len(children))(
                *[ctypes.pointer(c) for c in children]
            )
            keep += [children, pointers]
            top = (ctypes.c_void_p * 1)(None)
            keep.append(top)
            a.length, a.null_count, a.offset = len(wkb), 0, 0
            a.n_buffers, a.n_children = 1, len(children)
            a.buffers = ctypes.cast(top, ctypes.POINTER(ctypes.c_void_p))
            a.children = ctypes.cast(pointers, ctypes.POINTER(ctypes.POINTER(ArrowArray)))
            a.dictionary = None
            a.release = self._array_release
            a.private_data = None
            self._alive[ctypes.addressof(a)] = keep
            self.rows += len(wkb)
            return 0
        except Exception as exc:  # a C caller cannot take a Python exception
            self.error = f"batch: {exc!r}".encode()
            return EIO

    def _release_array(self, array: Any) -> None:
        a = array.contents
        self._alive.pop(ctypes.addressof(a), None)
        for k in range(a.n_children or 0):
            a.children[k].contents.release = _ArrayRelease()
        a.release = _ArrayRelease()

    # -- stream ---------------------------------------------------------------------------------
    def _get_last_error(self, _stream: Any) -> int | None:
        if not self.error:
            return None
        self._error_buffer = ctypes.create_string_buffer(self.error)
        return ctypes.addressof(self._error_buffer)

    def _release_stream(self, stream: Any) -> None:
        stream.contents.release = _StreamRelease()
