"""The open pixel and click redirect: what they record, and that they never redirect anywhere else."""

from urllib.parse import quote

import pytest
from sqlalchemy import select

from coachway.core import clock
from coachway.notifications.models import EmailTracking
from coachway.notifications.templates_seed import default_for
from tests.factories_domain import seed_templates, send_notification

PAY_URL = "https://coachway.example/portal/pay/CW-10482?amount=3395.00&source=email"


@pytest.fixture
def email(clean_db):
    """A tracked payment reminder; returns its tracking row."""
    seed_templates()
    note = send_notification(template_key="payment_reminder", to="dana@example.com",
                             context=dict(default_for("payment_reminder", "email").sample_context))
    return _row(note.email_tracking_id)


def _row(tracking_id: int) -> EmailTracking:
    from coachway.core.db import transaction

    with transaction() as session:
        return session.scalar(select(EmailTracking).where(EmailTracking.id == tracking_id))


def _click(client, token: str, url: str):
    return client.get(f"/t/c/{token}?u={quote(url, safe='')}", follow_redirects=False)


def test_pixel_is_a_transparent_gif_that_is_never_cached(client, email):
    r = client.get(f"/t/o/{email.tracking_token}.gif")
    assert r.status_code == 200 and r.headers["content-type"] == "image/gif"
    assert r.content.startswith(b"GIF89a") and len(r.content) == 42
    assert "no-store" in r.headers["cache-control"]


def test_pixel_records_the_first_open_and_counts_the_others(client, email):
    client.get(f"/t/o/{email.tracking_token}.gif")
    first = _row(email.id)
    assert first.status == "opened" and first.open_count == 1 and first.opened_at is not None
    client.get(f"/t/o/{email.tracking_token}.gif")
    second = _row(email.id)
    assert second.open_count == 2 and second.opened_at == first.opened_at


def test_unknown_token_gets_the_same_gif_and_records_nothing(client, email):
    known = client.get(f"/t/o/{email.tracking_token}.gif")
    unknown = client.get("/t/o/NoSuchTokenNoSuchTokenNoSuchTok.gif")
    odd = client.get("/t/o/x.gif")
    assert unknown.status_code == odd.status_code == 200 and unknown.content == known.content == odd.content
    assert _row(email.id).open_count == 1


def test_click_on_a_link_of_the_email_redirects_and_is_recorded(client, email):
    r = _click(client, email.tracking_token, PAY_URL)
    assert r.status_code == 302 and r.headers["location"] == PAY_URL
    assert r.headers["referrer-policy"] == "no-referrer"
    row = _row(email.id)
    assert row.status == "clicked" and row.click_count == 1 and row.clicked_at is not None
    assert row.opened_at is not None  # a click means it was opened, even with images blocked


def test_open_after_a_click_keeps_the_status_clicked(client, email):
    _click(client, email.tracking_token, PAY_URL)
    client.get(f"/t/o/{email.tracking_token}.gif")
    row = _row(email.id)
    assert row.status == "clicked" and row.open_count == 1


def test_later_clicks_keep_the_first_click_time(client, email):
    start = clock.now()
    _click(client, email.tracking_token, PAY_URL)
    first = _row(email.id).clicked_at
    clock.set_clock(lambda: start.replace(year=start.year + 1))
    _click(client, email.tracking_token, PAY_URL)
    row = _row(email.id)
    assert row.click_count == 2 and row.clicked_at == first


def test_forged_target_is_refused_without_a_redirect(client, email):
    r = _click(client, email.tracking_token, "https://evil.example/phish")
    assert r.status_code == 404 and "location" not in r.headers
    assert _row(email.id).click_count == 0


def test_target_that_only_starts_like_a_real_link_is_refused(client, email):
    r = _click(client, email.tracking_token, PAY_URL + "&next=https://evil.example")
    assert r.status_code == 404 and "location" not in r.headers


def test_missing_target_is_refused(client, email):
    r = client.get(f"/t/c/{email.tracking_token}", follow_redirects=False)
    assert r.status_code == 404 and "location" not in r.headers


def test_unknown_token_is_404_for_a_click(client, email):
    r = _click(client, "NoSuchTokenNoSuchTokenNoSuchTok", PAY_URL)
    assert r.status_code == 404 and "location" not in r.headers


def test_token_of_another_email_does_not_unlock_this_emails_links(client, email):
    other = send_notification(template_key="follow_up", to="x@example.com",
                              context=dict(default_for("follow_up", "email").sample_context))
    r = _click(client, _row(other.email_tracking_id).tracking_token, PAY_URL)
    assert r.status_code == 404


def test_refused_click_is_a_friendly_page_for_people(client, email):
    r = _click(client, email.tracking_token, "https://evil.example/")
    assert r.headers["content-type"].startswith("text/html") and "Page not found" in r.text
