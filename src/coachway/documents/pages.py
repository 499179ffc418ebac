"""Document pages: the list with filters and the upload form, documents expiring soon, one document's page
(details, changes, delete) and downloads.

Every rule lives in documents/service.py (and access.py); these handlers parse the request, call the
service and pick a page. `/admin/documents?client_id=N` is a client's documents, with the upload form
attaching new ones to that client.
"""

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from coachway.config import get_settings
from coachway.core import clock
from coachway.core.deps import undo_refused
from coachway.core.errors import DomainError, Invalid
from coachway.core.fields import MAX_ID
from coachway.core.permissions import Actor
from coachway.documents import access, service
from coachway.documents.errors import FileTooLarge, UnsupportedFileType
from coachway.documents.files import attachment_headers, human_size, read_upload
from coachway.documents.models import DOCUMENT_CATEGORIES
from coachway.documents.schemas import MAX_EXPIRING_DAYS, DocumentCreate, DocumentUpdate
from coachway.web import nav
from coachway.web.deps import FormDep, PageActor, PageSession
from coachway.web.forms import FormErrors, validate, values
from coachway.web.templating import is_htmx, pager, redirect, render

router = APIRouter(include_in_schema=False)
nav.register("Documents", "/admin/documents", permission="documents:read", order=40,
             description="Contracts, certificates of insurance, bids and other files; what expires soon.")

PAGE_SIZE = 25
SOON_DAYS = 30
EXPIRING_WINDOWS = [(7, "7 days"), (30, "30 days"), (60, "60 days"), (90, "90 days"), (180, "6 months"),
                    (365, "1 year")]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
CATEGORY_LABELS = {
    "vendor_bid": "Vendor bid", "client_document": "Client document",
    "terms_conditions": "Terms and conditions", "contract": "Contract", "invoice": "Invoice",
    "receipt": "Receipt", "coi": "Certificate of insurance", "photo": "Photo", "other": "Other",
}
OWNER_FIELDS = access.OWNER_FIELDS
LABELS = {"document_category": "Category", "client_id": "Client", "vendor_id": "Vendor", "user_id": "Driver",
          "charter_id": "Charter", "expires_at": "Expires on", "is_internal": "Internal", "file": "File"}
ACCEPT = ".pdf,.jpg,.jpeg,.png,.gif,.webp,.heic,.txt,.csv,.doc,.docx,.xls,.xlsx"


def category_label(category: str) -> str:
    """coi -> Certificate of insurance."""
    return CATEGORY_LABELS.get(category, category.replace("_", " ").capitalize())


