"""Demo pricing: a rate for every vehicle type at every hub (and a company default), amenities in each
category and pricing type, a few promo codes and the usual modifiers (weekend, holidays, short notice,
peak season)."""

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from coachway.core.permissions import SYSTEM
from coachway.pricing.service import (
    create_amenity,
    create_modifier,
    create_promo_code,
    seed_pricing_defaults,
    update_config,
    upsert_rate,
)

# code: (hourly, minimum hours, per mile, per day, deadhead per mile, second driver per hour); the vendor's
# costs are about 72 % of the client rates, the driver's hotel and meals the same everywhere.
RATES = {
    "sedan": ("75.00", "3", "3.50", None, "1.75", "0.00"),
    "suv": ("95.00", "3", "4.00", None, "2.00", "0.00"),
    "sprinter": ("115.00", "4", "4.50", "1150.00", "2.25", "30.00"),
    "minibus": ("135.00", "5", "5.50", "1350.00", "2.75", "35.00"),
    "school_bus": ("110.00", "4", "4.75", "1100.00", "2.25", "30.00"),
    "motorcoach": ("165.00", "5", "6.50", "1650.00", "3.25", "40.00"),
}
# Nashville runs a little dearer than the company default; Atlanta matches it.
HUB_FACTOR = {"ATL": Decimal("1.00"), "BNA": Decimal("1.05")}
VENDOR_SHARE = Decimal("0.72")
HOTEL, MEALS = Decimal("149.00"), Decimal("55.00")
# (name, category, pricing type, price, description)
AMENITIES = [
    ("Bottled water", "refreshments", "per_passenger", "1.50", "A chilled bottle for every seat."),
    ("Snack bags", "refreshments", "per_passenger", "6.00", "Chips, a granola bar and fruit."),
    ("Cooler with ice", "refreshments", "flat_fee", "25.00", "Room for your own drinks."),
    ("Onboard Wi-Fi", "entertainment", "per_day", "25.00", "4G hotspot for the whole coach."),
    ("Movies on the monitors", "entertainment", "flat_fee", "40.00", "DVD and HDMI input at the front."),
    ("Blankets and pillows", "comfort", "per_passenger", "4.00", "For overnight runs."),
    ("Red carpet welcome", "comfort", "flat_fee", "75.00", "Carpet and driver in a suit at the door."),
    ("Wheelchair lift", "accessibility", "flat_fee", "0.00", "ADA lift-equipped coach, no charge."),
    ("Extra luggage trailer", "accessibility", "per_day", "150.00", "For equipment and oversize bags."),
]


def _rate(code: str, factor: Decimal) -> dict:
    hourly, minimum, per_mile, daily, deadhead, second = RATES[code]

    def scaled(text: str | None) -> Decimal | None:
        return None if text is None else (Decimal(text) * factor).quantize(Decimal("0.01"))

    return {"hourly_rate": scaled(hourly), "minimum_hours": Decimal(minimum),
            "per_mile_rate": scaled(per_mile), "daily_rate": scaled(daily),
            "deadhead_per_mile": scaled(deadhead),
            "second_driver_hourly": scaled(second), "driver_hotel_per_night": HOTEL,
            "driver_meals_per_night": MEALS,
            "vendor_hourly_cost": (Decimal(hourly) * factor * VENDOR_SHARE).quantize(Decimal("0.01")),
            "vendor_per_mile_cost": (Decimal(per_mile) * factor * VENDOR_SHARE).quantize(Decimal("0.01"))}


def _ranges(*pairs: tuple[date, date]) -> list[dict[str, str]]:
    return [{"start": a.isoformat(), "end": b.isoformat()} for a, b in pairs]


def _thanksgiving(year: int) -> date:
    """The fourth Thursday of November."""
    first_possible = date(year, 11, 22)
    return first_possible + timedelta(days=(3 - first_possible.weekday()) % 7)


def load(session: Session, *, hubs: dict[str, int], types: dict[str, int], today: date) -> None:
    """Create the demo pricing in the caller's transaction."""
    seed_pricing_defaults(session)
    update_config(session, SYSTEM, price_rule="greater_of", deadhead_policy="beyond_free_miles",
                  deadhead_free_miles=Decimal(50), fuel_surcharge_pct=Decimal("3.50"),
                  default_gratuity_pct=Decimal(0), quote_valid_days=14, deposit_percentage=Decimal(25),
                  quote_terms="A 25 % deposit books the trip; the balance is due 14 days before departure. "
                              "Overtime is billed at the hourly rate in half-hour steps.")
    for code, type_id in types.items():
        if code not in RATES:
            continue
        upsert_rate(session, SYSTEM, hub_id=None, vehicle_type_id=type_id, **_rate(code, Decimal(1)))
        for hub_code, hub_id in hubs.items():
            upsert_rate(session, SYSTEM, hub_id=hub_id, vehicle_type_id=type_id,
                        **_rate(code, HUB_FACTOR.get(hub_code, Decimal(1))))
    for name, category, pricing_type, price, description in AMENITIES:
        create_amenity(session, SYSTEM, name=name, category=category, pricing_type=pricing_type,
                       base_price=Decimal(price), description=description)
    year = today.year if today.month < 6 else today.year + 1
    create_promo_code(session, SYSTEM, code="SPRING10",
                      description="10 % off spring trips.", discount_type="percentage",
                      discount_value=Decimal(10), valid_from=date(year, 3, 1), valid_until=date(year, 5, 31),
                      max_uses=100)
    create_promo_code(session, SYSTEM, code="WELCOME50", description="$50 off a first trip of $500 or more.",
                      discount_type="fixed_amount", discount_value=Decimal(50),
                      min_purchase_amount=Decimal(500), max_uses=250)
    create_promo_code(session, SYSTEM, code="CHURCH5", description="5 % off church retreats and round trips.",
                      discount_type="percentage", discount_value=Decimal(5),
                      applicable_trip_types=["round_trip", "multi_day", "overnight"])
    this, next_year = today.year, today.year + 1
    create_modifier(session, SYSTEM, name="Weekend", modifier_type="day_of_week",
                    adjustment_type="percentage", adjustment_value=Decimal(10),
                    applicable_days=["saturday", "sunday"], priority=10)
    create_modifier(session, SYSTEM, name="Holidays", modifier_type="holiday", adjustment_type="percentage",
                    adjustment_value=Decimal(20), priority=20, date_ranges=_ranges(
                        *[(date(y, 12, 23), date(y, 12, 31)) for y in (this, next_year)],
                        *[(date(y, 7, 3), date(y, 7, 5)) for y in (this, next_year)],
                        *[(_thanksgiving(y), _thanksgiving(y) + timedelta(days=1))
                          for y in (this, next_year)]))
    create_modifier(session, SYSTEM, name="Short notice (within 72 hours)", modifier_type="asap",
                    adjustment_type="percentage", adjustment_value=Decimal(15), lead_time_hours=72,
                    priority=30)
    create_modifier(session, SYSTEM, name="Peak season", modifier_type="peak_season",
                    adjustment_type="percentage", adjustment_value=Decimal(12), priority=5,
                    date_ranges=_ranges(
                        *[(date(y, 4, 15), date(y, 6, 15)) for y in (this, next_year)],
                        *[(date(y, 9, 15), date(y, 11, 15)) for y in (this, next_year)]))
