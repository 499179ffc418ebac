"""Helpers for tests that drive pages through a TestClient: read the CSRF token, sign in by the form."""

import re

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form in a page."""
    match = _CSRF.search(html)
    assert match, "the page has no form with a csrf_token"
    return match.group(1)


def form_post(client, path: str, data: dict | None = None, *, page: str | None = None, **kw):
    """POST a form to path with the CSRF token read from page (default: path itself), not following
    redirects."""
    html = client.get(page or path).text
    return client.post(path, data={**(data or {}), "csrf_token": csrf_from(html)}, follow_redirects=False,
                       **kw)


def sign_in(client, email: str, password: str) -> None:
    """Sign in through /login; the client keeps the session cookie."""
    r = form_post(client, "/login", {"email": email, "password": password})
    assert r.status_code == 303, r.text
