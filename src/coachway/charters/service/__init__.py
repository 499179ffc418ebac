"""Charters, their vehicles and itinerary, routes and DOT checks: the rules the API and pages share.

One module per concern; everything callers use is re-exported here, so `service.create_charter(...)` reads
the same from the API, the pages and other domains.
"""

from coachway.charters.service._common import (
    INTERNAL_FIELDS,
    CharterLabels,
    labels,
    readable,
    sees_all,
    visible_fields,
)
from coachway.charters.service.agents import assign_agent, list_assignable_agents
from coachway.charters.service.charters import (
    charters_by_ids,
    client_of,
    create_charter,
    get_charter,
    get_charter_parts,
    list_charters,
    list_my_quotes,
    update_charter,
)
from coachway.charters.service.compliance import (
    active_rules,
    check_charter_compliance,
    check_dot_compliance,
    check_trip_compliance,
    describe_violations,
    list_dot_regulations,
    seed_dot_regulations,
    update_dot_regulation,
)
from coachway.charters.service.delivery import (
    QuoteLinkError,
    accept_quote,
    open_quote,
    quote_number,
    quote_pdf,
    quote_view,
    secure_link,
    send_quote,
)
from coachway.charters.service.itinerary import (
    add_stop,
    geocode_stops,
    get_route,
    list_stops,
    remove_stop,
    reorder_stops,
    route_view,
    update_stop,
)
from coachway.charters.service.quoting import (
    add_charter_amenity,
    calculate_charter,
    list_charter_amenities,
    remove_charter_amenity,
    set_charter_promo,
)
from coachway.charters.service.revisions import revise_quote, revision_history
from coachway.charters.service.series import (
    clone_charter,
    create_recurring,
    day_labels,
    edit_series,
    get_series,
    preview_recurrence,
    remove_from_series,
    series_of,
)
from coachway.charters.service.transitions import (
    allowed_actions,
    book_charter,
    cancel_charter,
    change_status,
    complete_charter,
    confirm_charter,
    start_charter,
)
from coachway.charters.service.vehicles import (
    add_charter_vehicle,
    describe_vehicles,
    list_charter_vehicles,
    recommend_for_charter,
    recommend_vehicles,
    remove_charter_vehicle,
    replace_charter_vehicles,
    update_charter_vehicle,
)

__all__ = [
    "clone_charter", "create_recurring", "day_labels", "edit_series", "get_series", "preview_recurrence",
    "remove_from_series", "series_of",
    # quoting, revisions and delivery
    "QuoteLinkError", "accept_quote", "add_charter_amenity", "calculate_charter", "list_charter_amenities",
    "open_quote", "quote_number", "quote_pdf", "quote_view", "remove_charter_amenity", "revise_quote",
    "revision_history", "secure_link", "send_quote", "set_charter_promo",
    # charters, vehicles, itinerary, DOT
    "INTERNAL_FIELDS", "active_rules", "add_charter_vehicle", "add_stop", "allowed_actions",
    "assign_agent", "book_charter", "cancel_charter", "change_status", "CharterLabels",
    "charters_by_ids", "check_charter_compliance", "check_dot_compliance", "check_trip_compliance",
    "client_of", "complete_charter", "confirm_charter", "create_charter", "describe_vehicles",
    "describe_violations", "geocode_stops", "get_charter", "get_charter_parts", "get_route", "labels",
    "list_assignable_agents", "list_charter_vehicles", "list_charters", "list_dot_regulations",
    "list_my_quotes", "list_stops", "readable", "recommend_for_charter", "recommend_vehicles",
    "remove_charter_vehicle", "remove_stop", "reorder_stops", "replace_charter_vehicles", "route_view",
    "seed_dot_regulations", "sees_all", "start_charter", "update_charter", "update_charter_vehicle",
    "update_dot_regulation", "update_stop", "visible_fields",
]
