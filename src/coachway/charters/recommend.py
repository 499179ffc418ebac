"""Vehicle mix recommendation: which vehicles seat a group (and hold its luggage), cheapest first.

Pure. Every mix of up to `max_vehicles` vehicles is considered that seats everyone and, when the
luggage space of all its vehicles is known, holds the bags; only mixes with no vehicle to spare are kept
(dropping any one vehicle would leave people or bags behind). They are ranked by estimated cost (hourly
cost times hours; mixes with a vehicle of unknown cost after every costed mix), then fewer vehicles,
then fewer empty seats. The search prunes branches that cannot seat everyone or hold the bags, and,
once enough mixes are found, branches that already cost more than they do, so it stays fast.
"""

import heapq
from dataclasses import dataclass
from decimal import Decimal

from coachway.core.money import to_money

LUGGAGE_TRIP_TYPES = ("overnight", "multi_day")


@dataclass(frozen=True)
class VehicleOption:
    """A vehicle type that can be offered: seats, luggage pieces it holds and what an hour costs."""

    vehicle_type_id: int
    code: str
    name: str
    capacity: int
    luggage_capacity: int | None
    hourly_cost: Decimal | None


@dataclass
class Mix:
    """One way to carry the group: how many of each vehicle type, and what it gives and costs."""

    vehicles: list[tuple[VehicleOption, int]]
    seats: int
    luggage: int | None
    estimated_cost: Decimal | None
    spare_seats: int
    # Why the mix fits (seats, bags), without money, so it may be shown to a client.
    reason: str
    label: str = ""
    # What it costs, in words ("about $980.00 for 4 hours"): internal, like estimated_cost.
    cost_note: str = ""

    @property
    def vehicle_count(self) -> int:
        """How many vehicles the mix uses."""
        return sum(count for _, count in self.vehicles)


def luggage_needed(passengers: int, luggage_pieces: int, trip_type: str) -> int:
    """Bags to carry: as given, or one per passenger on an overnight or multi-day trip when not given."""
    if luggage_pieces > 0:
        return luggage_pieces
    return passengers if trip_type in LUGGAGE_TRIP_TYPES else 0


def recommend(passengers: int, options: list[VehicleOption], *, luggage_pieces: int = 0,
              trip_type: str = "one_way", hours: Decimal = Decimal(4), max_vehicles: int = 6,
              limit: int = 5) -> list[Mix]:
    """The best vehicle mixes for the group, cheapest first (empty when nothing fits)."""
    usable = [o for o in options if o.capacity > 0]
    if passengers < 1 or not usable or max_vehicles < 1 or limit < 1:
        return []
    bags = luggage_needed(passengers, max(0, luggage_pieces), trip_type)
    search = _Search(passengers, bags, usable, max_vehicles, limit)
    mixes = [_mix(chosen, passengers, bags, Decimal(hours)) for chosen in search.run()]
    mixes.sort(key=_rank)
    return mixes[:limit]


