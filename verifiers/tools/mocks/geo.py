"""Maps: distance (haversine on the city table), geocoding, directions, nearby places, city facts."""

from __future__ import annotations

from typing import Any

from verifiers.tools.mocks.countries import CAPITAL_NOTES, POPULATION_YEAR, Country, find_country
from verifiers.tools.mocks.places import CITIES, COORDINATES, Place, distance_km, find, label, nearest, place, where
from verifiers.tools.mocks.registry import LIMIT, LOCATION, Call, Mock, collector
from verifiers.tools.mocks.util import MockError, Rand, clip

MOCKS: list[Mock] = []
mock = collector("geo", MOCKS, "geo map maps gis")

_ORIGIN = "origin from start source from_city start_location departure origin_city from_location point_a city1 " \
          "location1 place1 a source_city start_address"
_DEST = "destination to end target to_city end_location arrival destination_city to_location point_b city2 " \
        "location2 place2 b dest end_address"
_ALT = {"location": ("lat", "lon")}
_MODE = "mode travel_mode transport transportation transport_mode profile by method vehicle"
# km/h and the detour of roads over a straight line
_MODES = {"driving": (80.0, 1.25), "walking": (5.0, 1.2), "cycling": (16.0, 1.22), "transit": (60.0, 1.3),
          "flying": (800.0, 1.05)}
_MODE_WORDS = {"car": "driving", "drive": "driving", "auto": "driving", "walk": "walking", "foot": "walking",
               "bike": "cycling", "bicycle": "cycling", "bicycling": "cycling", "cycle": "cycling", "bus": "transit",
               "train": "transit", "public": "transit", "public_transport": "transit", "subway": "transit",
               "plane": "flying", "flight": "flying", "fly": "flying", "air": "flying"}


def _pair(c: Call) -> tuple[Place, Place]:
    a, b = c.need("origin", limit=120), c.need("destination", limit=120)
    return place(a), place(b)


def _mode(c: Call) -> str:
    raw = c.text("mode", "driving").lower().strip()
    mode = _MODE_WORDS.get(raw, raw)
    if mode not in _MODES:
        raise MockError(f"unsupported travel mode '{raw[:30]}'")
    return mode


def _duration(km: float, mode: str) -> tuple[float, int]:
    speed, detour = _MODES[mode]
    road = km * detour
    return round(road, 1), max(1, round(road / speed * 60 + (45 if mode == "flying" else 0)))


