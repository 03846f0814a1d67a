"""A table of world cities (coordinates, country, time zone, population) and lookups that never fail.

A place not in the table gets deterministic pseudo-coordinates from its name, so distances and
routes between unknown places are still stable across calls and processes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from verifiers.tools.mocks.util import MockError, Rand

if TYPE_CHECKING:
    from verifiers.tools.mocks.registry import Call

_COORDS = re.compile(r"\s*\(?\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*\)?\s*")
# Coordinates stand in for a place's name: {"location": ("lat", "lon")} for a mock's `alt`.
COORDINATES = {"lat": "lat latitude", "lon": "lon lng long longitude"}

# name, country, ISO code, lat, lon, IANA zone, population, IATA airport
_ROWS = """
New York|United States|US|40.7128|-74.0060|America/New_York|8336817|JFK
Los Angeles|United States|US|34.0522|-118.2437|America/Los_Angeles|3898747|LAX
Chicago|United States|US|41.8781|-87.6298|America/Chicago|2746388|ORD
San Francisco|United States|US|37.7749|-122.4194|America/Los_Angeles|808437|SFO
Seattle|United States|US|47.6062|-122.3321|America/Los_Angeles|749256|SEA
Miami|United States|US|25.7617|-80.1918|America/New_York|442241|MIA
Boston|United States|US|42.3601|-71.0589|America/New_York|650706|BOS
Washington|United States|US|38.9072|-77.0369|America/New_York|689545|IAD
Denver|United States|US|39.7392|-104.9903|America/Denver|715522|DEN
Toronto|Canada|CA|43.6532|-79.3832|America/Toronto|2794356|YYZ
Vancouver|Canada|CA|49.2827|-123.1207|America/Vancouver|662248|YVR
Mexico City|Mexico|MX|19.4326|-99.1332|America/Mexico_City|9209944|MEX
Sao Paulo|Brazil|BR|-23.5505|-46.6333|America/Sao_Paulo|12325232|GRU
Rio de Janeiro|Brazil|BR|-22.9068|-43.1729|America/Sao_Paulo|6747815|GIG
Buenos Aires|Argentina|AR|-34.6037|-58.3816|America/Argentina/Buenos_Aires|3075646|EZE
Lima|Peru|PE|-12.0464|-77.0428|America/Lima|9751000|LIM
Bogota|Colombia|CO|4.7110|-74.0721|America/Bogota|7743955|BOG
London|United Kingdom|GB|51.5074|-0.1278|Europe/London|8982000|LHR
Paris|France|FR|48.8566|2.3522|Europe/Paris|2161000|CDG
Berlin|Germany|DE|52.5200|13.4050|Europe/Berlin|3645000|BER
Munich|Germany|DE|48.1351|11.5820|Europe/Berlin|1488000|MUC
Madrid|Spain|ES|40.4168|-3.7038|Europe/Madrid|3223000|MAD
Barcelona|Spain|ES|41.3874|2.1686|Europe/Madrid|1620000|BCN
Rome|Italy|IT|41.9028|12.4964|Europe/Rome|2873000|FCO
Milan|Italy|IT|45.4642|9.1900|Europe/Rome|1352000|MXP
Amsterdam|Netherlands|NL|52.3676|4.9041|Europe/Amsterdam|872680|AMS
Brussels|Belgium|BE|50.8503|4.3517|Europe/Brussels|185103|BRU
Zurich|Switzerland|CH|47.3769|8.5417|Europe/Zurich|415367|ZRH
Vienna|Austria|AT|48.2082|16.3738|Europe/Vienna|1897000|VIE
Stockholm|Sweden|SE|59.3293|18.0686|Europe/Stockholm|975904|ARN
Oslo|Norway|NO|59.9139|10.7522|Europe/Oslo|697010|OSL
Copenhagen|Denmark|DK|55.6761|12.5683|Europe/Copenhagen|602481|CPH
Dublin|Ireland|IE|53.3498|-6.2603|Europe/Dublin|544107|DUB
Lisbon|Portugal|PT|38.7223|-9.1393|Europe/Lisbon|504718|LIS
Warsaw|Poland|PL|52.2297|21.0122|Europe/Warsaw|1790658|WAW
Prague|Czech Republic|CZ|50.0755|14.4378|Europe/Prague|1309000|PRG
Athens|Greece|GR|37.9838|23.7275|Europe/Athens|664046|ATH
Istanbul|Turkey|TR|41.0082|28.9784|Europe/Istanbul|15460000|IST
Moscow|Russia|RU|55.7558|37.6173|Europe/Moscow|12506000|SVO
Cairo|Egypt|EG|30.0444|31.2357|Africa/Cairo|9540000|CAI
Lagos|Nigeria|NG|6.5244|3.3792|Africa/Lagos|15388000|LOS
Nairobi|Kenya|KE|-1.2921|36.8219|Africa/Nairobi|4397073|NBO
Johannesburg|South Africa|ZA|-26.2041|28.0473|Africa/Johannesburg|5635127|JNB
Cape Town|South Africa|ZA|-33.9249|18.4241|Africa/Johannesburg|4618000|CPT
Dubai|United Arab Emirates|AE|25.2048|55.2708|Asia/Dubai|3331420|DXB
Mumbai|India|IN|19.0760|72.8777|Asia/Kolkata|12442373|BOM
Delhi|India|IN|28.7041|77.1025|Asia/Kolkata|16787941|DEL
Bangalore|India|IN|12.9716|77.5946|Asia/Kolkata|8443675|BLR
Singapore|Singapore|SG|1.3521|103.8198|Asia/Singapore|5685800|SIN
Bangkok|Thailand|TH|13.7563|100.5018|Asia/Bangkok|10539000|BKK
Hong Kong|China|HK|22.3193|114.1694|Asia/Hong_Kong|7482500|HKG
Beijing|China|CN|39.9042|116.4074|Asia/Shanghai|21540000|PEK
Shanghai|China|CN|31.2304|121.4737|Asia/Shanghai|24870000|PVG
Seoul|South Korea|KR|37.5665|126.9780|Asia/Seoul|9776000|ICN
Tokyo|Japan|JP|35.6762|139.6503|Asia/Tokyo|13960000|HND
Osaka|Japan|JP|34.6937|135.5023|Asia/Tokyo|2691000|KIX
Jakarta|Indonesia|ID|-6.2088|106.8456|Asia/Jakarta|10562088|CGK
Manila|Philippines|PH|14.5995|120.9842|Asia/Manila|1780148|MNL
Sydney|Australia|AU|-33.8688|151.2093|Australia/Sydney|5312000|SYD
Melbourne|Australia|AU|-37.8136|144.9631|Australia/Melbourne|5078000|MEL
Auckland|New Zealand|NZ|-36.8485|174.7633|Pacific/Auckland|1657000|AKL
Honolulu|United States|US|21.3069|-157.8583|Pacific/Honolulu|350964|HNL
"""
_ALIASES = {"nyc": "new york", "new york city": "new york", "la": "los angeles", "sf": "san francisco",
            "washington dc": "washington", "washington d.c.": "washington", "dc": "washington",
            "são paulo": "sao paulo", "bogotá": "bogota", "münchen": "munich", "rio": "rio de janeiro",
            "bengaluru": "bangalore", "new delhi": "delhi", "bombay": "mumbai", "peking": "beijing",
            "zürich": "zurich", "wien": "vienna", "roma": "rome", "hk": "hong kong",
            "lisboa": "lisbon", "praha": "prague"}


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    code: str
    lat: float
    lon: float
    tz: str
    population: int
    airport: str
    known: bool = True


def _load() -> dict[str, Place]:
    table = {}
    for line in _ROWS.strip().splitlines():
        name, country, code, lat, lon, tz, pop, airport = line.split("|")
        table[name.lower()] = Place(name, country, code, float(lat), float(lon), tz, int(pop), airport)
    return table


CITIES = _load()
_BY_AIRPORT = {p.airport.lower(): p for p in CITIES.values()}


def _key(text: str) -> str:
    text = re.sub(r"\s+", " ", text.strip().lower())
    head = text.split(",")[0].strip()
    return _ALIASES.get(head, head)


def find(text: str) -> Place | None:
    """The table's city for 'Paris', 'paris, france', 'NYC' or an airport code; None when unknown."""
    key = _key(text)
    return CITIES.get(key) or _BY_AIRPORT.get(key)


