"""Streamed uploads: the request body *is* the file (not multipart), written to a temporary file
with the size limit enforced while reading. The request-size policy (:mod:`backend.api.limits`)
has already refused a declared or streamed body over the same limit; this check also discards
the partial file when the limit trips here."""

from __future__ import annotations

from fastapi import Request

from backend.errors import PayloadTooLargeError
from backend.services.documents import Upload
from backend.settings import Settings


async def receive_upload(
    request: Request, settings: Settings, limit_mb: float, label: str
) -> Upload:
    """Stream the request body into a temporary file, refusing it past ``limit_mb`` (413)."""
    limit = int(limit_mb * 1_000_000)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"file: the {label} is larger than the limit of {limit_mb:g} MB")
    upload = Upload.start(settings.uploads_dir, limit, label)
    try:
        async for chunk in request.stream():
            if chunk:
                upload.write(chunk)
        upload.finish()
    except BaseException:
        upload.discard()
        raise
    return upload


def upload_body(types: list[str]) -> dict[str, object]:
    """``openapi_extra`` for a route whose body is a raw file of one of ``types``."""
    return {
        "requestBody": {
            "required": True,
            "description": "The file itself as the body (not multipart form data).",
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in types},
        }
    }
