"""Dates and time zones through zoneinfo, relative to the fixed now (2025-06-15T12:00:00Z)."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from verifiers.tools.mocks.places import COORDINATES, find, locate
from verifiers.tools.mocks.registry import Call, Mock, collector
from verifiers.tools.mocks.util import NOW, TODAY, MockError, parse_clock, parse_date, parse_datetime

MOCKS: list[Mock] = []
mock = collector("time", MOCKS, "datetime")

# An abbreviation names a fixed offset (PST is UTC-8 even in June); a region word names a zone with DST.
# Ambiguous ones (IST: India, Israel, Ireland) take their most common reading.
_FIXED = {"utc": 0, "gmt": 0, "z": 0, "zulu": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420,
          "mdt": -360, "pst": -480, "pdt": -420, "akst": -540, "akdt": -480, "hst": -600, "bst": 60, "wet": 0,
          "cet": 60, "cest": 120, "eet": 120, "eest": 180, "msk": 180, "ist": 330, "pkt": 300, "ict": 420,
          "sgt": 480, "hkt": 480, "awst": 480, "jst": 540, "kst": 540, "acst": 570, "aest": 600, "aedt": 660,
          "nzst": 720, "nzdt": 780, "brt": -180, "art": -180}
_REGIONS = {"et": "America/New_York", "eastern": "America/New_York", "eastern time": "America/New_York",
            "ct": "America/Chicago", "central": "America/Chicago", "central time": "America/Chicago",
            "mt": "America/Denver", "mountain": "America/Denver", "mountain time": "America/Denver",
            "pt": "America/Los_Angeles", "pacific": "America/Los_Angeles", "pacific time": "America/Los_Angeles"}
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?")
_TZ = "timezone tz time_zone zone timezone_name tz_name iana location city place region area"


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def zone(text: str) -> tuple[str, timezone | ZoneInfo]:
    """(display name, tzinfo) for an IANA name, abbreviation, UTC offset or known city."""
    raw = text.strip()
    low = raw.lower().replace(" ", "_")
    if low in _zones():
        name = _zones()[low]
        return name, ZoneInfo(name)
    spaced = low.replace("_", " ")
    if spaced in _FIXED:
        minutes = _FIXED[spaced]
        sign = "+" if minutes >= 0 else "-"
        name = f"{raw.upper()} (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"
        return name, timezone(timedelta(minutes=minutes), raw.upper())
    if spaced in _REGIONS:
        return _REGIONS[spaced], ZoneInfo(_REGIONS[spaced])
    match = _OFFSET.fullmatch(raw.lower())
    if match and int(match.group(2)) <= 14 and int(match.group(3) or 0) < 60:
        delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        delta = -delta if match.group(1) == "-" else delta
        return f"UTC{match.group(1)}{match.group(2).zfill(2)}:{(match.group(3) or '00')}", timezone(delta)
    city = find(raw)
    if city is not None:
        return city.tz, ZoneInfo(city.tz)
    raise MockError(f"unknown time zone '{raw[:60]}'")


def _zone_arg(c: Call, default: str | None = None) -> tuple[str, timezone | ZoneInfo]:
    """The call's time zone: its name, else the zone at the tool's latitude and longitude."""
    text = c.text("timezone", limit=80)
    lat, lon = c.num("lat"), c.num("lon")
    if not text and lat is not None and lon is not None:
        tz = locate("", lat, lon).tz
        return tz, ZoneInfo(tz)
    if not text and default is None:
        raise c.missing("timezone")
    return zone(text or default or "UTC")


def _offset(moment: datetime) -> str:
    off = moment.utcoffset() or timedelta(0)
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _describe(moment: datetime, name: str) -> dict[str, Any]:
    dst = moment.dst()
    return {"timezone": name, "datetime": moment.isoformat(), "date": moment.date().isoformat(),
            "time": moment.strftime("%H:%M:%S"), "day_of_week": moment.strftime("%A"), "utc_offset": _offset(moment),
            "abbreviation": moment.tzname(), "dst": bool(dst) if dst is not None else False}


@mock("current_time", topic="time clock now current datetime", extra="current now local get what",
      anti="convert conversion difference between add until age weather temperature forecast sunrise offset",
      desc="current local time date in a time zone or city",
      params={"timezone": _TZ, "format": "format fmt", **COORDINATES}, example={"timezone": "Asia/Tokyo"},
      summary="Current time in a time zone")
def current_time(c: Call) -> dict[str, Any]:
    name, tz = _zone_arg(c, "UTC")
    return _describe(NOW.astimezone(tz), name)


def _moment(c: Call, name: str, tz: timezone | ZoneInfo) -> datetime:
    raw = c.text(name, limit=64)
    if not raw:
        return NOW.astimezone(tz)
    clock = parse_clock(raw)
    if clock is not None:
        local_today = NOW.astimezone(tz).date()
        return datetime(local_today.year, local_today.month, local_today.day, *clock, tzinfo=tz)
    moment = parse_datetime(raw)
    if moment is None:
        raise MockError(f"could not read the time '{raw}'")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


@mock("timezone_conversion", topic="timezone zone tz", extra="convert conversion converter time between",
      anti="currency unit temperature", desc="convert a time from one time zone to another",
      params={"time": "time datetime date_time timestamp source_time input_time dt when",
              "from_tz": "from_tz from_timezone source_timezone from_zone source_tz from tz_from origin_timezone",
              "to_tz": "to_tz to_timezone target_timezone to_zone target_tz to tz_to destination_timezone"},
      required=("from_tz", "to_tz"), example={"time": "2025-06-20T09:00", "from_timezone": "America/New_York",
                                              "to_timezone": "Europe/Paris"}, summary="Convert a time between zones")
def convert_tz(c: Call) -> dict[str, Any]:
    src_name, src = zone(c.need("from_tz", limit=80))
    dst_name, dst = zone(c.need("to_tz", limit=80))
    moment = _moment(c, "time", src)
    out = moment.astimezone(dst)
    return {"from_timezone": src_name, "to_timezone": dst_name, "input": moment.isoformat(),
            "converted": out.isoformat(), "converted_time": out.strftime("%H:%M"),
            "converted_date": out.date().isoformat(),
            "day_of_week": out.strftime("%A"), "utc_offset_difference_hours":
            ((out.utcoffset() or timedelta(0)) - (moment.utcoffset() or timedelta(0))).total_seconds() / 3600}


def _date(c: Call, name: str, default: date | None = None) -> date:
    raw = c.text(name, limit=64)
    if not raw:
        if default is None:
            raise c.missing(name)
        return default
    day = parse_date(raw)
    if day is None:
        raise MockError(f"could not read the date '{raw}'")
    return day


@mock("date_difference", topic="date dates day days duration", extra="difference between diff count elapsed how many",
      anti="add plus zone", desc="number of days between two dates",
      params={"start": "start start_date from from_date date1 first_date begin since",
              "end": "end end_date to to_date date2 second_date until"},
      required=("start", "end"), example={"start_date": "2025-01-01", "end_date": "2025-12-25"},
      summary="Days between two dates")
def date_diff(c: Call) -> dict[str, Any]:
    start, end = _date(c, "start"), _date(c, "end", TODAY)
    days = (end - start).days
    lo, hi = min(start, end), max(start, end)
    full_weeks, rest = divmod((hi - lo).days, 7)
    weekdays = full_weeks * 5 + sum(1 for i in range(rest) if (lo + timedelta(days=i)).weekday() < 5)
    return {"start_date": start.isoformat(), "end_date": end.isoformat(), "days": days, "weeks": round(days / 7, 2),
            "business_days": weekdays if days >= 0 else -weekdays, "months": round(days / 30.436875, 2),
            "years": round(days / 365.2425, 3)}


def add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise MockError("resulting date out of range")
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@mock("date_add", topic="date day days", extra="add plus subtract minus offset after before later from shift",
      anti="difference between zone", desc="add or subtract days weeks months to a date",
      params={"date": "date start start_date from base_date from_date", "days": "days n_days num_days day_count offset",
              "weeks": "weeks", "months": "months", "years": "years"},
      example={"date": "2025-06-15", "days": 30}, summary="Add days to a date")
def date_add(c: Call) -> dict[str, Any]:
    base = _date(c, "date", TODAY)
    try:
        out = base + timedelta(days=c.integer("days", 0, -10**6, 10**6), weeks=c.integer("weeks", 0, -10**5, 10**5))
    except OverflowError as exc:
        raise MockError("resulting date out of range") from exc
    out = add_months(out, c.integer("months", 0, -12000, 12000) + 12 * c.integer("years", 0, -1000, 1000))
    return {"start_date": base.isoformat(), "result_date": out.isoformat(), "day_of_week": out.strftime("%A"),
            "days_added": (out - base).days}


@mock("day_of_week", topic="weekday week", extra="day of what which", anti="add difference",
      desc="day of the week for a date", params={"date": "date day target_date input datetime"},
      required=("date",), example={"date": "2025-12-25"}, summary="Day of the week")
def day_of_week(c: Call) -> dict[str, Any]:
    day = _date(c, "date", TODAY)
    return {"date": day.isoformat(), "day_of_week": day.strftime("%A"), "iso_weekday": day.isoweekday(),
            "week_number": day.isocalendar().week, "is_weekend": day.weekday() >= 5}


@mock("timezone_info", topic="timezone zone tz offset", extra="info information offset details utc dst time",
      anti="convert conversion", desc="utc offset and daylight saving information of a time zone",
      params={"timezone": _TZ, **COORDINATES}, required=("timezone",), alt={"timezone": ("lat", "lon")},
      example={"timezone": "Europe/London"}, summary="Time zone details")
def timezone_info(c: Call) -> dict[str, Any]:
    name, tz = _zone_arg(c)
    out = _describe(NOW.astimezone(tz), name)
    winter = datetime(2025, 1, 15, 12, tzinfo=UTC).astimezone(tz)
    out["standard_offset"] = _offset(winter) if NOW.astimezone(tz).dst() else out["utc_offset"]
    out["observes_dst"] = _offset(winter) != out["utc_offset"] or bool(NOW.astimezone(tz).dst())
    return out


@mock("age_calculator", topic="age birthday born", extra="calculate calculator old how",
      desc="age from a date of birth",
      params={"birthdate": "birthdate birth_date dob date_of_birth birthday born date",
              "as_of": "as_of on reference_date at_date today"},
      required=("birthdate",), example={"birthdate": "1990-08-24"}, summary="Age from birth date")
def age(c: Call) -> dict[str, Any]:
    born, ref = _date(c, "birthdate"), _date(c, "as_of", TODAY)
    if born > ref:
        raise MockError("birth date is in the future")
    years = ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))
    last = add_months(born, 12 * years)
    months = 0
    while add_months(last, months + 1) <= ref:
        months += 1
    nxt = add_months(born, 12 * (years + 1))
    return {"birthdate": born.isoformat(), "as_of": ref.isoformat(), "age_years": years, "age_months": months,
            "total_days": (ref - born).days, "next_birthday": nxt.isoformat(), "days_until_birthday": (nxt - ref).days}


@mock("countdown", topic="countdown until left remaining", extra="day days time how long", anti="timer",
      desc="time remaining until a date or event", params={"date": "date target_date event_date deadline until when",
                                                           "event": "event name title occasion"},
      required=("date",), example={"date": "2025-12-25", "event": "Christmas"}, summary="Time left until a date")
def countdown(c: Call) -> dict[str, Any]:
    raw = c.need("date", limit=64)
    moment = parse_datetime(raw)
    if moment is None:
        raise MockError(f"could not read the date '{raw}'")
    target = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    left = target - NOW
    seconds = int(left.total_seconds())
    return {"event": c.text("event") or None, "target": target.isoformat(), "days": left.days,
            "hours": seconds // 3600, "total_seconds": seconds, "in_past": seconds < 0,
            "human": f"{abs(left.days)} days {'ago' if seconds < 0 else 'left'}"}