class _Search:
    """Depth-first search over how many of each option to take, pruned by seats, bags and cost.

    Options are tried cheapest seat first, so good mixes are found early; once `limit` costed mixes are
    known, a branch already dearer than the dearest of them is dropped (its mixes could only rank lower).
    """

    def __init__(self, passengers: int, bags: int, options: list[VehicleOption], max_vehicles: int,
                 limit: int) -> None:
        self.passengers, self.bags, self.max_vehicles, self.limit = passengers, bags, max_vehicles, limit
        self.options = sorted(options, key=_cost_per_seat)
        n = len(self.options)
        # For options i.. : the most seats and bags one vehicle can add (None: unknown, so no bound) and the
        # cheapest hour (None: none is costed).
        self.most_seats = [max(o.capacity for o in self.options[i:]) for i in range(n)]
        self.most_bags = [None if any(o.luggage_capacity is None for o in self.options[i:])
                          else max(o.luggage_capacity for o in self.options[i:]) for i in range(n)]
        costs = [[o.hourly_cost for o in self.options[i:] if o.hourly_cost is not None] for i in range(n)]
        self.cheapest = [min(c) if c else None for c in costs]
        self.bound_costs = all(o.hourly_cost is None or o.hourly_cost >= 0 for o in self.options)
        self.counts = [0] * n
        self.found: list[list[tuple[VehicleOption, int]]] = []
        self.best_costs: list[Decimal] = []  # the `limit` lowest costs found, as a max-heap (negated)

    def run(self) -> list[list[tuple[VehicleOption, int]]]:
        """Every minimal mix that may rank among the best `limit`, as (option, count) pairs."""
        self._walk(0, self.max_vehicles, 0, 0, False, Decimal(0))
        return self.found

    def _fits(self, seats: int, luggage: int, luggage_unknown: bool) -> bool:
        return seats >= self.passengers and (not self.bags or luggage_unknown or luggage >= self.bags)

    def _walk(self, i: int, left: int, seats: int, luggage: int, unknown: bool, cost: Decimal | None) -> None:
        if self._fits(seats, luggage, unknown):
            self._record(cost)
            return
        if i == len(self.options) or left == 0 or self._hopeless(i, left, seats, luggage, unknown, cost):
            return
        option = self.options[i]
        for n in range(left, -1, -1):
            self.counts[i] = n
            if n == 0:
                self._walk(i + 1, left, seats, luggage, unknown, cost)
                continue
            more_cost = None if cost is None or option.hourly_cost is None else cost + option.hourly_cost * n
            more_luggage = luggage + (option.luggage_capacity or 0) * n
            self._walk(i + 1, left - n, seats + option.capacity * n, more_luggage,
                       unknown or option.luggage_capacity is None, more_cost)
        self.counts[i] = 0

    def _hopeless(self, i: int, left: int, seats: int, luggage: int, unknown: bool,
                  cost: Decimal | None) -> bool:
        """True when no vehicles from option i on can complete this branch into a mix worth offering."""
        if seats + left * self.most_seats[i] < self.passengers:
            return True
        if self.bags and not unknown and self.most_bags[i] is not None:
            if luggage + left * self.most_bags[i] < self.bags:
                return True
        if self.bound_costs and len(self.best_costs) == self.limit:
            if cost is None or self.cheapest[i] is None:
                return True  # every mix from here has an unknown cost and ranks below those found
            return cost + self.cheapest[i] > -self.best_costs[0]
        return False

    def _record(self, cost: Decimal | None) -> None:
        if self.bound_costs and len(self.best_costs) == self.limit:
            if cost is None or cost > -self.best_costs[0]:
                return  # ranks below every one of the `limit` mixes already found
        chosen = [(o, c) for o, c in zip(self.options, self.counts, strict=True) if c]
        if not self._minimal(chosen):
            return
        self.found.append(sorted(chosen, key=lambda pair: (-pair[0].capacity, pair[0].vehicle_type_id)))
        if cost is not None:
            heapq.heappush(self.best_costs, -cost)
            if len(self.best_costs) > self.limit:
                heapq.heappop(self.best_costs)

    def _minimal(self, chosen: list[tuple[VehicleOption, int]]) -> bool:
        """True when dropping any one vehicle would leave people or bags behind."""
        for drop, _ in chosen:
            rest = [(o, c - 1 if o is drop else c) for o, c in chosen]
            rest = [(o, c) for o, c in rest if c]
            seats = sum(o.capacity * c for o, c in rest)
            luggage = sum((o.luggage_capacity or 0) * c for o, c in rest)
            if self._fits(seats, luggage, any(o.luggage_capacity is None for o, _ in rest)):
                return False
        return True


def _cost_per_seat(option: VehicleOption) -> tuple:
    if option.hourly_cost is None:
        return (1, Decimal(0), -option.capacity, option.vehicle_type_id)
    return (0, option.hourly_cost / option.capacity, -option.capacity, option.vehicle_type_id)


def _mix(chosen: list[tuple[VehicleOption, int]], passengers: int, bags: int, hours: Decimal) -> Mix:
    seats = sum(o.capacity * c for o, c in chosen)
    known_luggage = all(o.luggage_capacity is not None for o, _ in chosen)
    luggage = sum((o.luggage_capacity or 0) * c for o, c in chosen) if known_luggage else None
    costed = all(o.hourly_cost is not None for o, _ in chosen)
    cost = to_money(sum((o.hourly_cost * c * hours for o, c in chosen), Decimal(0))) if costed else None
    label = " + ".join(f"{c} × {_describe(o)}" for o, c in chosen)
    return Mix(chosen, seats, luggage, cost, seats - passengers,
               _reason(label, seats, passengers, luggage, bags), label, _cost_note(cost, hours))


def _describe(option: VehicleOption) -> str:
    """"56-seat Motorcoach", or just the name when it already says how many it seats."""
    return option.name if str(option.capacity) in option.name else f"{option.capacity}-seat {option.name}"


def _reason(label: str, seats: int, passengers: int, luggage: int | None, bags: int) -> str:
    parts = [f"{seats} seats for {passengers} passengers ({seats - passengers} spare)"]
    if bags:
        parts.append(f"room for {luggage} bags ({bags} expected)" if luggage is not None
                     else f"luggage space not known for {bags} bags")
    return f"{label}: {'; '.join(parts)}."


def _cost_note(cost: Decimal | None, hours: Decimal) -> str:
    if cost is None:
        return "cost not known"
    return f"about ${cost:,} for {format(hours.normalize(), 'f')} hours"


def _rank(mix: Mix) -> tuple:
    return (mix.estimated_cost is None, mix.estimated_cost or Decimal(0), mix.vehicle_count, mix.spare_seats,
            mix.label)
