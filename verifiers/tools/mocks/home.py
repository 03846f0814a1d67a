"""Smart home: lights, plugs, locks and thermostats whose state persists in the sandbox."""

from __future__ import annotations

from typing import Any

from verifiers.tools.mocks.registry import Call, Mock, collector
from verifiers.tools.mocks.util import NOW, MockError, clip, iso

MOCKS: list[Mock] = []
mock = collector("home", MOCKS, "home smart")

_HOME = "smart home device devices iot alexa homekit hue nest"
_DEVICE = "device device_id device_name name id entity entity_id target light room appliance"


def _devices(c: Call) -> dict[str, dict[str, Any]]:
    if c.state.devices is None:
        c.state.devices = {
            "living_room_light": {"type": "light", "room": "living room", "on": True, "brightness": 80},
            "bedroom_light": {"type": "light", "room": "bedroom", "on": False, "brightness": 0},
            "kitchen_light": {"type": "light", "room": "kitchen", "on": False, "brightness": 0},
            "front_door_lock": {"type": "lock", "room": "entrance", "locked": True},
            "thermostat": {"type": "thermostat", "room": "hallway", "mode": "cool", "target_c": 22.0,
                           "current_c": 24.5},
            "coffee_maker": {"type": "plug", "room": "kitchen", "on": False},
            "garage_door": {"type": "garage", "room": "garage", "open": False},
        }
    return c.state.devices


def _find(c: Call, raw: str) -> tuple[str, dict[str, Any]]:
    devices = _devices(c)
    key = "_".join(raw.lower().replace("the ", "").split())
    if key in devices:
        return key, devices[key]
    hits = [k for k in devices if key and (key in k or k.startswith(key.split("_")[0]))]
    if len(hits) == 1 or hits and key.endswith(devices[hits[0]]["type"]):
        return hits[0], devices[hits[0]]
    raise MockError(f"device '{clip(raw, 40)}' not found")


@mock("device_control", topic=_HOME + " light lights lamp switch plug lock door garage", extra="control turn set "
      "toggle on off switch dim lock unlock open close", anti="list status thermostat",
      desc="turn a smart home device on or off dim lights lock doors",
      params={"device": _DEVICE, "action": "action command state power operation value status on",
              "brightness": "brightness level dim percent"},
      required=("device",), example={"device": "bedroom light", "action": "on", "brightness": 60},
      summary="Control a smart home device")
def device_control(c: Call) -> dict[str, Any]:
    name, dev = _find(c, c.need("device", limit=80))
    action = c.text("action", limit=20).lower().replace("turn_", "").replace("turn ", "")
    if not action and c.has("brightness"):
        action = "on"
    kind = dev["type"]
    if kind in ("light", "plug") and action in ("on", "off", "true", "false", "toggle"):
        dev["on"] = not dev["on"] if action == "toggle" else action in ("on", "true")
        if kind == "light":
            dev["brightness"] = c.integer("brightness", 100, 0, 100) if dev["on"] else 0
    elif kind == "lock" and action in ("lock", "unlock"):
        dev["locked"] = action == "lock"
    elif kind == "garage" and action in ("open", "close"):
        dev["open"] = action == "open"
    else:
        raise MockError(f"action '{clip(action, 20) or '(none)'}' is not supported by {kind} '{name}'")
    return {"device": name, "status": "ok", "state": dev, "updated_at": iso(NOW)}


@mock("thermostat", topic="thermostat heating cooling hvac nest climate", extra="set adjust temperature mode change",
      anti="weather forecast", desc="set the thermostat target temperature or mode",
      params={"temperature": "temperature temp target target_temperature setpoint value degrees",
              "mode": "mode hvac_mode", "unit": "unit units scale"},
      example={"temperature": 21, "mode": "heat"}, summary="Set the thermostat")
def thermostat(c: Call) -> dict[str, Any]:
    dev = _devices(c)["thermostat"]
    if c.has("temperature"):
        value = c.need_num("temperature")
        celsius = (value - 32) * 5 / 9 if c.text("unit").lower().startswith("f") or value > 40 else value
        if not 5 <= celsius <= 32:
            raise MockError("target temperature must be between 5 and 32 °C (41-90 °F)")
        dev["target_c"] = round(celsius, 1)
    if c.has("mode"):
        mode = c.text("mode").lower()
        if mode not in ("heat", "cool", "auto", "off", "eco"):
            raise MockError(f"unsupported thermostat mode '{clip(mode, 20)}'")
        dev["mode"] = mode
    return {"device": "thermostat", "mode": dev["mode"], "target_c": dev["target_c"],
            "target_f": round(dev["target_c"] * 9 / 5 + 32, 1), "current_c": dev["current_c"], "status": "ok"}


@mock("device_status", topic=_HOME + " light lock thermostat sensor", extra="status state get check is read",
      anti="set control turn", desc="current state of a smart home device", params={"device": _DEVICE},
      required=("device",), example={"device": "front door lock"}, summary="Device status")
def device_status(c: Call) -> dict[str, Any]:
    name, dev = _find(c, c.need("device", limit=80))
    return {"device": name, "state": dev, "online": True, "checked_at": iso(NOW)}


@mock("list_devices", topic=_HOME, extra="list all show get discover", anti="control set turn",
      desc="list smart home devices and rooms", params={"room": "room location area"}, example={},
      summary="List smart home devices")
def list_devices(c: Call) -> dict[str, Any]:
    room = c.text("room", limit=40).lower()
    devices = [{"device": k, **v} for k, v in _devices(c).items() if not room or room in v["room"]]
    return {"devices": devices, "count": len(devices)}
