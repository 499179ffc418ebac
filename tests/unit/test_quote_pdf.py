"""The quote PDF: what a client reads in it, on as many pages as the itinerary needs, whatever the text."""

import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pypdf

from coachway.charters.quote_pdf import build, local_moment, money, text

EASTERN = ZoneInfo("America/New_York")


def view(*, stops: int = 3, **changes) -> dict:
    """A client's quote view as charters.service.delivery builds it."""
    start = datetime(2030, 5, 1, 7, 30, tzinfo=EASTERN)
    return {
        "charter_id": 7, "quote_number": "Q-7-R2", "status": "quote", "revision_number": 2,
        "trip_type": "round_trip", "event_type": "wedding", "passenger_count": 48, "luggage_pieces": 20,
        "trip_date": date(2030, 5, 1), "pickup_time": time(7, 30), "start_local": start, "end_local": None,
        "notes": "Banner at the front.",
        "client": {"id": 3, "name": "Peachtree Rotary Club", "email": "events@rotary.example"},
        "hub": {"id": 1, "code": "ATL", "name": "Atlanta", "timezone": "America/New_York"},
        "agent": {"name": "Sam Rivera", "email": "sam@coachway.example", "phone": "(404) 555-0142"},
        "company": {"name": "CoachWay Charters", "address": "100 Peachtree St NW, Atlanta, GA",
                    "phone": "(404) 555-0100", "email": "quotes@coachway.example"},
        "stops": [{"sequence": i, "stop_type": "stop", "location_name": f"Stop number {i}",
                   "address": f"{i} Main St, Macon, GA", "dwell_minutes": 15, "notes": None,
                   "scheduled_time": None, "arrival": start + timedelta(minutes=40 * i),
                   "departure": start + timedelta(minutes=40 * i + 15)} for i in range(1, stops + 1)],
        "vehicles": [{"vehicle_type_id": 1, "code": "motorcoach", "name": "Motorcoach", "capacity": 56,
                      "quantity": 1}],
        "amenities": [{"amenity_id": 1, "name": "Wi-Fi", "category": "comfort", "pricing_type": "flat_fee",
                       "quantity": 1, "price_per_unit": Decimal("40.00"), "total_price": Decimal("40.00")}],
        "breakdown": {"lines": [
            {"kind": "vehicle", "label": "Motorcoach", "detail": "time: 8 hours x $150.00",
             "amount": "1200.00"},
            {"kind": "amenity", "label": "Wi-Fi", "detail": "$40.00", "amount": "40.00"},
            {"kind": "promo", "label": "Promo code SPRING10", "detail": "10% of $1,240.00",
             "amount": "-124.00"},
        ], "total": "1116.00", "promo_code": "SPRING10"},
        "quoted_price": Decimal("1116.00"), "deposit_amount": Decimal("279.00"),
        "balance_amount": Decimal("837.00"), "terms": "Deposit due within 7 days. No refunds after pickup.",
        "valid_days": 14, "valid_until": datetime(2030, 3, 15, 3, 0, tzinfo=UTC),
    } | changes


def read(pdf: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_shows_company_number_client_trip_price_and_terms():
    _, content = read(build(view(), issued=date(2030, 3, 1)))
    for expected in ("CoachWay Charters", "Q-7-R2", "Peachtree Rotary Club", "Wednesday, May 1, 2030",
                     "Round trip", "48", "wedding", "Motorcoach", "Wi-Fi", "$1,200.00", "-$124.00",
                     "$1,116.00", "$279.00", "$837.00", "Deposit due within 7 days", "Sam Rivera",
                     "Issued Friday, March 1, 2030"):
        assert expected in content, expected


def test_valid_until_is_the_day_at_the_hub():
    # 03:00 UTC on March 15 is still March 14 in Atlanta.
    _, content = read(build(view()))
    assert "Valid until Thursday, March 14, 2030" in content
    assert "held until Thursday, March 14, 2030" in content


def test_each_stop_is_listed_with_its_local_times():
    _, content = read(build(view(stops=3)))
    for i in (1, 2, 3):
        assert f"Stop number {i}" in content and f"{i} Main St, Macon, GA" in content
    assert "Wed May 1, 8:10 AM" in content and "Times are local to Atlanta (America/New_York)" in content


def test_a_long_itinerary_runs_over_several_pages_with_every_stop():
    pages, content = read(build(view(stops=50, terms="Terms apply. " * 400)))
    assert pages >= 3
    for i in range(1, 51):
        assert f"Stop number {i}\n" in content or f"Stop number {i} " in content, i
    assert "page 1 of" in content and f"page {pages} of {pages}" in content


def test_vendor_cost_and_margin_are_never_printed():
    data = view()
    data["breakdown"] |= {"estimated_vendor_cost": "777.77", "margin": "338.23"}
    _, content = read(build(data))
    assert "777.77" not in content and "338.23" not in content and "margin" not in content.lower()


def test_text_outside_the_fonts_reach_does_not_break_the_pdf():
    data = view(client={"id": 3, "name": "Zoë’s “Choir” — 東京 😀", "email": None}, notes="Tab\there\x00")
    _, content = read(build(data))
    assert "Zoë's \"Choir\" - ?? ?" in content


def test_an_unpriced_quote_without_stops_still_renders():
    data = view(stops=0, breakdown=None, quoted_price=None, deposit_amount=None, balance_amount=None,
                valid_until=None, terms=None, agent=None, event_type=None, notes=None)
    _, content = read(build(data))
    assert "The itinerary is still to be confirmed." in content and "quotes@coachway.example" in content


def test_helpers():
    assert money("1250.5") == "$1,250.50" and money(Decimal("-3")) == "-$3.00" and money(None) == ""
    assert text(None) == "" and text("a\u2013b") == "a-b"
    assert local_moment(datetime(2030, 5, 1, 13, 5, tzinfo=EASTERN)) == "Wed May 1, 1:05 PM"
