"""Uploaded documents (PDF and images) and 3D models (glb) of a proposal."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

#: What documents may be: sniffed from the first bytes, never trusted from the client.
DOCUMENT_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/webp")
MODEL_TYPE = "model/gltf-binary"


class DocumentPublic(BaseModel):
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
    items: list[DocumentPublic]
