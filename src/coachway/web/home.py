"""The site root and the admin dashboard."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from coachway.web import nav
from coachway.web.deps import OptionalActor, PageActor
from coachway.web.session import HOME
from coachway.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def root(actor: OptionalActor):
    """Signed-in users go to the dashboard, everyone else to sign-in."""
    return RedirectResponse(HOME if actor else "/login", status_code=303)


@router.get("/admin")
def dashboard(request: Request, actor: PageActor):
    """Greets the user and lists what their role may open."""
    links = [link for link in nav.links_for(actor) if link.href != HOME]
    return render(request, "dashboard.html", {"title": "Dashboard", "links": links})
