"""Weather: current conditions, forecasts, air quality, UV, alerts, sunrise/sunset, history.

Values are seeded by (city, date), not by the whole argument dict, so asking for Paris in
celsius and then in fahrenheit gives the same weather in two units (F = C * 9/5 + 32).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from verifiers.tools.mocks.places import COORDINATES, Place, label, where
from verifiers.tools.mocks.registry import DATE, LOCATION, Call, Mock, collector
from verifiers.tools.mocks.util import NOW, TODAY, MockError, Rand, iso

MOCKS: list[Mock] = []
mock = collector("weather", MOCKS, "weather meteo")

_PARAMS = {"location": LOCATION, "units": "unit units temperature_unit temp_unit scale format system measurement",
           **COORDINATES}
_ALT = {"location": ("lat", "lon")}  # coordinates serve as well as a place name
_CONDITIONS = ("clear", "sunny", "partly cloudy", "cloudy", "overcast", "light rain", "rain", "thunderstorms",
               "fog", "windy")
_WEATHER_WORDS = "weather temperature climate conditions meteo meteorological"


def _place(c: Call) -> Place:
    return where(c)


def _units(c: Call) -> str:
    raw = c.text("units").lower().replace("°", "").replace("degrees", "").strip()
    if raw in ("f", "fahrenheit", "imperial", "us", "degf"):
        return "fahrenheit"
    if raw in ("k", "kelvin", "standard", "si"):
        return "kelvin"
    return "celsius"


def _temp(celsius: float, unit: str) -> float:
    if unit == "fahrenheit":
        return round(celsius * 9 / 5 + 32, 1)
    if unit == "kelvin":
        return round(celsius + 273.15, 2)
    return celsius


def _day(p: Place, day: date) -> dict[str, Any]:
    """The day's weather in celsius; seeded by place and date only."""
    rand = Rand("weather", p.name.lower(), p.lat, p.lon, day.isoformat())
    # Mid-June: summer in the north, winter in the south; cooler towards the poles.
    seasonal = 33 - 0.3 * p.lat if p.lat >= 0 else 27 - 0.35 * abs(p.lat)
    mean = round(seasonal + rand.uniform(-4, 4, 1), 1)
    conditions = rand.choice(_CONDITIONS)
    if mean < 0 and conditions in ("light rain", "rain"):
        conditions = "snow"
    wet = conditions in ("light rain", "rain", "thunderstorms", "snow")
    return {"mean": mean, "high": round(mean + rand.uniform(2, 6, 1), 1), "low": round(mean - rand.uniform(3, 7, 1), 1),
            "conditions": conditions, "humidity": rand.randint(65, 95) if wet else rand.randint(25, 70),
            "wind_kmh": rand.uniform(2, 35, 1), "precip_chance": rand.randint(55, 95) if wet else rand.randint(0, 30),
            "precip_mm": rand.uniform(0.5, 18, 1) if wet else 0.0, "pressure": rand.randint(998, 1030),
            "cloud": rand.randint(60, 100) if wet or "cloud" in conditions else rand.randint(0, 40)}


def _wind(kmh: float, unit: str) -> tuple[float, str]:
    return (round(kmh / 1.609344, 1), "mph") if unit == "fahrenheit" else (kmh, "km/h")


@mock("weather_current", topic=_WEATHER_WORDS, extra="current now today live real time latest observation",
      anti="forecast tomorrow week daily hourly convert conversion history historical past alert air uv sunrise sunset",
      desc="current weather conditions right now temperature humidity wind city",
      params=_PARAMS, required=("location",), alt=_ALT, example={"location": "Paris", "units": "celsius"},
      summary="Current weather for a location")
def current(c: Call) -> dict[str, Any]:
    p, unit = _place(c), _units(c)
    day = _day(p, TODAY)
    wind, wind_unit = _wind(day["wind_kmh"], unit)
    feels = round(day["mean"] - day["wind_kmh"] / 20, 1)
    return {"location": label(p), "latitude": p.lat, "longitude": p.lon, "temperature": _temp(day["mean"], unit),
            "feels_like": _temp(feels, unit), "unit": unit, "conditions": day["conditions"],
            "humidity": day["humidity"], "wind_speed": wind, "wind_unit": wind_unit, "pressure_hpa": day["pressure"],
            "cloud_cover": day["cloud"], "observed_at": iso(NOW)}


