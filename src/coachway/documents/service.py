"""Documents: upload, read, download, list, change and delete stored files; the rules API and pages share.

Row scoping is in documents/access.py; what a file is (type, safe name) in documents/files.py; where its
bytes live in integrations/storage.py.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, insert, or_, select
from sqlalchemy.orm import Session

from coachway.auth import service as auth_service
from coachway.clients import service as clients_service
from coachway.config import get_settings
from coachway.core import audit, clock
from coachway.core.errors import Forbidden, Invalid, NotFound
from coachway.core.pagination import paginate
from coachway.core.permissions import SYSTEM, Actor, require
from coachway.documents import access
from coachway.documents.errors import FileTooLarge, UnsupportedFileType
from coachway.documents.files import human_size, sanitize_file_name, sniff_content_type
from coachway.documents.models import DOCUMENT_CATEGORIES, CharterDocument
from coachway.documents.schemas import MAX_EXPIRING_DAYS
from coachway.integrations.storage import get_storage, key_for, sha256_of

UPDATABLE_FIELDS = {"document_category", "description", "expires_at", "is_internal"}
NOT_NULL_FIELDS = {"document_category", "is_internal"}
DEFAULT_EXPIRING_DAYS = 30
# Up to this many active clients are offered in a list on the upload form; beyond, their number is asked.
MAX_CLIENT_CHOICES = 500
ACCEPTED_KINDS = "a PDF, an image (JPEG, PNG, GIF, WebP, HEIC), plain text, CSV, Word or Excel file"


@dataclass(frozen=True)
class Download:
    """A document's bytes with the name and content type to send them under."""

    content: bytes
    file_name: str
    content_type: str


# ---------------------------------------------------------------- what a file is

def _check_content(content: bytes, file_name: str) -> str:
    """The sniffed content type of an acceptable file; refuses empty, oversized and unaccepted files."""
    settings = get_settings()
    if not content:
        raise Invalid.field("file", "The file is empty.")
    if len(content) > settings.document_max_bytes:
        message = (f"The file is {human_size(len(content))}; files can be at most "
                   f"{human_size(settings.document_max_bytes)}.")
        raise FileTooLarge(message, errors=[{"field": "file", "message": message}])
    content_type = sniff_content_type(content, file_name)
    if content_type is None or content_type not in settings.document_allowed_types:
        what = (f"We do not accept this kind of file ({content_type})." if content_type
                else "We could not tell what kind of file this is.")
        message = f"{what} Upload {ACCEPTED_KINDS}."
        raise UnsupportedFileType(message, errors=[{"field": "file", "message": message}])
    return content_type


# ---------------------------------------------------------------- what a document is attached to

def _check_client(session: Session, client_id: int) -> None:
    try:
        clients_service.get_client(session, SYSTEM, client_id)
    except NotFound:
        raise Invalid.field("client_id", f"There is no client {client_id}.") from None


def _check_user(session: Session, field: str, user_id: int, *, role: str | None = None) -> None:
    try:
        user = auth_service.get_user(session, SYSTEM, user_id)
    except NotFound:
        user = None
    if user is None:
        raise Invalid.field(field, f"There is no user {user_id}.")
    if role is not None and user.role != role:
        raise Invalid.field(field, f"User {user_id} is not a {role}.")


def _check_charter(session: Session, charter_id: int) -> None:
    check = access.owner_check("charter")
    if check is not None and check.exists is not None and not check.exists(session, charter_id):
        raise Invalid.field("charter_id", f"There is no charter {charter_id}.")


def _check_owners(session: Session, actor: Actor, owners: dict[str, int | None]) -> None:
    if all(owners.get(field) is None for field in access.OWNER_FIELDS):
        raise Invalid("Attach the document to a charter, client, vendor or user.",
                      errors=[{"field": field, "message": "Give at least one of charter, client, vendor "
                               "and user."} for field in access.OWNER_FIELDS])
    access.check_attach(session, actor, owners)
    if owners.get("client_id") is not None:
        _check_client(session, owners["client_id"])
    if owners.get("user_id") is not None:
        _check_user(session, "user_id", owners["user_id"])
    if owners.get("vendor_id") is not None:
        _check_user(session, "vendor_id", owners["vendor_id"], role="vendor")
    if owners.get("charter_id") is not None:
        _check_charter(session, owners["charter_id"])


def _check_category(actor: Actor, category: str) -> None:
    if category not in DOCUMENT_CATEGORIES:
        raise Invalid.field("document_category", f"Choose one of: {', '.join(DOCUMENT_CATEGORIES)}.")
    allowed = access.categories_for(actor)
    if allowed is not None and category not in allowed:
        raise Invalid.field("document_category", f"Choose one of: {', '.join(allowed)}.")


def _check_internal(actor: Actor, is_internal: bool) -> None:
    if is_internal and not access.may_read_internal(actor):
        raise Forbidden("Only staff who may read internal documents can mark one internal.",
                        errors=[{"field": "is_internal", "message": "You may not mark documents internal."}])


