"""Uploaded documents (PDF and images) and 3D models (glb) of a proposal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: What documents may be: sniffed from the first bytes, never trusted from the client.
DOCUMENT_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/webp")
MODEL_TYPE = "model/gltf-binary"


DOCUMENT_EXAMPLE: dict[str, Any] = {
    "id": 12,
    "proposal_id": 1,
    "kind": "document",
    "title": "Design and access statement",
    "filename": "design-and-access-statement.pdf",
    "content_type": "application/pdf",
    "size_bytes": 284113,
    "sha256": "9b2c4e7f1a0d3b5c8e6f2a4d7c9b1e3f5a7d9c2b4e6f8a0c1d3e5f7a9b2c4d6e",
    "url": "/api/v1/documents/12",
    "created_at": "2025-03-18T10:42:00Z",
}


class DocumentPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [DOCUMENT_EXAMPLE]})

    id: int
    proposal_id: int | None
    kind: str = Field(description="`document` or `model`")
    title: str
    filename: str
    content_type: str = Field(examples=["application/pdf"])
    size_bytes: int
    sha256: str = Field(description="SHA-256 of the content, hex")
    url: str = Field(description="Download URL (`GET /api/v1/documents/{id}`)")
    created_at: datetime


class DocumentList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [DOCUMENT_EXAMPLE]}]})

    items: list[DocumentPublic]
