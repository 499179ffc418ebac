"""Vehicle mix recommendation: mixes that seat the group and hold its bags, cheapest first."""

import itertools
import random
from collections import Counter
from decimal import Decimal

import pytest

from coachway.charters.recommend import VehicleOption, luggage_needed, recommend

COACH = VehicleOption(1, "motorcoach", "Motorcoach", 56, 60, Decimal("150.00"))
MINIBUS = VehicleOption(2, "minibus", "Minibus", 28, 20, Decimal("95.00"))
SPRINTER = VehicleOption(3, "sprinter", "Sprinter Van", 14, 10, Decimal("70.00"))
SEDAN = VehicleOption(4, "sedan", "Executive Sedan", 3, 3, Decimal("60.00"))


def summary(mixes):
    return [(m.label, m.estimated_cost, m.spare_seats) for m in mixes]


# ---------------------------------------------------------------- seating the group

def test_eighty_passengers_get_a_coach_and_a_minibus_or_two_coaches():
    mixes = recommend(80, [COACH, MINIBUS])
    assert summary(mixes) == [
        ("1 × 56-seat Motorcoach + 1 × 28-seat Minibus", Decimal("980.00"), 4),
        ("3 × 28-seat Minibus", Decimal("1140.00"), 4),
        ("2 × 56-seat Motorcoach", Decimal("1200.00"), 32),
    ]
    best = mixes[0]
    assert best.vehicles == [(COACH, 1), (MINIBUS, 1)] and (best.seats, best.luggage) == (84, 80)
    assert best.vehicle_count == 2
    assert best.reason == ("1 × 56-seat Motorcoach + 1 × 28-seat Minibus: 84 seats for 80 passengers "
                           "(4 spare).")
    assert best.cost_note == "about $980.00 for 4 hours"
    assert all("$" not in m.reason for m in mixes)  # the reason may be shown to a client


def test_mixes_with_a_vehicle_to_spare_are_not_offered():
    labels = [m.label for m in recommend(80, [COACH, MINIBUS], limit=50)]
    assert "2 × 56-seat Motorcoach + 1 × 28-seat Minibus" not in labels
    assert "4 × 28-seat Minibus" not in labels


def test_a_small_group_gets_the_smallest_vehicle_that_fits():
    assert recommend(12, [COACH, MINIBUS, SPRINTER, SEDAN])[0].label == "1 × 14-seat Sprinter Van"


def test_cost_scales_with_the_hours():
    assert recommend(50, [COACH], hours=Decimal("7.5"))[0].estimated_cost == Decimal("1125.00")


def test_at_most_limit_mixes_are_returned():
    assert len(recommend(80, [COACH, MINIBUS, SPRINTER, SEDAN], limit=3)) == 3


def test_a_name_that_already_gives_the_seats_is_not_repeated():
    coach = VehicleOption(9, "mc56", "56-passenger coach", 56, None, Decimal("150"))
    assert recommend(40, [coach])[0].label == "1 × 56-passenger coach"


# ---------------------------------------------------------------- luggage

def test_overnight_trips_assume_a_bag_per_passenger():
    assert luggage_needed(20, 0, "overnight") == 20 and luggage_needed(20, 0, "multi_day") == 20
    assert luggage_needed(20, 0, "one_way") == 0 and luggage_needed(20, 35, "overnight") == 35


def test_bags_that_do_not_fit_rule_out_a_vehicle():
    small_hold = VehicleOption(2, "minibus", "Minibus", 28, 10, Decimal("95.00"))
    assert recommend(20, [COACH, small_hold])[0].label == "1 × 28-seat Minibus"
    overnight = recommend(20, [COACH, small_hold], trip_type="overnight")
    assert summary(overnight) == [("1 × 56-seat Motorcoach", Decimal("600.00"), 36),
                                  ("2 × 28-seat Minibus", Decimal("760.00"), 36)]
    assert overnight[0].reason.endswith("room for 60 bags (20 expected).")
    assert overnight[0].cost_note == "about $600.00 for 4 hours"


def test_given_luggage_pieces_count_on_any_trip():
    small_hold = VehicleOption(2, "minibus", "Minibus", 28, 10, Decimal("95.00"))
    assert recommend(20, [COACH, small_hold], luggage_pieces=15)[0].label == "1 × 56-seat Motorcoach"


