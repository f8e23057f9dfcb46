"""Uploads: documents (PDF, PNG, JPEG, WebP) and 3D models (glb) of a proposal.

An upload is streamed into a temporary file under ``<uploads_dir>/.incoming`` while its size is
counted and its SHA-256 computed; it is refused (413) as soon as it passes the limit. The type
is *sniffed* from the first bytes, never taken from the client; a declared type that disagrees
is refused (415). A kept file moves to ``<uploads_dir>/<key[:2]>/<key>`` under a random key, so
the stored name says nothing and nothing under the web root is touched. When anything fails the
temporary file is removed and no row is written; when the commit fails the moved file is removed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import struct
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from backend.db.models import Document, Proposal
from backend.errors import (
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
)
from backend.repositories import documents as repo
from backend.repositories import variants as variants_repo
from backend.repositories.session import Session
from backend.schemas.documents import DOCUMENT_TYPES, MODEL_TYPE, DocumentPublic
from backend.schemas.proposals import ModelPlacement
from backend.services import notifications, proposals
from backend.services.auth import Principal

logger = logging.getLogger(__name__)

INCOMING = ".incoming"
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    MODEL_TYPE: ".glb",
}
_NAMES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WebP",
    MODEL_TYPE: "glb",
}
#: Declared types that say "I do not know": the sniffed type is used.
_GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream"}


def sniff(head: bytes) -> str | None:
    """The content type of a file by its first bytes (magic numbers), or None."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"glTF"):
        return MODEL_TYPE
    return None


