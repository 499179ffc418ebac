"""Geocoding: the offline gazetteer (ZIP codes, cities), the geopy provider (faked, no network), distances."""

import math
from decimal import Decimal
from types import SimpleNamespace

import pytest
from geopy.exc import GeocoderServiceError, GeocoderTimedOut
from geopy.geocoders import GoogleV3, Nominatim

from coachway.config import get_settings
from coachway.integrations.geocoding import (
    GeocodingUnavailable,
    GeopyGeocoder,
    OfflineGazetteer,
    Place,
    geocoder,
    great_circle_miles,
)

ATLANTA = (33.749, -84.388)
NASHVILLE = (36.1627, -86.7816)


@pytest.fixture(scope="module")
def gazetteer():
    g = OfflineGazetteer()
    g.warm()
    return g


# ---------------------------------------------------------------- great-circle distance

def test_atlanta_to_nashville_is_about_215_miles_as_the_crow_flies():
    assert great_circle_miles(*ATLANTA, *NASHVILLE) == pytest.approx(214.9, abs=0.05)


def test_distance_is_the_same_both_ways_and_zero_to_itself():
    assert great_circle_miles(*ATLANTA, *NASHVILLE) == pytest.approx(great_circle_miles(*NASHVILLE, *ATLANTA))
    assert great_circle_miles(*ATLANTA, *ATLANTA) == 0


def test_a_quarter_of_the_equator_uses_an_earth_radius_of_3958_8_miles():
    assert great_circle_miles(0, 0, 0, 90) == pytest.approx(math.pi / 2 * 3958.8)


def test_distance_accepts_decimal_coordinates():
    miles = great_circle_miles(Decimal("33.749"), Decimal("-84.388"), *NASHVILLE)
    assert miles == pytest.approx(214.9, abs=0.05)


# ---------------------------------------------------------------- ZIP codes

def test_a_zip_code_resolves_to_its_city(gazetteer):
    assert gazetteer.geocode("30303") == Place(Decimal("33.7525000"), Decimal("-84.3888000"),
                                               "Atlanta, GA 30303", "zip")


def test_a_zip_plus_four_resolves_like_its_zip(gazetteer):
    assert gazetteer.geocode("30303-1234").label == "Atlanta, GA 30303"


def test_an_address_with_a_zip_code_resolves_to_the_zip(gazetteer):
    place = gazetteer.geocode("123 Main St, Atlanta, GA 30303-1234")
    assert (place.label, place.precision) == ("Atlanta, GA 30303", "zip")


def test_a_zip_code_anywhere_in_the_text_is_used(gazetteer):
    assert gazetteer.geocode("Ryman Auditorium 37219 downtown").label == "Nashville, TN 37219"


def test_a_five_digit_house_number_is_not_taken_for_a_zip_code(gazetteer):
    place = gazetteer.geocode("12345 Peachtree Rd, Atlanta, GA")
    assert (place.label, place.precision) == ("Atlanta, GA", "city")


def test_a_zip_code_from_another_state_than_the_address_names_is_ignored(gazetteer):
    assert gazetteer.geocode("Atlanta, GA 37203").label == "Atlanta, GA"


def test_an_unknown_zip_code_resolves_to_nothing(gazetteer):
    assert gazetteer.geocode("99999") is None


# ---------------------------------------------------------------- cities

def test_city_and_state_code_resolves_to_the_city(gazetteer):
    assert gazetteer.geocode("Nashville, TN") == Place(Decimal("36.1658900"), Decimal("-86.7844400"),
                                                       "Nashville, TN", "city")


@pytest.mark.parametrize("query", ["atlanta, ga", "  ATLANTA ,  GA  ", "Atlanta GA", "Atlanta, Georgia",
                                   "Atlanta, Georgia, USA", "225 Baker St NW, Atlanta, GA"])
def test_city_spellings_ignore_case_spacing_and_state_form(gazetteer, query):
    assert gazetteer.geocode(query).label == "Atlanta, GA"


def test_an_ambiguous_city_without_a_state_picks_the_most_populous(gazetteer):
    assert gazetteer.geocode("Springfield").label == "Springfield, MO"


