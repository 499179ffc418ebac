"""Documents over HTTP (/api/v1/documents): upload, list, read, download, change and delete."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile

from coachway.core.deps import CurrentActor, PageDep, SessionDep
from coachway.core.fields import MAX_ID, RefId
from coachway.core.pagination import Page
from coachway.documents import service
from coachway.documents.files import attachment_headers, read_upload
from coachway.documents.schemas import (
    MAX_EXPIRING_DAYS,
    Description,
    DocumentCategory,
    DocumentRead,
    DocumentUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["documents"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
OwnerQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.post("/documents", response_model=DocumentRead, status_code=201)
def upload_document(actor: CurrentActor, session: SessionDep,
                    file: Annotated[UploadFile, File(description="The file; its bytes tell its type")],
                    document_category: Annotated[DocumentCategory, Form()] = "other",
                    charter_id: Annotated[RefId | None, Form()] = None,
                    client_id: Annotated[RefId | None, Form()] = None,
                    vendor_id: Annotated[RefId | None, Form()] = None,
                    user_id: Annotated[RefId | None, Form()] = None,
                    description: Annotated[Description | None, Form()] = None,
                    is_internal: Annotated[bool, Form()] = False,
                    expires_at: Annotated[date | None, Form()] = None):
    """Upload a file attached to at least one of a charter, client, vendor or user (multipart form)."""
    return service.upload_document(session, actor, content=read_upload(file.file), file_name=file.filename,
                                   document_category=document_category, charter_id=charter_id,
                                   client_id=client_id, vendor_id=vendor_id, user_id=user_id,
                                   description=description, is_internal=is_internal, expires_at=expires_at)


@router.get("/documents", response_model=Page[DocumentRead])
def list_documents(actor: CurrentActor, session: SessionDep, page: PageDep,
                   charter_id: OwnerQuery = None, client_id: OwnerQuery = None, vendor_id: OwnerQuery = None,
                   user_id: OwnerQuery = None, document_category: DocumentCategory | None = None,
                   q: Annotated[str | None, Query(max_length=100)] = None, include_expired: bool = False):
    """Documents, newest first, filtered by what they are attached to, category or name; expired ones on
    request."""
    items, total = service.list_documents(session, actor, charter_id=charter_id, client_id=client_id,
                                          vendor_id=vendor_id, user_id=user_id,
                                          document_category=document_category, q=q,
                                          include_expired=include_expired, limit=page.limit,
                                          offset=page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/documents/expiring", response_model=Page[DocumentRead])
def list_expiring(actor: CurrentActor, session: SessionDep, page: PageDep,
                  days: Annotated[int, Query(ge=0, le=MAX_EXPIRING_DAYS)] = service.DEFAULT_EXPIRING_DAYS,
                  document_category: DocumentCategory | None = None, include_expired: bool = False):
    """Documents expiring within the next `days` days, soonest first; already expired ones on request."""
    items, total = service.list_expiring(session, actor, days=days, document_category=document_category,
                                         include_expired=include_expired, limit=page.limit,
                                         offset=page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/documents/{document_id}", response_model=DocumentRead)
def get_document(document_id: Id, actor: CurrentActor, session: SessionDep):
    """One document's details."""
    return service.get_document(session, actor, document_id)


@router.get("/documents/{document_id}/download", response_class=Response,
            responses={200: {"description": "The file, as an attachment",
                             "content": {"application/octet-stream": BINARY, "*/*": BINARY}}})
def download_document(document_id: Id, actor: CurrentActor, session: SessionDep):
    """The file itself, under its content type as judged by its bytes, as an attachment."""
    download = service.download_document(session, actor, document_id)
    return Response(download.content, media_type=download.content_type,
                    headers=attachment_headers(download.file_name))


@router.patch("/documents/{document_id}", response_model=DocumentRead)
def update_document(document_id: Id, body: DocumentUpdate, actor: CurrentActor, session: SessionDep):
    """Change a document's category, description, expiry or internal mark; only the fields sent change."""
    return service.update_document(session, actor, document_id, **body.model_dump(exclude_unset=True))


@router.delete("/documents/{document_id}", status_code=204)
def delete_document(document_id: Id, actor: CurrentActor, session: SessionDep):
    """Delete a document (it is kept, hidden, with its history)."""
    service.delete_document(session, actor, document_id)
    return Response(status_code=204)