def _id_or_none(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_ID else None


class ListFilters:
    """The list's query parameters (filter forms send blanks, so they arrive as text)."""

    def __init__(self, q: Annotated[str, Query(max_length=100)] = "",
                 document_category: Annotated[str, Query(max_length=50)] = "",
                 client_id: Annotated[str, Query(max_length=12)] = "",
                 vendor_id: Annotated[str, Query(max_length=12)] = "",
                 user_id: Annotated[str, Query(max_length=12)] = "",
                 charter_id: Annotated[str, Query(max_length=12)] = "",
                 expired: Annotated[str, Query(max_length=5)] = "",
                 offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
        self.q = q.strip()
        self.document_category = document_category if document_category in DOCUMENT_CATEGORIES else ""
        self.owners = {"charter_id": _id_or_none(charter_id), "client_id": _id_or_none(client_id),
                       "vendor_id": _id_or_none(vendor_id), "user_id": _id_or_none(user_id)}
        self.include_expired = expired == "on"
        self.offset = offset

    @property
    def scope(self) -> tuple[str, int] | None:
        """The one owner the list is narrowed to (client, vendor, driver or charter), if any."""
        chosen = [(field, value) for field, value in self.owners.items() if value is not None]
        return chosen[0] if len(chosen) == 1 else None

    @property
    def filtered(self) -> bool:
        """True when anything narrows the list."""
        return bool(self.q or self.document_category or any(self.owners.values()))

    def query(self, **extra: Any) -> str:
        """These filters as a query string ("" when none), for links and form actions."""
        params = {"q": self.q, "document_category": self.document_category,
                  **{k: v for k, v in self.owners.items() if v is not None},
                  "expired": "on" if self.include_expired else "", **extra}
        kept = {k: v for k, v in params.items() if v not in ("", None)}
        return f"?{urlencode(kept)}" if kept else ""


Filters = Annotated[ListFilters, Depends()]


def _owner_label(field: str, value: int, names: dict) -> str:
    if field == "client_id":
        return names["clients"].get(value, f"Client #{value}")
    if field == "charter_id":
        return f"Charter #{value}"
    return names["users"].get(value, f"User #{value}")


def _common(actor: Actor, names: dict) -> dict[str, Any]:
    """What every documents template uses to show rows."""
    return {"names": names, "category_label": category_label, "human_size": human_size,
            "today": clock.now().date(), "soon": clock.now().date() + timedelta(days=SOON_DAYS),
            "can_delete": actor.can("documents:delete"),
            "may_change": lambda d: access.may_change(actor, d), "can_clients": actor.can("clients:read")}


# ---------------------------------------------------------------- the list and the upload form

def _upload_context(session: Session, actor: Actor, filters: ListFilters, names: dict) -> dict[str, Any]:
    allowed = access.categories_for(actor) or DOCUMENT_CATEGORIES
    scope = filters.scope
    return {"can_upload": actor.can("documents:create"),
            "categories": [(c, category_label(c)) for c in allowed],
            "choices": service.attach_choices(session, actor) if scope is None else {},
            "scope_label": _owner_label(*scope, names) if scope else None,
            "can_internal": access.may_read_internal(actor), "accept": ACCEPT,
            "max_size": human_size(get_settings().document_max_bytes)}


def _list_page(request: Request, session: Session, actor: Actor, filters: ListFilters, *,
               data: dict | None = None, errors: FormErrors | None = None, status_code: int = 200):
    documents, total = service.list_documents(
        session, actor, **filters.owners, document_category=filters.document_category or None,
        q=filters.q or None, include_expired=filters.include_expired, limit=PAGE_SIZE, offset=filters.offset)
    scope = filters.scope
    names = service.display_names(session, actor, documents,
                                  client_ids={filters.owners["client_id"]} - {None},
                                  user_ids={filters.owners["vendor_id"], filters.owners["user_id"]} - {None})
    scope_label = _owner_label(*scope, names) if scope else None
    context = {"title": f"Documents of {scope_label}" if scope_label else "Documents", "documents": documents,
               "filters": filters, "scope": scope, "view": "all",
               "categories_all": [(c, category_label(c)) for c in DOCUMENT_CATEGORIES],
               "pager": pager(request, total=total, limit=PAGE_SIZE, offset=filters.offset),
               "values": {k: ("" if v is None else v) for k, v in (data or {}).items()},
               "form_errors": errors,
               **_common(actor, names), **_upload_context(session, actor, filters, names)}
    if is_htmx(request, "document-results"):
        return render(request, "documents/list.html", context, block="results")
    return render(request, "documents/list.html", context, status_code=status_code)


@router.get("/admin/documents")
def documents_list(request: Request, actor: PageActor, session: PageSession, filters: Filters):
    """Documents, newest first, searchable and filterable by category and by what they are attached to."""
    return _list_page(request, session, actor, filters)


def _upload_fields(form: FormData, actor: Actor) -> dict[str, Any]:
    data: dict[str, Any] = values(form, "document_category", *OWNER_FIELDS, "description", "expires_at")
    data["is_internal"] = form.get("is_internal") == "on"
    if not actor.is_staff and not any(data.get(field) for field in OWNER_FIELDS):
        data.update(access.default_owner(actor))  # an outside user's form offers no choice
    return data


def _merged_owner_errors(exc: DomainError) -> FormErrors:
    """One message for "attach it to something" instead of one per owner field."""
    errors = FormErrors.of(exc, LABELS)
    if set(OWNER_FIELDS) <= set(errors.fields):
        message = errors.fields["client_id"]
        errors.fields = {k: v for k, v in errors.fields.items() if k not in OWNER_FIELDS}
        errors.fields["attach"] = message
        errors.labels = {**errors.labels, "attach": "Attach to"}
    return errors


@router.post("/admin/documents")
def document_upload(request: Request, actor: PageActor, session: PageSession, filters: Filters,
                    form: FormDep):
    """Upload a file from the form; back to the list it was sent from."""
    data = _upload_fields(form, actor)
    upload = form.get("file")
    try:
        fields = validate(DocumentCreate, data).model_dump()
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Invalid.field("file", "Choose a file to upload.")
        document = service.upload_document(session, actor, content=read_upload(upload.file),
                                           file_name=upload.filename, **fields)
    except (Invalid, FileTooLarge, UnsupportedFileType) as exc:
        undo_refused(session, exc)
        return _list_page(request, session, actor, filters, data=data, errors=_merged_owner_errors(exc),
                          status_code=exc.status)
    return redirect(request, f"/admin/documents{filters.query()}", flash=f"{document.file_name} is uploaded.")


# ---------------------------------------------------------------- expiring soon

@router.get("/admin/documents/expiring")
def documents_expiring(request: Request, actor: PageActor, session: PageSession,
                       days: Annotated[int, Query(ge=0, le=MAX_EXPIRING_DAYS)] = SOON_DAYS,
                       expired: Annotated[str, Query(max_length=5)] = "",
                       offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    """Documents expiring within the chosen number of days (expired ones too, when asked), soonest first."""
    documents, total = service.list_expiring(session, actor, days=days, include_expired=expired == "on",
                                             limit=PAGE_SIZE, offset=offset)
    names = service.display_names(session, actor, documents)
    windows = EXPIRING_WINDOWS if any(d == days for d, _ in EXPIRING_WINDOWS) else [
        *EXPIRING_WINDOWS, (days, f"{days} days")]
    context = {"title": "Documents expiring soon", "documents": documents, "days": days,
               "include_expired": expired == "on", "windows": windows, "view": "expiring",
               "pager": pager(request, total=total, limit=PAGE_SIZE, offset=offset), **_common(actor, names)}
    if is_htmx(request, "document-results"):
        return render(request, "documents/expiring.html", context, block="results")
    return render(request, "documents/expiring.html", context)


# ---------------------------------------------------------------- one document

def _detail_page(request: Request, session: Session, actor: Actor, document_id: int, *,
                 data: dict | None = None, errors: FormErrors | None = None, status_code: int = 200):
    document = service.get_document(session, actor, document_id)
    names = service.display_names(session, actor, [document])
    allowed = access.categories_for(actor) or DOCUMENT_CATEGORIES
    categories = [(c, category_label(c)) for c in dict.fromkeys([*allowed, document.document_category])]
    shown = data if data is not None else {
        "document_category": document.document_category, "description": document.description or "",
        "expires_at": document.expires_at.isoformat() if document.expires_at else "",
        "is_internal": document.is_internal}
    return render(request, "documents/detail.html",
                  {"title": document.file_name, "document": document, "values": shown, "form_errors": errors,
                   "categories": categories,
                   "can_edit": actor.can("documents:create") and access.may_change(actor, document),
                   "can_internal": access.may_read_internal(actor), **_common(actor, names)},
                  status_code=status_code)


@router.get("/admin/documents/{document_id}")
def document_detail(request: Request, document_id: Id, actor: PageActor, session: PageSession):
    """One document: what it is, what it belongs to, who uploaded it; change or delete it."""
    return _detail_page(request, session, actor, document_id)


@router.post("/admin/documents/{document_id}/edit")
def document_update(request: Request, document_id: Id, actor: PageActor, session: PageSession,
                    form: FormDep):
    """Save a document's category, description, expiry and internal mark."""
    data: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in
                            ("document_category", "description", "expires_at")}
    data["is_internal"] = form.get("is_internal") == "on"
    try:
        sent = {**data, "description": data["description"] or None, "expires_at": data["expires_at"] or None}
        if not access.may_read_internal(actor):
            sent.pop("is_internal")
        changes = validate(DocumentUpdate, sent).model_dump(exclude_unset=True)
        document = service.update_document(session, actor, document_id, **changes)
    except Invalid as exc:
        undo_refused(session, exc)
        return _detail_page(request, session, actor, document_id, data=data,
                            errors=FormErrors.of(exc, LABELS), status_code=exc.status)
    return redirect(request, f"/admin/documents/{document.id}",
                    flash=f"Saved the changes to {document.file_name}.")


@router.post("/admin/documents/{document_id}/delete")
def document_delete(request: Request, document_id: Id, actor: PageActor, session: PageSession,
                    filters: Filters, form: FormDep, view: Annotated[str, Query(max_length=10)] = ""):
    """Delete a document after the confirm step; back to the list (or expiring view) it was deleted from."""
    document = service.delete_document(session, actor, document_id)
    back = "/admin/documents/expiring" if view == "expiring" else f"/admin/documents{filters.query()}"
    return redirect(request, back, flash=f"{document.file_name} is deleted.")


@router.get("/admin/documents/{document_id}/download")
def document_download(document_id: Id, actor: PageActor, session: PageSession) -> Response:
    """The file itself, as an attachment."""
    download = service.download_document(session, actor, document_id)
    return Response(download.content, media_type=download.content_type,
                    headers=attachment_headers(download.file_name))

