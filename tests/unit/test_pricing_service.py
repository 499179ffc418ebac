"""Pricing rules in the service: promo code checks and use counting, modifier validation, which rate a trip
gets, and gathering a trip's inputs."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.errors import Conflict, Forbidden, Invalid
from coachway.core.permissions import SYSTEM, Actor
from coachway.pricing import service
from tests.factories_domain import make_charter, make_hub, make_vehicle_type
from tests.factories_pricing import make_amenity, make_modifier, make_promo, make_rate, priced_setup

TODAY = date(2026, 3, 2)
AGENT = Actor(user_id=None, role="sales_agent", permissions=frozenset({"pricing:read", "pricing:quote"}))


@pytest.fixture(autouse=True)
def fixed_today():
    clock.set_clock(lambda: datetime(2026, 3, 2, 15, 0, tzinfo=UTC))


def check(code, **kw):
    kw.setdefault("on", TODAY)
    with transaction() as session:
        return service.check_promo(session, code, **kw)


def modifier(**fields):
    fields.setdefault("name", "Rule")
    fields.setdefault("adjustment_type", "percentage")
    fields.setdefault("adjustment_value", Decimal(10))
    with transaction() as session:
        return service.create_modifier(session, SYSTEM, **fields)


def field_of(exc) -> str:
    return exc.value.errors[0]["field"]


# ---------------------------------------------------------------- promo checks

def test_a_good_code_is_valid_in_any_case_and_gives_its_percentage_rounded_half_up():
    make_promo(code="SPRING10", discount_value="10")
    result = check(" spring10 ", amount=Decimal("100.05"))
    assert result.valid and result.reason is None and result.code == "SPRING10"
    assert result.discount_amount == Decimal("10.01")  # 10.005 rounds half up
    assert result.promo.code == "SPRING10"


def test_a_fixed_discount_is_never_more_than_the_amount():
    make_promo(code="TAKE50", discount_type="fixed_amount", discount_value="50")
    assert check("TAKE50", amount=Decimal("30.00")).discount_amount == Decimal("30.00")
    assert check("TAKE50", amount=Decimal("80.00")).discount_amount == Decimal("50.00")


def test_an_unknown_code_says_so():
    result = check("NOPE")
    assert not result.valid and result.reason == "There is no promo code NOPE." and result.promo is None


def test_an_inactive_code_says_so():
    promo = make_promo(code="OLD10")
    with transaction() as session:
        service.deactivate_promo_code(session, SYSTEM, promo.id)
    assert check("OLD10").reason == "Promo code OLD10 is no longer active."


def test_a_code_before_its_first_day_is_not_yet_valid():
    make_promo(code="LATER", valid_from=date(2026, 4, 1))
    result = check("LATER")
    assert not result.valid and result.reason == "Promo code LATER is not valid until 2026-04-01."


def test_a_code_after_its_last_day_has_expired():
    make_promo(code="GONE", valid_until=date(2026, 2, 28))
    assert check("GONE").reason == "Promo code GONE expired on 2026-02-28."


def test_the_validity_days_are_inclusive():
    make_promo(code="EDGES", valid_from=date(2026, 3, 2), valid_until=date(2026, 3, 2))
    assert check("EDGES").valid


def test_a_used_up_code_says_so():
    promo = make_promo(code="ONCE", max_uses=1)
    charter = make_charter()
    with transaction() as session:
        service.redeem_promo(session, SYSTEM, promo.id, charter_id=charter.id, client_id=charter.client_id,
                             discount_amount=Decimal(5))
    assert check("ONCE").reason == "Promo code ONCE has been used up."


def test_a_code_below_its_minimum_names_the_minimum():
    make_promo(code="BIG", min_purchase_amount="500")
    result = check("BIG", amount=Decimal("499.99"))
    assert not result.valid and result.reason == "Promo code BIG needs a trip of at least $500.00."
    assert check("BIG", amount=Decimal("500")).valid


def test_a_code_for_other_vehicles_says_so():
    make_vehicle_type(code="sedan")
    make_vehicle_type(code="motorcoach")
    make_promo(code="COACH", applicable_vehicle_types=["motorcoach"])
    assert check("COACH", vehicle_type_codes=["sedan"]).reason == ("Promo code COACH is not for these "
                                                                   "vehicles.")
    assert check("COACH", vehicle_type_codes=["sedan", "motorcoach"]).valid


def test_a_code_for_other_trip_types_says_so():
    make_promo(code="CHURCH", applicable_trip_types=["round_trip"])
    assert check("CHURCH", trip_type="one_way").reason == "Promo code CHURCH is not for one way trips."
    assert check("CHURCH", trip_type="round_trip").valid


# ---------------------------------------------------------------- promo codes: rules and counting

def test_a_promo_code_is_stored_in_upper_case():
    assert make_promo(code="summer-25").code == "SUMMER-25"


@pytest.mark.parametrize("code", ["AB", "HAS SPACE", "x" * 51, "TEN%OFF"])
def test_a_malformed_code_is_refused(code):
    with pytest.raises(Invalid) as exc:
        make_promo(code=code)
    assert field_of(exc) == "code"


@pytest.mark.parametrize(("kind", "value"), [("percentage", "0"), ("percentage", "100.01"),
                                             ("fixed_amount", "0"), ("fixed_amount", "-5")])
def test_a_discount_out_of_range_is_refused(kind, value):
    with pytest.raises(Invalid) as exc:
        make_promo(discount_type=kind, discount_value=value)
    assert field_of(exc) == "discount_value"


def test_a_code_whose_last_day_is_before_its_first_is_refused():
    with pytest.raises(Invalid) as exc:
        make_promo(valid_from=date(2026, 5, 1), valid_until=date(2026, 4, 1))
    assert field_of(exc) == "valid_until"


def test_max_uses_cannot_drop_below_the_uses_so_far():
    promo = make_promo(max_uses=5)
    for _ in range(3):
        charter = make_charter()
        with transaction() as session:
            service.redeem_promo(session, SYSTEM, promo.code, charter_id=charter.id, client_id=None,
                                 discount_amount=None)
    with transaction() as session, pytest.raises(Conflict):
        service.update_promo_code(session, SYSTEM, promo.id, max_uses=2)
    with transaction() as session:
        assert service.update_promo_code(session, SYSTEM, promo.id, max_uses=3).max_uses == 3


def test_redeeming_twice_for_one_charter_counts_once():
    promo = make_promo(max_uses=5)
    charter = make_charter()
    with transaction() as session:
        first = service.redeem_promo(session, SYSTEM, promo.id, charter_id=charter.id, client_id=None,
                                     discount_amount=Decimal("12.345"))
    with transaction() as session:
        again = service.redeem_promo(session, SYSTEM, promo.code, charter_id=charter.id, client_id=None,
                                     discount_amount=Decimal(1))
        assert again.id == first.id and again.discount_amount == Decimal("12.35")
        assert service.get_promo_code(session, SYSTEM, promo.id).uses_count == 1


def test_redeeming_a_used_up_code_is_a_conflict_and_counts_nothing():
    promo = make_promo(max_uses=1)
    first, second = make_charter(), make_charter()
    with transaction() as session:
        service.redeem_promo(session, SYSTEM, promo.id, charter_id=first.id, client_id=None,
                             discount_amount=None)
    with transaction() as session:
        with pytest.raises(Conflict) as exc:
            service.redeem_promo(session, SYSTEM, promo.id, charter_id=second.id, client_id=None,
                                 discount_amount=None)
        assert exc.value.detail == f"Promo code {promo.code} has been used up."
    with transaction() as session:
        assert service.get_promo_code(session, SYSTEM, promo.id).uses_count == 1
        assert service.usage_count(session, promo.id) == 1


def test_redeeming_an_inactive_code_is_a_conflict():
    promo = make_promo()
    with transaction() as session:
        service.deactivate_promo_code(session, SYSTEM, promo.id)
    with transaction() as session, pytest.raises(Conflict) as exc:
        service.redeem_promo(session, SYSTEM, promo.id, charter_id=make_charter().id, client_id=None,
                             discount_amount=None)
    assert "no longer active" in exc.value.detail


def test_releasing_gives_the_use_back_once():
    promo = make_promo(max_uses=1)
    charter = make_charter()
    with transaction() as session:
        service.redeem_promo(session, SYSTEM, promo.id, charter_id=charter.id, client_id=None,
                             discount_amount=None)
    with transaction() as session:
        assert service.release_promo(session, SYSTEM, promo.id, charter.id) is True
    with transaction() as session:
        assert service.release_promo(session, SYSTEM, promo.id, charter.id) is False
        assert service.get_promo_code(session, SYSTEM, promo.id).uses_count == 0
    assert check(promo.code).valid


def test_redeeming_needs_a_role_that_quotes():
    promo = make_promo()
    vendor = Actor(user_id=None, role="vendor", permissions=frozenset())
    with transaction() as session, pytest.raises(Forbidden):
        service.redeem_promo(session, vendor, promo.id, charter_id=make_charter().id, client_id=None,
                             discount_amount=None)


# ---------------------------------------------------------------- modifier rules

@pytest.mark.parametrize(("kind", "needed"), [
    ("day_of_week", "applicable_days"), ("hub_based", "applicable_hubs"), ("event_based", "event_types"),
    ("asap", "lead_time_hours"), ("peak_season", "date_ranges"), ("holiday", "date_ranges")])
def test_each_modifier_type_needs_its_condition(kind, needed):
    with pytest.raises(Invalid) as exc:
        modifier(modifier_type=kind)
    assert field_of(exc) == needed


def test_days_are_stored_lower_case_in_week_order():
    rule = modifier(modifier_type="day_of_week", applicable_days=["Sunday", "saturday", "FRIDAY"])
    assert rule.applicable_days == ["friday", "saturday", "sunday"]


def test_an_unknown_day_is_refused():
    with pytest.raises(Invalid) as exc:
        modifier(modifier_type="day_of_week", applicable_days=["caturday"])
    assert field_of(exc) == "applicable_days"


def test_hubs_are_known_hub_codes():
    make_hub(code="ATL")
    assert modifier(modifier_type="hub_based", applicable_hubs=["atl"]).applicable_hubs == ["ATL"]
    with pytest.raises(Invalid) as exc:
        modifier(modifier_type="hub_based", applicable_hubs=["XYZ"])
    assert field_of(exc) == "applicable_hubs"


@pytest.mark.parametrize("hours", [0, 721])
def test_asap_lead_time_is_1_to_720_hours(hours):
    with pytest.raises(Invalid) as exc:
        modifier(modifier_type="asap", lead_time_hours=hours)
    assert field_of(exc) == "lead_time_hours"


def test_a_date_range_ending_before_it_starts_is_refused():
    with pytest.raises(Invalid) as exc:
        modifier(modifier_type="holiday", date_ranges=[{"start": "2026-12-24", "end": "2026-12-26"},
                                                       {"start": "2026-07-05", "end": "2026-07-03"}])
    assert field_of(exc) == "date_ranges.1"


def test_a_date_range_that_is_not_a_date_is_refused():
    with pytest.raises(Invalid) as exc:
        modifier(modifier_type="holiday", date_ranges=[{"start": "christmas", "end": "2026-12-26"}])
    assert field_of(exc) == "date_ranges.0.start"


@pytest.mark.parametrize(("kind", "value"), [("percentage", "-100.01"), ("percentage", "1000.01"),
                                             ("fixed_amount", "100000.01"), ("fixed_amount", "-100000.01")])
def test_adjustments_out_of_range_are_refused(kind, value):
    with pytest.raises(Invalid) as exc:
        modifier(modifier_type="day_of_week", applicable_days=["monday"], adjustment_type=kind,
                 adjustment_value=Decimal(value))
    assert field_of(exc) == "adjustment_value"


def test_an_update_must_leave_the_modifier_whole():
    rule = make_modifier()
    with transaction() as session, pytest.raises(Invalid) as exc:
        service.update_modifier(session, SYSTEM, rule.id, modifier_type="asap")
    assert field_of(exc) == "lead_time_hours"


# ---------------------------------------------------------------- which rate a trip gets

def test_a_hub_rate_wins_over_the_company_default():
    hub, vtype = priced_setup(hourly_rate="100.00")
    make_rate(hub_id=hub.id, vehicle_type_id=vtype.id, hourly_rate="120.00")
    with transaction() as session:
        assert service.resolve_rate(session, hub.id, vtype.id).hourly_rate == Decimal("120.00")
        assert service.resolve_rate(session, make_hub().id, vtype.id).hourly_rate == Decimal("100.00")


def test_a_switched_off_hub_rate_falls_back_to_the_company_default():
    hub, vtype = priced_setup(hourly_rate="100.00")
    make_rate(hub_id=hub.id, vehicle_type_id=vtype.id, hourly_rate="120.00", is_active=False)
    with transaction() as session:
        assert service.resolve_rate(session, hub.id, vtype.id).hourly_rate == Decimal("100.00")


def test_without_any_rate_the_fleet_hourly_rate_applies_with_a_note():
    hub = make_hub()
    vtype = make_vehicle_type(name="Minibus", default_hourly_rate=Decimal("135.00"))
    notes: list[str] = []
    with transaction() as session:
        rate = service.resolve_rate(session, hub.id, vtype.id, notes=notes)
    assert (rate.hourly_rate, rate.minimum_hours, rate.per_mile_rate) == (Decimal("135.00"), Decimal(5),
                                                                          Decimal(0))
    assert notes and "Minibus" in notes[0] and "$135.00" in notes[0]


def test_without_any_rate_or_fleet_rate_the_vehicle_type_is_named():
    vtype = make_vehicle_type(name="Trolley")
    with transaction() as session, pytest.raises(Invalid) as exc:
        service.resolve_rate(session, make_hub().id, vtype.id)
    assert "Trolley" in exc.value.detail


# ---------------------------------------------------------------- gathering a trip's inputs

def _inputs(hub, vtype, **kw):
    kw.setdefault("amenities", [])
    with transaction() as session:
        return service.build_inputs(session, hub_id=hub.id, trip_date=date(2026, 3, 4),
                                    trip_type="round_trip", passengers=40, hours=Decimal(6),
                                    miles=Decimal(100), vehicles=[(vtype.id, 1)], **kw)


def test_an_inactive_amenity_cannot_be_priced():
    hub, vtype = priced_setup()
    gone = make_amenity(name="Karaoke", is_active=False)
    with pytest.raises(Invalid) as exc:
        _inputs(hub, vtype, amenities=[(gone.id, 1)])
    assert field_of(exc) == "amenities" and "Karaoke" in exc.value.detail


def test_an_unknown_amenity_cannot_be_priced():
    hub, vtype = priced_setup()
    with pytest.raises(Invalid) as exc:
        _inputs(hub, vtype, amenities=[(999, 1)])
    assert field_of(exc) == "amenities"


def test_a_promo_that_cannot_be_used_is_left_out_with_its_reason():
    hub, vtype = priced_setup()
    make_promo(code="GONE", valid_until=date(2026, 3, 1))
    inputs = _inputs(hub, vtype, promo_code="gone")
    assert inputs.promo is None and inputs.promo_problem == "Promo code GONE expired on 2026-03-01."
    quote = service.price(inputs)
    assert quote.promo_problem == inputs.promo_problem and quote.promo_code is None
    assert not [line for line in quote.lines if line.kind == "promo"]


def test_only_active_modifiers_are_gathered():
    hub, vtype = priced_setup()
    make_modifier(name="On")
    make_modifier(name="Off", is_active=False)
    assert [m.name for m in _inputs(hub, vtype).modifiers] == ["On"]


def test_the_deposit_comes_from_the_payment_terms():
    hub, vtype = priced_setup()
    with transaction() as session:
        service.update_config(session, SYSTEM, deposit_percentage=Decimal(40))
    assert _inputs(hub, vtype).policy.deposit_pct == Decimal("40.00")


def test_a_price_adds_up_and_carries_the_fleet_rate_note():
    hub = make_hub()
    vtype = make_vehicle_type(default_hourly_rate=Decimal("100.00"))
    quote = service.price(_inputs(hub, vtype))
    assert quote.total == sum(line.amount for line in quote.lines) == Decimal("600.00")
    assert len(quote.notes) == 1


def test_reading_pricing_needs_the_permission():
    with transaction() as session, pytest.raises(Forbidden):
        client = Actor(user_id=None, role="client", permissions=frozenset({"pricing:quote"}))
        service.list_modifiers(session, client)
    with transaction() as session:
        assert service.list_amenities(session, AGENT) == []