def test_an_ambiguous_city_with_a_state_picks_that_state(gazetteer):
    assert gazetteer.geocode("Springfield, IL").label == "Springfield, IL"
    assert gazetteer.geocode("springfield illinois").label == "Springfield, IL"


def test_a_city_not_in_the_named_state_resolves_to_nothing(gazetteer):
    assert gazetteer.geocode("Nashville, AK") is None


@pytest.mark.parametrize(("query", "label"), [
    ("St. Louis, MO", "St. Louis, MO"),
    ("Saint Louis MO", "St. Louis, MO"),
    ("Ft. Worth, TX", "Fort Worth, TX"),
    ("Mt. Pleasant, SC", "Mount Pleasant, SC"),
    ("St Paul MN", "Saint Paul, MN"),
])
def test_saint_fort_and_mount_abbreviations_are_understood(gazetteer, query, label):
    assert gazetteer.geocode(query).label == label


def test_the_longest_matching_city_name_wins(gazetteer):
    assert gazetteer.geocode("Salt Lake City, UT").label == "Salt Lake City, UT"
    assert gazetteer.geocode("Kansas City, Kansas").label == "Kansas City, KS"


def test_a_hyphenated_city_matches_without_the_hyphen(gazetteer):
    assert gazetteer.geocode("Winston Salem NC").label == "Winston-Salem, NC"


def test_new_york_and_washington_are_cities_as_well_as_states(gazetteer):
    assert gazetteer.geocode("New York, NY").label == "New York City, NY"
    assert gazetteer.geocode("Washington").label == "Washington, DC"


def test_a_small_town_known_only_from_zip_data_resolves(gazetteer):
    place = gazetteer.geocode("Blue Ridge, GA")
    assert (place.label, place.precision) == ("Blue Ridge, GA", "city")
    assert place.latitude == Decimal("34.8555000")


def test_coordinates_have_seven_decimals(gazetteer):
    place = gazetteer.geocode("Nashville, TN")
    assert place.latitude.as_tuple().exponent == -7 and place.longitude.as_tuple().exponent == -7


@pytest.mark.parametrize("query", ["garbage xyzzy", "", "   ", "!!!", "GA", "Tiny town, GA", None, 30303])
def test_text_that_names_no_place_resolves_to_nothing(gazetteer, query):
    assert gazetteer.geocode(query) is None


# ---------------------------------------------------------------- geopy provider (faked)

class FakeGeopy:
    """Stands in for a geopy geocoder: records calls, answers or raises as told."""

    def __init__(self, answer=None, error=None):
        self.answer, self.error, self.calls = answer, error, []

    def geocode(self, query, **kwargs):
        self.calls.append((query, kwargs))
        if self.error:
            raise self.error
        return self.answer


def _location(lat, lon, address):
    return SimpleNamespace(latitude=lat, longitude=lon, address=address)


def test_geopy_location_becomes_an_address_place():
    fake = FakeGeopy(_location(33.7590001234, -84.3926, "Mercedes-Benz Stadium, Atlanta, GA 30313, USA"))
    place = GeopyGeocoder("nominatim", client=fake).geocode("  1 AMB Dr NW, Atlanta  ")
    assert place == Place(Decimal("33.7590001"), Decimal("-84.3926000"),
                          "Mercedes-Benz Stadium, Atlanta, GA 30313, USA", "address")
    assert fake.calls == [("1 AMB Dr NW, Atlanta", {"exactly_one": True, "country_codes": "us"})]


def test_google_is_asked_for_us_results_through_components():
    fake = FakeGeopy(_location(36.16, -86.78, "Nashville, TN, USA"))
    GeopyGeocoder("google", client=fake).geocode("Nashville")
    assert fake.calls[0][1] == {"exactly_one": True, "components": {"country": "US"}}


def test_geopy_finding_nothing_is_none():
    assert GeopyGeocoder("nominatim", client=FakeGeopy(None)).geocode("nowhere at all") is None


def test_a_blank_query_never_reaches_the_provider():
    fake = FakeGeopy()
    assert GeopyGeocoder("nominatim", client=fake).geocode("  ") is None and fake.calls == []