def safe_filename(name: str | None, content_type: str) -> str:
    """A filename fit for a Content-Disposition header: ASCII, no path, the right extension."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" ._")[:100]
    ext = _EXTENSIONS[content_type]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem or 'document'}{ext}"


@dataclass
class Upload:
    """A streamed upload in a temporary file: size and SHA-256 known, first bytes kept."""

    path: Path
    limit_bytes: int
    label: str
    size: int = 0
    head: bytes = b""
    _hash: Any = field(default_factory=hashlib.sha256)
    _file: IO[bytes] | None = None

    @classmethod
    def start(cls, uploads_dir: Path, limit_bytes: int, label: str) -> Upload:
        incoming = uploads_dir / INCOMING
        incoming.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=incoming, prefix="upload-")
        upload = cls(Path(name), limit_bytes, label)
        upload._file = os.fdopen(fd, "wb")
        return upload

    def write(self, chunk: bytes) -> None:
        """Append ``chunk``; past the limit, discard everything and raise 413."""
        assert self._file is not None
        self.size += len(chunk)
        if self.size > self.limit_bytes:
            self.discard()
            raise PayloadTooLargeError(
                f"file: the {self.label} is larger than the limit of "
                f"{self.limit_bytes / 1_000_000:g} MB"
            )
        if len(self.head) < 64:
            self.head += chunk[: 64 - len(self.head)]
        self._hash.update(chunk)
        self._file.write(chunk)

    def finish(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    @property
    def sha256(self) -> str:
        return str(self._hash.hexdigest())

    def discard(self) -> None:
        self.finish()
        self.path.unlink(missing_ok=True)


def _storage_path(uploads_dir: Path, key: str) -> Path:
    return uploads_dir / key[:2] / key


def _check_type(upload: Upload, declared: str | None, allowed: tuple[str, ...]) -> str:
    if upload.size == 0:
        raise InvalidInputError("file: the upload is empty")
    sniffed = sniff(upload.head)
    kinds = ", ".join(_NAMES[t] for t in allowed)
    if sniffed not in allowed:
        raise UnsupportedMediaTypeError(
            f"file: not an accepted type ({kinds}) judging by its content"
        )
    declared_type = (declared or "").split(";")[0].strip().lower()
    if declared_type not in _GENERIC_TYPES and declared_type != sniffed:
        raise UnsupportedMediaTypeError(
            f"file: sent as {declared_type} but its content is {sniffed}; "
            "send the file's real Content-Type"
        )
    return sniffed


#: Deepest nesting of arrays and objects in a glb's JSON chunk. glTF itself needs about 6
#: levels and ``extras`` a few more; Python's parser recurses per level and fails near 1,000.
MAX_GLB_JSON_DEPTH = 64
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_too_deep(raw: bytes, limit: int) -> bool:
    """Whether arrays and objects in the JSON text ``raw`` nest deeper than ``limit``, found
    without parsing it (strings skipped, brackets counted), so the bound holds before any
    recursion; stops at the first bracket past the limit."""
    depth = 0
    for b in _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS):
        depth += 1 if b in b"[{" else -1
        if depth > limit:
            return True
    return False


def check_glb(path: Path) -> dict[str, Any]:
    """Check a binary glTF 2.0 file's header and JSON chunk; return the parsed JSON.

    Follows the glTF 2.0 spec, section 4.4 "GLB File Format Specification".
    """
    size = path.stat().st_size
    with path.open("rb") as f:
        header = f.read(20)
        if len(header) < 20:
            raise InvalidInputError("file: too short to be a glb (a 12-byte header and a chunk)")
        magic, version, length, chunk_length, chunk_type = struct.unpack("<4sIIII", header)
        if magic != b"glTF":
            raise UnsupportedMediaTypeError("file: not a glb (the magic bytes are not 'glTF')")
        if version != 2:
            raise InvalidInputError(f"file: glb version {version}; only glTF 2 is supported")
        if length != size:
            raise InvalidInputError(
                f"file: the glb header declares {length} bytes but the file has {size}"
            )
        if chunk_type != 0x4E4F534A:  # "JSON"
            raise InvalidInputError("file: the first glb chunk must be the JSON chunk")
        if 20 + chunk_length > size:
            raise InvalidInputError("file: the glb JSON chunk runs past the end of the file")
        raw = f.read(chunk_length)
    if json_too_deep(raw, MAX_GLB_JSON_DEPTH):
        raise InvalidInputError(
            f"file: the glb JSON chunk nests arrays or objects more than {MAX_GLB_JSON_DEPTH} "
            "levels deep"
        )
    try:
        gltf = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InvalidInputError(f"file: the glb JSON chunk does not parse ({exc})") from None
    asset = gltf.get("asset") if isinstance(gltf, dict) else None
    if not isinstance(asset, dict) or asset.get("version") != "2.0":
        raise InvalidInputError('file: the glb JSON must have asset.version "2.0"')
    return gltf


def _keep(upload: Upload, uploads_dir: Path) -> tuple[str, Path]:
    key = secrets.token_hex(16)
    target = _storage_path(uploads_dir, key)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(upload.path, target)
    return key, target


def _public(d: Document) -> DocumentPublic:
    return proposals.document_view(d)


def _save(
    session: Session,
    principal: Principal,
    proposal: Proposal,
    upload: Upload,
    *,
    kind: str,
    title: str,
    filename: str,
    content_type: str,
    uploads_dir: Path,
) -> tuple[Document, Path]:
    key, stored = _keep(upload, uploads_dir)
    document = Document(
        proposal_id=proposal.id,
        kind=kind,
        title=title,
        filename=filename,
        content_type=content_type,
        size_bytes=upload.size,
        sha256=upload.sha256,
        storage_key=key,
        uploaded_by_id=principal.user.id,
    )
    session.add(document)
    try:
        session.flush()
    except Exception:
        stored.unlink(missing_ok=True)
        raise
    return document, stored


def _commit_or_remove(session: Session, stored: Path) -> None:
    try:
        session.commit()
    except Exception:
        session.rollback()
        stored.unlink(missing_ok=True)
        raise


def add_document(
    session: Session,
    principal: Principal,
    proposal_id: int,
    upload: Upload,
    *,
    title: str | None,
    filename: str | None,
    declared_type: str | None,
    uploads_dir: Path,
) -> DocumentPublic:
    """Keep an uploaded PDF or image as a document of the proposal."""
    try:
        proposal = proposals.editable(session, principal, proposal_id)
        content_type = _check_type(upload, declared_type, DOCUMENT_TYPES)
        name = safe_filename(filename, content_type)
        document, stored = _save(
            session,
            principal,
            proposal,
            upload,
            kind="document",
            title=(title or name).strip()[:200] or name,
            filename=name,
            content_type=content_type,
            uploads_dir=uploads_dir,
        )
    finally:
        upload.discard()  # a no-op once the file has moved
    notifications.record_document(session, proposal, document.id, document.title)
    _commit_or_remove(session, stored)
    return _public(document)


def add_generated(
    session: Session,
    proposal: Proposal,
    data: bytes,
    *,
    title: str,
    filename: str,
    content_type: str,
    uploads_dir: Path,
    uploaded_by_id: int | None,
) -> tuple[Document, Path]:
    """Keep a file the backend made (a consultation report) as a document of the proposal; the
    caller commits (and removes the returned path if that fails)."""
    upload = Upload.start(uploads_dir, len(data) + 1, title)
    try:
        upload.write(data)
        upload.finish()
        key, stored = _keep(upload, uploads_dir)
    finally:
        upload.discard()
    document = Document(
        proposal_id=proposal.id,
        kind="report",
        title=title[:200],
        filename=filename,
        content_type=content_type,
        size_bytes=upload.size,
        sha256=upload.sha256,
        storage_key=key,
        uploaded_by_id=uploaded_by_id,
    )
    session.add(document)
    session.flush()
    return document, stored


def set_model(
    session: Session,
    principal: Principal,
    proposal_id: int,
    upload: Upload,
    placement: ModelPlacement,
    *,
    filename: str | None,
    declared_type: str | None,
    uploads_dir: Path,
) -> Proposal:
    """Keep an uploaded glb as the proposal's 3D model, placed by ``placement``."""
    old: Document | None = None
    try:
        proposal = proposals.editable(session, principal, proposal_id)
        proposals._not_decided(proposal)
        if declared_type and declared_type.split(";")[0].strip().lower() == "model/gltf+json":
            raise UnsupportedMediaTypeError("file: send a binary glTF (.glb), not .gltf JSON")
        upload.finish()
        _check_type(upload, _glb_declared(declared_type), (MODEL_TYPE,))
        check_glb(upload.path)
        name = safe_filename(filename, MODEL_TYPE)
        if proposal.model:
            old = repo.get(session, int(proposal.model["document_id"]))
            # a design variant drawn with the old model keeps it (issue 14)
            if old is not None and variants_repo.uses_document(session, proposal.id, old.id):
                old = None
        document, stored = _save(
            session,
            principal,
            proposal,
            upload,
            kind="model",
            title=name,
            filename=name,
            content_type=MODEL_TYPE,
            uploads_dir=uploads_dir,
        )
    finally:
        upload.discard()
    proposal.model = {"document_id": document.id, **placement.model_dump()}
    old_path = None
    if old is not None:
        old_path = _storage_path(uploads_dir, old.storage_key)
        session.delete(old)
    _commit_or_remove(session, stored)
    if old_path is not None:
        old_path.unlink(missing_ok=True)
    return proposal


