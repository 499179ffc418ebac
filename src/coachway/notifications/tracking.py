"""Email open and click tracking: the tracking row, rewritten links, the open pixel, and recording both.

Every http(s) link in an email's HTML is sent through `/t/c/{token}?u=<url>`; the redirect goes only to a URL
that the email itself contained (kept in `links`), so the endpoint can never be used as an open redirect.
The open pixel `/t/o/{token}.gif` answers with the same transparent GIF whatever the token, so it tells
nothing about which tokens exist.
"""

import base64
import html
import re
import secrets
from urllib.parse import quote

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from coachway.config import get_settings
from coachway.core import clock
from coachway.core.errors import NotFound
from coachway.notifications.models import EmailTracking

# A 1x1 transparent GIF89a (43 bytes): one palette entry, marked transparent.
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
# href="..." / href='...' / href=... inside an <a> or <area> tag.
_HREF = re.compile(r"""(<(?:a|area)\b[^>]*?\shref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""",
                   re.IGNORECASE | re.DOTALL)
_WEB_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def new_token() -> str:
    """A random, unguessable tracking token (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def _base_url() -> str:
    return get_settings().base_url.rstrip("/")


def click_url(token: str, url: str) -> str:
    """The tracked form of url: our redirect, which counts the click first."""
    return f"{_base_url()}/t/c/{token}?u={quote(url, safe='')}"


def pixel_url(token: str) -> str:
    """The address of the email's open pixel."""
    return f"{_base_url()}/t/o/{token}.gif"


def rewrite_links(body_html: str, token: str) -> tuple[str, list[str]]:
    """body_html with every http(s) link sent through the click redirect, and the original URLs in order."""
    links: list[str] = []

    def tracked(match: re.Match) -> str:
        raw = next(g for g in match.groups()[1:] if g is not None)
        url = html.unescape(raw).strip()
        if not _WEB_URL.match(url):
            return match.group(0)  # mailto:, tel:, #anchors and the like stay as they are
        if url not in links:
            links.append(url)
        return f'{match.group(1)}"{html.escape(click_url(token, url), quote=True)}"'

    return _HREF.sub(tracked, body_html), links


def add_open_pixel(body_html: str, token: str) -> str:
    """body_html with the invisible 1x1 open pixel at the end of its body."""
    pixel = (f'<img src="{html.escape(pixel_url(token), quote=True)}" width="1" height="1" alt="" '
             'style="display:block;width:1px;height:1px;border:0">')
    ends = list(_BODY_END.finditer(body_html))
    if not ends:
        return body_html + pixel
    at = ends[-1].start()
    return body_html[:at] + pixel + body_html[at:]


def start_tracking(session: Session, *, email_type: str, recipient: str, subject: str, body_html: str,
                   client_id: int | None = None, charter_id: int | None = None, lead_id: int | None = None,
                   track_links: bool = True) -> tuple[EmailTracking, str]:
    """Create the tracking row of an email about to be queued; returns it and the HTML to send.

    track_links=False leaves links alone (a password reset link must not be stored or rewritten).
    """
    token = new_token()
    links: list[str] = []
    if body_html and track_links:
        body_html, links = rewrite_links(body_html, token)
    if body_html:
        body_html = add_open_pixel(body_html, token)
    row = EmailTracking(email_type=email_type[:50], recipient_email=recipient, subject=subject[:500],
                        client_id=client_id, charter_id=charter_id, lead_id=lead_id, status="queued",
                        sent_at=None, tracking_token=token, links=links, open_count=0, click_count=0)
    session.add(row)
    session.flush()
    return row, body_html


def record_open(session: Session, token: str) -> bool:
    """Count an open of the email with this token (first time, count, status); False for an unknown token."""
    now = clock.now()
    result = session.execute(
        update(EmailTracking).where(EmailTracking.tracking_token == token)
        .values(open_count=EmailTracking.open_count + 1,
                opened_at=func.coalesce(EmailTracking.opened_at, now),
                status=case((EmailTracking.status == "clicked", "clicked"), else_="opened"))
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def record_click(session: Session, token: str, url: str) -> str:
    """Count a click on one of the email's own links and return where to go; NotFound for anything else."""
    links = session.scalar(select(EmailTracking.links).where(EmailTracking.tracking_token == token))
    if links is None:
        raise NotFound("This link is not valid.")
    if url not in links:
        raise NotFound("This link is not part of the email it came from.")
    now = clock.now()
    # A click means the email was opened too, even when its images were blocked.
    session.execute(
        update(EmailTracking).where(EmailTracking.tracking_token == token)
        .values(click_count=EmailTracking.click_count + 1,
                clicked_at=func.coalesce(EmailTracking.clicked_at, now),
                opened_at=func.coalesce(EmailTracking.opened_at, now), status="clicked")
        .execution_options(synchronize_session=False))
    return url
