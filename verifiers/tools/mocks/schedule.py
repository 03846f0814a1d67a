"""Calendar events, availability, reminders, alarms and timers; all kept in the sandbox state."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from verifiers.tools.mocks.registry import LIMIT, Call, Mock, collector
from verifiers.tools.mocks.util import NOW, MockError, clip, iso, parse_clock, parse_datetime

MOCKS: list[Mock] = []
mock = collector("schedule", MOCKS)

_START = "start start_time start_datetime datetime date_time when time begin starts_at from date start_date"
_MAX_SECONDS = 10 * 365 * 86400
_DURATION = re.compile(r"(?<![\d.])(\d{1,12}(?:\.\d{1,6})?)\s*"
                       r"(h|hr|hrs|hour|hours|m|min|mins|minute|minutes|s|sec|secs|second|seconds)(?![a-z])")


def _when(c: Call, name: str, default: datetime | None = None) -> datetime:
    raw = c.text(name, limit=64)
    if not raw:
        if default is None:
            raise c.missing(name)
        return default
    moment = parse_datetime(raw)
    if moment is None:
        clock = parse_clock(raw)
        if clock is None:
            raise MockError(f"could not read the date/time '{raw}'")
        moment = NOW.replace(tzinfo=None, hour=clock[0], minute=clock[1])
    return moment.replace(tzinfo=None) if moment.tzinfo is None else moment.astimezone(NOW.tzinfo).replace(tzinfo=None)


def _seconds(c: Call, name: str, bare: str = "seconds") -> int:
    """A duration from 300, "5m", "1h 30m", "90 seconds"; a bare number counts in `bare` units."""
    scale = {"h": 3600, "m": 60, "s": 1}
    text = c.text(name, limit=60).lower()
    parts = _DURATION.findall(text)
    if parts:
        total = round(sum(float(n) * scale[u[0]] for n, u in parts))
    else:
        number = c.num(name) or 0
        total = int(number * (60 if bare == "minutes" or "minute" in c.key(name) else 1))
    if abs(total) > _MAX_SECONDS:
        raise MockError(f"{c.arg(name)} is out of range (at most 10 years)")
    return total


def _shift(moment: datetime, seconds: int) -> datetime:
    try:
        return moment + timedelta(seconds=seconds)
    except OverflowError as exc:
        raise MockError("date out of range") from exc


@mock("create_event", topic="calendar event events meeting appointment schedule", extra="create add new schedule book "
      "insert set make", anti="list delete cancel remove search get availability free busy",
      desc="create a calendar event meeting with title start end time attendees",
      params={"title": "title summary name subject event_name event_title description", "start": _START,
              "end": "end end_time end_datetime ends_at until to end_date", "duration": "duration duration_minutes "
              "length minutes", "location": "location place venue where room", "attendees": "attendees guests "
              "participants invitees people emails"},
      required=("title", "start"), example={"title": "Team sync", "start": "2025-06-16T10:00", "duration": 30,
                                            "attendees": ["bob@example.com"]}, summary="Create a calendar event")
def create_event(c: Call) -> dict[str, Any]:
    title = c.need("title", limit=200)
    start = _when(c, "start")
    seconds = _seconds(c, "duration", bare="minutes") if c.has("duration") else 3600
    end = _when(c, "end", _shift(start, seconds))
    if end < start:
        raise MockError("event ends before it starts")
    event = {"id": c.state.new_id("evt_", title, start.isoformat()), "title": title, "start": start.isoformat(),
             "end": end.isoformat(), "location": c.text("location", limit=200) or None,
             "attendees": c.items("attendees"), "status": "confirmed"}
    c.state.reserve("events", event["id"], event)
    c.state.events.append(event)
    return {"status": "created", "event_id": event["id"], "event": event}


@mock("list_events", topic="calendar event events meeting meetings appointment agenda schedule",
      extra="list get show view upcoming fetch search find", anti="create add new delete cancel remove",
      desc="list calendar events in a date range", params={"start": "start start_date from from_date date day time_min "
                                                         "after", "end": "end end_date to to_date time_max before",
                                                         "limit": LIMIT, "query": "query q search keyword"},
      example={"date": "2025-06-16"}, summary="List calendar events")
def list_events(c: Call) -> dict[str, Any]:
    start = c.day("start")
    end = c.day("end") or start
    query = c.text("query", limit=120).lower()
    found = []
    for e in c.state.events:
        day = datetime.fromisoformat(e["start"]).date()
        if start and not start <= day <= (end or start) or query and query not in e["title"].lower():
            continue
        found.append(e)
    found.sort(key=lambda e: e["start"])
    return {"events": found[: c.integer("limit", 50, 1, 200)], "count": len(found),
            "range": {"start": start.isoformat() if start else None, "end": end.isoformat() if end else None}}


@mock("delete_event", topic="calendar event meeting appointment", extra="delete cancel remove",
      anti="create add list", desc="delete or cancel a calendar event by id",
      params={"id": "id event_id eventid uid"}, required=("id",), example={"event_id": "evt_missing"},
      summary="Delete a calendar event")
def delete_event(c: Call) -> dict[str, Any]:
    wanted = c.need("id", limit=80)
    for i, e in enumerate(c.state.events):
        if e["id"] == wanted:
            del c.state.events[i]
            c.state.release("events", wanted)
            return {"status": "deleted", "event_id": wanted}
    raise MockError(f"event '{wanted}' not found")


@mock("check_availability", topic="availability available free busy freebusy", extra="check calendar slot slots find",
      desc="free and busy time slots on a day",
      params={"date": "date day start", "duration": "duration minutes length"},
      example={"date": "2025-06-16"}, summary="Free time slots on a day")
def availability(c: Call) -> dict[str, Any]:
    day = c.day("date", NOW.date()) or NOW.date()
    busy = sorted((e["start"], e["end"]) for e in c.state.events if e["start"][:10] == day.isoformat())
    slots, cursor = [], datetime(day.year, day.month, day.day, 9)
    for start, end in busy + [(f"{day.isoformat()}T17:00:00", f"{day.isoformat()}T17:00:00")]:
        s = datetime.fromisoformat(start)
        if s > cursor:
            slots.append({"start": cursor.isoformat(), "end": min(s, cursor.replace(hour=17)).isoformat()})
        cursor = max(cursor, datetime.fromisoformat(end))
    return {"date": day.isoformat(), "busy": [{"start": s, "end": e} for s, e in busy], "free": slots,
            "working_hours": "09:00-17:00"}


@mock("set_reminder", topic="reminder reminders remind", extra="set create add new schedule",
      anti="list delete", desc="set a reminder with a message at a time",
      params={"text": "text message title reminder note content what task", "time": "time when at datetime remind_at "
              "date due due_date trigger_time"},
      required=("text",), example={"text": "Call mom", "time": "2025-06-15T18:00"}, summary="Set a reminder")
def set_reminder(c: Call) -> dict[str, Any]:
    text = c.need("text", limit=500)
    when = _when(c, "time", _shift(NOW.replace(tzinfo=None), 3600))
    item = {"id": c.state.new_id("rem_", text), "text": text, "remind_at": when.isoformat(), "status": "scheduled"}
    c.state.reserve("reminders", item["id"], item)
    c.state.reminders.append(item)
    return {"status": "scheduled", "reminder": item}


@mock("list_reminders", topic="reminder reminders", extra="list get show upcoming", anti="set create add",
      desc="list scheduled reminders", params={"limit": LIMIT}, example={}, summary="List reminders")
def list_reminders(c: Call) -> dict[str, Any]:
    return {"reminders": c.state.reminders[: c.integer("limit", 50, 1, 200)], "count": len(c.state.reminders)}


@mock("set_timer", topic="timer alarm stopwatch countdown", extra="set start create begin new",
      anti="list cancel stop status", desc="start a countdown timer or alarm for a duration",
      params={"duration": "duration seconds minutes time length duration_seconds duration_minutes amount",
              "label": "label name title message"}, required=("duration",),
      example={"duration": "10m", "label": "pasta"}, summary="Start a timer")
def set_timer(c: Call) -> dict[str, Any]:
    seconds = _seconds(c, "duration")
    if not 0 < seconds <= 7 * 86400:
        raise MockError("duration must be between 1 second and 7 days")
    timer = {"id": c.state.new_id("tmr_", seconds), "label": c.text("label", limit=100) or None,
             "duration_seconds": seconds, "started_at": iso(NOW), "ends_at": iso(NOW + timedelta(seconds=seconds)),
             "status": "running"}
    c.state.reserve("timers", timer["id"], timer)
    c.state.timers.append(timer)
    return timer


@mock("list_timers", topic="timer timers alarm", extra="list status get show remaining cancel stop",
      anti="set start create", desc="list running timers or cancel one",
      params={"id": "id timer_id", "action": "action operation command"}, example={},
      summary="List or cancel timers")
def list_timers(c: Call) -> dict[str, Any]:
    wanted = c.text("id", limit=80)
    if wanted:
        for t in c.state.timers:
            if t["id"] == wanted:
                if c.text("action").lower() in ("cancel", "stop", "delete"):
                    c.state.reserve("timers", t["id"], {**t, "status": "cancelled"})
                    t["status"] = "cancelled"
                return t
        raise MockError(f"timer '{clip(wanted, 40)}' not found")
    return {"timers": c.state.timers, "count": len(c.state.timers)}