def _fmt_minutes(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    return f"{hours} h {mins} min" if hours else f"{mins} min"


@mock("distance", topic="distance far", extra="between calculate how",
      anti="direction directions route travel", desc="straight line distance between two places or cities",
      params={"origin": _ORIGIN, "destination": _DEST, "unit": "unit units distance_unit"},
      required=("origin", "destination"), example={"origin": "Paris", "destination": "London"},
      summary="Distance between two places")
def distance(c: Call) -> dict[str, Any]:
    a, b = _pair(c)
    km = distance_km(a, b)
    unit = c.text("unit", "km").lower()
    miles = unit in ("mi", "mile", "miles", "imperial")
    return {"origin": label(a), "destination": label(b), "distance": round(km / 1.609344 if miles else km, 1),
            "unit": "mi" if miles else "km", "distance_km": round(km, 1), "distance_miles": round(km / 1.609344, 1),
            "method": "great-circle", "approximate": not (a.known and b.known)}


@mock("geocode", topic="geocode geocoding coordinate coordinates latlng latitude longitude", extra="address lookup",
      anti="reverse", desc="latitude and longitude coordinates of an address or place name",
      params={"address": LOCATION + " address_line search"}, required=("address",),
      example={"address": "Berlin, Germany"}, summary="Coordinates of a place")
def geocode(c: Call) -> dict[str, Any]:
    p = place(c.need("address", limit=200))
    return {"query": c.text("address"), "results": [{"formatted_address": label(p), "latitude": p.lat,
                                                     "longitude": p.lon, "country": p.country, "country_code": p.code,
                                                     "timezone": p.tz, "confidence": 0.98 if p.known else 0.55}]}


@mock("reverse_geocode", topic="reverse geocode geocoding", extra="coordinates address lookup latitude",
      desc="address of latitude longitude coordinates",
      params={"lat": "lat latitude y", "lon": "lon lng long longitude x"}, required=("lat", "lon"),
      example={"lat": 48.8584, "lon": 2.2945}, summary="Address of coordinates")
def reverse_geocode(c: Call) -> dict[str, Any]:
    lat, lon = c.need_num("lat"), c.need_num("lon")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise MockError("coordinates out of range")
    city, km = nearest(lat, lon)
    rand = Rand("street", round(lat, 3), round(lon, 3))
    street = f"{rand.randint(1, 250)} {rand.choice(('Main', 'Park', 'Station', 'Market', 'River', 'Church'))} Street"
    if km > 100:
        return {"latitude": lat, "longitude": lon, "formatted_address": "Unnamed location", "nearest_city": label(city),
                "distance_to_city_km": round(km, 1)}
    return {"latitude": lat, "longitude": lon, "formatted_address": f"{street}, {city.name}, {city.country}",
            "city": city.name, "country": city.country, "country_code": city.code,
            "distance_to_city_km": round(km, 1)}


@mock("directions", topic="direction directions route routing navigate navigation itinerary",
      extra="get plan driving walking", desc="route directions between two places with distance and duration",
      params={"origin": _ORIGIN, "destination": _DEST, "mode": _MODE}, required=("origin", "destination"),
      example={"origin": "Amsterdam", "destination": "Brussels", "mode": "driving"}, summary="Directions")
def directions(c: Call) -> dict[str, Any]:
    a, b = _pair(c)
    mode = _mode(c)
    km = distance_km(a, b)
    if mode in ("walking", "cycling") and km > 1500 or mode == "driving" and km > 6000:
        raise MockError(f"no {mode} route found between {a.name} and {b.name}")
    road, minutes = _duration(km, mode)
    rand = Rand("route", a.name, b.name, mode)
    roads = rand.sample(("A1", "E40", "Highway 9", "Ring Road", "Coastal Route", "M25", "Route 66", "N7"), 3)
    legs = [f"Head {rand.choice(('north', 'south', 'east', 'west'))} from {a.name} city centre",
            f"Continue on {roads[0]} for {round(road * 0.4, 1)} km", f"Take {roads[1]} for {round(road * 0.5, 1)} km",
            f"Follow signs to {b.name} via {roads[2]}", f"Arrive in {b.name}"]
    return {"origin": label(a), "destination": label(b), "mode": mode, "distance_km": road,
            "duration_minutes": minutes, "duration_text": _fmt_minutes(minutes), "steps": legs}


@mock("travel_time", topic="travel commute eta trip journey", extra="time duration how long",
      anti="flight book", desc="estimated travel time between two places by mode",
      params={"origin": _ORIGIN, "destination": _DEST, "mode": _MODE}, required=("origin", "destination"),
      example={"origin": "Boston", "destination": "New York", "mode": "transit"}, summary="Travel time estimate")
def travel_time(c: Call) -> dict[str, Any]:
    a, b = _pair(c)
    mode = _mode(c)
    road, minutes = _duration(distance_km(a, b), mode)
    return {"origin": label(a), "destination": label(b), "mode": mode, "distance_km": road,
            "duration_minutes": minutes, "duration_text": _fmt_minutes(minutes)}


_KINDS = {"restaurant": ("Bistro", "Trattoria", "Grill", "Kitchen", "Diner"), "cafe": ("Coffee", "Café", "Roasters"),
          "hotel": ("Hotel", "Inn", "Suites"), "gas_station": ("Fuel", "Petrol"), "pharmacy": ("Pharmacy", "Chemist"),
          "hospital": ("Hospital", "Clinic"), "supermarket": ("Market", "Grocery"), "bar": ("Bar", "Pub", "Tavern"),
          "park": ("Park", "Gardens"), "museum": ("Museum", "Gallery"), "atm": ("ATM",), "place": ("Place",)}


@mock("nearby_places", topic="nearby near around poi place places", extra="search find restaurant cafe",
      anti="weather", desc="find nearby places points of interest restaurants cafes within a radius",
      params={"location": LOCATION + " near around center", "type": "type category kind keyword place_type amenity "
              "poi_type what", "radius": "radius radius_m distance within", "limit": LIMIT,
              **COORDINATES},
      required=("location",), alt=_ALT, example={"location": "Rome", "type": "cafe", "radius": 1000},
      summary="Nearby places")
def nearby(c: Call) -> dict[str, Any]:
    p = where(c)
    raw = c.text("type", "place").lower().replace(" ", "_")
    kind = raw.removesuffix("s") if raw.removesuffix("s") in _KINDS else raw
    radius = c.integer("radius", 1500, 50, 50_000)
    rand = Rand("nearby", p.name.lower(), kind)
    names = ("Central", "Golden", "Old Town", "Riverside", "Corner", "Blue", "Royal", "Green", "Harbor", "Little")
    out = []
    for i in range(c.integer("limit", 5, 1, 20)):
        suffix = rand.choice(_KINDS.get(kind, (clip(kind.replace("_", " ").title(), 30),)))
        dist = round(radius * (i + 1) / 6 * rand.uniform(0.6, 1.0, 3))
        out.append({"name": f"{rand.choice(names)} {suffix}", "type": kind, "distance_m": dist,
                    "rating": rand.uniform(3.4, 4.9, 1), "address": f"{rand.randint(1, 200)} "
                    f"{rand.choice(('Main', 'High', 'Market', 'Park'))} St, {p.name}", "open_now": rand.random() < 0.8})
    return {"location": label(p), "type": kind, "radius_m": radius, "results": out}


@mock("city_info", topic="city cities town", extra="info information facts details population",
      anti="weather time", desc="facts about a city country population coordinates time zone",
      params={"city": LOCATION, **COORDINATES}, required=("city",), alt={"city": ("lat", "lon")},
      example={"city": "Tokyo"}, summary="Facts about a city")
def city_info(c: Call) -> dict[str, Any]:
    p = where(c, "city")
    if not p.known:
        raise MockError(f"city '{p.name}' not found")
    return {"name": p.name, "country": p.country, "country_code": p.code, "latitude": p.lat, "longitude": p.lon,
            "timezone": p.tz, "population": p.population, "main_airport": p.airport}


_COUNTRY = "country country_name nation code country_code iso_code"


def _country(c: Call) -> Country:
    raw = c.need("country", limit=80)
    found = find_country(raw)
    if found is None:
        raise MockError(f"unknown country '{raw}'")
    return found


@mock("country_info", topic="country countries nation", extra="info information facts details profile",
      desc="facts about a country capital population cities",
      params={"country": _COUNTRY + " name q query"},
      required=("country",), example={"country": "Japan"}, summary="Facts about a country")
def country_info(c: Call) -> dict[str, Any]:
    country = _country(c)
    cities = [p for p in CITIES.values() if p.code == country.code or p.country == country.name]
    out: dict[str, Any] = {"name": country.name, "code": country.code, "capital": country.capital,
                           "population": country.population, "population_year": POPULATION_YEAR}
    if cities:
        out |= {"major_cities": [p.name for p in cities],
                "largest_city": max(cities, key=lambda p: p.population).name,
                "timezones": sorted({p.tz for p in cities})}
    return out


@mock("country_capital", topic="capital", extra="country nation city of what", anti="venture gain gains market "
      "fund funds investment working cost expenditure requirement letter", desc="the capital city of a country",
      params={"country": _COUNTRY + " name"}, required=("country",), example={"country": "Australia"},
      summary="Capital of a country")
def country_capital(c: Call) -> dict[str, Any]:
    country = _country(c)
    out = {"country": country.name, "country_code": country.code, "capital": country.capital}
    return out | ({"note": CAPITAL_NOTES[country.code]} if country.code in CAPITAL_NOTES else {})


@mock("population", topic="population populous inhabitant inhabitants", extra="country city nation people how many "
      "total current", anti="growth density pyramid", desc="population of a country or a city",
      params={"place": _COUNTRY + " city city_name town location place name region q query"},
      required=("place",), example={"country": "Japan"}, summary="Population of a country or city")
def population(c: Call) -> dict[str, Any]:
    raw = c.need("place", limit=80)
    asked = c.key("place").lower()
    country = find_country(raw) if "city" not in asked and "town" not in asked else None
    if country is not None:
        return {"country": country.name, "country_code": country.code, "population": country.population,
                "year": POPULATION_YEAR, "approximate": True}
    city = find(raw)
    if city is not None and "country" not in asked and "nation" not in asked:
        return {"city": city.name, "country": city.country, "population": city.population, "approximate": True}
    if "country" in asked or "nation" in asked:  # a country outside the table: a stable made-up estimate
        name = clip(raw.strip(), 80).title()
        return {"country": name, "population": Rand("population", raw.strip().lower()).randint(300_000, 60_000_000),
                "year": POPULATION_YEAR, "approximate": True, "estimated": True}
    raise MockError(f"place '{clip(raw, 60)}' not found")


@mock("elevation", topic="elevation altitude height", extra="above sea level", desc="elevation above sea level",
      params={"location": LOCATION, **COORDINATES},
      required=("location",), alt=_ALT, example={"location": "Denver"}, summary="Elevation of a place")
def elevation(c: Call) -> dict[str, Any]:
    p = where(c)
    metres = 1609 if p.name == "Denver" else Rand("elevation", p.name.lower()).randint(0, 900)
    return {"location": label(p), "elevation_m": metres, "elevation_ft": round(metres * 3.28084)}
