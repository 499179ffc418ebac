"""Showing message HTML (an email body, a template preview) inside our pages without trusting it.

The HTML is served on its own URL and shown in an `<iframe sandbox>`. Its response carries a policy of its
own: no scripts, no forms, no network at all (a tracking pixel or remote image in an email is not fetched,
so looking at an email never counts as the recipient opening it), inline styles allowed because emails
use them, and framing only by our own pages. Links are made to open a new window, which a sandbox without
`allow-popups` refuses, so clicking one in the viewer never counts as the recipient's click either.
"""

from fastapi.responses import HTMLResponse

SANDBOX_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
               "form-action 'none'; frame-ancestors 'self'; base-uri 'none'; sandbox")


def sandboxed_html(html: str) -> HTMLResponse:
    """A response that shows `html` only inside our own sandboxed frames."""
    return HTMLResponse('<base target="_blank">' + html, headers={"content-security-policy": SANDBOX_CSP,
                                       "x-frame-options": "SAMEORIGIN", "cache-control": "no-store"})
