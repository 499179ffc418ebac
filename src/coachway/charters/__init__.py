"""Charters: quotes and bookings, their itinerary, route, DOT hours check and vehicle mix."""

from coachway.charters.access import register_with_documents

register_with_documents()
