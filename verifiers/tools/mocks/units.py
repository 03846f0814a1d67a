"""Unit conversion through pint: length, mass, temperature (offset units), volume, speed, time, data.

pint reads "C" as coulomb and "KB" as kelvin-byte; people mean Celsius and kilobytes, so the
spellings people use are mapped first. Unit strings are screened before pint sees them: a unit
like "m**99999999" must not turn into a giant computation.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from verifiers.tools.mocks.registry import Call, Mock, collector
from verifiers.tools.mocks.util import MockError

MOCKS: list[Mock] = []
mock = collector("units", MOCKS, "unit")

_LOCK = threading.Lock()  # pint's registry caches are not documented as thread-safe
_SAFE = re.compile(r"[A-Za-z°µμ_ /*^.\-()0-9]+")
_BIG = re.compile(r"[0-9]{3,}")
_TEMPERATURE = {"c": "degC", "°c": "degC", "celsius": "degC", "degc": "degC", "centigrade": "degC",
                "degrees celsius": "degC", "degree celsius": "degC", "f": "degF", "°f": "degF", "fahrenheit": "degF",
                "degf": "degF", "degrees fahrenheit": "degF", "degree fahrenheit": "degF", "k": "kelvin",
                "kelvin": "kelvin", "kelvins": "kelvin", "r": "degR", "rankine": "degR"}
_SPELLINGS = {"kph": "km/h", "kmh": "km/h", "kmph": "km/h", "km/hr": "km/h", "mph": "mile/hour", "mps": "m/s",
              "fps": "ft/s", "knots": "knot", "kts": "knot", "lbs": "pound", "lb": "pound", "ltr": "liter",
              "l": "liter", "litres": "liter", "litre": "liter", "cc": "cm**3", "sq ft": "ft**2", "sqft": "ft**2",
              "sq m": "m**2", "sqm": "m**2", "sq km": "km**2", "sq mi": "mi**2", "hrs": "hour", "hr": "hour",
              "mins": "minute", "min": "minute", "secs": "second", "sec": "second", "yrs": "year", "yr": "year",
              "tbsp": "tablespoon", "tsp": "teaspoon", "fl oz": "fluid_ounce", "floz": "fluid_ounce",
              "stone": "stone", "st": "stone", "bit": "bit", "bits": "bit", "byte": "byte", "bytes": "byte"}
_DATA = {"b": "byte", "kb": "kilobyte", "mb": "megabyte", "gb": "gigabyte", "tb": "terabyte", "pb": "petabyte",
         "kib": "kibibyte", "mib": "mebibyte", "gib": "gibibyte", "tib": "tebibyte"}
_BITS = {"Kb": "kilobit", "Mb": "megabit", "Gb": "gigabit", "Tb": "terabit", "kbit": "kilobit", "mbit": "megabit",
         "gbit": "gigabit", "kbps": "kilobit/second", "mbps": "megabit/second", "gbps": "gigabit/second"}


@lru_cache(maxsize=1)
def _ureg() -> Any:
    import pint

    return pint.UnitRegistry()


def unit_name(raw: str) -> str:
    """The pint spelling of a unit as people write it; raises MockError when it is not a unit."""
    text = raw.strip()
    low = text.lower()
    if text in _BITS or low in _BITS:
        return _BITS.get(text) or _BITS[low]
    for table in (_TEMPERATURE, _DATA, _SPELLINGS):
        if low in table:
            return table[low]
    if not text or len(text) > 40 or not _SAFE.fullmatch(text) or _BIG.search(text):
        raise MockError(f"unknown unit '{text[:40]}'")
    return text


def convert(value: float, src_raw: str, dst_raw: str) -> tuple[float, str, str]:
    import pint

    src, dst = unit_name(src_raw), unit_name(dst_raw)
    with _LOCK:
        ureg = _ureg()
        units = []
        for raw, name in ((src_raw, src), (dst_raw, dst)):
            try:
                units.append(ureg.parse_units(name))
            except Exception as exc:  # pint raises several unrelated types for a bad unit string
                raise MockError(f"unknown unit '{raw.strip()[:40]}'") from exc
        try:
            out = ureg.Quantity(value, units[0]).to(units[1]).magnitude
        except pint.errors.DimensionalityError as exc:
            raise MockError(f"cannot convert '{src_raw.strip()}' to '{dst_raw.strip()}': different dimensions") from exc
        except pint.errors.OffsetUnitCalculusError as exc:
            raise MockError("offset units (like °C) cannot be combined with other units") from exc
        except (OverflowError, ZeroDivisionError) as exc:
            raise MockError("value out of range") from exc
    return float(f"{float(out):.12g}"), str(units[0]), str(units[1])


_VALUE = "value amount quantity number val magnitude input n x qty measurement"
_FROM = "from_unit from source_unit unit_from input_unit src_unit original_unit unit source convert_from from_units"
_TO = "to_unit to target_unit unit_to output_unit dst_unit desired_unit target convert_to to_units"


@mock("unit_conversion", topic="unit units measurement measure", extra="convert conversion converter",
      anti="currency money exchange crypto temperature", desc="convert a value between units of measurement length "
      "mass weight volume speed time data",
      params={"value": _VALUE, "from_unit": _FROM, "to_unit": _TO}, required=("value", "from_unit", "to_unit"),
      example={"value": 5, "from_unit": "miles", "to_unit": "km"}, summary="Convert between units")
def unit_conversion(c: Call) -> dict[str, Any]:
    value = c.need_num("value")
    src, dst = c.need("from_unit", limit=60), c.need("to_unit", limit=60)
    out, src_name, dst_name = convert(value, src, dst)
    return {"value": value, "from_unit": src_name, "to_unit": dst_name, "result": out,
            "formatted": f"{value:g} {src_name} = {out:g} {dst_name}"}


@mock("temperature_conversion", topic="temperature temp celsius fahrenheit kelvin",
      extra="convert conversion converter",
      anti="weather forecast current", desc="convert a temperature between celsius fahrenheit and kelvin",
      params={"value": _VALUE + " temperature temp degrees", "from_unit": _FROM + " from_scale scale",
              "to_unit": _TO + " to_scale"}, required=("value", "from_unit", "to_unit"),
      example={"temperature": 100, "from_unit": "C", "to_unit": "F"}, summary="Convert a temperature")
def temperature_conversion(c: Call) -> dict[str, Any]:
    value = c.need_num("value")
    src, dst = c.need("from_unit", limit=40), c.need("to_unit", limit=40)
    for raw in (src, dst):
        if unit_name(raw) not in ("degC", "degF", "kelvin", "degR"):
            raise MockError(f"unknown temperature unit '{raw}'")
    out, src_name, dst_name = convert(value, src, dst)
    if src_name == "kelvin" and value < 0:
        raise MockError("temperature below absolute zero")
    return {"value": value, "from_unit": src_name, "to_unit": dst_name, "result": round(out, 6),
            "formatted": f"{value:g} {src_name} = {round(out, 6):g} {dst_name}"}
