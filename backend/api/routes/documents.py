"""``/api/v1/documents/{id}``: download or delete an uploaded document or model.

Downloads carry headers that stop a browser from treating the file as a page of this site:
``X-Content-Type-Options: nosniff``, a ``Content-Security-Policy`` with ``sandbox``, and
``Content-Disposition: attachment`` for everything but images (shown ``inline``).
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from fastapi.responses import FileResponse

from backend.api import examples
from backend.api.deps import OptionalPrincipal, Planner, SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.params import ResourceId
from backend.services import documents

router = APIRouter(tags=["proposals"])

_FILE_CONTENT = {
    t: examples.binary(f"A {t} file as uploaded", "/api/v1/documents/12")
    for t in ("application/pdf", "image/png", "image/jpeg", "image/webp", "model/gltf-binary")
}


@router.get(
    "/documents/{document_id}",
    response_class=FileResponse,
    operation_id="getDocument",
    responses={200: {"content": _FILE_CONTENT, "description": "The file"}, **error_responses(404)},
    summary="Download a document (drafts' documents only for planners)",
)
def get_document(
    document_id: ResourceId,
    principal: OptionalPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> FileResponse:
    document, path = documents.open_document(session, principal, document_id, settings.uploads_dir)
    disposition = "inline" if document.content_type.startswith("image/") else "attachment"
    return FileResponse(
        path,
        media_type=document.content_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{document.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-cache",
        },
    )


@router.delete(
    "/documents/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteDocument",
    responses=error_responses(401, 403, 404),
    summary="Delete a document or model of a proposal (its planner or an admin)",
)
def delete_document(
    document_id: ResourceId, principal: Planner, session: SessionDep, settings: SettingsDep
) -> Response:
    documents.delete_document(session, principal, document_id, settings.uploads_dir)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
