"""Web shell wiring: page error handling, page middleware and the dashboard routes."""

from fastapi import FastAPI

from coachway.web import home
from coachway.web.errors import install_page_error_handlers
from coachway.web.middleware import PageMiddleware


def install(app: FastAPI) -> None:
    """Install page-side middleware, error pages and the site root / dashboard on app."""
    install_page_error_handlers(app)
    app.add_middleware(PageMiddleware)
    app.include_router(home.router, include_in_schema=False)