@mock("weather_forecast", topic=_WEATHER_WORDS + " forecast",
      extra="forecast daily hourly week tomorrow days next outlook",
      anti="current now history historical past air uv alert convert conversion",
      desc="forecast for the next days daily high low precipitation chance outlook",
      params={**_PARAMS, "days": "days num_days n_days number_of_days count forecast_days limit cnt horizon",
              "date": DATE + " start_date"},
      required=("location",), alt=_ALT, example={"location": "Tokyo", "days": 3, "units": "fahrenheit"},
      summary="Multi-day weather forecast")
def forecast(c: Call) -> dict[str, Any]:
    p, unit = _place(c), _units(c)
    start = c.day("date", TODAY) or TODAY
    if not 0 <= (start - TODAY).days <= 16:
        raise MockError("forecasts are available only for the next 16 days")
    days = c.integer("days", 3, 1, 16)
    out = []
    for i in range(days):
        day = start + timedelta(days=i)
        w = _day(p, day)
        out.append({"date": day.isoformat(), "high": _temp(w["high"], unit), "low": _temp(w["low"], unit),
                    "conditions": w["conditions"], "precipitation_chance": w["precip_chance"],
                    "precipitation_mm": w["precip_mm"], "humidity": w["humidity"]})
    return {"location": label(p), "unit": unit, "days": len(out), "forecast": out}


def _aqi_category(aqi: int) -> str:
    for limit, name in ((50, "good"), (100, "moderate"), (150, "unhealthy for sensitive groups"), (200, "unhealthy"),
                        (300, "very unhealthy")):
        if aqi <= limit:
            return name
    return "hazardous"


@mock("air_quality", topic="air quality aqi pollution pollutant smog pm25", extra="index level",
      anti="weather forecast", desc="air quality index pollution pm2.5 ozone",
      params={"location": LOCATION, **COORDINATES},
      required=("location",), alt=_ALT, example={"city": "Delhi"}, summary="Air quality index for a location")
def air_quality(c: Call) -> dict[str, Any]:
    p = _place(c)
    rand = Rand("aqi", p.name.lower(), TODAY.isoformat())
    size = min(1.0, p.population / 15_000_000) if p.known else 0.3
    aqi = int(20 + 140 * size * rand.uniform(0.4, 1.2) + rand.randint(0, 25))
    return {"location": label(p), "aqi": aqi, "category": _aqi_category(aqi),
            "dominant_pollutant": rand.choice(("pm2_5", "pm10", "o3", "no2")),
            "pollutants": {"pm2_5": round(aqi * 0.35, 1), "pm10": round(aqi * 0.6, 1), "o3": rand.randint(10, 90),
                           "no2": rand.randint(5, 60), "co": rand.uniform(0.1, 1.5, 2)},
            "units": "µg/m³", "observed_at": iso(NOW)}


@mock("uv_index", topic="uv ultraviolet sunburn", extra="index level exposure sun",
      anti="forecast air", desc="uv index ultraviolet radiation sun protection",
      params={"location": LOCATION, "date": DATE, **COORDINATES},
      required=("location",), alt=_ALT, example={"location": "Sydney"}, summary="UV index for a location")
def uv_index(c: Call) -> dict[str, Any]:
    p = _place(c)
    day = c.day("date", TODAY) or TODAY
    w = _day(p, day)
    # Strongest where the June sun stands high (around 23 N), weaker under clouds.
    uv = max(0.0, 12 - abs(p.lat - 23.4) * 0.16) * (1 - w["cloud"] / 160)
    uv = round(uv, 1)
    risk = "low" if uv < 3 else "moderate" if uv < 6 else "high" if uv < 8 else "very high" if uv < 11 else "extreme"
    return {"location": label(p), "date": day.isoformat(), "uv_index": uv, "risk": risk,
            "advice": "Wear sunscreen SPF 30+ and a hat." if uv >= 3 else "No protection needed."}


@mock("weather_alerts", topic="alert warning warnings advisory storm severe", extra="weather",
      anti="air", desc="severe weather alerts warnings advisories storms floods",
      params={"location": LOCATION, **COORDINATES},
      required=("location",), alt=_ALT, example={"location": "Miami"}, summary="Active severe weather alerts")
