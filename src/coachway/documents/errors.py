"""Refusals of an upload that core/errors.py has no status for: too large (413), unsupported type (415)."""

from coachway.core.errors import DomainError


class FileTooLarge(DomainError):
    """The uploaded file is over the configured size limit."""

    status = 413
    title = "File too large"


class UnsupportedFileType(DomainError):
    """The uploaded file's content is of a kind we do not accept."""

    status = 415
    title = "Unsupported file type"
