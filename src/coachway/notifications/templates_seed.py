"""The message templates CoachWay ships with, and putting the missing ones into the database.

The database holds what admins edit; these are the defaults. `seed_default_templates` adds only the ones
that are not there yet, so an admin's edits are never overwritten. Until a template is in the database
(a fresh test database, say), sending uses the default here.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachway.notifications.models import NotificationTemplate

# Templates the application cannot do without (a password reset must always be mailable): they can be
# edited but not turned off.
REQUIRED = frozenset({("password_reset", "email")})

_FONT = "font-family:Helvetica,Arial,sans-serif"
_UNSUBSCRIBE = ("You receive these emails as a CoachWay client. To stop them, change your email preferences "
                "in the client portal or reply to this email.")
_SERVICE = "This is a service message about your account or trip with CoachWay."


@dataclass(frozen=True)
class TemplateDefault:
    """One shipped template."""

    key: str
    channel: str
    name: str
    description: str
    category: str
    subject: str
    body_text: str
    body_html: str = ""
    sample_context: dict[str, Any] = field(default_factory=dict)


def _button(href_var: str, label: str) -> str:
    style = ("background:#1d4ed8;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;"
             "font-weight:bold;display:inline-block")
    return f'<p style="margin:24px 0"><a href="{{{{ {href_var} }}}}" style="{style}">{label}</a></p>'


def _facts(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f'<tr><td style="padding:4px 12px 4px 0;color:#555555;white-space:nowrap">{label}</td>'
                    f'<td style="padding:4px 0;color:#111111"><strong>{value}</strong></td></tr>'
                    for label, value in rows)
    return f'<table role="presentation" style="border-collapse:collapse;margin:16px 0">{cells}</table>'


def _layout(heading: str, body: str, footer: str = _SERVICE) -> str:
    """A simple, inline-styled email that mail programs show well."""
    return (
        "<!doctype html>\n<html><body style=\"margin:0;padding:0;background:#f3f4f6\">\n"
        f'<div style="max-width:600px;margin:0 auto;padding:24px;{_FONT};font-size:16px;line-height:1.5;'
        'color:#111111">\n'
        '<p style="margin:0 0 16px;font-size:20px;font-weight:bold;color:#1d4ed8">CoachWay</p>\n'
        f'<div style="background:#ffffff;border-radius:8px;padding:24px">\n<h1 style="margin:0 0 16px;'
        f'font-size:22px">{heading}</h1>\n{body}\n</div>\n'
        f'<p style="margin:16px 0 0;font-size:13px;color:#6b7280">{footer}</p>\n'
        "</div>\n</body></html>\n"
    )


TRIP = {"charter_number": "CW-10482", "trip_name": "Spring choir tour to Savannah",
        "trip_date": "Saturday, May 17, 2025", "pickup_time": "7:30 AM",
        "pickup_location": "First Baptist Church, 101 Main St, Macon, GA",
        "destination": "Savannah Civic Center, Savannah, GA", "passenger_count": 48,
        "vehicle_type": "56-passenger motorcoach"}


def _trip_without(*keys: str) -> dict[str, Any]:
    return {k: v for k, v in TRIP.items() if k not in keys}


DEFAULTS: list[TemplateDefault] = [
    TemplateDefault(
        key="quote_sent", channel="email", category="quotes", name="Quote sent",
        description="The client's quote, with the price and a link to accept it.",
        subject="Your CoachWay quote {{ quote_number }} for {{ trip_date }}",
        body_text=(
            "Hello {{ client_name }},\n\n"
            "Thank you for asking CoachWay about your trip. Here is your quote {{ quote_number }}:\n\n"
            "  Trip:        {{ trip_name }}\n  Date:        {{ trip_date }}\n"
            "  From:        {{ pickup_location }}\n  To:          {{ destination }}\n"
            "  Passengers:  {{ passenger_count }}\n  Vehicle:     {{ vehicle_type }}\n"
            "  Total:       {{ total_price | money }}\n\n"
            "The price is held until {{ quote_valid_until }}. Review and accept the quote here:\n"
            "{{ quote_url }}\n\n"
            "Questions, or plans have changed? Reply to this email or call me at {{ agent_phone }}.\n\n"
            "{{ agent_name }}\nCoachWay Charters\n\n" + _UNSUBSCRIBE + "\n"),
        body_html=_layout(
            "Your quote {{ quote_number }}",
            "<p>Hello {{ client_name }},</p>\n<p>Thank you for asking CoachWay about your trip. "
            "Here is your quote:</p>\n"
            + _facts([("Trip", "{{ trip_name }}"), ("Date", "{{ trip_date }}"),
                      ("From", "{{ pickup_location }}"), ("To", "{{ destination }}"),
                      ("Passengers", "{{ passenger_count }}"), ("Vehicle", "{{ vehicle_type }}"),
                      ("Total", "{{ total_price | money }}")])
            + "\n<p>The price is held until <strong>{{ quote_valid_until }}</strong>.</p>\n"
            + _button("quote_url", "Review and accept the quote")
            + "\n<p>Questions, or plans have changed? Reply to this email or call me at "
            "{{ agent_phone }}.</p>\n<p>{{ agent_name }}<br>CoachWay Charters<br>"
            '<a href="mailto:{{ agent_email }}">{{ agent_email }}</a></p>',
            _UNSUBSCRIBE),
        sample_context={**_trip_without("charter_number", "pickup_time"), "client_name": "Dana Whitfield",
                        "quote_number": "Q-2025-0412",
                        "total_price": "4850.00", "quote_valid_until": "April 30, 2025",
                        "quote_url": "https://coachway.example/portal/quotes/Q-2025-0412?ref=email&lang=en",
                        "agent_name": "Sam Rivera", "agent_email": "sam.rivera@coachway.example",
                        "agent_phone": "(478) 555-0142"}),
    TemplateDefault(
        key="booking_confirmation", channel="email", category="transactional", name="Booking confirmation",
        description="Sent when a charter is booked: the trip, the price and what is still due.",
        subject="Booking confirmed: {{ trip_name }} on {{ trip_date }} ({{ charter_number }})",
        body_text=(
            "Hello {{ client_name }},\n\n"
            "Your charter is booked. Thank you for choosing CoachWay.\n\n"
            "  Booking:     {{ charter_number }}\n  Trip:        {{ trip_name }}\n"
            "  Date:        {{ trip_date }}, pickup at {{ pickup_time }}\n"
            "  From:        {{ pickup_location }}\n  To:          {{ destination }}\n"
            "  Passengers:  {{ passenger_count }}\n  Vehicle:     {{ vehicle_type }}\n\n"
            "  Total:       {{ total_price | money }}\n  Paid:        {{ deposit_paid | money }}\n"
            "  Balance:     {{ balance_due | money }}, due {{ balance_due_date }}\n\n"
            "Your driver's name and phone number follow two days before the trip. See your booking, "
            "documents and payments at any time:\n{{ portal_url }}\n\nSafe travels,\nCoachWay Charters\n"),
        body_html=_layout(
            "Your charter is booked",
            "<p>Hello {{ client_name }},</p>\n<p>Thank you for choosing CoachWay. Here are the details of "
            "your booking:</p>\n"
            + _facts([("Booking", "{{ charter_number }}"), ("Trip", "{{ trip_name }}"),
                      ("Date", "{{ trip_date }}, pickup at {{ pickup_time }}"),
                      ("From", "{{ pickup_location }}"), ("To", "{{ destination }}"),
                      ("Passengers", "{{ passenger_count }}"), ("Vehicle", "{{ vehicle_type }}"),
                      ("Total", "{{ total_price | money }}"), ("Paid", "{{ deposit_paid | money }}"),
                      ("Balance", "{{ balance_due | money }}, due {{ balance_due_date }}")])
            + "\n<p>Your driver's name and phone number follow two days before the trip.</p>\n"
            + _button("portal_url", "See your booking")
            + "\n<p>Safe travels,<br>CoachWay Charters</p>"),
        sample_context={**TRIP, "client_name": "Dana Whitfield", "total_price": "4850.00",
                        "deposit_paid": "1455.00", "balance_due": "3395.00",
                        "balance_due_date": "May 3, 2025",
                        "portal_url": "https://coachway.example/portal/charters/CW-10482"}),
    TemplateDefault(
        key="payment_receipt", channel="email", category="transactional", name="Payment receipt",
        description="Confirms a payment received, with what is left to pay.",
        subject="Receipt {{ receipt_number }}: {{ amount | money }} received for {{ charter_number }}",
        body_text=(
            "Hello {{ client_name }},\n\nWe received your payment. Thank you.\n\n"
            "  Receipt:     {{ receipt_number }}\n  Booking:     {{ charter_number }}\n"
            "  Amount:      {{ amount | money }}\n  Paid by:     {{ payment_method }}\n"
            "  Date:        {{ paid_at }}\n\n"
            "{% if balance_remaining | float > 0 %}Still to pay: {{ balance_remaining | money }}.\n"
            "{% else %}Your booking is paid in full.\n{% endif %}\n"
            "Download this receipt: {{ receipt_url }}\n\nCoachWay Charters\n"),
        body_html=_layout(
            "Payment received",
            "<p>Hello {{ client_name }},</p>\n<p>We received your payment. Thank you.</p>\n"
            + _facts([("Receipt", "{{ receipt_number }}"), ("Booking", "{{ charter_number }}"),
                      ("Amount", "{{ amount | money }}"), ("Paid by", "{{ payment_method }}"),
                      ("Date", "{{ paid_at }}")])
            + "\n<p>{% if balance_remaining | float > 0 %}Still to pay: <strong>"
            "{{ balance_remaining | money }}</strong>.{% else %}Your booking is paid in full.{% endif %}"
            "</p>\n"
            + _button("receipt_url", "Download the receipt") + "\n<p>CoachWay Charters</p>"),
        sample_context={"client_name": "Dana Whitfield", "charter_number": "CW-10482",
                        "receipt_number": "R-2025-00871", "amount": "1455.00",
                        "payment_method": "Visa ending 4242", "paid_at": "April 12, 2025",
                        "balance_remaining": "3395.00",
                        "receipt_url": "https://coachway.example/portal/receipts/R-2025-00871"}),
    TemplateDefault(
        key="payment_reminder", channel="email", category="reminders", name="Payment reminder",
        description="Reminds a client of a payment coming due.",
        subject="Reminder: {{ amount_due | money }} due {{ due_date }} for {{ charter_number }}",
        body_text=(
            "Hello {{ client_name }},\n\n"
            "A friendly reminder: {{ amount_due | money }} for your trip on {{ trip_date }} "
            "(booking {{ charter_number }}) is due on {{ due_date }}.\n\n"
            "Pay securely online:\n{{ pay_url }}\n\n"
            "Already paid? Thank you, and please ignore this reminder.\n\nCoachWay Charters\n\n"
            + _UNSUBSCRIBE + "\n"),
        body_html=_layout(
            "A payment is coming due",
            "<p>Hello {{ client_name }},</p>\n<p>A friendly reminder: <strong>{{ amount_due | money }}"
            "</strong> for your trip on {{ trip_date }} (booking {{ charter_number }}) is due on "
            "<strong>{{ due_date }}</strong>.</p>\n" + _button("pay_url", "Pay online")
            + "\n<p>Already paid? Thank you, and please ignore this reminder.</p>\n<p>CoachWay Charters</p>",
            _UNSUBSCRIBE),
        sample_context={"client_name": "Dana Whitfield", "charter_number": "CW-10482",
                        "trip_date": "Saturday, May 17, 2025", "amount_due": "3395.00",
                        "due_date": "May 3, 2025",
                        "pay_url": "https://coachway.example/portal/pay/CW-10482?amount=3395.00&source=email"}),
    TemplateDefault(
        key="follow_up", channel="email", category="followups", name="Quote follow-up",
        description="A sales agent's follow-up on a quote the client has not answered yet.",
        subject="Any questions about your trip on {{ trip_date }}?",
        body_text=(
            "Hello {{ client_name }},\n\n"
            "I wanted to check in on quote {{ quote_number }} for your trip on {{ trip_date }}. "
            "Coaches for popular dates book up early, so if the plan still stands I would be glad to "
            "hold one for you.\n\nYou can review and accept the quote here:\n{{ quote_url }}\n\n"
            "If anything has changed (the date, the group size, the route), just reply and I will "
            "update the quote.\n\nBest regards,\n{{ agent_name }}\nCoachWay Charters\n{{ agent_phone }}\n\n"
            + _UNSUBSCRIBE + "\n"),
        body_html=_layout(
            "Checking in on your trip",
            "<p>Hello {{ client_name }},</p>\n<p>I wanted to check in on quote {{ quote_number }} for your "
            "trip on {{ trip_date }}. Coaches for popular dates book up early, so if the plan still stands "
            "I would be glad to hold one for you.</p>\n" + _button("quote_url", "Review the quote")
            + "\n<p>If anything has changed (the date, the group size, the route), just reply and I will "
            "update the quote.</p>\n<p>Best regards,<br>{{ agent_name }}<br>CoachWay Charters<br>"
            "{{ agent_phone }}</p>", _UNSUBSCRIBE),
        sample_context={"client_name": "Dana Whitfield", "quote_number": "Q-2025-0412",
                        "trip_date": "Saturday, May 17, 2025", "agent_name": "Sam Rivera",
                        "agent_phone": "(478) 555-0142",
                        "quote_url": "https://coachway.example/portal/quotes/Q-2025-0412"}),
    TemplateDefault(
        key="lead_follow_up", channel="email", category="followups", name="Lead follow-up",
        description="A sales agent's follow-up to someone who asked about a trip and has no quote yet.",
        subject="{{ subject }}",
        body_text=(
            "Hello {{ first_name }},\n\n{{ message }}\n\n"
            "{% if trip %}Your trip: {{ trip }}\n\n{% endif %}"
            "Best regards,\n{{ agent_name }}\n{{ company_name }}\n{{ agent_email }}\n\n"
            + _UNSUBSCRIBE + "\n"),
        body_html=_layout(
            "About your trip",
            "<p>Hello {{ first_name }},</p>\n<p style=\"white-space:pre-line\">{{ message }}</p>\n"
            "{% if trip %}<p><strong>Your trip:</strong> {{ trip }}</p>\n{% endif %}"
            "<p>Best regards,<br>{{ agent_name }}<br>{{ company_name }}<br>{{ agent_email }}</p>",
            _UNSUBSCRIBE),
        sample_context={"first_name": "Dana", "subject": "Your trip to Savannah",
                        "message": "Thanks for asking about a coach for your group. Could we talk tomorrow?",
                        "trip": "Atlanta, GA to Savannah, GA on Saturday, May 17, 2025, 48 passengers",
                        "agent_name": "Sam Rivera", "agent_email": "sam@coachway.example",
                        "company_name": "CoachWay Charters"}),
    TemplateDefault(
        key="lead_assigned", channel="email", category="transactional", name="New lead (to agent)",
        description="To the sales agent a lead was just routed or handed to, so it is answered quickly.",
        subject="New lead: {{ lead_name }}{% if company %} ({{ company }}){% endif %}",
        body_text=(
            "Hello {{ agent_name }},\n\nA new lead is yours ({{ how }}):\n\n"
            "{{ lead_name }}{% if company %}, {{ company }}{% endif %}\n"
            "{{ email }}{% if phone %}, {{ phone }}{% endif %}\n"
            "{% if trip %}Trip: {{ trip }}\n{% endif %}"
            "{% if estimate %}Estimate: ${{ estimate }}\n{% endif %}"
            "\nOpen it: {{ lead_url }}\n"),
        body_html=_layout(
            "A new lead is yours",
            "<p>Hello {{ agent_name }},</p>\n<p>A new lead is yours ({{ how }}):</p>\n"
            "<p><strong>{{ lead_name }}</strong>{% if company %}, {{ company }}{% endif %}<br>{{ email }}"
            "{% if phone %}, {{ phone }}{% endif %}</p>\n{% if trip %}<p>Trip: {{ trip }}</p>\n{% endif %}"
            "{% if estimate %}<p>Estimate: ${{ estimate }}</p>\n{% endif %}"
            + _button("lead_url", "Open the lead")),
        sample_context={"agent_name": "Sam Rivera", "how": "round robin", "lead_name": "Dana Whitfield",
                        "company": "Northside Choir", "email": "dana@example.org", "phone": "(404) 555-0134",
                        "trip": "Atlanta, GA to Savannah, GA on Saturday, May 17, 2025, 48 passengers",
                        "estimate": "4,300.00", "lead_url": "https://coachway.example/admin/leads/12"}),
    TemplateDefault(
        key="follow_up_reminder", channel="email", category="transactional", name="Follow-ups due (to agent)",
        description="Each morning, to every sales agent with leads to follow up today or overdue.",
        subject="{{ due_count }} follow-up{{ '' if due_count == 1 else 's' }} due today",
        body_text=(
            "Good morning {{ agent_name }},\n\n"
            "{% if overdue %}Overdue:\n{% for lead in overdue %}- {{ lead.name }} ({{ lead.when }}): "
            "{{ lead.url }}\n{% endfor %}\n{% endif %}"
            "{% if today %}Due today:\n{% for lead in today %}- {{ lead.name }} ({{ lead.when }}): "
            "{{ lead.url }}\n{% endfor %}\n{% endif %}"
            "All your follow-ups: {{ list_url }}\n"),
        body_html=_layout(
            "Follow-ups due",
            "<p>Good morning {{ agent_name }},</p>\n"
            "{% if overdue %}<p><strong>Overdue</strong></p><ul>{% for lead in overdue %}"
            "<li><a href=\"{{ lead.url }}\">{{ lead.name }}</a> ({{ lead.when }})</li>"
            "{% endfor %}</ul>{% endif %}"
            "{% if today %}<p><strong>Due today</strong></p><ul>{% for lead in today %}"
            "<li><a href=\"{{ lead.url }}\">{{ lead.name }}</a> ({{ lead.when }})</li>"
            "{% endfor %}</ul>{% endif %}"
            + _button("list_url", "Open my follow-ups")),
        sample_context={"agent_name": "Sam Rivera", "due_count": 2,
                        "overdue": [{"name": "Dana Whitfield", "when": "Dec 3",
                                     "url": "https://coachway.example/admin/leads/12"}],
                        "today": [{"name": "Lee Park", "when": "10:00",
                                   "url": "https://coachway.example/admin/leads/15"}],
                        "list_url": "https://coachway.example/admin/leads?follow_up=due"}),
    TemplateDefault(
        key="password_reset", channel="email", category="transactional", name="Password reset",
        description="The single-use link to choose a new password. Cannot be turned off.",
        subject="Reset your CoachWay password",
        body_text=(
            "Hello {{ user_name }},\n\nSomeone asked to reset your CoachWay password. "
            "Use this link within {{ expires_minutes }} minutes:\n\n{{ reset_url }}\n\n"
            "If it was not you, ignore this email; your password stays as it is.\n"),
        body_html=_layout(
            "Reset your password",
            "<p>Hello {{ user_name }},</p>\n<p>Someone asked to reset your CoachWay password. Use the "
            "button below within {{ expires_minutes }} minutes.</p>\n"
            + _button("reset_url", "Choose a new password")
            + "\n<p>If it was not you, ignore this email; your password stays as it is.</p>"),
        sample_context={"user_name": "Sam Rivera", "expires_minutes": 30,
                        "reset_url": "https://coachway.example/reset-password?token=sample-token"}),
    TemplateDefault(
        key="coi_expiring", channel="email", category="transactional", name="Insurance certificate expiring",
        description="Tells a vendor its certificate of insurance runs out soon.",
        subject="Your {{ policy_type }} certificate expires on {{ expires_on }}",
        body_text=(
            "Hello {{ vendor_name }},\n\n"
            "The {{ policy_type }} certificate of insurance we hold for you expires on {{ expires_on }} "
            "(in {{ days_left }} days). Without a current certificate we cannot offer you new trips.\n\n"
            "Please upload the renewed certificate here:\n{{ upload_url }}\n\n"
            "Thank you,\nCoachWay Vendor Relations\n"),
        body_html=_layout(
            "Your insurance certificate expires soon",
            "<p>Hello {{ vendor_name }},</p>\n<p>The <strong>{{ policy_type }}</strong> certificate of "
            "insurance we hold for you expires on <strong>{{ expires_on }}</strong> (in {{ days_left }} "
            "days). Without a current certificate we cannot offer you new trips.</p>\n"
            + _button("upload_url", "Upload the renewed certificate")
            + "\n<p>Thank you,<br>CoachWay Vendor Relations</p>"),
        sample_context={"vendor_name": "Peach State Coach Lines", "policy_type": "auto liability",
                        "expires_on": "June 1, 2025", "days_left": 30,
                        "upload_url": "https://coachway.example/vendor/documents"}),
    TemplateDefault(
        key="bid_opportunity", channel="email", category="transactional", name="Bid opportunity",
        description="Invites a vendor to bid on a trip.",
        subject=("New trip to bid on: {{ trip_date }}, {{ passenger_count }} passengers "
                 "({{ charter_number }})"),
        body_text=(
            "Hello {{ vendor_name }},\n\nA new trip is open for bids:\n\n"
            "  Trip:        {{ charter_number }}\n  Date:        {{ trip_date }}\n"
            "  From:        {{ pickup_location }}\n  To:          {{ destination }}\n"
            "  Passengers:  {{ passenger_count }}\n  Vehicle:     {{ vehicle_type }}\n\n"
            "Bids close {{ bid_deadline }}. Place your bid here:\n{{ bid_url }}\n\n"
            "Thank you,\nCoachWay Dispatch\n"),
        body_html=_layout(
            "A new trip is open for bids",
            "<p>Hello {{ vendor_name }},</p>\n"
            + _facts([("Trip", "{{ charter_number }}"), ("Date", "{{ trip_date }}"),
                      ("From", "{{ pickup_location }}"), ("To", "{{ destination }}"),
                      ("Passengers", "{{ passenger_count }}"), ("Vehicle", "{{ vehicle_type }}")])
            + "\n<p>Bids close <strong>{{ bid_deadline }}</strong>.</p>\n"
            + _button("bid_url", "Place your bid") + "\n<p>Thank you,<br>CoachWay Dispatch</p>"),
        sample_context={**_trip_without("trip_name", "pickup_time"), "vendor_name": "Peach State Coach Lines",
                        "bid_deadline": "April 20, 2025 at 5:00 PM",
                        "bid_url": "https://coachway.example/vendor/bids/CW-10482"}),
    TemplateDefault(
        key="assignment_pending", channel="email", category="transactional", name="Assignment to confirm",
        description="Asks a vendor or driver to accept a trip assigned to them.",
        subject="Please confirm trip {{ charter_number }} on {{ trip_date }}",
        body_text=(
            "Hello {{ recipient_name }},\n\nYou have been assigned a trip. Please accept or decline it by "
            "{{ respond_by }}.\n\n"
            "  Trip:        {{ charter_number }}\n"
            "  Date:        {{ trip_date }}, pickup at {{ pickup_time }}\n"
            "  From:        {{ pickup_location }}\n  To:          {{ destination }}\n\n"
            "Respond here:\n{{ assignment_url }}\n\nThank you,\nCoachWay Dispatch\n"),
        body_html=_layout(
            "A trip is waiting for your answer",
            "<p>Hello {{ recipient_name }},</p>\n<p>You have been assigned a trip. Please accept or decline "
            "it by <strong>{{ respond_by }}</strong>.</p>\n"
            + _facts([("Trip", "{{ charter_number }}"),
                      ("Date", "{{ trip_date }}, pickup at {{ pickup_time }}"),
                      ("From", "{{ pickup_location }}"), ("To", "{{ destination }}")])
            + _button("assignment_url", "Accept or decline") + "\n<p>Thank you,<br>CoachWay Dispatch</p>"),
        sample_context={**_trip_without("passenger_count", "trip_name", "vehicle_type"),
                        "recipient_name": "Peach State Coach Lines",
                        "respond_by": "April 14, 2025 at noon",
                        "assignment_url": "https://coachway.example/vendor/assignments/CW-10482"}),
    TemplateDefault(
        key="recovery_needed", channel="email", category="transactional", name="Recovery needed",
        description="Alerts staff that a booked trip has lost its coach or driver and needs recovery.",
        subject="Recovery needed: {{ charter_number }} on {{ trip_date }}",
        body_text=(
            "Hello {{ recipient_name }},\n\nTrip {{ charter_number }} for {{ client_name }} on "
            "{{ trip_date }} needs a recovery:\n\n{{ reason }}\n\n"
            "Find a replacement coach or driver and let the client know. Open the charter:\n"
            "{{ charter_url }}\n\nCoachWay\n"),
        body_html=_layout(
            "A trip needs recovery",
            "<p>Hello {{ recipient_name }},</p>\n<p>Trip <strong>{{ charter_number }}</strong> for "
            "{{ client_name }} on <strong>{{ trip_date }}</strong> needs a recovery:</p>\n"
            '<p style="padding:12px;background:#fef3c7;border-radius:6px">{{ reason }}</p>\n'
            "<p>Find a replacement coach or driver and let the client know.</p>\n"
            + _button("charter_url", "Open the charter")),
        sample_context={"recipient_name": "Morgan Lee", "charter_number": "CW-10482",
                        "client_name": "Macon Community Choir", "trip_date": "Saturday, May 17, 2025",
                        "reason": "The vendor cancelled the assignment: their coach failed inspection.",
                        "charter_url": "https://coachway.example/admin/charters/10482"}),
    TemplateDefault(
        key="cancellation", channel="email", category="transactional", name="Cancellation",
        description="Confirms a cancelled charter, with the fee and refund.",
        subject="Your booking {{ charter_number }} is cancelled",
        body_text=(
            "Hello {{ client_name }},\n\nAs requested, your charter {{ charter_number }} "
            "({{ trip_name }}, {{ trip_date }}) is cancelled.\n\n"
            "  Cancellation fee:  {{ cancellation_fee | money }}\n"
            "  Refund:            {{ refund_amount | money }}\n\n"
            "{% if refund_amount | float > 0 %}The refund goes back to your original payment method within "
            "5 to 10 business days.\n{% endif %}"
            "Your booking history stays in the client portal:\n{{ portal_url }}\n\n"
            "We hope to drive you another time.\nCoachWay Charters\n"),
        body_html=_layout(
            "Your booking is cancelled",
            "<p>Hello {{ client_name }},</p>\n<p>As requested, your charter {{ charter_number }} "
            "({{ trip_name }}, {{ trip_date }}) is cancelled.</p>\n"
            + _facts([("Cancellation fee", "{{ cancellation_fee | money }}"),
                      ("Refund", "{{ refund_amount | money }}")])
            + "\n{% if refund_amount | float > 0 %}<p>The refund goes back to your original payment method "
            "within 5 to 10 business days.</p>{% endif %}\n" + _button("portal_url", "See your bookings")
            + "\n<p>We hope to drive you another time.<br>CoachWay Charters</p>"),
        sample_context={"client_name": "Dana Whitfield", "charter_number": "CW-10482",
                        "trip_name": "Spring choir tour to Savannah", "trip_date": "Saturday, May 17, 2025",
                        "cancellation_fee": "485.00", "refund_amount": "970.00",
                        "portal_url": "https://coachway.example/portal/charters"}),
    TemplateDefault(
        key="change_case_update", channel="email", category="transactional", name="Change request update",
        description="Tells the client where their requested trip change stands.",
        subject="Your change request {{ case_number }} is {{ case_status }}",
        body_text=(
            "Hello {{ client_name }},\n\nThere is news about your change request {{ case_number }} for "
            "booking {{ charter_number }}.\n\n"
            "  Status:   {{ case_status }}\n  Change:   {{ change_summary }}\n"
            "{% if price_difference %}  Price:    {{ price_difference }}\n{% endif %}\n"
            "See the details and respond here:\n{{ case_url }}\n\nCoachWay Charters\n"),
        body_html=_layout(
            "Your change request is {{ case_status }}",
            "<p>Hello {{ client_name }},</p>\n<p>There is news about your change request {{ case_number }} "
            "for booking {{ charter_number }}.</p>\n"
            + _facts([("Status", "{{ case_status }}"), ("Change", "{{ change_summary }}")])
            + "{% if price_difference %}<p>Price: <strong>{{ price_difference }}</strong></p>{% endif %}\n"
            + _button("case_url", "See the details") + "\n<p>CoachWay Charters</p>"),
        sample_context={"client_name": "Dana Whitfield", "case_number": "CH-0057",
                        "charter_number": "CW-10482",
                        "case_status": "approved",
                        "change_summary": "Pickup moved from 7:30 AM to 8:00 AM; two passengers added.",
                        "price_difference": "+$120.00",
                        "case_url": "https://coachway.example/portal/changes/CH-0057"}),
    # Text messages: short, and each names the company since texts have no sender name.
    TemplateDefault(
        key="booking_confirmation", channel="sms", category="transactional",
        name="Booking confirmation (SMS)",
        description="A short text confirming a booking.",
        subject="",
        body_text=("CoachWay: booking {{ charter_number }} is confirmed for {{ trip_date }}, pickup "
                   "{{ pickup_time }} at {{ pickup_location }}. Reply STOP to opt out."),
        sample_context=_trip_without("trip_name", "destination", "passenger_count", "vehicle_type")),
    TemplateDefault(
        key="payment_reminder", channel="sms", category="reminders", name="Payment reminder (SMS)",
        description="A short text reminding a client of a payment due.",
        subject="",
        body_text=("CoachWay: {{ amount_due | money }} for booking {{ charter_number }} is due "
                   "{{ due_date }}. Pay online: {{ pay_url }} Reply STOP to opt out."),
        sample_context={"charter_number": "CW-10482", "amount_due": "3395.00", "due_date": "May 3",
                        "pay_url": "https://coachway.example/portal/pay/CW-10482"}),
    TemplateDefault(
        key="assignment_pending", channel="sms", category="transactional", name="Assignment to confirm (SMS)",
        description="A short text asking a vendor or driver to accept a trip.",
        subject="",
        body_text=("CoachWay: please accept or decline trip {{ charter_number }} on {{ trip_date }} "
                   "({{ pickup_time }} pickup) by {{ respond_by }}: {{ assignment_url }}"),
        sample_context={"charter_number": "CW-10482", "trip_date": "May 17", "pickup_time": "7:30 AM",
                        "respond_by": "Apr 14 noon",
                        "assignment_url": "https://coachway.example/vendor/assignments/CW-10482"}),
]

_BY_KEY = {(d.key, d.channel): d for d in DEFAULTS}


def default_for(key: str, channel: str) -> TemplateDefault | None:
    """The shipped template for key on channel, if there is one."""
    return _BY_KEY.get((key, channel))


def as_row(default: TemplateDefault) -> NotificationTemplate:
    """A new database row holding a shipped template."""
    return NotificationTemplate(key=default.key, channel=default.channel, name=default.name,
                                description=default.description, category=default.category,
                                subject=default.subject, body_html=default.body_html,
                                body_text=default.body_text, sample_context=dict(default.sample_context),
                                is_active=True)


def seed_default_templates(session: Session) -> int:
    """Add the shipped templates that are missing (edited ones are left alone); returns how many."""
    present = set(session.execute(select(NotificationTemplate.key, NotificationTemplate.channel)).tuples())
    missing = [d for d in DEFAULTS if (d.key, d.channel) not in present]
    session.add_all(as_row(d) for d in missing)
    session.flush()
    return len(missing)