def test_unknown_luggage_space_is_not_held_against_a_vehicle():
    no_hold_info = VehicleOption(2, "minibus", "Minibus", 28, None, Decimal("95.00"))
    [best, *_] = recommend(20, [COACH, no_hold_info], trip_type="overnight")
    assert best.label == "1 × 28-seat Minibus" and best.luggage is None
    assert "luggage space not known for 20 bags" in best.reason


# ---------------------------------------------------------------- ranking

def test_mixes_of_unknown_cost_come_after_costed_ones():
    uncosted = VehicleOption(5, "trolley", "Trolley", 40, None, None)
    mixes = recommend(35, [uncosted, COACH])
    assert [(m.label, m.estimated_cost) for m in mixes] == [("1 × 56-seat Motorcoach", Decimal("600.00")),
                                                           ("1 × 40-seat Trolley", None)]
    assert mixes[1].cost_note == "cost not known"


def test_equal_cost_prefers_fewer_vehicles_then_fewer_spare_seats():
    big = VehicleOption(1, "big", "Coach", 50, None, Decimal("100"))
    half = VehicleOption(2, "half", "Midi", 25, None, Decimal("50"))
    roomy = VehicleOption(3, "roomy", "Roomy Coach", 60, None, Decimal("100"))
    assert [m.label for m in recommend(45, [half, roomy, big])] == [
        "1 × 50-seat Coach", "1 × 60-seat Roomy Coach", "2 × 25-seat Midi"]


# ---------------------------------------------------------------- nothing to offer

def test_no_passengers_or_no_vehicles_recommends_nothing():
    assert recommend(0, [COACH]) == [] and recommend(-3, [COACH]) == [] and recommend(10, []) == []


def test_more_passengers_than_max_vehicles_can_seat_recommends_nothing():
    assert recommend(1000, [COACH, MINIBUS, SPRINTER, SEDAN]) == []
    assert recommend(337, [COACH], max_vehicles=6) == [] and len(recommend(336, [COACH])) == 1


def test_vehicles_without_seats_are_ignored():
    broken = VehicleOption(7, "x", "Unknown", 0, None, Decimal(1))
    assert recommend(10, [broken]) == []


def test_a_large_fleet_is_searched_without_trouble():
    fleet = [VehicleOption(i, f"t{i}", f"Type {i}", 4 * i + 3, 3 * i, Decimal(40 + 11 * i))
             for i in range(1, 13)]
    mixes = recommend(150, fleet, trip_type="multi_day", max_vehicles=6)
    assert len(mixes) == 5 and all(m.seats >= 150 and m.luggage >= 150 for m in mixes)
    assert [m.estimated_cost for m in mixes] == sorted(m.estimated_cost for m in mixes)


def brute_force(passengers, options, bags, max_vehicles):
    """Every minimal mix by plain enumeration, as (label, cost) pairs: the reference the search must match."""
    def fits(combo):
        seats = sum(o.capacity for o in combo)
        holds = [o.luggage_capacity for o in combo]
        return seats >= passengers and (not bags or None in holds or sum(holds) >= bags)

    found = []
    for size in range(1, max_vehicles + 1):
        for combo in itertools.combinations_with_replacement(options, size):
            if fits(combo) and not any(fits(combo[:i] + combo[i + 1:]) for i in range(size)):
                found.append(combo)
    return found


@pytest.mark.parametrize("seed", range(25))
def test_the_pruned_search_finds_the_same_best_mixes_as_plain_enumeration(seed):
    rng = random.Random(seed)
    options = [VehicleOption(i, f"t{i}", f"Type {i}", rng.randint(3, 60),
                             rng.choice([None, rng.randint(0, 60)]),
                             rng.choice([None, Decimal(rng.randint(40, 200))]))
               for i in range(rng.randint(1, 6))]
    passengers, bags = rng.randint(1, 200), rng.choice([0, rng.randint(1, 150)])
    everything = brute_force(passengers, options, bags, 5)
    best = recommend(passengers, options, luggage_pieces=bags, max_vehicles=5, limit=4)
    unpruned = recommend(passengers, options, luggage_pieces=bags, max_vehicles=5, limit=10_000)
    assert len(unpruned) == len(everything)
    assert {tuple(sorted(Counter(o.vehicle_type_id for o in combo).items())) for combo in everything} == {
        tuple(sorted((o.vehicle_type_id, n) for o, n in mix.vehicles)) for mix in unpruned}
    assert summary(best) == summary(unpruned[:4])
