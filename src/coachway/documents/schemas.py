"""Request and response models of documents (field names follow the `charter_documents` columns)."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from coachway.core.fields import RefId, Text
from coachway.documents.models import DOCUMENT_CATEGORIES

DocumentCategory = Literal[DOCUMENT_CATEGORIES]
Description = Text(2000)
MAX_EXPIRING_DAYS = 365


class DocumentCreate(BaseModel):
    """What is said about an uploaded file besides its bytes: what it is and what it belongs to.

    At least one of charter_id, client_id, vendor_id and user_id is required (the service says so).
    """

    model_config = ConfigDict(extra="forbid")

    document_category: DocumentCategory = "other"
    charter_id: RefId | None = None
    client_id: RefId | None = None
    vendor_id: RefId | None = None
    user_id: RefId | None = None
    description: Description | None = None
    is_internal: bool = False
    expires_at: date | None = None


class DocumentUpdate(BaseModel):
    """Only the fields sent change; description and expires_at may be set to null to clear them."""

    model_config = ConfigDict(extra="forbid")

    document_category: DocumentCategory | None = None
    description: Description | None = None
    expires_at: date | None = None
    is_internal: bool | None = None


class DocumentRead(BaseModel):
    """A stored document as its readers see it (where its bytes are stored is not shown)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    document_category: str
    file_name: str
    content_type: str
    file_size: int = Field(description="Size in bytes")
    sha256: str = Field(description="SHA-256 of the content, 64 hex digits")
    charter_id: int | None
    client_id: int | None
    vendor_id: int | None
    user_id: int | None
    description: str | None
    is_internal: bool
    expires_at: date | None
    uploaded_by: int | None
    uploaded_at: datetime
