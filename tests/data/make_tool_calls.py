# ruff: noqa: E501 - a data file: the cases read best as whole lines
"""Writes tests/data/tool_calls.jsonl and tests/data/tool_calls_holdout.jsonl: labelled candidate tool calls.

Written for this project (no case is copied from BFCL's data). Each line is one case:

    {"id", "kind", "tools", "calls", "reference", "expected", "note"}

checked with `get_verifier("tool_calling").check_calls(calls, tools, reference=reference)`; `expected`
is the `is_verified` the verifier should return. The rules the labels follow:

- a call is invalid, whatever the reference, when its tool does not exist (exact name), its arguments are
  not a JSON object (malformed JSON; an empty string counts as {}), it passes a parameter the schema does
  not declare (strict, even when additionalProperties is open), it omits a required parameter (also one
  required inside a nested object), a value has the wrong JSON type (an integer is fine for a number; "5"
  is not a number; a boolean is not an integer or a number) or a value is outside its enum (exact,
  case-sensitive);
- reference None: verified iff every call is valid; reference []: verified iff there are no calls;
- BFCL possible answers [{func: {param: [acceptable values]}}]: a perfect one-to-one assignment of calls
  to entries (any order, not greedy), as BFCL's ast_checker compares one call with one entry: "" in a
  list lets the parameter be omitted; a parameter the call passes must appear in the entry; strings
  compare after removing ` ,./-_*^`, lowercasing and turning ' into "; an int is accepted for a float;
  a float (3.0) is not accepted for an integer; lists compare element by element in order; a dict value
  is compared key by key against a dict of acceptable lists.

Tools come in five forms (OpenAI Chat, OpenAI Responses, bare, Anthropic, BFCL), rotated within each
kind so every kind sees every form; the BFCL-type cases pin the BFCL form. Every third case of every
kind (the 3rd, 6th, ...) goes to the holdout file. Run: python tests/data/make_tool_calls.py
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

HERE = Path(__file__).parent
TUNE = HERE / "tool_calls.jsonl"
HOLDOUT = HERE / "tool_calls_holdout.jsonl"

FORMS = ("chat", "responses", "bare", "anthropic", "bfcl")
KINDS = (
    "valid", "unknown_tool", "unknown_parameter", "missing_required", "wrong_type", "enum", "malformed_json",
    "bfcl_types", "reference_match", "reference_mismatch", "parallel_order", "irrelevance", "multiple",
)


# --------------------------------------------------------------------------- the tools (JSON Schema)

def S(desc: str, **kw) -> dict:
    return {"type": "string", "description": desc, **kw}


def I(desc: str, **kw) -> dict:  # noqa: E743
    return {"type": "integer", "description": desc, **kw}


def N(desc: str, **kw) -> dict:
    return {"type": "number", "description": desc, **kw}


def B(desc: str) -> dict:
    return {"type": "boolean", "description": desc}


def A(desc: str, items: dict) -> dict:
    return {"type": "array", "description": desc, "items": items}


def O(desc: str, props: dict, required: list[str] | None = None, **kw) -> dict:  # noqa: E743
    out = {"type": "object", "description": desc, "properties": props, **kw}
    if required is not None:
        out["required"] = required
    return out


def tool(name: str, desc: str, props: dict, required: list[str], **kw) -> dict:
    return {"name": name, "description": desc,
            "parameters": {"type": "object", "properties": props, "required": required, **kw}}


DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

LIBRARY = {t["name"]: t for t in [
    tool("get_weather", "Current weather and a short forecast for a place.",
         {"location": S("City and country, e.g. 'Lyon, France'."), "unit": S("Temperature unit.", enum=["celsius", "fahrenheit"]),
          "days": I("Number of forecast days.")}, ["location"]),
    tool("convert_currency", "Convert an amount of money from one currency to another at today's rate.",
         {"amount": N("Amount to convert."), "from_currency": S("ISO 4217 code of the source currency."),
          "to_currency": S("ISO 4217 code of the target currency.")}, ["amount", "from_currency", "to_currency"]),
    tool("get_stock_quote", "Latest quote for a listed security.",
         {"symbol": S("Ticker symbol."), "exchange": S("Listing exchange.", enum=["NASDAQ", "NYSE", "LSE", "TSE"]),
          "include_history": B("Also return the last 30 daily closes.")}, ["symbol"]),
    tool("search_flights", "Search one-way flights.",
         {"origin": S("IATA code or city of departure."), "destination": S("IATA code or city of arrival."),
          "departure_date": S("Date, YYYY-MM-DD."), "passengers": I("Number of adult passengers."),
          "cabin_class": S("Cabin.", enum=["economy", "premium_economy", "business", "first"]),
          "nonstop": B("Only nonstop flights.")}, ["origin", "destination", "departure_date"]),
    tool("book_hotel", "Book a hotel room.",
         {"city": S("City."), "check_in": S("Check-in date."), "check_out": S("Check-out date."),
          "guests": I("Number of guests."), "room_type": S("Room type.", enum=["single", "double", "suite"]),
          "amenities": A("Required amenities.", {"type": "string"})}, ["city", "check_in", "check_out"]),
    tool("solve_quadratic", "Real roots of a*x^2 + b*x + c = 0.",
         {"a": N("Coefficient of x^2."), "b": N("Coefficient of x."), "c": N("Constant term.")}, ["a", "b", "c"]),
    tool("calculate_statistics", "Descriptive statistics of a list of numbers.",
         {"values": A("The data.", {"type": "number"}),
          "measures": A("Which statistics to compute.", {"type": "string", "enum": ["mean", "median", "mode", "stdev", "variance"]})},
         ["values"]),
    tool("read_file", "Read a text file from the workspace.",
         {"path": S("Path relative to the workspace root."), "encoding": S("Text encoding.", enum=["utf-8", "latin-1", "ascii"]),
          "max_bytes": I("Read at most this many bytes.")}, ["path"]),
    tool("write_file", "Write text to a file in the workspace.",
         {"path": S("Path relative to the workspace root."), "content": S("Text to write."),
          "append": B("Append instead of overwriting.")}, ["path", "content"]),
    tool("run_sql_query", "Run a parameterised SQL query against a named database.",
         {"query": S("SQL text with ? placeholders."), "database": S("Database name."),
          "params": A("Values for the placeholders.", {"type": "string"}), "timeout_seconds": N("Query timeout."),
          "read_only": B("Open the connection read-only.")}, ["query", "database"]),
    tool("send_email", "Send an email.",
         {"to": A("Recipient addresses.", {"type": "string"}), "subject": S("Subject line."), "body": S("Plain-text body."),
          "cc": A("Carbon-copy addresses.", {"type": "string"}), "priority": S("Priority flag.", enum=["low", "normal", "high"])},
         ["to", "subject", "body"]),
    tool("create_calendar_event", "Create an event in the user's calendar.",
         {"title": S("Event title."), "start": S("Start, ISO 8601."), "end": S("End, ISO 8601."),
          "attendees": A("Attendee emails.", {"type": "string"}), "location": S("Where."),
          "reminder_minutes": I("Reminder before the start, in minutes."),
          "recurrence": O("Repeat rule.", {"frequency": S("How often.", enum=["daily", "weekly", "monthly", "yearly"]),
                                            "interval": I("Every n periods."), "count": I("Number of occurrences.")}, ["frequency"])},
         ["title", "start", "end"]),
    tool("get_directions", "Route between two places.",
         {"origin": S("Start address or place."), "destination": S("End address or place."),
          "mode": S("Travel mode.", enum=["driving", "walking", "bicycling", "transit"]),
          "avoid": A("Features to avoid.", {"type": "string", "enum": ["tolls", "highways", "ferries"]}),
          "waypoints": A("Intermediate stops, in order.", {"type": "string"})}, ["origin", "destination"]),
    tool("translate_text", "Translate text between languages.",
         {"text": S("Text to translate."), "target_language": S("Target language (code or name)."),
          "source_language": S("Source language; detected when omitted."), "formality": S("Register.", enum=["formal", "informal"])},
         ["text", "target_language"]),
    tool("find_restaurants", "Find restaurants near a place.",
         {"location": S("Neighbourhood, city or address."), "cuisine": S("Cuisine, e.g. 'thai'."),
          "price_level": I("1 (cheap) to 4 (expensive)."), "open_now": B("Only places open now."),
          "filters": O("Extra filters.", {"min_rating": N("Minimum average rating, 0-5."),
                                          "dietary": A("Dietary needs.", {"type": "string"}),
                                          "outdoor_seating": B("Needs outdoor seating.")})},
         ["location"]),
    tool("compute_loan_payment", "Monthly payment of a fixed-rate amortised loan.",
         {"principal": N("Loan amount."), "annual_rate": N("Annual interest rate in percent."), "years": I("Term in years.")},
         ["principal", "annual_rate", "years"]),
    tool("set_thermostat", "Set a smart thermostat.",
         {"temperature": N("Target temperature in degrees Celsius."), "mode": S("Mode.", enum=["heat", "cool", "auto", "off"]),
          "zone": S("Zone name.")}, ["temperature"]),
    tool("create_github_issue", "Open an issue in a GitHub repository.",
         {"repo": S("owner/name."), "title": S("Issue title."), "body": S("Issue body, Markdown."),
          "labels": A("Labels.", {"type": "string"}), "assignees": A("GitHub logins.", {"type": "string"})}, ["repo", "title"]),
    tool("geocode_address", "Latitude and longitude of a postal address.",
         {"address": S("Free-form address."), "country_code": S("ISO 3166 alpha-2 hint.")}, ["address"]),
    tool("list_directory", "List the files in a directory of the workspace.",
         {"path": S("Directory path."), "recursive": B("Descend into subdirectories."), "pattern": S("Glob filter, e.g. '*.py'.")},
         ["path"]),
    tool("get_news_headlines", "Top news headlines.",
         {"topic": S("Topic or keyword."), "country": S("ISO 3166 alpha-2 country."), "limit": I("Maximum number of headlines.")}, []),
    tool("get_current_time", "Current date and time.", {"timezone": S("IANA time zone, e.g. 'Europe/Madrid'.")}, []),
    tool("calculate_bmi", "Body-mass index.", {"weight_kg": N("Weight in kilograms."), "height_cm": N("Height in centimetres.")},
         ["weight_kg", "height_cm"]),
    tool("track_package", "Status of a parcel.",
         {"tracking_number": S("Carrier tracking number."), "carrier": S("Carrier.", enum=["ups", "fedex", "usps", "dhl"])},
         ["tracking_number"]),
    tool("set_alarm", "Set an alarm on the user's phone.",
         {"time": S("Time of day, HH:MM, 24-hour."), "label": S("Label shown when it rings."),
          "repeat_days": A("Days it repeats on.", {"type": "string", "enum": DAYS})}, ["time"]),
    tool("get_population", "Population of a country.", {"country": S("Country name."), "year": I("Year of the estimate.")}, ["country"]),
    tool("search_products", "Search the shop's catalogue.",
         {"query": S("Search words."), "max_price": N("Maximum price in USD."),
          "category": S("Department.", enum=["electronics", "books", "clothing", "home", "toys"]),
          "in_stock": B("Only items in stock."), "sort_by": S("Order.", enum=["relevance", "price_asc", "price_desc", "rating"])},
         ["query"]),
    tool("create_user", "Create an account in the admin console.",
         {"user": O("The new user.", {"name": S("Full name."), "email": S("Email address."), "age": I("Age in years.")}, ["name", "email"]),
          "roles": A("Role names.", {"type": "string"}), "send_welcome": B("Send the welcome email.")}, ["user"]),
    tool("create_task", "Add a task to the to-do list.",
         {"title": S("Task title."), "due_date": S("Due date, YYYY-MM-DD."), "priority": I("1 (highest) to 4.", enum=[1, 2, 3, 4]),
          "tags": A("Tags.", {"type": "string"})}, ["title"]),
    tool("submit_review", "Post a product review.",
         {"product_id": S("Catalogue id."), "stars": I("Rating.", enum=[1, 2, 3, 4, 5]), "comment": S("Review text.")},
         ["product_id", "stars"]),
    tool("convert_units", "Convert a measurement between units.",
         {"value": N("The quantity."), "from_unit": S("Unit of the value."), "to_unit": S("Wanted unit.")}, ["value", "from_unit", "to_unit"]),
    tool("calculate_tip", "Tip and per-person share of a restaurant bill.",
         {"bill_amount": N("Bill total."), "tip_percent": N("Tip in percent."), "split": I("Number of people sharing.")},
         ["bill_amount", "tip_percent"]),
    tool("resize_image", "Resize an image file.",
         {"path": S("Image path."), "width": I("Width in pixels."), "height": I("Height in pixels."),
          "keep_aspect": B("Keep the aspect ratio."), "format": S("Output format.", enum=["png", "jpeg", "webp"])},
         ["path", "width"]),
    tool("evaluate_expression", "Simplify or evaluate a symbolic expression.",
         {"expression": S("The expression."), "variable": S("Variable to solve or differentiate for.")}, ["expression"]),
    tool("create_invoice", "Create an invoice.",
         {"customer": S("Customer name."),
          "line_items": A("Lines of the invoice.", O("One line.", {"description": S("What."), "quantity": I("How many."),
                                                                   "unit_price": N("Price of one.")}, ["description", "quantity", "unit_price"])),
          "due_days": I("Payment term in days.")}, ["customer", "line_items"]),
    tool("update_profile", "Update the signed-in user's profile. Accepts extra keys.",
         {"display_name": S("Shown name."), "bio": S("Short biography."), "website": S("URL.")}, [], additionalProperties=True),
    tool("log_metric", "Record a metric point.",
         {"name": S("Metric name."), "value": N("Metric value."), "unit": S("Unit.")}, ["name", "value"], additionalProperties=True),
    tool("get_weather_v2", "Weather with air quality.",
         {"location": S("City."), "include_aqi": B("Include the air-quality index.")}, ["location"]),
    tool("create_event", "Create a shared event.", {"name": S("Event name."), "date": S("Date.")}, ["name", "date"]),
    tool("check", "Run a named health check.", {"target": S("Host name."), "extra": S("Extra flags for the check.")}, ["target"]),
]}

# Tools written in BFCL's own types (dict, float, tuple, any): only ever rendered in the BFCL form.
BFCL_ONLY = {t["name"]: t for t in [
    {"name": "kinematics_final_velocity", "description": "Final velocity of a body under constant acceleration.",
     "parameters": {"type": "dict", "properties": {
         "initial_velocity": {"type": "float", "description": "Initial velocity in m/s."},
         "acceleration": {"type": "float", "description": "Acceleration in m/s^2."},
         "time": {"type": "float", "description": "Elapsed time in s."}},
         "required": ["initial_velocity", "acceleration", "time"]}},
    {"name": "triangle_area", "description": "Area of a triangle from base and height.",
     "parameters": {"type": "dict", "properties": {
         "base": {"type": "float", "description": "Base length."}, "height": {"type": "float", "description": "Height."},
         "unit": {"type": "string", "description": "Length unit, e.g. 'cm'."}}, "required": ["base", "height"]}},
    {"name": "plot_route", "description": "Draw a route through waypoints on a map.",
     "parameters": {"type": "dict", "properties": {
         "waypoints": {"type": "tuple", "items": {"type": "string"}, "description": "Places, in visiting order."},
         "mode": {"type": "string", "description": "Travel mode."}}, "required": ["waypoints"]}},
    {"name": "set_config_value", "description": "Set one configuration key.",
     "parameters": {"type": "dict", "properties": {
         "key": {"type": "string", "description": "Configuration key."}, "value": {"type": "any", "description": "New value, any type."}},
         "required": ["key", "value"]}},
    {"name": "update_inventory", "description": "Update the stock of one item.",
     "parameters": {"type": "dict", "properties": {
         "item": {"type": "dict", "description": "The item.", "properties": {
             "sku": {"type": "string", "description": "Stock-keeping unit."}, "quantity": {"type": "integer", "description": "Units on hand."},
             "price": {"type": "float", "description": "Unit price."}}, "required": ["sku", "quantity"]},
         "warehouse": {"type": "string", "description": "Warehouse code."}}, "required": ["item"]}},
    {"name": "bounding_box_area", "description": "Area of an axis-aligned box given two corners.",
     "parameters": {"type": "dict", "properties": {
         "corner_min": {"type": "tuple", "items": {"type": "float"}, "description": "(x, y) of the lower-left corner."},
         "corner_max": {"type": "tuple", "items": {"type": "float"}, "description": "(x, y) of the upper-right corner."}},
         "required": ["corner_min", "corner_max"]}},
    {"name": "store_document", "description": "Store a JSON document.",
     "parameters": {"type": "dict", "properties": {
         "document": {"type": "dict", "description": "Free-form document."},
         "tags": {"type": "tuple", "items": {"type": "string"}, "description": "Tags."}}, "required": ["document"]}},
    {"name": "record_measurement", "description": "Record a sensor reading.",
     "parameters": {"type": "dict", "properties": {
         "sensor_id": {"type": "string", "description": "Sensor id."}, "reading": {"type": "float", "description": "Value read."},
         "unit": {"type": "string", "description": "Unit."}, "metadata": {"type": "any", "description": "Anything extra."}},
         "required": ["sensor_id", "reading"]}},
    {"name": "linear_predict", "description": "Prediction of a linear model y = c0 + c1*x.",
     "parameters": {"type": "dict", "properties": {
         "coefficients": {"type": "tuple", "items": {"type": "float"}, "description": "(c0, c1)."},
         "x": {"type": "float", "description": "Input."}}, "required": ["coefficients", "x"]}},
]}


_TO_BFCL = {"object": "dict", "number": "float"}


def _bfcl_types(schema):
    if isinstance(schema, dict):
        out = {k: _bfcl_types(v) for k, v in schema.items()}
        if isinstance(out.get("type"), str) and out["type"] in _TO_BFCL:
            out["type"] = _TO_BFCL[out["type"]]
        return out
    if isinstance(schema, list):
        return [_bfcl_types(v) for v in schema]
    return schema


def render(t: dict, form: str) -> dict:
    t = copy.deepcopy(t)
    name, desc, params = t["name"], t["description"], t["parameters"]
    if params.get("type") == "dict":  # a BFCL-typed tool
        assert form == "bfcl", f"{name} is written in BFCL types"
        return {"name": name, "description": desc, "parameters": params}
    if form == "chat":
        return {"type": "function", "function": {"name": name, "description": desc, "parameters": params}}
    if form == "responses":
        return {"type": "function", "name": name, "description": desc, "parameters": params}
    if form == "bare":
        return {"name": name, "description": desc, "parameters": params}
    if form == "anthropic":
        return {"name": name, "description": desc, "input_schema": params}
    if form == "bfcl":
        return {"name": name, "description": desc, "parameters": _bfcl_types(params)}
    raise ValueError(form)


# --------------------------------------------------------------------------- cases

CASES: dict[str, list[dict]] = {k: [] for k in KINDS}
RAW = object()  # marks arguments that must be kept exactly as given (never re-serialised)


def case(kind: str, tools: list, calls: list, ref, expected: bool, note: str, form: str | None = None, raw: bool = False) -> None:
    """tools: library names; calls: (name, arguments) pairs; ref: None, [] or BFCL possible answers."""
    CASES[kind].append({"tools": tools, "calls": calls, "reference": ref, "expected": expected, "note": note,
                        "form": form, "raw": raw})


def c(name, args=None):
    return (name, {} if args is None else args)


# ---- valid: reference None, every call schema-valid -> True
K = "valid"
case(K, ["get_weather"], [c("get_weather", {"location": "Lyon, France"})], None, True, "only the required parameter")
case(K, ["get_weather"], [c("get_weather", {"location": "Osaka, Japan", "unit": "celsius", "days": 3})], None, True, "all parameters, right types, enum value")
case(K, ["convert_currency"], [c("convert_currency", {"amount": 250, "from_currency": "USD", "to_currency": "EUR"})], None, True, "an integer is a valid number")
case(K, ["convert_currency"], [c("convert_currency", {"amount": 99.95, "from_currency": "GBP", "to_currency": "CHF"})], None, True, "a float amount")
case(K, ["search_flights"], [c("search_flights", {"origin": "SFO", "destination": "JFK", "departure_date": "2025-06-14", "passengers": 2, "cabin_class": "business", "nonstop": True})], None, True, "every parameter of search_flights, booleans and enum included")
case(K, ["book_hotel"], [c("book_hotel", {"city": "Lisbon", "check_in": "2025-04-02", "check_out": "2025-04-06", "guests": 2, "amenities": ["wifi", "breakfast"]})], None, True, "array of strings")
case(K, ["book_hotel"], [c("book_hotel", {"city": "Kyoto", "check_in": "2025-11-20", "check_out": "2025-11-22", "amenities": []})], None, True, "an empty array is still an array")
case(K, ["solve_quadratic"], [c("solve_quadratic", {"a": 1, "b": -3, "c": 2})], None, True, "integers (one negative) where numbers are declared")
case(K, ["read_file"], [c("read_file", {"path": "logs/app.log", "encoding": "utf-8", "max_bytes": 4096})], None, True, "enum value with a hyphen, integer")
case(K, ["write_file"], [c("write_file", {"path": "notes/todo.md", "content": "- buy milk\n- call Ana", "append": True})], None, True, "newlines inside a string value")
case(K, ["run_sql_query"], [c("run_sql_query", {"query": "SELECT name FROM users WHERE id = ?", "database": "crm", "params": ["42"], "read_only": True, "timeout_seconds": 2.5})], None, True, "every run_sql_query parameter")
case(K, ["send_email"], [c("send_email", {"to": ["ana@example.com", "li@example.org"], "subject": "Q3 report", "body": "Attached, see page 4.", "priority": "high"})], None, True, "two recipients, priority enum")
case(K, ["create_calendar_event"], [c("create_calendar_event", {"title": "Team sync", "start": "2025-03-03T10:00:00+01:00", "end": "2025-03-03T10:30:00+01:00", "attendees": ["a@corp.io", "b@corp.io"], "recurrence": {"frequency": "weekly", "count": 10}})], None, True, "nested object with its required key")
case(K, ["get_directions"], [c("get_directions", {"origin": "Brandenburg Gate, Berlin", "destination": "Alexanderplatz, Berlin", "mode": "walking", "avoid": ["highways"]})], None, True, "array whose items use an enum")
case(K, ["translate_text"], [c("translate_text", {"text": "¿Dónde está la estación de tren?", "target_language": "en", "source_language": "es"})], None, True, "non-ASCII text")
case(K, ["find_restaurants"], [c("find_restaurants", {"location": "Austin, TX", "open_now": True, "filters": {"min_rating": 4.5, "dietary": ["vegan"]}})], None, True, "nested object, some of its keys")
case(K, ["compute_loan_payment"], [c("compute_loan_payment", {"principal": 350000, "annual_rate": 6.25, "years": 30})], None, True, "integer principal for a number")
case(K, ["get_news_headlines"], [c("get_news_headlines", {})], None, True, "empty arguments: the tool requires nothing")
case(K, ["get_current_time"], [c("get_current_time", {"timezone": "Asia/Kolkata"})], None, True, "one optional string")
case(K, ["get_weather"], [c("get_weather", {"location": "Rome, Italy"}), c("get_weather", {"location": "Milan, Italy", "unit": "celsius"})], None, True, "two valid calls to the same tool")
case(K, ["track_package", "get_current_time", "calculate_bmi"], [c("track_package", {"tracking_number": "1Z999AA10123456784", "carrier": "ups"}), c("get_current_time", {}), c("calculate_bmi", {"weight_kg": 72.5, "height_cm": 180})], None, True, "three valid calls to three tools")
case(K, ["create_user"], [c("create_user", {"user": {"name": "Grace Hopper", "email": "grace@example.com", "age": 85}, "roles": ["admin"], "send_welcome": False})], None, True, "nested object with every key")
case(K, ["set_alarm"], [c("set_alarm", {"time": "06:45", "label": "Gym", "repeat_days": ["mon", "tue", "wed", "thu", "fri"]})], None, True, "enum items in an array")
case(K, ["search_products"], [c("search_products", {"query": "noise cancelling headphones", "max_price": 300, "category": "electronics", "in_stock": True, "sort_by": "rating"})], None, True, "every search_products parameter")
case(K, ["submit_review"], [c("submit_review", {"product_id": "B07XJ8C8F5", "stars": 5, "comment": ""})], None, True, "an empty string is a string; integer enum value")
case(K, ["calculate_statistics"], [c("calculate_statistics", {"values": [2.5, 3, 4.75, 10], "measures": ["mean", "stdev"]})], None, True, "integers inside an array of numbers (non-BFCL form)", form="chat")
case(K, ["create_invoice"], [c("create_invoice", {"customer": "Acme GmbH", "line_items": [{"description": "Widget", "quantity": 3, "unit_price": 9.99}, {"description": "Setup fee", "quantity": 1, "unit_price": 50}], "due_days": 30})], None, True, "array of objects, every item complete")

# ---- unknown_tool
K = "unknown_tool"
case(K, ["get_weather"], [c("get_wether", {"location": "Paris, France"})], None, False, "misspelt tool name")
case(K, ["get_weather"], [c("Get_Weather", {"location": "Paris, France"})], None, False, "names match exactly: case differs")
case(K, ["get_weather"], [c("getWeather", {"location": "Paris, France"})], None, False, "camelCase of the real name")
case(K, ["get_weather"], [c("functions.get_weather", {"location": "Paris, France"})], None, False, "namespace prefix: no tool has this exact name")
case(K, ["get_weather"], [c("get_weather ", {"location": "Paris, France"})], None, False, "trailing space in the name: no exact match")
case(K, ["get_weather"], [c("send_email", {"to": ["x@y.com"], "subject": "hi", "body": "hi"})], None, False, "a real-looking tool that was not offered")
case(K, [], [c("get_weather", {"location": "Paris, France"})], None, False, "no tools offered at all")
case(K, ["get_current_time"], [c("", {})], None, False, "empty tool name")
case(K, ["get_weather"], [c("get_weather", {"location": "Bern, Switzerland"}), c("get_air_quality", {"location": "Bern, Switzerland"})], None, False, "first call fine, second names a tool that does not exist")
case(K, ["search_flights"], [c("search-flights", {"origin": "LHR", "destination": "DXB", "departure_date": "2025-09-01"})], None, False, "hyphen instead of underscore")
case(K, ["convert_currency"], [c("convert_currencies", {"amount": 10, "from_currency": "EUR", "to_currency": "USD"})], None, False, "plural of the real name")
case(K, ["get_weather"], [c("weather", {"location": "Quito, Ecuador"})], None, False, "a shortened name")
case(K, ["read_file", "write_file"], [c("delete_file", {"path": "tmp/cache.db"})], None, False, "a plausible sibling tool that is not offered")
case(K, ["run_sql_query"], [c("run_sql", {"query": "SELECT 1", "database": "main"})], None, False, "truncated tool name")
case(K, ["translate_text"], [c("translate", {"text": "Guten Morgen", "target_language": "en"})], None, False, "truncated tool name")
case(K, ["calculate_bmi"], [c("calculate_BMI", {"weight_kg": 80, "height_cm": 175})], None, False, "case differs in the suffix")
case(K, ["track_package"], [c("track_package_status", {"tracking_number": "7489 2231 0098"})], None, False, "extended tool name")
case(K, ["evaluate_expression"], [c("python", {"code": "print(2**10)"})], None, False, "hallucinated code-interpreter tool")
case(K, ["get_stock_quote"], [c("GET_STOCK_QUOTE", {"symbol": "IBM"})], None, False, "upper-case name")
case(K, ["get_weather_v2"], [c("get_weather", {"location": "Oslo, Norway"})], None, False, "prefix of the offered tool's name, not the name")
case(K, ["create_event"], [c("create_calendar_event", {"title": "Launch", "start": "2025-05-01T09:00", "end": "2025-05-01T10:00"})], None, False, "a similar tool from another toolset")
case(K, ["get_weather", "get_weather_v2"], [c("get_weather_v2", {"location": "Oslo, Norway", "include_aqi": True})], None, True, "control: exact name of the second tool")
case(K, ["get_weather", "get_news_headlines", "get_current_time"], [c("get_news_headlines", {"topic": "elections", "limit": 5})], None, True, "control: exact name among three tools")
case(K, ["track_package"], [c("track_package", {"tracking_number": "7489 2231 0098", "carrier": "fedex"})], None, True, "control: exact name")
case(K, ["read_file", "write_file", "list_directory"], [c("list_directory", {"path": "src", "recursive": True, "pattern": "*.py"})], None, True, "control: exact name of the third tool")
case(K, ["check"], [c("check", {"target": "db-01.internal"})], None, True, "control: a short tool name that is still exact")
case(K, ["get_population"], [c("get_population", {"country": "Brazil", "year": 2020}), c("get_populations", {"country": "Chile"})], None, False, "second call adds an 's' to the name")

# ---- unknown_parameter
K = "unknown_parameter"
case(K, ["get_weather"], [c("get_weather", {"location": "Paris, France", "units": "celsius"})], None, False, "'units' is not declared (the parameter is 'unit')")
case(K, ["get_weather"], [c("get_weather", {"location": "Paris, France", "city": "Paris"})], None, False, "undeclared 'city'")
case(K, ["convert_currency"], [c("convert_currency", {"amount": 100, "from_currency": "USD", "to_currency": "MXN", "date": "2024-01-01"})], None, False, "undeclared 'date'")
case(K, ["search_flights"], [c("search_flights", {"origin": "CDG", "destination": "NRT", "departure_date": "2025-10-10", "return_date": "2025-10-20"})], None, False, "undeclared 'return_date' (tool is one-way)")
case(K, ["update_profile"], [c("update_profile", {"display_name": "kim", "nickname": "kimmy"})], None, False, "additionalProperties is true but undeclared parameters are still rejected (strict, as BFCL)")
case(K, ["book_hotel"], [c("book_hotel", {"city": "Seville", "check_in": "2025-05-01", "check_out": "2025-05-03", "rooms": 1})], None, False, "undeclared 'rooms'")
case(K, ["send_email"], [c("send_email", {"to": ["ops@example.com"], "subject": "Outage", "body": "DB down", "bcc": ["cto@example.com"]})], None, False, "undeclared 'bcc' (only 'cc' exists)")
case(K, ["read_file"], [c("read_file", {"path": "config.yaml", "mode": "r"})], None, False, "undeclared 'mode'")
case(K, ["run_sql_query"], [c("run_sql_query", {"query": "SELECT count(*) FROM orders", "database": "sales", "db": "sales"})], None, False, "undeclared alias 'db' next to 'database'")
case(K, ["translate_text"], [c("translate_text", {"text": "Thank you", "target_language": "ja", "tone": "formal"})], None, False, "undeclared 'tone' (the parameter is 'formality')")
case(K, ["find_restaurants"], [c("find_restaurants", {"location": "Soho, London", "min_rating": 4.0})], None, False, "'min_rating' belongs inside 'filters', not at the top level")
case(K, ["create_calendar_event"], [c("create_calendar_event", {"title": "Dentist", "start": "2025-02-11T15:00", "end": "2025-02-11T15:45", "duration_minutes": 45})], None, False, "undeclared 'duration_minutes'")
case(K, ["get_weather"], [c("get_weather", {"location": "Lima, Peru", "Location": "Lima"})], None, False, "'Location' (capitalised) is a different, undeclared key")
case(K, ["get_news_headlines"], [c("get_news_headlines", {"q": "elections"})], None, False, "undeclared 'q'")
case(K, ["calculate_bmi"], [c("calculate_bmi", {"weight_kg": 64, "height_cm": 170, "age": 30})], None, False, "undeclared 'age'")
case(K, ["set_thermostat"], [c("set_thermostat", {"temperature": 21, "fan": "auto"})], None, False, "undeclared 'fan'")
case(K, ["get_stock_quote"], [c("get_stock_quote", {"symbol": "TSLA"}), c("get_stock_quote", {"symbol": "NVDA", "interval": "1d"})], None, False, "second call has undeclared 'interval'")
case(K, ["get_current_time"], [c("get_current_time", {"timezone": "UTC", "format": "iso"})], None, False, "undeclared 'format'")
case(K, ["log_metric"], [c("log_metric", {"name": "latency_ms", "value": 12.5, "debug": True})], None, False, "additionalProperties true, undeclared 'debug' still rejected (strict)")
case(K, ["get_weather", "get_directions"], [c("get_weather", {"location": "Porto, Portugal", "mode": "walking"})], None, False, "'mode' is a parameter of the other tool, not of get_weather")
case(K, ["compute_loan_payment"], [c("compute_loan_payment", {"principal": 20000, "annual_rate": 4.9, "years": 5, "currency": "USD"})], None, False, "undeclared 'currency'")
case(K, ["geocode_address"], [c("geocode_address", {"address": "Karl-Marx-Allee 1, Berlin", "language": "de"})], None, False, "undeclared 'language'")
case(K, ["search_products"], [c("search_products", {"query": "kindle", "max_price": 150, "category": "electronics", "in_stock": True, "sort_by": "price_asc"})], None, True, "control: every declared parameter, nothing else")
case(K, ["create_user"], [c("create_user", {"user": {"name": "Ines Ruiz", "email": "ines@example.es", "age": 29}})], None, True, "control: declared nested keys")
case(K, ["update_profile"], [c("update_profile", {"bio": "Runner and baker.", "website": "https://ines.dev"})], None, True, "control: only declared optional parameters")
case(K, ["check"], [c("check", {"target": "web-3", "extra": "--verbose"})], None, True, "control: a declared parameter literally named 'extra'")
case(K, ["get_directions"], [c("get_directions", {"origin": "Zurich HB", "destination": "Lucerne", "waypoints": ["Zug"]})], None, True, "control: declared 'waypoints'")

# ---- missing_required
K = "missing_required"
case(K, ["get_weather"], [c("get_weather", {})], None, False, "empty arguments, 'location' is required")
case(K, ["get_weather"], [c("get_weather", {"unit": "celsius"})], None, False, "only the optional parameter")
case(K, ["convert_currency"], [c("convert_currency", {"amount": 100, "to_currency": "JPY"})], None, False, "missing 'from_currency'")
case(K, ["search_flights"], [c("search_flights", {"origin": "YYZ", "destination": "YVR"})], None, False, "missing 'departure_date'")
case(K, ["book_hotel"], [c("book_hotel", {"city": "Prague", "check_in": "2025-07-01"})], None, False, "missing 'check_out'")
case(K, ["solve_quadratic"], [c("solve_quadratic", {"a": 1, "b": 2})], None, False, "missing 'c'")
case(K, ["write_file"], [c("write_file", {"path": "out/result.txt"})], None, False, "missing 'content'")
case(K, ["run_sql_query"], [c("run_sql_query", {"query": "DELETE FROM sessions WHERE expired = 1"})], None, False, "missing 'database'")
case(K, ["send_email"], [c("send_email", {"to": ["hr@example.com"], "subject": "Leave request"})], None, False, "missing 'body'")
case(K, ["create_calendar_event"], [c("create_calendar_event", {"title": "Lunch with Sam", "start": "2025-01-15T12:30"})], None, False, "missing 'end'")
case(K, ["create_calendar_event"], [c("create_calendar_event", {"title": "Standup", "start": "2025-01-06T09:00", "end": "2025-01-06T09:15", "recurrence": {"interval": 1}})], None, False, "nested 'recurrence' lacks its required 'frequency'")
case(K, ["create_user"], [c("create_user", {"user": {"name": "Tom Berg"}, "roles": ["viewer"]})], None, False, "nested 'user' lacks its required 'email'")
case(K, ["get_directions"], [c("get_directions", {"destination": "Sagrada Familia"})], None, False, "missing 'origin'")
case(K, ["translate_text"], [c("translate_text", {"text": "Where is the library?"})], None, False, "missing 'target_language'")
case(K, ["compute_loan_payment"], [c("compute_loan_payment", {"principal": 15000, "annual_rate": 7.5})], None, False, "missing 'years'")
case(K, ["calculate_bmi"], [c("calculate_bmi", {"height_cm": 168})], None, False, "missing 'weight_kg'")
case(K, ["submit_review"], [c("submit_review", {"product_id": "SKU-889", "comment": "Great kettle"})], None, False, "missing 'stars'")
case(K, ["get_population"], [c("get_population", {"country": "Kenya"}), c("get_population", {"year": 2010})], None, False, "second call lacks 'country'")
case(K, ["get_weather"], [c("get_weather", "{}")], None, False, "arguments '{}' as a JSON string: 'location' still missing")
case(K, ["resize_image"], [c("resize_image", {"path": "img/banner.png", "height": 400})], None, False, "missing 'width'")
case(K, ["convert_units"], [c("convert_units", {"value": 10, "from_unit": "km"})], None, False, "missing 'to_unit'")
case(K, ["get_news_headlines"], [c("get_news_headlines", {})], None, True, "control: nothing is required")
case(K, ["search_flights"], [c("search_flights", {"origin": "AMS", "destination": "BCN", "departure_date": "2025-08-08"})], None, True, "control: exactly the required parameters")
case(K, ["send_email"], [c("send_email", {"to": ["li@example.org"], "subject": "Thanks", "body": "Thanks for today."})], None, True, "control: exactly the required parameters")
case(K, ["create_calendar_event"], [c("create_calendar_event", {"title": "Book club", "start": "2025-02-01T18:00", "end": "2025-02-01T20:00", "recurrence": {"frequency": "monthly"}})], None, True, "control: nested object with only its required key")
case(K, ["create_user"], [c("create_user", {"user": {"name": "Ana Li", "email": "ana@example.com"}})], None, True, "control: nested optional 'age' omitted")
case(K, ["track_package"], [c("track_package", {"tracking_number": "JD014600006457789"})], None, True, "control: optional 'carrier' omitted")

# ---- wrong_type
K = "wrong_type"
case(K, ["convert_currency"], [c("convert_currency", {"amount": "250", "from_currency": "USD", "to_currency": "EUR"})], None, False, "number sent as the string \"250\"")
case(K, ["get_weather"], [c("get_weather", {"location": "Nice, France", "days": "3"})], None, False, "integer sent as the string \"3\"")
case(K, ["get_weather"], [c("get_weather", {"location": "Nice, France", "days": True})], None, False, "boolean for an integer")
case(K, ["search_flights"], [c("search_flights", {"origin": "MAD", "destination": "LIS", "departure_date": "2025-03-30", "passengers": 2.5})], None, False, "2.5 for an integer")
case(K, ["get_weather"], [c("get_weather", {"location": ["Paris", "Lyon"]})], None, False, "list for a string")
case(K, ["send_email"], [c("send_email", {"to": {"address": "ana@example.com"}, "subject": "Hi", "body": "Hello"})], None, False, "object for an array")
case(K, ["send_email"], [c("send_email", {"to": "ana@example.com", "subject": "Hi", "body": "Hello"})], None, False, "bare string for an array of strings")
case(K, ["search_flights"], [c("search_flights", {"origin": "MAD", "destination": "LIS", "departure_date": "2025-03-30", "nonstop": "true"})], None, False, "the string \"true\" for a boolean")
case(K, ["search_flights"], [c("search_flights", {"origin": "MAD", "destination": "LIS", "departure_date": "2025-03-30", "nonstop": 1})], None, False, "1 for a boolean")
case(K, ["solve_quadratic"], [c("solve_quadratic", {"a": True, "b": 0, "c": -4})], None, False, "boolean for a number")
case(K, ["set_thermostat"], [c("set_thermostat", {"temperature": "21.5", "mode": "heat"})], None, False, "number sent as the string \"21.5\"")
case(K, ["find_restaurants"], [c("find_restaurants", {"location": "Hanoi", "filters": "vegan"})], None, False, "string for an object")
case(K, ["find_restaurants"], [c("find_restaurants", {"location": "Hanoi", "filters": {"min_rating": "4"}})], None, False, "nested: string for the number 'min_rating'")
case(K, ["create_user"], [c("create_user", {"user": {"name": "Bo Chen", "email": "bo@example.com", "age": "30"}})], None, False, "nested: string for the integer 'age'")
case(K, ["book_hotel"], [c("book_hotel", {"city": "Vienna", "check_in": "2025-12-20", "check_out": "2025-12-23", "amenities": ["wifi", 2]})], None, False, "an integer item in an array of strings")
case(K, ["get_stock_quote"], [c("get_stock_quote", {"symbol": 7203})], None, False, "integer for a string (a numeric ticker must be a string)")
case(K, ["read_file"], [c("read_file", {"path": "big.csv", "max_bytes": 4096.5})], None, False, "4096.5 for an integer")
case(K, ["get_weather"], [c("get_weather", {"location": None})], None, False, "null for a required string")
case(K, ["calculate_statistics"], [c("calculate_statistics", {"values": "1, 2, 3"})], None, False, "string for an array of numbers")
case(K, ["set_alarm"], [c("set_alarm", {"time": "07:00", "repeat_days": "mon"})], None, False, "string for an array")
case(K, ["create_calendar_event"], [c("create_calendar_event", {"title": "Call", "start": "2025-04-04T16:00", "end": "2025-04-04T16:20", "reminder_minutes": "15"})], None, False, "integer sent as the string \"15\"")
case(K, ["convert_currency"], [c("convert_currency", {"amount": 250, "from_currency": "USD", "to_currency": "EUR"})], None, True, "control: an integer is a valid number")
case(K, ["set_thermostat"], [c("set_thermostat", {"temperature": 21, "mode": "auto", "zone": "upstairs"})], None, True, "control: integer temperature for a number")
case(K, ["compute_loan_payment"], [c("compute_loan_payment", {"principal": 12000.0, "annual_rate": 5, "years": 4})], None, True, "control: float principal, integer rate, integer years")
case(K, ["calculate_bmi"], [c("calculate_bmi", {"weight_kg": 58.2, "height_cm": 162.5})], None, True, "control: floats")
case(K, ["search_flights"], [c("search_flights", {"origin": "MAD", "destination": "LIS", "departure_date": "2025-03-30", "nonstop": False, "passengers": 1})], None, True, "control: false is a boolean")
case(K, ["solve_quadratic"], [c("solve_quadratic", {"a": -0.5, "b": 0, "c": 8.25})], None, True, "control: negative float and zero")

# ---- enum
K = "enum"
case(K, ["get_weather"], [c("get_weather", {"location": "Denver, USA", "unit": "kelvin"})], None, False, "'kelvin' is not in the unit enum")
case(K, ["get_weather"], [c("get_weather", {"location": "Denver, USA", "unit": "Celsius"})], None, False, "enum values match exactly: 'Celsius' is not 'celsius'")
case(K, ["search_flights"], [c("search_flights", {"origin": "ATL", "destination": "MIA", "departure_date": "2025-01-09", "cabin_class": "premium"})], None, False, "'premium' is not a cabin class")
case(K, ["search_flights"], [c("search_flights", {"origin": "ATL", "destination": "MIA", "departure_date": "2025-01-09", "cabin_class": "premium economy"})], None, False, "space instead of underscore: not an enum value")
case(K, ["get_directions"], [c("get_directions", {"origin": "Utrecht", "destination": "Amsterdam", "mode": "cycling"})], None, False, "'cycling' is not in the mode enum (it is 'bicycling')")
case(K, ["get_directions"], [c("get_directions", {"origin": "Utrecht", "destination": "Amsterdam", "avoid": ["tolls", "bridges"]})], None, False, "array item 'bridges' is outside the items enum")
case(K, ["send_email"], [c("send_email", {"to": ["it@example.com"], "subject": "Laptop", "body": "Screen broken", "priority": "urgent"})], None, False, "'urgent' is not a priority")
case(K, ["read_file"], [c("read_file", {"path": "data.txt", "encoding": "utf8"})], None, False, "'utf8' is not 'utf-8'")
case(K, ["track_package"], [c("track_package", {"tracking_number": "RR123456785GB", "carrier": "royal_mail"})], None, False, "'royal_mail' is not a carrier")
case(K, ["set_thermostat"], [c("set_thermostat", {"temperature": 19, "mode": "eco"})], None, False, "'eco' is not a mode")
case(K, ["search_products"], [c("search_products", {"query": "garden hose", "category": "garden"})], None, False, "'garden' is not a category")
case(K, ["search_products"], [c("search_products", {"query": "usb-c cable", "sort_by": "price"})], None, False, "'price' is not a sort order")
case(K, ["submit_review"], [c("submit_review", {"product_id": "P-1002", "stars": 6})], None, False, "integer enum: 6 is not 1-5")
case(K, ["submit_review"], [c("submit_review", {"product_id": "P-1002", "stars": 0})], None, False, "integer enum: 0 is not 1-5")
case(K, ["create_task"], [c("create_task", {"title": "File taxes", "priority": 5})], None, False, "integer enum: 5 is not 1-4")
case(K, ["create_calendar_event"], [c("create_calendar_event", {"title": "1:1", "start": "2025-02-03T14:00", "end": "2025-02-03T14:30", "recurrence": {"frequency": "fortnightly"}})], None, False, "nested enum: 'fortnightly' is not a frequency")
case(K, ["translate_text"], [c("translate_text", {"text": "See you soon", "target_language": "ko", "formality": "polite"})], None, False, "'polite' is not a formality")
case(K, ["get_stock_quote"], [c("get_stock_quote", {"symbol": "AMZN", "exchange": "nasdaq"})], None, False, "enum values match exactly: 'nasdaq' is not 'NASDAQ'")
case(K, ["resize_image"], [c("resize_image", {"path": "a.png", "width": 640, "format": "jpg"})], None, False, "'jpg' is not in the format enum ('jpeg' is)")
case(K, ["set_alarm"], [c("set_alarm", {"time": "08:00", "repeat_days": ["monday"]})], None, False, "array item 'monday' is outside the items enum ('mon')")
case(K, ["get_weather"], [c("get_weather", {"location": "Denver, USA", "unit": "fahrenheit"})], None, True, "control: enum value")
case(K, ["search_flights"], [c("search_flights", {"origin": "ATL", "destination": "MIA", "departure_date": "2025-01-09", "cabin_class": "premium_economy"})], None, True, "control: enum value with an underscore")
case(K, ["submit_review"], [c("submit_review", {"product_id": "P-1002", "stars": 1})], None, True, "control: integer enum value")
case(K, ["get_directions"], [c("get_directions", {"origin": "Utrecht", "destination": "Amsterdam", "avoid": ["tolls", "ferries"]})], None, True, "control: array items in the enum")
case(K, ["resize_image"], [c("resize_image", {"path": "a.png", "width": 640, "format": "webp"})], None, True, "control: enum value")
case(K, ["create_task"], [c("create_task", {"title": "Renew passport", "priority": 4, "due_date": "2025-06-30"})], None, True, "control: integer enum value")
case(K, ["get_stock_quote"], [c("get_stock_quote", {"symbol": "HSBA", "exchange": "LSE"})], None, True, "control: enum value")

# ---- malformed_json: arguments given as a string (kept exactly as written)
K = "malformed_json"
M = dict(raw=True)
case(K, ["get_weather"], [c("get_weather", '{"location": "Paris, France"')], None, False, "truncated JSON: the closing brace is missing", **M)
case(K, ["get_weather"], [c("get_weather", '{"location": "Par')], None, False, "truncated inside a string", **M)
case(K, ["get_weather"], [c("get_weather", "{'location': 'Paris, France'}")], None, False, "single quotes are not JSON", **M)
case(K, ["get_weather"], [c("get_weather", '{"location": "Paris, France",}')], None, False, "trailing comma in the object", **M)
case(K, ["send_email"], [c("send_email", '{"to": ["a@example.com",], "subject": "hi", "body": "hello"}')], None, False, "trailing comma in an array", **M)
case(K, ["get_weather"], [c("get_weather", '["Paris, France", "celsius"]')], None, False, "a JSON array, not an object", **M)
case(K, ["get_news_headlines"], [c("get_news_headlines", "")], None, True, "empty string counts as {}: valid because get_news_headlines requires nothing", **M)
case(K, ["get_weather"], [c("get_weather", "")], None, False, "empty string counts as {}: invalid because 'location' is required", **M)
case(K, ["get_current_time"], [c("get_current_time", "{}")], None, True, "'{}' is a valid empty object and nothing is required", **M)
case(K, ["get_current_time"], [c("get_current_time", '\n  {"timezone": "America/Bogota"}  \n')], None, True, "whitespace around a valid object is fine", **M)
case(K, ["search_flights"], [c("search_flights", '{"origin": "OSL", "destination": "BGO", "departure_date": "2025-02-01", "nonstop": True}')], None, False, "Python True is not JSON (true)", **M)
case(K, ["get_weather"], [c("get_weather", '{location: "Paris, France"}')], None, False, "unquoted key", **M)
case(K, ["get_weather"], [c("get_weather", '"Paris, France"')], None, False, "a JSON string, not an object", **M)
case(K, ["get_news_headlines"], [c("get_news_headlines", "42")], None, False, "a JSON number, not an object", **M)
case(K, ["get_news_headlines"], [c("get_news_headlines", "null")], None, False, "JSON null is not an object (only the empty string is read as {})", **M)
case(K, ["get_weather"], [c("get_weather", json.dumps(json.dumps({"location": "Paris, France"})))], None, False, "double-encoded: the JSON decodes to a string, not an object", **M)
case(K, ["get_weather"], [c("get_weather", '```json\n{"location": "Paris, France"}\n```')], None, False, "Markdown code fence around the JSON", **M)
case(K, ["get_weather"], [c("get_weather", '{"location": "Paris, France"}{"unit": "celsius"}')], None, False, "two concatenated objects", **M)
case(K, ["get_weather"], [c("get_weather", '{"location": "Paris, France" // the capital\n}')], None, False, "comments are not JSON", **M)
case(K, ["get_weather"], [c("get_weather", '{"location": "Paris, France"}}')], None, False, "an extra closing brace", **M)
case(K, ["translate_text"], [c("translate_text", '{"text": "caf\\u00e9 au lait", "target_language": "de"}')], None, True, "valid JSON with a unicode escape", **M)
case(K, ["create_user"], [c("create_user", '{"user": {"name": "Lea M\\u00fcller", "email": "lea@example.de"}, "roles": ["editor", "viewer"]}')], None, True, "valid JSON with a nested object and array", **M)
case(K, ["get_current_time"], [c("get_current_time", "{'timezone': None}")], None, False, "Python dict repr (quotes and None)", **M)
case(K, ["get_news_headlines"], [c("get_news_headlines", [])], None, False, "arguments are a list, not an object", **M)
case(K, ["get_news_headlines"], [c("get_news_headlines", "true")], None, False, "a JSON boolean, not an object", **M)
case(K, ["write_file"], [c("write_file", '{"path": "poem.txt", "content": "line one\\nline two\\n"}')], None, True, "valid JSON with escaped newlines", **M)
case(K, ["translate_text"], [c("translate_text", '{"text": "It\'s raining", "target_language": "fr"}')], None, True, "an apostrophe inside a double-quoted JSON string is fine", **M)

# ---- bfcl_types: tools in BFCL's form with dict/float/tuple/any
K = "bfcl_types"
F = dict(form="bfcl")
case(K, ["kinematics_final_velocity"], [c("kinematics_final_velocity", {"initial_velocity": 0.0, "acceleration": 9.8, "time": 3.0})], None, True, "floats for float", **F)
case(K, ["kinematics_final_velocity"], [c("kinematics_final_velocity", {"initial_velocity": 0, "acceleration": 10, "time": 4})], None, True, "integers for float are accepted", **F)
case(K, ["kinematics_final_velocity"], [c("kinematics_final_velocity", {"initial_velocity": 0.0, "acceleration": "9.8", "time": 3.0})], None, False, "string \"9.8\" for a float", **F)
case(K, ["kinematics_final_velocity"], [c("kinematics_final_velocity", {"initial_velocity": 0.0, "acceleration": 9.8, "time": True})], None, False, "boolean for a float", **F)
case(K, ["triangle_area"], [c("triangle_area", {"base": 10, "height": 4.5, "unit": "cm"})], None, True, "integer and float for float, string unit", **F)
case(K, ["plot_route"], [c("plot_route", {"waypoints": ["Munich", "Salzburg", "Vienna"], "mode": "driving"})], None, True, "a JSON array is a tuple", **F)
case(K, ["plot_route"], [c("plot_route", {"waypoints": "Munich, Vienna"})], None, False, "string for a tuple", **F)
case(K, ["plot_route"], [c("plot_route", {"waypoints": {"start": "Munich", "end": "Vienna"}})], None, False, "object for a tuple", **F)
case(K, ["set_config_value"], [c("set_config_value", {"key": "retries", "value": 5})], None, True, "'any' accepts a number", **F)
case(K, ["set_config_value"], [c("set_config_value", {"key": "allowed_hosts", "value": ["a.example.com", "b.example.com"]})], None, True, "'any' accepts an array", **F)
case(K, ["set_config_value"], [c("set_config_value", {"key": "feature_flags", "value": {"beta": True}})], None, True, "'any' accepts an object", **F)
case(K, ["set_config_value"], [c("set_config_value", {"key": "mode", "value": "fast"})], None, True, "'any' accepts a string", **F)
case(K, ["set_config_value"], [c("set_config_value", {"key": "mode"})], None, False, "'value' (type any) is required and missing", **F)
case(K, ["update_inventory"], [c("update_inventory", {"item": {"sku": "SKU-1", "quantity": 12, "price": 3.5}, "warehouse": "RTM-2"})], None, True, "dict with its declared keys", **F)
case(K, ["update_inventory"], [c("update_inventory", {"item": ["SKU-1", 12]})], None, False, "array for a dict", **F)
case(K, ["update_inventory"], [c("update_inventory", {"item": {"sku": "SKU-1", "quantity": "12"}})], None, False, "nested: string for an integer inside a dict", **F)
case(K, ["update_inventory"], [c("update_inventory", {"item": {"sku": "SKU-1"}})], None, False, "nested: dict lacks its required 'quantity'", **F)
case(K, ["bounding_box_area"], [c("bounding_box_area", {"corner_min": [0.0, 0.0], "corner_max": [10.5, 4.25]})], None, True, "tuples of floats", **F)
case(K, ["bounding_box_area"], [c("bounding_box_area", {"corner_min": "0,0", "corner_max": [10.5, 4.25]})], None, False, "string for a tuple", **F)
case(K, ["store_document"], [c("store_document", {"document": {"title": "Q1 results", "pages": 12}, "tags": ["finance"]})], None, True, "a dict without declared properties takes any keys", **F)
case(K, ["store_document"], [c("store_document", {"document": "title=Q1 results"})], None, False, "string for a dict", **F)
case(K, ["record_measurement"], [c("record_measurement", {"sensor_id": "t-17", "reading": 21, "unit": "C", "metadata": {"room": "lab 2"}})], None, True, "integer for float, object for any", **F)
case(K, ["record_measurement"], [c("record_measurement", {"sensor_id": "t-17", "reading": "21.4"})], None, False, "string \"21.4\" for a float", **F)
case(K, ["linear_predict"], [c("linear_predict", {"coefficients": [1.5, -0.25], "x": 2.0})], None, True, "tuple of floats and a float", **F)
case(K, ["kinematics_final_velocity"], [c("kinematics_final_velocity", {"initial_velocity": 0, "acceleration": 9.8, "time": 3})], [{"kinematics_final_velocity": {"initial_velocity": [0.0], "acceleration": [9.8], "time": [3.0]}}], True, "with a reference: integers accepted where float values are listed (schema float)", **F)
case(K, ["update_inventory"], [c("update_inventory", {"item": {"sku": "sku-1", "quantity": 12}})], [{"update_inventory": {"item": [{"sku": ["SKU-1"], "quantity": [12], "price": [""]}], "warehouse": [""]}}], True, "with a reference: nested dict, 'sku-1' standardises to 'SKU-1', optional keys omitted", **F)
case(K, ["kinematics_final_velocity"], [c("kinematics_final_velocity", {"initial_velocity": [0.0], "acceleration": 9.8, "time": 3.0})], None, False, "array for a float", **F)
case(K, ["triangle_area"], [c("triangle_area", {"base": 10, "height": 4.5, "units": "cm"})], None, False, "undeclared 'units' in a BFCL-form tool", **F)
case(K, ["plot_route"], [c("plot_route", {"waypoints": ["munich", "salzburg", "vienna"]})], [{"plot_route": {"waypoints": [["Munich", "Salzburg", "Vienna"]], "mode": ["", "driving"]}}], True, "with a reference: tuple compared element-wise after standardisation", **F)
case(K, ["plot_route"], [c("plot_route", {"waypoints": ["Vienna", "Salzburg", "Munich"]})], [{"plot_route": {"waypoints": [["Munich", "Salzburg", "Vienna"]], "mode": ["", "driving"]}}], False, "with a reference: tuple in the wrong order", **F)

# ---- reference_match: every case True
K = "reference_match"
case(K, ["get_weather"], [c("get_weather", {"location": "Paris, France", "unit": "celsius"})], [{"get_weather": {"location": ["Paris, France", "Paris"], "unit": ["celsius", ""]}}], True, "exact match")
case(K, ["get_weather"], [c("get_weather", {"location": "paris france"})], [{"get_weather": {"location": ["Paris, France", "Paris"], "unit": ["celsius", ""]}}], True, "standardisation removes ',' and space and lowercases; optional unit omitted ('' listed)")
case(K, ["convert_currency"], [c("convert_currency", {"amount": 1500, "from_currency": "USD", "to_currency": "EUR"})], [{"convert_currency": {"amount": [1500.0], "from_currency": ["USD"], "to_currency": ["EUR"]}}], True, "int 1500 accepted for float 1500.0 (number parameter)")
case(K, ["search_flights"], [c("search_flights", {"origin": "sfo", "destination": "JFK", "departure_date": "2025/06/14", "passengers": 2})], [{"search_flights": {"origin": ["SFO", "San Francisco"], "destination": ["JFK", "New York"], "departure_date": ["2025-06-14"], "passengers": [2], "cabin_class": ["", "economy"], "nonstop": [""]}}], True, "'/' and '-' are both removed: 2025/06/14 == 2025-06-14; case-insensitive code")
case(K, ["book_hotel"], [c("book_hotel", {"city": "new-york-city", "check_in": "2025-09-12", "check_out": "2025-09-14"})], [{"book_hotel": {"city": ["New York City", "NYC"], "check_in": ["2025-09-12"], "check_out": ["2025-09-14"], "guests": ["", 1]}}], True, "hyphens and case standardised away")
case(K, ["send_email"], [c("send_email", {"to": ["ana@example.com"], "subject": "q3 report", "body": "please see the attached report", "priority": "high"})], [{"send_email": {"to": [["ana@example.com"]], "subject": ["Q3 Report"], "body": ["Please see the attached report."], "cc": [""], "priority": ["high"]}}], True, "case and final full stop standardised; list compared element-wise")
case(K, ["get_stock_quote"], [c("get_stock_quote", {"symbol": "aapl", "include_history": True})], [{"get_stock_quote": {"symbol": ["AAPL"], "include_history": [True], "exchange": ["", "NASDAQ"]}}], True, "lower-case ticker standardises; boolean exact; optional exchange omitted")
case(K, ["calculate_statistics"], [c("calculate_statistics", {"values": [2.5, 3.5, 4.0], "measures": ["mean", "median"]})], [{"calculate_statistics": {"values": [[2.5, 3.5, 4.0]], "measures": [["mean", "median"], ["median", "mean"]]}}], True, "lists equal element by element; a second acceptable ordering listed")
case(K, ["find_restaurants"], [c("find_restaurants", {"location": "Trastevere, Rome", "filters": {"min_rating": 4, "dietary": ["vegetarian"]}})], [{"find_restaurants": {"location": ["Trastevere, Rome", "Trastevere"], "cuisine": [""], "open_now": [""], "filters": [{"min_rating": [4.0], "dietary": [["vegetarian"]], "outdoor_seating": [""]}]}}], True, "nested dict: each key against its list; int 4 for 4.0; optional nested key omitted")
case(K, ["create_calendar_event"], [c("create_calendar_event", {"title": "Yoga", "start": "2025-03-04T07:00", "end": "2025-03-04T08:00", "recurrence": {"frequency": "weekly", "count": 10}})], [{"create_calendar_event": {"title": ["Yoga", "Yoga class"], "start": ["2025-03-04T07:00"], "end": ["2025-03-04T08:00"], "recurrence": [{"frequency": ["weekly"], "count": [10], "interval": ["", 1]}]}}], True, "nested dict with an optional key omitted")
case(K, ["translate_text"], [c("translate_text", {"text": "good morning everyone!", "target_language": "French"})], [{"translate_text": {"text": ["Good morning, everyone!"], "target_language": ["fr", "French"], "source_language": ["", "en", "English"]}}], True, "comma and case standardised ('!' kept on both sides); alternative 'French'")
case(K, ["get_directions"], [c("get_directions", {"origin": "Union Station, Denver", "destination": "Denver Airport", "avoid": ["tolls", "highways"]})], [{"get_directions": {"origin": ["Union Station, Denver"], "destination": ["Denver Airport", "DEN"], "avoid": [["tolls", "highways"]], "mode": ["", "driving"]}}], True, "list in the listed order; optional mode omitted")
case(K, ["compute_loan_payment"], [c("compute_loan_payment", {"principal": 350000, "annual_rate": 6.25, "years": 30})], [{"compute_loan_payment": {"principal": [350000.0], "annual_rate": [6.25], "years": [30]}}], True, "int principal for 350000.0")
case(K, ["run_sql_query"], [c("run_sql_query", {"query": 'select * from orders where status = "shipped"', "database": "sales"})], [{"run_sql_query": {"query": ["SELECT * FROM orders WHERE status = 'shipped'"], "database": ["sales"], "read_only": ["", True], "params": [""], "timeout_seconds": [""]}}], True, "standardisation: case, spaces and '*' removed, ' becomes \"")
case(K, ["set_thermostat"], [c("set_thermostat", {"temperature": 21.5, "mode": "heat", "zone": "Living_Room"})], [{"set_thermostat": {"temperature": [21.5], "mode": ["heat"], "zone": ["living room", "Living Room"]}}], True, "'_' and space both removed")
case(K, ["geocode_address"], [c("geocode_address", '{"address": "1600 pennsylvania ave nw washington dc"}')], [{"geocode_address": {"address": ["1600 Pennsylvania Ave NW, Washington, DC", "1600 Pennsylvania Avenue NW, Washington, D.C."], "country_code": ["", "US"]}}], True, "arguments as a JSON string; commas, case standardised", raw=True)
case(K, ["get_weather", "get_news_headlines", "convert_currency"], [c("convert_currency", {"amount": 40, "from_currency": "CAD", "to_currency": "USD"})], [{"convert_currency": {"amount": [40.0, 40], "from_currency": ["CAD"], "to_currency": ["USD"]}}], True, "right tool among three")
case(K, ["get_weather"], [c("get_weather", {"location": "Tokyo"})], [{"get_weather": {"location": ["Tokyo", "Tokyo, Japan"], "days": [""], "unit": [""]}}], True, "parameters listed only as [\"\"] are omitted")
case(K, ["search_products"], [c("search_products", {"query": "Lego Technic", "in_stock": False})], [{"search_products": {"query": ["lego technic"], "in_stock": [False], "category": ["", "toys"], "max_price": [""], "sort_by": [""]}}], True, "boolean false matched exactly")
case(K, ["get_news_headlines"], [c("get_news_headlines", {"topic": "Tech", "limit": 10})], [{"get_news_headlines": {"topic": ["technology", "tech"], "limit": [5, 10], "country": [""]}}], True, "one of two acceptable integers; string alternative")
case(K, ["evaluate_expression"], [c("evaluate_expression", {"expression": "x2+3x", "variable": "x"})], [{"evaluate_expression": {"expression": ["x^2 + 3*x"], "variable": ["x", ""]}}], True, "'^', '*' and spaces removed on both sides")
case(K, ["geocode_address"], [c("geocode_address", {"address": "10 Downing St., London", "country_code": "G.B."})], [{"geocode_address": {"address": ["10 Downing Street, London", "10 Downing St, London"], "country_code": ["GB", ""]}}], True, "full stops removed: 'St.' == 'St', 'G.B.' == 'GB'")
case(K, ["create_github_issue"], [c("create_github_issue", {"repo": "acme/api", "title": "Login fails on Safari", "labels": ["Bug", "high_priority"]})], [{"create_github_issue": {"repo": ["acme/api"], "title": ["Login fails on Safari"], "labels": [["bug", "high-priority"]], "body": [""], "assignees": [""]}}], True, "strings inside a list standardised: 'high_priority' == 'high-priority'")
case(K, ["create_user"], [c("create_user", {"user": {"name": "ada lovelace", "email": "ada@example.com"}})], [{"create_user": {"user": [{"name": ["Ada Lovelace"], "email": ["ada@example.com"], "age": ["", 36]}], "roles": [""], "send_welcome": ["", True]}}], True, "nested dict, string standardised, optional nested key omitted")
case(K, ["book_hotel"], [c("book_hotel", {"city": "Bath", "check_in": "April 1 2025", "check_out": "April 3, 2025", "guests": 2})], [{"book_hotel": {"city": ["Bath"], "check_in": ["April 1, 2025", "2025-04-01"], "check_out": ["April 3, 2025", "2025-04-03"], "guests": [2]}}], True, "comma in a date ignored by standardisation")
case(K, ["calculate_tip"], [c("calculate_tip", {"bill_amount": 84.5, "tip_percent": 15})], [{"calculate_tip": {"bill_amount": [84.5], "tip_percent": [15.0], "split": ["", 1]}}], True, "int 15 accepted for 15.0; optional split omitted")
case(K, ["create_invoice"], [c("create_invoice", {"customer": "Acme GmbH", "line_items": [{"description": "widget", "quantity": 2, "unit_price": 9.99}, {"description": "Gadget", "quantity": 1, "unit_price": 24.5}]})], [{"create_invoice": {"customer": ["Acme GmbH", "ACME"], "line_items": [[{"description": ["Widget"], "quantity": [2], "unit_price": [9.99]}, {"description": ["Gadget"], "quantity": [1], "unit_price": [24.5]}]], "due_days": [""]}}], True, "list of dicts, each dict compared key by key in order")
case(K, ["track_package"], [c("track_package", {"tracking_number": "1z999aa10123456784"})], [{"track_package": {"tracking_number": ["1Z999AA10123456784"], "carrier": ["ups", ""]}}], True, "lower-cased id standardises to the reference")
case(K, ["write_file"], [c("write_file", {"path": "greeting.txt", "content": "hello world!"})], [{"write_file": {"path": ["greeting.txt"], "content": ["Hello, world!"], "append": ["", False]}}], True, "comma and case removed in 'Hello, world!'")
case(K, ["translate_text"], [c("translate_text", {"text": "it's raining", "target_language": "es"})], [{"translate_text": {"text": ["It's raining"], "target_language": ["es", "Spanish"], "source_language": [""], "formality": [""]}}], True, "apostrophe on both sides (becomes '\"' on both)")
case(K, ["resize_image"], [c("resize_image", {"path": "Photos/Cat.PNG", "width": 800, "format": "webp"})], [{"resize_image": {"path": ["photos/cat.png"], "width": [800], "height": [""], "keep_aspect": [True, ""], "format": ["webp"]}}], True, "'/' and '.' removed, case folded in a path")
case(K, ["get_population"], [c("get_population", {"country": "U.S.A.", "year": 2020})], [{"get_population": {"country": ["USA", "United States"], "year": [2020]}}], True, "full stops removed: 'U.S.A.' == 'USA'")
case(K, ["set_alarm"], [c("set_alarm", {"time": "06:30", "repeat_days": ["sat", "sun"], "label": "long run"})], [{"set_alarm": {"time": ["06:30"], "repeat_days": [["sat", "sun"]], "label": ["Long Run", "long-run"]}}], True, "list and standardised label")

# ---- reference_mismatch: every case False
K = "reference_mismatch"
case(K, ["get_weather"], [c("get_weather", {"location": "Lyon, France"})], [{"get_weather": {"location": ["Paris, France", "Paris"], "unit": ["", "celsius"]}}], False, "wrong city")
case(K, ["get_weather", "get_news_headlines"], [c("get_news_headlines", {"topic": "weather in Paris"})], [{"get_weather": {"location": ["Paris, France", "Paris"], "unit": [""], "days": [""]}}], False, "valid call to the wrong function")
case(K, ["get_weather"], [c("get_weather", {"location": "Paris"})], [{"get_weather": {"location": ["Paris"], "unit": ["celsius"]}}], False, "reference requires 'unit' (no \"\" listed) and the call omits it")
case(K, ["get_weather"], [c("get_weather", {"location": "Paris", "unit": "celsius"})], [{"get_weather": {"location": ["Paris"]}}], False, "'unit' is declared by the schema but absent from the reference: BFCL rejects it as unexpected")
case(K, ["search_flights"], [c("search_flights", {"origin": "BOS", "destination": "ORD", "departure_date": "2025-05-05", "passengers": 3.0})], [{"search_flights": {"origin": ["BOS"], "destination": ["ORD"], "departure_date": ["2025-05-05"], "passengers": [3]}}], False, "3.0 where an integer is expected: a type mismatch in BFCL")
case(K, ["convert_currency"], [c("convert_currency", {"amount": 1500.5, "from_currency": "USD", "to_currency": "EUR"})], [{"convert_currency": {"amount": [1500.0], "from_currency": ["USD"], "to_currency": ["EUR"]}}], False, "wrong amount")
case(K, ["get_directions"], [c("get_directions", {"origin": "Union Station, Denver", "destination": "DEN", "avoid": ["highways", "tolls"]})], [{"get_directions": {"origin": ["Union Station, Denver"], "destination": ["Denver Airport", "DEN"], "avoid": [["tolls", "highways"]], "mode": [""]}}], False, "list order matters")
case(K, ["send_email"], [c("send_email", {"to": ["ana@example.com"], "subject": "Offsite", "body": "Agenda attached"})], [{"send_email": {"to": [["ana@example.com", "li@example.org"]], "subject": ["Offsite"], "body": ["Agenda attached"], "cc": [""], "priority": [""]}}], False, "list is missing a recipient")
case(K, ["find_restaurants"], [c("find_restaurants", {"location": "Gràcia, Barcelona", "filters": {"min_rating": 4.0}})], [{"find_restaurants": {"location": ["Gràcia, Barcelona"], "cuisine": [""], "open_now": [""], "price_level": [""], "filters": [{"min_rating": [4.5], "dietary": [""], "outdoor_seating": [""]}]}}], False, "nested dict: wrong min_rating")
case(K, ["find_restaurants"], [c("find_restaurants", {"location": "Gràcia, Barcelona", "filters": {"min_rating": 4.5, "outdoor_seating": True}})], [{"find_restaurants": {"location": ["Gràcia, Barcelona"], "cuisine": [""], "open_now": [""], "price_level": [""], "filters": [{"min_rating": [4.5]}]}}], False, "nested dict: key 'outdoor_seating' not in the reference dict")
case(K, ["find_restaurants"], [c("find_restaurants", {"location": "Gràcia, Barcelona", "filters": {"min_rating": 4.5}})], [{"find_restaurants": {"location": ["Gràcia, Barcelona"], "cuisine": [""], "open_now": [""], "price_level": [""], "filters": [{"min_rating": [4.5], "dietary": [["vegan"]]}]}}], False, "nested dict: 'dietary' required by the reference, missing")
case(K, ["translate_text"], [c("translate_text", {"text": "Dont forget the meeting", "target_language": "it"})], [{"translate_text": {"text": ["Don't forget the meeting"], "target_language": ["it", "Italian"], "source_language": [""], "formality": [""]}}], False, "the apostrophe is not removed by standardisation (it becomes '\"'), so 'Dont' differs")
case(K, ["search_products"], [c("search_products", {"query": "C primer"})], [{"search_products": {"query": ["C++ primer"], "max_price": [""], "category": ["", "books"], "in_stock": [""], "sort_by": [""]}}], False, "'+' is not removed by standardisation: 'C++ primer' != 'C primer'")
case(K, ["set_alarm"], [c("set_alarm", {"time": "0645"})], [{"set_alarm": {"time": ["06:45"], "label": [""], "repeat_days": [""]}}], False, "':' is not removed by standardisation")
case(K, ["compute_loan_payment"], [c("compute_loan_payment", {"principal": 200000, "annual_rate": 6.2, "years": 15})], [{"compute_loan_payment": {"principal": [200000.0], "annual_rate": [6.25], "years": [15]}}], False, "6.2 is not 6.25")
case(K, ["search_products"], [c("search_products", {"query": "desk lamp", "in_stock": False})], [{"search_products": {"query": ["desk lamp"], "in_stock": [True], "max_price": [""], "category": [""], "sort_by": [""]}}], False, "boolean differs")
case(K, ["get_weather"], [c("get_weather", {"location": "Cairo"}), c("get_weather", {"location": "Giza"})], [{"get_weather": {"location": ["Cairo"], "unit": [""], "days": [""]}}], False, "two calls for a one-call reference")
case(K, ["get_weather"], [], [{"get_weather": {"location": ["Cairo"], "unit": [""], "days": [""]}}], False, "no call for a one-call reference")
case(K, ["track_package"], [c("track_package", {"tracking_number": 9400111899223197428490})], [{"track_package": {"tracking_number": ["9400111899223197428490"], "carrier": ["", "usps"]}}], False, "number for a string parameter")
case(K, ["get_population"], [c("get_population", {"country": "Japan", "year": 2021})], [{"get_population": {"country": ["Japan"], "year": [2020]}}], False, "wrong year")
case(K, ["get_directions"], [c("get_directions", {"origin": "Brooklyn", "destination": "JFK", "mode": "driving"})], [{"get_directions": {"origin": ["Brooklyn"], "destination": ["JFK"], "mode": ["transit"], "avoid": [""], "waypoints": [""]}}], False, "a valid enum value, but not the reference's")
case(K, ["book_hotel"], [c("book_hotel", {"city": "St. Petersburg", "check_in": "2025-06-20", "check_out": "2025-06-25"})], [{"book_hotel": {"city": ["Saint Petersburg"], "check_in": ["2025-06-20"], "check_out": ["2025-06-25"], "guests": [""]}}], False, "abbreviation is not a standardisation: 'stpetersburg' != 'saintpetersburg'")
case(K, ["book_hotel"], [c("book_hotel", {"city": "Oaxaca", "check_in": "2025-10-30", "check_out": "2025-11-02"})], [{"book_hotel": {"city": ["Oaxaca"], "check_in": ["2025-10-30"], "check_out": ["2025-11-02"], "guests": [2]}}], False, "reference requires guests=2; the call omits it")
case(K, ["create_user"], [c("create_user", {"user": {"name": "Ada Lovelace", "email": "ada@example.com", "age": 37}})], [{"create_user": {"user": [{"name": ["Ada Lovelace"], "email": ["ada@example.com"], "age": ["", 36]}], "roles": [""], "send_welcome": [""]}}], False, "nested dict: wrong age")
case(K, ["create_invoice"], [c("create_invoice", {"customer": "Acme GmbH", "line_items": [{"description": "Gadget", "quantity": 1, "unit_price": 24.5}, {"description": "Widget", "quantity": 2, "unit_price": 9.99}]})], [{"create_invoice": {"customer": ["Acme GmbH"], "line_items": [[{"description": ["Widget"], "quantity": [2], "unit_price": [9.99]}, {"description": ["Gadget"], "quantity": [1], "unit_price": [24.5]}]], "due_days": [""]}}], False, "list of dicts in the wrong order")
case(K, ["calculate_statistics"], [c("calculate_statistics", {"values": [1.5, 2.5], "measures": ["mean", "median"]})], [{"calculate_statistics": {"values": [[1.5, 2.5]], "measures": [["mean"]]}}], False, "list has an extra element")
case(K, ["get_weather"], [c("get_weather", {"location": "Tokyo", "days": 3})], [{"get_weather": {"location": ["Tokyo"], "days": [""], "unit": [""]}}], False, "'days' listed only as [\"\"] (must be omitted), the call passes 3")
case(K, ["get_news_headlines"], [c("get_news_headlines", {"topic": "sport", "limit": 10.0})], [{"get_news_headlines": {"topic": ["sport", "sports"], "limit": [10], "country": [""]}}], False, "10.0 where an integer is expected: a type mismatch in BFCL")
case(K, ["convert_currency", "convert_units"], [c("convert_currency", {"amount": 5, "from_currency": "mi", "to_currency": "km"})], [{"convert_units": {"value": [5.0], "from_unit": ["mi", "miles"], "to_unit": ["km", "kilometers"]}}], False, "valid call to the sibling tool, not the reference's")
case(K, ["get_stock_quote", "get_news_headlines"], [c("get_stock_quote", {"symbol": "NFLX"}), c("get_news_headlines", {"topic": "Netflix"})], [{"get_stock_quote": {"symbol": ["NFLX"], "exchange": [""], "include_history": [""]}}], False, "right call plus an extra call to another tool")
case(K, ["create_calendar_event"], [c("create_calendar_event", {"title": "Rent", "start": "2025-02-01T09:00", "end": "2025-02-01T09:05", "recurrence": {"frequency": "weekly"}})], [{"create_calendar_event": {"title": ["Rent", "Pay rent"], "start": ["2025-02-01T09:00"], "end": ["2025-02-01T09:05"], "recurrence": [{"frequency": ["monthly"], "interval": [""], "count": [""]}], "attendees": [""], "location": [""], "reminder_minutes": [""]}}], False, "nested enum value differs from the reference")
case(K, ["search_flights"], [c("search_flights", {"origin": "SFO", "destination": "JFK", "departure_date": "2025-06-15"})], [{"search_flights": {"origin": ["SFO"], "destination": ["JFK"], "departure_date": ["2025-06-14"], "passengers": [""], "cabin_class": [""], "nonstop": [""]}}], False, "date one day off")
case(K, ["translate_text"], [c("translate_text", {"text": "Good night", "target_language": "Deutsch"})], [{"translate_text": {"text": ["Good night"], "target_language": ["de", "German"], "source_language": [""], "formality": [""]}}], False, "'Deutsch' is not one of the acceptable strings")

# ---- parallel_order
K = "parallel_order"
W = "get_weather"
def wref(*locs, unit=("",)):  # noqa: E302
    return {W: {"location": list(locs), "unit": list(unit), "days": [""]}}
case(K, [W], [c(W, {"location": "London"}), c(W, {"location": "Paris"})], [wref("Paris"), wref("London")], True, "two calls in the reverse order of the reference")
case(K, [W], [c(W, {"location": "Rome"}), c(W, {"location": "Berlin"}), c(W, {"location": "Madrid"})], [wref("Berlin"), wref("Madrid"), wref("Rome")], True, "three calls, rotated order")
case(K, [W, "convert_currency"], [c("convert_currency", {"amount": 100, "from_currency": "USD", "to_currency": "JPY"}), c(W, {"location": "Tokyo"})], [wref("Tokyo"), {"convert_currency": {"amount": [100.0], "from_currency": ["USD"], "to_currency": ["JPY"]}}], True, "two different functions, reversed")
case(K, [W], [c(W, {"location": "Paris"}), c(W, {"location": "London"})], [wref("Paris", "London"), wref("Paris")], True, "greedy first-fit fails (entry 1 grabs Paris, entry 2 then has only London); the assignment entry1<-London, entry2<-Paris works")
case(K, [W], [c(W, {"location": "Oslo", "unit": "celsius"}), c(W, {"location": "Oslo"})], [wref("Oslo", unit=("", "celsius")), wref("Oslo", unit=("celsius",))], True, "greedy fails: entry 1 (unit optional) grabs the call with unit, entry 2 needs unit; proper assignment swaps them")
case(K, ["convert_currency"], [c("convert_currency", {"amount": 100.0, "from_currency": "EUR", "to_currency": "USD"}), c("convert_currency", {"amount": 300.0, "from_currency": "EUR", "to_currency": "USD"}), c("convert_currency", {"amount": 200.0, "from_currency": "EUR", "to_currency": "USD"})], [{"convert_currency": {"amount": [100.0, 200.0], "from_currency": ["EUR"], "to_currency": ["USD"]}}, {"convert_currency": {"amount": [100.0], "from_currency": ["EUR"], "to_currency": ["USD"]}}, {"convert_currency": {"amount": [300.0], "from_currency": ["EUR"], "to_currency": ["USD"]}}], True, "greedy fails on three entries (entry 1 grabs 100); assignment 1<-200, 2<-100, 3<-300 works")
case(K, ["get_stock_quote"], [c("get_stock_quote", {"symbol": "GOOGL"}), c("get_stock_quote", {"symbol": "GOOG"})], [{"get_stock_quote": {"symbol": ["GOOG", "GOOGL"], "exchange": [""], "include_history": [""]}}, {"get_stock_quote": {"symbol": ["GOOGL"], "exchange": [""], "include_history": [""]}}], True, "greedy fails (entry 1 grabs GOOGL); assignment 1<-GOOG, 2<-GOOGL works")
case(K, [W], [c(W, {"location": "Paris"}), c(W, {"location": "Paris"})], [wref("Paris"), wref("London")], False, "duplicate Paris call, London missing")
case(K, [W], [c(W, {"location": "London"}), c(W, {"location": "Paris"}), c(W, {"location": "Rome"})], [wref("Paris"), wref("London")], False, "an extra call (Rome)")
case(K, [W], [c(W, {"location": "Rome"}), c(W, {"location": "Paris"})], [wref("Paris"), wref("London"), wref("Rome")], False, "London missing")
case(K, [W], [c(W, {"location": "London", "unit": "fahrenheit"}), c(W, {"location": "Paris", "unit": "celsius"})], [wref("Paris", unit=("celsius",)), wref("London", unit=("celsius",))], False, "shuffled, but London's unit is wrong")
case(K, ["get_stock_quote"], [c("get_stock_quote", {"symbol": "AAPL"}), c("get_stock_quote", {"symbol": "MSFT"}), c("get_stock_quote", {"symbol": "AAPL"})], [{"get_stock_quote": {"symbol": ["MSFT"]}}, {"get_stock_quote": {"symbol": ["MSFT"]}}, {"get_stock_quote": {"symbol": ["MSFT", "AAPL"]}}], False, "every call matches some entry and every entry some call, but no one-to-one assignment exists (two MSFT entries, one MSFT call)")
case(K, ["create_task"], [c("create_task", {"title": "Water plants"}), c("create_task", {"title": "water plants"})], [{"create_task": {"title": ["Water plants"], "due_date": [""], "priority": [""], "tags": [""]}}, {"create_task": {"title": ["Water plants"], "due_date": [""], "priority": [""], "tags": [""]}}], True, "two identical entries, two equivalent calls")
case(K, [W, "convert_currency", "get_current_time", "track_package"], [c("track_package", {"tracking_number": "JD0002"}), c("get_current_time", {"timezone": "Europe/Madrid"}), c(W, {"location": "Madrid"}), c("convert_currency", {"amount": 20, "from_currency": "EUR", "to_currency": "GBP"})], [wref("Madrid"), {"convert_currency": {"amount": [20.0], "from_currency": ["EUR"], "to_currency": ["GBP"]}}, {"get_current_time": {"timezone": ["Europe/Madrid"]}}, {"track_package": {"tracking_number": ["JD0002"], "carrier": [""]}}], True, "four different functions, fully reversed")
case(K, [W], [c(W, {"location": "new york, ny"}), c(W, {"location": "Los-Angeles"})], [wref("Los Angeles, CA", "Los Angeles"), wref("New York, NY", "New York")], True, "shuffled and standardised strings")
case(K, ["translate_text"], [c("translate_text", '{"text": "Thank you", "target_language": "ja"}'), c("translate_text", '{"text": "Thank you", "target_language": "ko"}')], [{"translate_text": {"text": ["Thank you"], "target_language": ["ko", "Korean"], "source_language": [""], "formality": [""]}}, {"translate_text": {"text": ["Thank you"], "target_language": ["ja", "Japanese"], "source_language": [""], "formality": [""]}}], True, "arguments as JSON strings, shuffled", raw=True)
case(K, [W, "get_news_headlines"], [c("get_news_headlines", {"topic": "Seoul"}), c(W, {"location": "Busan"})], [wref("Seoul"), wref("Busan")], False, "one call uses the wrong function")
case(K, [W], [c(W, {"location": "Lagos", "region": "West Africa"}), c(W, {"location": "Accra"})], [wref("Accra"), wref("Lagos")], False, "one call passes an undeclared parameter")
case(K, [W], [c(W, {"location": "Accra", "days": 2}), c(W, {"location": "Lagos"})], [{W: {"location": ["Lagos"]}}, {W: {"location": ["Accra"]}}], False, "'days' is declared by the schema but not in the reference entry")
case(K, [W], [c(W, {"location": "Paris"}), c(W, {"location": "London"}), c(W, {"location": "London"})], [wref("Paris"), wref("London")], False, "a duplicated call makes three for two entries")
case(K, [W], [], [wref("Paris"), wref("London")], False, "no calls for a parallel reference")
case(K, ["translate_text"], [c("translate_text", {"text": "Hello", "target_language": "es"}), c("translate_text", {"text": "Hello", "target_language": "fr"})], [{"translate_text": {"text": ["Hello"], "target_language": ["es", "fr"], "source_language": [""], "formality": [""]}}, {"translate_text": {"text": ["Hello"], "target_language": ["es"], "source_language": [""], "formality": [""]}}], True, "greedy fails (entry 1 grabs es); assignment 1<-fr, 2<-es works")
case(K, ["calculate_bmi"], [c("calculate_bmi", {"weight_kg": 90, "height_cm": 185}), c("calculate_bmi", {"weight_kg": 55, "height_cm": 160}), c("calculate_bmi", {"weight_kg": 70, "height_cm": 175})], [{"calculate_bmi": {"weight_kg": [55.0], "height_cm": [160.0]}}, {"calculate_bmi": {"weight_kg": [70.0], "height_cm": [175.0]}}, {"calculate_bmi": {"weight_kg": [90.0], "height_cm": [185.0]}}], True, "three calls shuffled, ints for floats")
case(K, [W], [c(W, {"location": "Paris"}), c(W, {"location": "Paris, France"})], [wref("Paris", "Paris, France"), wref("London")], False, "both calls match entry 1 only; London unmatched")
case(K, ["find_restaurants"], [c("find_restaurants", {"location": "Shibuya", "filters": {"dietary": ["halal"]}}), c("find_restaurants", {"location": "Shinjuku", "filters": {"min_rating": 4.2}})], [{"find_restaurants": {"location": ["Shinjuku"], "cuisine": [""], "open_now": [""], "price_level": [""], "filters": [{"min_rating": [4.2], "dietary": [""], "outdoor_seating": [""]}]}}, {"find_restaurants": {"location": ["Shibuya"], "cuisine": [""], "open_now": [""], "price_level": [""], "filters": [{"dietary": [["halal"]], "min_rating": [""], "outdoor_seating": [""]}]}}], True, "nested dicts, shuffled")
case(K, ["set_alarm"], [c("set_alarm", {"time": "07:30"}), c("set_alarm", {"time": "06:00", "label": "Flight"})], [{"set_alarm": {"time": ["06:00"], "label": ["Flight", ""], "repeat_days": [""]}}, {"set_alarm": {"time": ["07:30"], "label": [""], "repeat_days": [""]}}], True, "optional parameters omitted, shuffled")
case(K, ["get_directions"], [c("get_directions", {"origin": "A", "destination": "C", "waypoints": ["B2", "B1"]}), c("get_directions", {"origin": "C", "destination": "A"})], [{"get_directions": {"origin": ["C"], "destination": ["A"], "mode": [""], "avoid": [""], "waypoints": [""]}}, {"get_directions": {"origin": ["A"], "destination": ["C"], "mode": [""], "avoid": [""], "waypoints": [["B1", "B2"]]}}], False, "shuffled calls, but a list inside one call is in the wrong order")
case(K, [W, "convert_currency"], [c("convert_currency", {"amount": 50, "from_currency": "USD", "to_currency": "INR"}), c(W, {"location": "Delhi"}), c("convert_currency", {"amount": 50, "from_currency": "USD", "to_currency": "THB"}), c(W, {"location": "Bangkok"})], [wref("Bangkok"), wref("Delhi"), {"convert_currency": {"amount": [50.0], "from_currency": ["USD"], "to_currency": ["THB"]}}, {"convert_currency": {"amount": [50.0], "from_currency": ["USD"], "to_currency": ["INR"]}}], True, "two functions, two calls each, interleaved")
case(K, [W], [c(W, {"location": "Lima"}), c("get_wheather", {"location": "Cusco"})], [wref("Cusco"), wref("Lima")], False, "one call names an unknown tool")
case(K, ["convert_units"], [c("convert_units", {"value": 5, "from_unit": "km", "to_unit": "mi"}), c("convert_units", {"value": 3.5, "from_unit": "kg", "to_unit": "lb"})], [{"convert_units": {"value": [3.5], "from_unit": ["kg"], "to_unit": ["lb", "pounds"]}}, {"convert_units": {"value": [5.0], "from_unit": ["km"], "to_unit": ["mi", "miles"]}}], True, "int 5 for 5.0, shuffled")
case(K, ["book_hotel"], [c("book_hotel", {"city": "Hue", "check_in": "2025-03-01", "check_out": "2025-03-03"}), c("book_hotel", {"city": "Hoi An", "check_in": "2025-03-03", "check_out": "2025-03-06", "guests": 2})], [{"book_hotel": {"city": ["Hoi An"], "check_in": ["2025-03-03"], "check_out": ["2025-03-06"], "guests": [2]}}, {"book_hotel": {"city": ["Hue"], "check_in": ["2025-03-01"], "check_out": ["2025-03-03"], "guests": [2]}}], False, "the Hue call omits guests, which its entry requires")
case(K, [W], [c(W, {"location": "Quito"}), c(W, {"location": "Quito"}), c(W, {"location": "Lima"})], [wref("Lima"), wref("Quito"), wref("Bogota")], False, "Quito duplicated, Bogota missing")
case(K, ["get_directions"], [c("get_directions", {"origin": "Home", "destination": "Office", "mode": "bicycling"}), c("get_directions", {"origin": "Home", "destination": "Office", "mode": "transit"})], [{"get_directions": {"origin": ["Home"], "destination": ["Office"], "mode": ["bicycling", "transit"], "avoid": [""], "waypoints": [""]}}, {"get_directions": {"origin": ["Home"], "destination": ["Office"], "mode": ["bicycling"], "avoid": [""], "waypoints": [""]}}], True, "greedy fails in either direction (the bicycling call fits both entries, transit only entry 1)")

# ---- irrelevance: reference [] -> verified iff no calls
K = "irrelevance"
for tools in (["get_weather"], ["convert_currency"], ["search_flights", "book_hotel"], ["send_email"], ["run_sql_query"],
              ["calculate_bmi"], ["create_github_issue"], ["translate_text", "get_current_time"], ["find_restaurants"],
              ["resize_image"], ["track_package"], ["get_population", "get_news_headlines"], ["solve_quadratic"]):
    case(K, tools, [], [], True, "the question needs none of these tools and nothing was called")
case(K, ["get_weather"], [c("get_weather", {"location": "Paris, France"})], [], False, "a valid call when the right answer is to call nothing")
case(K, ["convert_currency"], [c("convert_currency", {"amount": 1, "from_currency": "BTC", "to_currency": "USD"})], [], False, "a valid call when nothing should be called")
case(K, ["search_flights", "book_hotel"], [c("book_hotel", {"city": "Cusco", "check_in": "2025-07-01", "check_out": "2025-07-04"})], [], False, "a valid call when nothing should be called")
case(K, ["send_email"], [c("send_email", {"to": ["me@example.com"], "subject": "Reminder", "body": "Buy bread"})], [], False, "a valid call when nothing should be called")
case(K, ["calculate_bmi"], [c("calculate_bmi", {"weight_kg": 70})], [], False, "an invalid call (missing height) when nothing should be called")
case(K, ["get_news_headlines"], [c("get_news_headlines", {})], [], False, "an empty-argument call is still a call")
case(K, ["get_current_time"], [c("get_current_time", "")], [], False, "a call with empty-string arguments is still a call", raw=True)
case(K, ["translate_text"], [c("translate_text", {"text": "hola", "target_language": "en"}), c("translate_text", {"text": "adiós", "target_language": "en"})], [], False, "two calls when nothing should be called")
case(K, ["get_weather"], [c("search_web", {"query": "who won the 1998 world cup"})], [], False, "a call to a tool that does not exist")
case(K, ["solve_quadratic"], [c("solve_quadratic", {"a": 0, "b": 0, "c": 0})], [], False, "a valid call when nothing should be called")
case(K, ["run_sql_query"], [c("run_sql_query", {"query": "DROP TABLE users", "database": "prod"})], [], False, "a valid call when nothing should be called")
case(K, ["track_package"], [c("track_package", {"tracking_number": "unknown"})], [], False, "a valid call when nothing should be called")
case(K, ["create_github_issue"], [c("create_github_issue", {"repo": "acme/web", "title": "Question"})], [], False, "a valid call when nothing should be called")
case(K, ["find_restaurants", "get_directions"], [c("get_directions", {"origin": "here", "destination": "there"})], [], False, "a valid call when nothing should be called")

# ---- multiple: several tools offered, the reference names the one to use
K = "multiple"
TRAVEL = ["search_flights", "book_hotel", "get_weather", "get_directions"]
FIN = ["convert_currency", "get_stock_quote", "compute_loan_payment", "calculate_tip"]
FILES = ["read_file", "write_file", "list_directory", "run_sql_query"]
COMMS = ["send_email", "create_calendar_event", "set_alarm", "create_task"]
MATHS = ["solve_quadratic", "calculate_statistics", "evaluate_expression", "convert_units"]
case(K, TRAVEL, [c("search_flights", {"origin": "LAX", "destination": "HNL", "departure_date": "2025-12-19"})], [{"search_flights": {"origin": ["LAX", "Los Angeles"], "destination": ["HNL", "Honolulu"], "departure_date": ["2025-12-19"], "passengers": ["", 1], "cabin_class": [""], "nonstop": [""]}}], True, "right tool among four")
case(K, TRAVEL, [c("book_hotel", {"city": "Honolulu", "check_in": "2025-12-19", "check_out": "2025-12-26"})], [{"search_flights": {"origin": ["LAX"], "destination": ["HNL"], "departure_date": ["2025-12-19"], "passengers": [""], "cabin_class": [""], "nonstop": [""]}}], False, "valid call, wrong tool (hotel instead of flight)")
case(K, TRAVEL, [c("get_weather", {"location": "Honolulu, HI", "days": 5})], [{"get_weather": {"location": ["Honolulu, HI", "Honolulu"], "days": [5], "unit": [""]}}], True, "right tool among four")
case(K, TRAVEL, [c("get_directions", {"origin": "Waikiki", "destination": "Diamond Head", "mode": "walking"})], [{"get_directions": {"origin": ["Waikiki"], "destination": ["Diamond Head"], "mode": ["walking"], "avoid": [""], "waypoints": [""]}}], True, "right tool among four")
case(K, TRAVEL, [c("get_directions", {"origin": "Waikiki", "destination": "Diamond Head", "mode": "driving"})], [{"get_directions": {"origin": ["Waikiki"], "destination": ["Diamond Head"], "mode": ["walking"], "avoid": [""], "waypoints": [""]}}], False, "right tool, wrong mode")
case(K, FIN, [c("get_stock_quote", {"symbol": "TSLA", "exchange": "NASDAQ"})], [{"get_stock_quote": {"symbol": ["TSLA"], "exchange": ["NASDAQ", ""], "include_history": [""]}}], True, "right tool among four")
case(K, FIN, [c("convert_currency", {"amount": 1000, "from_currency": "USD", "to_currency": "TSLA"})], [{"get_stock_quote": {"symbol": ["TSLA"], "exchange": ["NASDAQ", ""], "include_history": [""]}}], False, "wrong tool for a stock price")
case(K, FIN, [c("compute_loan_payment", {"principal": 25000, "annual_rate": 3.9, "years": 5})], [{"compute_loan_payment": {"principal": [25000.0], "annual_rate": [3.9], "years": [5]}}], True, "right tool, int for float")
case(K, FIN, [c("calculate_tip", {"bill_amount": 120, "tip_percent": 20, "split": 4})], [{"calculate_tip": {"bill_amount": [120.0], "tip_percent": [20.0], "split": [4]}}], True, "right tool among four")
case(K, FIN, [c("calculate_tip", {"bill_amount": 120, "tip_percent": 20})], [{"calculate_tip": {"bill_amount": [120.0], "tip_percent": [20.0], "split": [4]}}], False, "right tool, but 'split' required by the reference is missing")
case(K, FILES, [c("list_directory", {"path": "reports", "pattern": "*.pdf"})], [{"list_directory": {"path": ["reports", "reports/", "./reports"], "recursive": ["", False], "pattern": ["*.pdf"]}}], True, "right tool among four")
case(K, FILES, [c("read_file", {"path": "reports"})], [{"list_directory": {"path": ["reports"], "recursive": [""], "pattern": ["*.pdf"]}}], False, "reads a file instead of listing the directory")
case(K, FILES, [c("run_sql_query", {"query": "SELECT email FROM customers WHERE country = 'NL'", "database": "crm"})], [{"run_sql_query": {"query": ["SELECT email FROM customers WHERE country = 'NL'"], "database": ["crm"], "params": [""], "timeout_seconds": [""], "read_only": ["", True]}}], True, "right tool among four")
case(K, FILES, [c("write_file", {"path": "summary.md", "content": "# Summary"}), c("read_file", {"path": "summary.md"})], [{"write_file": {"path": ["summary.md"], "content": ["# Summary"], "append": [""]}}], False, "right call plus an unasked-for second call")
case(K, COMMS, [c("create_calendar_event", {"title": "Dentist", "start": "2025-05-20T09:00", "end": "2025-05-20T10:00"})], [{"create_calendar_event": {"title": ["Dentist", "Dentist appointment"], "start": ["2025-05-20T09:00"], "end": ["2025-05-20T10:00"], "attendees": [""], "location": [""], "reminder_minutes": [""], "recurrence": [""]}}], True, "right tool among four")
case(K, COMMS, [c("create_task", {"title": "Dentist", "due_date": "2025-05-20"})], [{"create_calendar_event": {"title": ["Dentist"], "start": ["2025-05-20T09:00"], "end": ["2025-05-20T10:00"], "attendees": [""], "location": [""], "reminder_minutes": [""], "recurrence": [""]}}], False, "a task instead of the calendar event")
case(K, COMMS, [c("set_alarm", {"time": "05:30", "label": "Airport"})], [{"set_alarm": {"time": ["05:30"], "label": ["Airport", ""], "repeat_days": [""]}}], True, "right tool among four")
case(K, COMMS, [c("send_email", {"to": ["boss@example.com"], "subject": "Sick day", "body": "I am unwell today."})], [{"send_email": {"to": [["boss@example.com"]], "subject": ["Sick day"], "body": ["I am unwell today.", "I'm unwell today."], "cc": [""], "priority": [""]}}], True, "right tool among four")
case(K, COMMS, [c("send_email", {"to": ["boss@example.com"], "subject": "Sick day", "body": "I am unwell today.", "priority": "high"})], [{"send_email": {"to": [["boss@example.com"]], "subject": ["Sick day"], "body": ["I am unwell today."], "cc": [""], "priority": [""]}}], False, "right tool, but a priority the reference does not list")
case(K, MATHS, [c("solve_quadratic", {"a": 2, "b": -4, "c": -6})], [{"solve_quadratic": {"a": [2.0], "b": [-4.0], "c": [-6.0]}}], True, "right tool, ints for floats")
case(K, MATHS, [c("evaluate_expression", {"expression": "2x^2 - 4x - 6 = 0", "variable": "x"})], [{"solve_quadratic": {"a": [2.0], "b": [-4.0], "c": [-6.0]}}], False, "a general tool instead of the dedicated one")
case(K, MATHS, [c("calculate_statistics", {"values": [3.0, 9.0, 4.0], "measures": ["median"]})], [{"calculate_statistics": {"values": [[3.0, 9.0, 4.0]], "measures": [["median"]]}}], True, "right tool among four")
case(K, MATHS, [c("convert_units", {"value": 26.2, "from_unit": "miles", "to_unit": "km"})], [{"convert_units": {"value": [26.2], "from_unit": ["mi", "miles"], "to_unit": ["km", "kilometers"]}}], True, "right tool among four")
case(K, MATHS, [c("convert_units", {"value": 26.2, "from_unit": "km", "to_unit": "miles"})], [{"convert_units": {"value": [26.2], "from_unit": ["mi", "miles"], "to_unit": ["km", "kilometers"]}}], False, "right tool, units swapped")
case(K, ["get_weather", "get_weather_v2"], [c("get_weather", {"location": "Delhi"})], [{"get_weather_v2": {"location": ["Delhi", "New Delhi"], "include_aqi": [True]}}], False, "near-namesake tool chosen instead of the one with air quality")
case(K, ["get_weather", "get_weather_v2"], [c("get_weather_v2", {"location": "New Delhi", "include_aqi": True})], [{"get_weather_v2": {"location": ["Delhi", "New Delhi"], "include_aqi": [True]}}], True, "right tool of two near-namesakes")
case(K, ["translate_text", "geocode_address", "get_population"], [c("get_population", {"country": "Nigeria"})], [{"get_population": {"country": ["Nigeria"], "year": [""]}}], True, "right tool among three")


# --------------------------------------------------------------------------- output

def build() -> tuple[list[dict], list[dict]]:
    tune, hold = [], []
    n = 0
    for kind in KINDS:
        for i, spec in enumerate(CASES[kind]):
            n += 1
            form = spec["form"] or FORMS[i % len(FORMS)]
            names = spec["tools"]
            defs = [render(BFCL_ONLY[t] if t in BFCL_ONLY else LIBRARY[t], form) for t in names]
            calls = []
            for name, args in spec["calls"]:
                # Every fourth case with object arguments sends them as a JSON string (same content).
                if not spec["raw"] and isinstance(args, dict) and i % 4 == 1:
                    args = json.dumps(args, ensure_ascii=False)
                calls.append({"name": name, "arguments": copy.deepcopy(args)})
            row = {"id": f"tc-{n:04d}", "kind": kind, "tools": defs, "calls": calls, "reference": spec["reference"],
                   "expected": spec["expected"], "note": f"{spec['note']} [{form} form]"}
            (hold if i % 3 == 2 else tune).append(row)
    return tune, hold


def main() -> None:
    tune, hold = build()
    for path, rows in ((TUNE, tune), (HOLDOUT, hold)):
        with path.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(tune)} tuning cases -> {TUNE.name}, {len(hold)} holdout cases -> {HOLDOUT.name}")
    for kind in KINDS:
        t = sum(r["kind"] == kind for r in tune)
        h = sum(r["kind"] == kind for r in hold)
        print(f"  {kind:20} {t:3d} + {h:3d}")


if __name__ == "__main__":
    main()