def _glb_declared(declared: str | None) -> str | None:
    value = (declared or "").split(";")[0].strip().lower()
    # a browser may label a .glb with either type; both mean the same bytes
    return MODEL_TYPE if value in ("model/gltf-binary", "model/gltf.binary") else value


def place_model(
    session: Session, principal: Principal, proposal_id: int, placement: ModelPlacement
) -> Proposal:
    proposal = proposals.editable(session, principal, proposal_id)
    proposals._not_decided(proposal)
    if not proposal.model:
        raise NotFoundError(f"proposal {proposal_id} has no 3D model; upload one first")
    proposal.model = {"document_id": proposal.model["document_id"], **placement.model_dump()}
    session.commit()
    return proposal


def list_documents(
    session: Session, principal: Principal | None, proposal_id: int
) -> list[DocumentPublic]:
    proposal = proposals.visible(session, principal, proposal_id)
    return [_public(d) for d in repo.of_proposal(session, proposal.id)]


def open_document(
    session: Session, principal: Principal | None, document_id: int, uploads_dir: Path
) -> tuple[Document, Path]:
    """A document and its file, if the caller may see its proposal (drafts' are 404)."""
    document = repo.get(session, document_id)
    if document is None:
        raise NotFoundError(f"document {document_id} not found")
    if document.proposal_id is not None:
        try:
            proposals.visible(session, principal, document.proposal_id)
        except NotFoundError:
            raise NotFoundError(f"document {document_id} not found") from None
    path = _storage_path(uploads_dir, document.storage_key)
    if not path.is_file():
        logger.error("document %s: stored file %s is missing", document_id, path)
        raise NotFoundError(f"document {document_id} not found")
    return document, path


def delete_document(
    session: Session, principal: Principal, document_id: int, uploads_dir: Path
) -> None:
    document = repo.get(session, document_id)
    if document is None or document.proposal_id is None:
        raise NotFoundError(f"document {document_id} not found")
    try:
        proposal = proposals.editable(session, principal, document.proposal_id)
    except NotFoundError:
        raise NotFoundError(f"document {document_id} not found") from None
    if proposal.model and int(proposal.model["document_id"]) == document.id:
        proposal.model = None
    variants_repo.clear_model(session, proposal.id, document.id)
    path = _storage_path(uploads_dir, document.storage_key)
    session.delete(document)
    session.commit()
    path.unlink(missing_ok=True)


def remove_files(uploads_dir: Path, keys: list[str]) -> None:
    """Remove stored files (after the rows referring to them are gone)."""
    for key in keys:
        _storage_path(uploads_dir, key).unlink(missing_ok=True)
