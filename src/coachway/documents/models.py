"""Stored documents (spec `charter_documents`): files attached to a charter, client, vendor or user."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from coachway.core import clock
from coachway.core.db import Base

DOCUMENT_CATEGORIES = ("quote", "vendor_bid", "client_document", "terms_conditions", "contract", "invoice",
                       "receipt", "coi", "photo", "other")


class CharterDocument(Base):
    """One stored file and what it is attached to.

    The bytes live in the configured storage under their SHA-256 (`storage_key`), so two uploads of the same
    file share one stored object. A document is attached to at least one of charter, client, vendor or
    user; `vendor_id` gains its foreign key when the vendors table arrives (until then it is the vendor
    user's id). A vendor sees a document only
    when it carries that vendor's id; a client never sees one marked `is_internal`.
    """

    __tablename__ = "charter_documents"
    __table_args__ = (Index("ix_charter_documents_expires_at_live", "expires_at", "deleted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    charter_id: Mapped[int | None] = mapped_column(ForeignKey("charters.id", ondelete="SET NULL"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"), index=True)
    vendor_id: Mapped[int | None] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    document_category: Mapped[str] = mapped_column(String(50), default="other", index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    file_size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    storage_key: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    is_internal: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[date | None]
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.now)
    deleted_at: Mapped[datetime | None]
    deleted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