# ---------------------------------------------------------------- uploading

def upload_document(session: Session, actor: Actor, *, content: bytes, file_name: str | None,
                    document_category: str = "other", charter_id: int | None = None,
                    client_id: int | None = None, vendor_id: int | None = None, user_id: int | None = None,
                    description: str | None = None, is_internal: bool = False,
                    expires_at: date | None = None) -> CharterDocument:
    """Store an uploaded file and record what it is and what it belongs to.

    The type is judged from the bytes, the name is made safe, and the bytes are stored under their SHA-256:
    an identical file uploaded again shares the stored copy.
    """
    require(actor, "documents:create")
    name = sanitize_file_name(file_name)
    content_type = _check_content(content, name)
    owners = {"charter_id": charter_id, "client_id": client_id, "vendor_id": vendor_id, "user_id": user_id}
    _check_owners(session, actor, owners)
    _check_category(actor, document_category)
    _check_internal(actor, is_internal)
    digest = sha256_of(content)
    key = key_for(digest)
    # Stored before the row: a row never points at missing bytes. Should the transaction then fail, the
    # object stays unreferenced until the same file comes again.
    get_storage().put(key, content)
    document = CharterDocument(**owners, document_category=document_category, file_name=name,
                               content_type=content_type, file_size=len(content), sha256=digest,
                               storage_key=key, description=(description or "").strip() or None,
                               is_internal=is_internal, expires_at=expires_at, uploaded_by=actor.user_id,
                               uploaded_at=clock.now())
    session.add(document)
    session.flush()
    audit.record(session, actor, entity_type="document", entity_id=document.id, action="upload",
                 new=_audit_view(document))
    return document


def copy_charter_documents(session: Session, actor: Actor, from_charter_id: int,
                           to_charter_ids: list[int]) -> int:
    """Attach the documents of one charter to other charters (its clones): new rows sharing the stored
    bytes, in one INSERT; generated quote PDFs stay behind (each copy gets its own). Returns rows made."""
    require(actor, "documents:create")
    source = list(session.scalars(
        select(CharterDocument).where(CharterDocument.charter_id == from_charter_id,
                                      CharterDocument.deleted_at.is_(None),
                                      CharterDocument.document_category != "quote")
        .order_by(CharterDocument.id)))
    if not source or not to_charter_ids:
        return 0
    skipped = {"id", "charter_id", "uploaded_at", "uploaded_by", "deleted_at", "deleted_by"}
    columns = [c.key for c in CharterDocument.__mapper__.column_attrs if c.key not in skipped]
    now = clock.now()
    rows = [{**{k: getattr(doc, k) for k in columns}, "charter_id": charter_id, "uploaded_at": now,
             "uploaded_by": actor.user_id} for charter_id in to_charter_ids for doc in source]
    session.execute(insert(CharterDocument), rows)
    return len(rows)


def _audit_view(document: CharterDocument) -> dict[str, Any]:
    snap = audit.snapshot(document)
    snap.pop("storage_key", None)
    return snap


# ---------------------------------------------------------------- reading

def _find(session: Session, actor: Actor, document_id: int) -> CharterDocument:
    document = session.scalar(access.readable(actor).where(CharterDocument.id == document_id))
    if document is None:
        raise NotFound(f"No document {document_id}.")
    return document


def get_document(session: Session, actor: Actor, document_id: int) -> CharterDocument:
    """One document the actor may see."""
    require(actor, "documents:read")
    return _find(session, actor, document_id)


def download_document(session: Session, actor: Actor, document_id: int) -> Download:
    """A document's bytes (checked against its SHA-256), safe name and sniffed content type."""
    document = get_document(session, actor, document_id)
    content = get_storage().get(document.storage_key)
    return Download(content=content, file_name=document.file_name, content_type=document.content_type)


def _today() -> date:
    return clock.now().date()


def _not_expired(stmt: Select) -> Select:
    return stmt.where(or_(CharterDocument.expires_at.is_(None), CharterDocument.expires_at >= _today()))


def _search(stmt: Select, q: str) -> Select:
    text = q.strip().lower()
    return stmt.where(or_(func.lower(CharterDocument.file_name).contains(text, autoescape=True),
                          func.lower(CharterDocument.description).contains(text, autoescape=True)))


def list_documents(session: Session, actor: Actor, *, charter_id: int | None = None,
                   client_id: int | None = None, vendor_id: int | None = None, user_id: int | None = None,
                   document_category: str | None = None, q: str | None = None,
                   include_expired: bool = False, limit: int = 50,
                   offset: int = 0) -> tuple[list[CharterDocument], int]:
    """The documents the actor may see, newest first, filtered by what they are attached to and category.

    Expired ones (expires_at before today) are left out unless include_expired.
    """
    require(actor, "documents:read")
    stmt = access.readable(actor).order_by(CharterDocument.uploaded_at.desc(), CharterDocument.id.desc())
    for column, value in ((CharterDocument.charter_id, charter_id), (CharterDocument.client_id, client_id),
                          (CharterDocument.vendor_id, vendor_id), (CharterDocument.user_id, user_id),
                          (CharterDocument.document_category, document_category)):
        if value is not None:
            stmt = stmt.where(column == value)
    if q and q.strip():
        stmt = _search(stmt, q)
    if not include_expired:
        stmt = _not_expired(stmt)
    return paginate(session, stmt, limit=limit, offset=offset)


