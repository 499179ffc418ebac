"""Showing message HTML (an email body, a template preview) inside our pages without trusting it.

The HTML is served on its own URL and shown in an `<iframe sandbox>`. Its response carries a policy of its
own: no scripts, no forms, inline styles allowed because emails use them, and framing only by our own
pages. By default nothing is fetched from the network and links cannot be followed: a sent email's
tracking pixel is not loaded and its tracked links are not opened, so looking at an email never counts as
the recipient opening or clicking it (a link asks for a new window, which a sandbox without
`allow-popups` refuses). A template preview, which has no tracking, may load remote images and open links
in a new tab.
"""

from fastapi.responses import HTMLResponse

_BASE = ("default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'self'; "
         "base-uri 'none'; ")
SANDBOX_CSP = _BASE + "img-src data:; font-src data:; sandbox"
PREVIEW_CSP = (_BASE + "img-src https: http: data:; font-src https: data:; "
               "sandbox allow-popups allow-popups-to-escape-sandbox")


def sandboxed_html(html: str, *, preview: bool = False) -> HTMLResponse:
    """A response that shows `html` only inside our own sandboxed frames (preview: images and links work)."""
    return HTMLResponse('<base target="_blank">' + html,
                        headers={"content-security-policy": PREVIEW_CSP if preview else SANDBOX_CSP,
                                 "x-frame-options": "SAMEORIGIN", "referrer-policy": "no-referrer",
                                 "cache-control": "no-store"})