def alerts(c: Call) -> dict[str, Any]:
    p = _place(c)
    rand = Rand("alerts", p.name.lower(), TODAY.isoformat())
    found = []
    if rand.random() < 0.35:
        kind = rand.choice(("Heat Advisory", "Thunderstorm Watch", "Flood Warning", "Wind Advisory"))
        found.append({"event": kind, "severity": rand.choice(("minor", "moderate", "severe")),
                      "starts": iso(NOW + timedelta(hours=rand.randint(1, 6))),
                      "ends": iso(NOW + timedelta(hours=rand.randint(12, 36))),
                      "description": f"{kind} in effect for the {p.name} area."})
    return {"location": label(p), "alerts": found, "count": len(found)}


def _sun_times(p: Place, day: date) -> tuple[datetime | None, datetime | None]:
    """Sunrise and sunset (UTC) by the standard sunrise equation; None in polar day or night."""
    n = day.timetuple().tm_yday
    decl = math.radians(-23.44) * math.cos(math.radians(360 / 365 * (n + 10)))
    lat = math.radians(p.lat)
    cos_h = (math.sin(math.radians(-0.833)) - math.sin(lat) * math.sin(decl)) / (math.cos(lat) * math.cos(decl))
    if not -1 <= cos_h <= 1:
        return None, None
    half = math.degrees(math.acos(cos_h)) / 15
    b = math.radians(360 / 365 * (n - 81))
    eot = 9.87 * math.sin(2 * b) - 7.53 * math.cos(b) - 1.5 * math.sin(b)  # minutes
    noon = 12 - p.lon / 15 - eot / 60
    base = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("UTC"))
    return base + timedelta(hours=noon - half), base + timedelta(hours=noon + half)


@mock("sunrise_sunset", topic="sunrise sunset daylight dawn dusk", extra="sun time times",
      desc="sunrise and sunset times day length", params={"location": LOCATION, "date": DATE,
                                                          **COORDINATES},
      required=("location",), alt=_ALT, example={"location": "London", "date": "2025-06-21"},
      summary="Sunrise and sunset times")
def sunrise_sunset(c: Call) -> dict[str, Any]:
    p = _place(c)
    day = c.day("date", TODAY) or TODAY
    rise, sset = _sun_times(p, day)
    zone = ZoneInfo(p.tz)
    if rise is None or sset is None:
        return {"location": label(p), "date": day.isoformat(), "sunrise": None, "sunset": None,
                "note": "polar day or night: the sun does not rise and set on this date"}
    length = sset - rise
    return {"location": label(p), "date": day.isoformat(), "timezone": p.tz,
            "sunrise": rise.astimezone(zone).strftime("%H:%M"), "sunset": sset.astimezone(zone).strftime("%H:%M"),
            "day_length": f"{int(length.total_seconds() // 3600)}h {int(length.total_seconds() % 3600 // 60)}m"}


@mock("weather_history", topic=_WEATHER_WORDS, extra="history historical past archive previous yesterday record",
      anti="forecast current alert", desc="historical weather on a past date archive",
      params={**_PARAMS, "date": DATE + " past_date"}, required=("location", "date"), alt=_ALT,
      example={"location": "Berlin", "date": "2025-01-10"}, summary="Historical weather for a past date")
def history(c: Call) -> dict[str, Any]:
    p, unit = _place(c), _units(c)
    day = c.day("date")
    if day is None:
        raise c.missing("date")
    if day > TODAY:
        raise MockError("historical data is available only for past dates")
    w = _day(p, day)
    # _day is tuned to mid-June; shift by season so a January day in Berlin is cold.
    shift = 9 - 9 * math.cos(math.radians((day.timetuple().tm_yday - 196) * 360 / 365))
    shift = -shift if p.lat >= 0 else shift
    return {"location": label(p), "date": day.isoformat(), "unit": unit,
            "high": _temp(round(w["high"] + shift, 1), unit), "low": _temp(round(w["low"] + shift, 1), unit),
            "conditions": w["conditions"], "precipitation_mm": w["precip_mm"], "humidity": w["humidity"]}