def list_expiring(session: Session, actor: Actor, *, days: int = DEFAULT_EXPIRING_DAYS,
                  document_category: str | None = None, include_expired: bool = False, limit: int = 50,
                  offset: int = 0) -> tuple[list[CharterDocument], int]:
    """Documents expiring within the next `days` days (today included), soonest first.

    With include_expired, those already expired are listed too (they come first).
    """
    require(actor, "documents:read")
    if not 0 <= days <= MAX_EXPIRING_DAYS:
        raise Invalid.field("days", f"Choose between 0 and {MAX_EXPIRING_DAYS} days.")
    stmt = access.readable(actor).where(CharterDocument.expires_at <= _today() + timedelta(days=days))
    if not include_expired:
        stmt = stmt.where(CharterDocument.expires_at >= _today())
    if document_category is not None:
        stmt = stmt.where(CharterDocument.document_category == document_category)
    stmt = stmt.order_by(CharterDocument.expires_at, CharterDocument.id)
    return paginate(session, stmt, limit=limit, offset=offset)


def display_names(session: Session, actor: Actor, documents: list[CharterDocument], *,
                  client_ids: set[int] = frozenset(), user_ids: set[int] = frozenset()) -> dict[str, dict]:
    """Names to show for the clients and users the documents (and the extra ids) mention, each looked up
    once. A client the actor may not read is left out (the page shows its number instead)."""
    wanted_clients = {d.client_id for d in documents if d.client_id is not None} | set(client_ids)
    clients: dict[int, str] = {}
    for client_id in wanted_clients:
        try:
            clients[client_id] = clients_service.get_client(session, actor, client_id).name
        except (NotFound, Forbidden):
            continue
    users = {uid for d in documents for uid in (d.user_id, d.vendor_id, d.uploaded_by) if uid is not None}
    return {"clients": clients, "users": auth_service.user_names(session, users | set(user_ids))}


def attach_choices(session: Session, actor: Actor, *, max_clients: int = MAX_CLIENT_CHOICES) -> dict:
    """What a staff member's upload form offers to attach a document to: active clients (None when there
    are too many to list, or the actor may not read clients), vendors and drivers, as (id, name) pairs."""
    if not actor.is_staff:
        return {}
    clients = None
    if actor.can("clients:read") or "*" in actor.permissions:
        rows, total = clients_service.list_clients(session, actor, is_active=True, limit=max_clients)
        clients = [(c.id, c.name) for c in rows] if total <= max_clients else None

    def people(role: str) -> list[tuple[int, str]]:
        return [(u.id, u.full_name or u.email) for u in auth_service.users_by_role(session, role)]

    return {"clients": clients, "vendors": people("vendor"), "drivers": people("driver")}


# ---------------------------------------------------------------- changing

def _find_to_change(session: Session, actor: Actor, document_id: int, permission: str) -> CharterDocument:
    require(actor, permission)
    document = _find(session, actor, document_id)
    if not access.may_change(actor, document):
        raise Forbidden("You can change only the documents you uploaded.")
    return document


def update_document(session: Session, actor: Actor, document_id: int, **changes) -> CharterDocument:
    """Change what is said about a document (category, description, expiry, internal); not its file."""
    document = _find_to_change(session, actor, document_id, "documents:create")
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"unknown document fields: {sorted(unknown)}")
    for field in NOT_NULL_FIELDS & set(changes):
        if changes[field] is None:
            raise Invalid.field(field, f"{field} cannot be empty.")
    if "document_category" in changes and changes["document_category"] != document.document_category:
        _check_category(actor, changes["document_category"])
    if changes.get("is_internal"):
        _check_internal(actor, True)
    if "description" in changes:
        changes["description"] = (changes["description"] or "").strip() or None
    old = _audit_view(document)
    for field, value in changes.items():
        setattr(document, field, value)
    session.flush()
    new = _audit_view(document)
    if old != new:
        audit.record(session, actor, entity_type="document", entity_id=document.id, action="update", old=old,
                     new=new)
    return document


def delete_document(session: Session, actor: Actor, document_id: int) -> CharterDocument:
    """Delete a document: gone for every reader from now on, kept in the database and the audit log.

    The stored bytes stay: other documents may share them.
    """
    document = _find_to_change(session, actor, document_id, "documents:delete")
    old = _audit_view(document)
    document.deleted_at = clock.now()
    document.deleted_by = actor.user_id
    session.flush()
    audit.record(session, actor, entity_type="document", entity_id=document.id, action="delete", old=old,
                 new=_audit_view(document))
    return document