@pytest.mark.parametrize("error", [GeocoderTimedOut("timed out"), GeocoderServiceError("HTTP 503")])
def test_provider_failures_raise_geocoding_unavailable(error):
    with pytest.raises(GeocodingUnavailable, match="nominatim geocoding failed"):
        GeopyGeocoder("nominatim", client=FakeGeopy(error=error)).geocode("Atlanta, GA")


def test_geopy_clients_are_built_from_the_options_without_network():
    nominatim = GeopyGeocoder("nominatim", user_agent="coachway-test", timeout=3).client
    google = GeopyGeocoder("google", api_key="test-key", timeout=3).client
    assert isinstance(nominatim, Nominatim) and nominatim.timeout == 3
    assert isinstance(google, GoogleV3) and google.api_key == "test-key"


def test_google_without_an_api_key_is_a_configuration_error():
    with pytest.raises(ValueError, match="GEOCODER_API_KEY"):
        GeopyGeocoder("google")


def test_an_unknown_geopy_backend_is_a_configuration_error():
    with pytest.raises(ValueError, match="unknown geopy backend"):
        GeopyGeocoder("bing")


# ---------------------------------------------------------------- choosing by settings

@pytest.fixture
def fresh_settings(monkeypatch):
    yield monkeypatch
    get_settings.cache_clear()


def test_settings_choose_the_offline_gazetteer_by_default(fresh_settings):
    fresh_settings.delenv("COACHWAY_GEOCODER_BACKEND", raising=False)
    get_settings.cache_clear()
    assert isinstance(geocoder(), OfflineGazetteer)


def test_settings_choose_nominatim_with_user_agent_and_timeout(fresh_settings):
    fresh_settings.setenv("COACHWAY_GEOCODER_BACKEND", "nominatim")
    fresh_settings.setenv("COACHWAY_GEOCODER_USER_AGENT", "coachway-ops")
    fresh_settings.setenv("COACHWAY_GEOCODER_TIMEOUT_SECONDS", "4")
    get_settings.cache_clear()
    chosen = geocoder()
    assert isinstance(chosen, GeopyGeocoder) and isinstance(chosen.client, Nominatim)
    assert chosen.client.timeout == 4 and chosen.client.headers["User-Agent"] == "coachway-ops"


def test_settings_choose_google_with_the_api_key(fresh_settings):
    fresh_settings.setenv("COACHWAY_GEOCODER_BACKEND", "google")
    fresh_settings.setenv("COACHWAY_GEOCODER_API_KEY", "key-123")
    get_settings.cache_clear()
    assert geocoder().client.api_key == "key-123"


def test_an_unknown_geocoder_backend_is_a_configuration_error(fresh_settings):
    fresh_settings.setenv("COACHWAY_GEOCODER_BACKEND", "mapquest")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="unknown geocoder_backend"):
        geocoder()


def test_nominatim_lookups_are_paced_to_one_a_second_and_errors_still_reach_the_caller(monkeypatch):
    """OpenStreetMap's usage policy allows one request a second."""
    from geopy.extra import rate_limiter

    now, waited = [100.0], []  # a clock that moves only when the limiter sleeps

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(rate_limiter.RateLimiter, "_clock", lambda self: now[0])
    monkeypatch.setattr(rate_limiter, "sleep", sleep)
    fake = FakeGeopy(_location(33.749, -84.388, "Atlanta, GA, USA"))
    nominatim = GeopyGeocoder("nominatim", client=fake)
    for _ in range(3):
        nominatim.geocode("Atlanta, GA")
    assert len(fake.calls) == 3 and waited == [1.0, 1.0]
    failing = GeopyGeocoder("nominatim", client=FakeGeopy(error=GeocoderTimedOut("slow")))
    with pytest.raises(GeocodingUnavailable):
        failing.geocode("Atlanta, GA")


def test_google_is_not_paced_and_the_configured_provider_is_one_instance(fresh_settings, monkeypatch):
    fake = FakeGeopy(None)
    assert GeopyGeocoder("google", client=fake)._lookup == fake.geocode
    fresh_settings.setenv("COACHWAY_GEOCODER_BACKEND", "nominatim")
    assert geocoder() is geocoder()
