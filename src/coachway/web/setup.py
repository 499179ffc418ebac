"""Web shell wiring: page error handling and the shared template environment."""

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Install page-side middleware and handlers (filled in by the web shell)."""