def place(text: str) -> Place:
    """Like `find`, but an unknown place gets stable pseudo-coordinates and a title-cased name."""
    hit = find(text)
    if hit is not None:
        return hit
    name = text.strip().split(",")[0].strip()[:80].title() or "Unknown"
    rand = Rand("place", _key(text))
    lat, lon = rand.uniform(-50, 60, 4), rand.uniform(-120, 140, 4)
    code = "".join(c for c in name.upper() if c.isalpha())[:3].ljust(3, "X")
    return Place(name, "Unknown", "XX", lat, lon, "UTC", rand.randint(5_000, 900_000), code, known=False)


def haversine_km(a: Place, b: Place) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def nearest(lat: float, lon: float) -> tuple[Place, float]:
    probe = Place("", "", "", lat, lon, "UTC", 0, "")
    best = min(CITIES.values(), key=lambda p: haversine_km(probe, p))
    return best, haversine_km(probe, best)


COUNTRIES = {p.country.lower(): p.country for p in CITIES.values()}


def locate(text: str, lat: float | None = None, lon: float | None = None) -> Place:
    """The place a call means: its name ("Paris", or "48.85,2.35"), else its coordinates (snapped to a
    city within 50 km). Callers check that one of them was given (`where`)."""
    pair = _COORDS.fullmatch(text) if text else None
    if pair:
        lat, lon, text = float(pair.group(1)), float(pair.group(2)), ""
    if text:
        return place(text)
    if lat is None or lon is None:
        raise MockError("missing required argument 'location'")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise MockError("coordinates out of range (latitude -90 to 90, longitude -180 to 180)")
    city, km = nearest(lat, lon)
    if km <= 50:
        return city
    return Place(f"{lat:.4f},{lon:.4f}", "Unknown", "XX", lat, lon, _zone_of(lon), 0, "", known=False)


def _zone_of(lon: float) -> str:
    """The nautical time zone of a longitude (Etc/GMT-1 is UTC+1)."""
    hours = round(lon / 15)
    return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


def where(c: Call, name: str = "location") -> Place:
    """The place of a call: the `name` argument, or the tool's latitude and longitude arguments."""
    text = c.text(name, limit=120)
    lat, lon = c.num("lat"), c.num("lon")
    if not text and (lat is None or lon is None):
        raise c.missing(name)
    return locate(text, lat, lon)


def label(p: Place) -> str:
    return f"{p.name}, {p.country}" if p.known else p.name


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance between table cities; a stable made-up 10-1500 km when either is unknown,
    since pseudo-coordinates could put two neighbouring towns on opposite sides of the planet."""
    if a.known and b.known:
        return haversine_km(a, b)
    if a.name.lower() == b.name.lower():
        return 0.0
    return Rand("distance", *sorted((a.name.lower(), b.name.lower()))).uniform(10, 1500, 1)
