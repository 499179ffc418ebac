"""The shipped message templates: each renders its sample data, and seeding never overwrites edits."""

import pytest
from sqlalchemy import func, select

from coachway.notifications import rendering
from coachway.notifications.models import CATEGORIES, NotificationTemplate
from coachway.notifications.templates_seed import DEFAULTS, seed_default_templates

EMAIL_KEYS = {"quote_sent", "booking_confirmation", "payment_receipt", "payment_reminder", "follow_up",
              "password_reset", "coi_expiring", "bid_opportunity", "assignment_pending", "recovery_needed",
              "cancellation", "change_case_update", "lead_follow_up", "follow_up_reminder",
              "lead_assigned"}
CATEGORY = {"quote_sent": "quotes", "payment_reminder": "reminders", "follow_up": "followups",
            "lead_follow_up": "followups", "follow_up_reminder": "transactional",
            "lead_assigned": "transactional"}


def test_every_required_template_ships():
    assert {d.key for d in DEFAULTS if d.channel == "email"} == EMAIL_KEYS
    assert {d.key for d in DEFAULTS if d.channel == "sms"} == {"booking_confirmation", "payment_reminder",
                                                               "assignment_pending"}


@pytest.mark.parametrize("default", DEFAULTS, ids=lambda d: f"{d.key}-{d.channel}")
def test_each_template_renders_its_sample_data(default):
    assert rendering.missing_variables(subject=default.subject, body_html=default.body_html,
                                       body_text=default.body_text, context=default.sample_context) == {}
    out = rendering.render(subject=default.subject, body_html=default.body_html, body_text=default.body_text,
                           context=default.sample_context)
    assert out.text.strip() and "{{" not in out.text and "{{" not in out.html
    if default.channel == "email":
        assert out.subject and "<html>" in out.html and "style=" in out.html
    else:
        assert out.subject == "" and out.html == "" and len(out.text) <= 320


@pytest.mark.parametrize("default", DEFAULTS, ids=lambda d: f"{d.key}-{d.channel}")
def test_each_template_has_the_right_category(default):
    assert default.category == CATEGORY.get(default.key, "transactional")
    assert default.category in CATEGORIES


def test_sample_data_holds_no_unused_values():
    for d in DEFAULTS:
        used = set().union(*(rendering.variables(p, s) for p, s in
                             zip(rendering.PARTS, (d.subject, d.body_html, d.body_text), strict=True)))
        assert set(d.sample_context) == used, d.key


def test_seeding_adds_the_missing_and_leaves_edits_alone(session):
    assert seed_default_templates(session) == len(DEFAULTS)
    edited = session.scalar(select(NotificationTemplate).where(NotificationTemplate.key == "quote_sent"))
    edited.subject = "Our own subject"
    dropped = session.scalar(select(NotificationTemplate).where(NotificationTemplate.key == "follow_up"))
    session.delete(dropped)
    session.flush()
    assert seed_default_templates(session) == 1
    assert session.scalar(select(NotificationTemplate.subject)
                          .where(NotificationTemplate.key == "quote_sent")) == "Our own subject"
    assert session.scalar(select(func.count()).select_from(NotificationTemplate)) == len(DEFAULTS)
