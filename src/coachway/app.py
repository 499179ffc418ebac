"""The ASGI application: every domain's API and pages, or one domain's API alone."""

import importlib
import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from coachway import __version__
from coachway.core.errors import install_error_handlers

# domain -> spec port of its service when served alone
DOMAIN_PORTS = {
    "auth": 8000, "charters": 8001, "clients": 8002, "documents": 8003, "payments": 8004,
    "notifications": 8005, "vendors": 8006, "sales": 8007, "pricing": 8008, "portals": 8009,
    "changes": 8010, "reports": 8011,
    # Not a service of the spec: hubs, vehicle types, vehicles and drivers get the next free port.
    "fleet": 8012,
}
# Domains built so far, in mounting order.
DOMAINS = ["auth", "clients", "fleet", "documents", "notifications", "charters", "pricing", "sales",
           "payments"]


def _has_module(domain: str, name: str) -> bool:
    return (Path(__file__).parent / domain / f"{name}.py").exists()


def _warm_up(chosen: list[str]) -> None:
    """Build slow lookup tables in the background at start-up, so no user's first request pays for them."""
    if "charters" not in chosen:
        return
    from coachway.config import get_settings

    if get_settings().geocoder_backend == "offline":
        from coachway.integrations.geocoding import OfflineGazetteer

        threading.Thread(target=OfflineGazetteer().warm, name="gazetteer-warm-up", daemon=True).start()


def create_app(domains: list[str] | None = None, *, pages: bool = True) -> FastAPI:
    """Build the application with the given domains (all by default) and, optionally, the web pages."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    chosen = domains or DOMAINS
    title = "CoachWay" if domains is None else f"CoachWay {', '.join(chosen)}"

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        _warm_up(chosen)
        yield

    app = FastAPI(title=title, version=__version__, docs_url="/docs", openapi_url="/openapi.json",
                  lifespan=lifespan)
    install_error_handlers(app)
    for domain in chosen:
        if _has_module(domain, "api"):
            app.include_router(importlib.import_module(f"coachway.{domain}.api").router)
    if pages:
        from coachway.web import setup as web_setup

        web_setup.install(app)
        for domain in chosen:
            if _has_module(domain, "pages"):
                app.include_router(importlib.import_module(f"coachway.{domain}.pages").router,
                                   include_in_schema=False)
        app.mount("/static", StaticFiles(directory=Path(__file__).parent / "web" / "static"), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict:
        return {"status": "ok", "version": __version__}

    return app
