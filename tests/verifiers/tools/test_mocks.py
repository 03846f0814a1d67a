"""The mock tool sandbox: matching, determinism, plausible values, state, and robustness on junk arguments."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from verifiers.tools.mocks import MOCK_COUNT, MOCK_NAMES, MockMatch, MockResult, ToolSandbox
from verifiers.tools.mocks.catalog import MOCKS
from verifiers.tools.mocks.matching import ranking
from verifiers.tools.mocks.sandbox import INTERNAL_ERROR

ROOT = Path(__file__).resolve().parents[3]


def tool(name: str, *props: str, description: str = "") -> dict[str, Any]:
    return {"name": name, "description": description,
            "parameters": {"type": "object", "properties": {p: {"type": "string"} for p in props}}}


def call(sandbox: ToolSandbox, t: dict[str, Any], **arguments: Any) -> MockResult:
    result = sandbox.call(t, arguments)
    json.dumps(result.result, allow_nan=False)
    return result


@pytest.fixture
def sb() -> Any:
    with ToolSandbox("test") as sandbox:
        yield sandbox


def test_count_and_unique_names() -> None:
    assert MOCK_COUNT >= 100
    assert len(set(MOCK_NAMES)) == MOCK_COUNT == len(MOCKS)


MATCHES = [
    (tool("get_current_weather", "location", "unit", description="Get the current weather"), "weather_current"),
    (tool("getWeather", "city", description="Returns weather for a city"), "weather_current"),
    (tool("weather.forecast", "location", "days", description="Forecast for the next days"), "weather_forecast"),
    (tool("get_weather", "location", "days", description="Get the 5-day weather forecast"), "weather_forecast"),
    (tool("get_air_quality", "city"), "air_quality"),
    (tool("fetch_stock_quote", "ticker", description="Latest quote for a stock ticker"), "stock_quote"),
    (tool("getHistoricalStockPrices", "symbol", "start_date", "end_date"), "stock_history"),
    (tool("convert_currency", "amount", "from_currency", "to_currency"), "currency_conversion"),
    (tool("get_exchange_rate", "base_currency", "target_currency"), "exchange_rate"),
    (tool("get_crypto_price", "coin"), "crypto_price"),
    (tool("calculate", "expression", description="Evaluate a math expression"), "calculator"),
    (tool("math.evaluate", "expr"), "calculator"),
    (tool("calculator", "operation", "a", "b", description="Basic calculator"), "calculator"),
    (tool("multiply", "a", "b"), "arithmetic"),
    (tool("calculate_tip", "bill_amount", "tip_percentage"), "tip_calculator"),
    (tool("calculate_mortgage_payment", "loan_amount", "interest_rate", "loan_term"), "loan_payment"),
    (tool("calculate_distance", "origin", "destination"), "distance"),
    (tool("percentage_calculator", "value", "percent"), "percentage"),
    (tool("convert_units", "value", "from_unit", "to_unit"), "unit_conversion"),
    (tool("convert_temperature", "temperature", "from_unit", "to_unit"), "temperature_conversion"),
    (tool("get_current_time", "timezone"), "current_time"),
    (tool("convert_timezone", "time", "from_timezone", "to_timezone"), "timezone_conversion"),
    (tool("days_between_dates", "start_date", "end_date"), "date_difference"),
    (tool("sql_query", "query", description="Run a SQL query on the database"), "sql_query"),
    (tool("execute_sql", "sql"), "sql_query"),
    (tool("send_email", "to", "subject", "body"), "send_email"),
    (tool("sendEmail", "recipient", "subject", "message"), "send_email"),
    (tool("email.send", "to", "subject", "body"), "send_email"),
    (tool("list_emails", "folder", "limit"), "list_emails"),
    (tool("read_file", "path", description="Read a file from disk"), "read_file"),
    (tool("files.read", "path"), "read_file"),
    (tool("write_file", "path", "content"), "write_file"),
    (tool("save_file", "filename", "content"), "write_file"),
    (tool("list_directory", "path"), "list_files"),
    (tool("create_calendar_event", "title", "start_time", "end_time"), "create_event"),
    (tool("calendar.create", "summary", "start"), "create_event"),
    (tool("search_web", "query"), "web_search"),
    (tool("google_search", "q"), "web_search"),
    (tool("search_news", "query"), "news_search"),
    (tool("get_wikipedia_summary", "title"), "wikipedia_summary"),
    (tool("geocode_address", "address"), "geocode"),
    (tool("get_directions", "origin", "destination", "mode"), "directions"),
    (tool("find_nearby_restaurants", "location", "radius"), "nearby_places"),
    (tool("translate_text", "text", "target_language"), "translate"),
    (tool("search_flights", "origin", "destination", "date"), "flight_search"),
    (tool("book_flight", "flight_id", "passenger_name"), "book_flight"),
    (tool("search_hotels", "city", "check_in", "check_out"), "hotel_search"),
    (tool("add_to_cart", "product_id", "quantity"), "cart_add"),
    (tool("get_order_status", "order_id"), "track_order"),
    (tool("cancel_order", "order_id", "reason"), "cancel_order"),
    (tool("book_hotel", "city", "check_in", "check_out"), "book_hotel"),
    (tool("rent_car", "location", "start_date", "end_date"), "book_car"),
    (tool("get_capital", "country"), "country_capital"),
    (tool("get_population", "country"), "population"),
    (tool("make_api_request", "url", "method", "body"), "http_request"),
    (tool("get_user_info", "user_id"), "user_profile"),
    (tool("turn_on_light", "device"), "device_control"),
    (tool("set_reminder", "message", "time"), "set_reminder"),
    (tool("add_todo", "task"), "todo_add"),
    (tool("generate_uuid"), "generate_uuid"),
    (tool("tell_joke"), "joke"),
    (tool("get_quote_of_the_day"), "quote"),
    (tool("send_slack_message", "channel", "text"), "send_message"),
    (tool("kv_store_set", "key", "value"), "kv_set"),
    (tool("is_prime", "number"), "prime_check"),
    (tool("get_nutrition_info", "food"), "nutrition_info"),
    (tool("get_time_zone", "location"), "timezone_info"),
]


@pytest.mark.parametrize(("spec", "expected"), MATCHES, ids=[m[0]["name"] for m in MATCHES])
def test_realistic_tools_match(spec: dict[str, Any], expected: str) -> None:
    found = ToolSandbox().match(spec)
    assert found.mock == expected
    assert found.confidence >= 0.8


@pytest.mark.parametrize("spec", [tool("frobnicate_widget", "zork"), tool("quux", "blorp", description="Does it"),
                                  tool("initialize_flux_capacitor", "gigawatts"), tool("xyzzy"), {"name": 3}, {}])
def test_unrelated_tools_do_not_match(spec: dict[str, Any]) -> None:
    assert ToolSandbox().match(spec).confidence < 0.4


def test_description_only_match_is_weaker() -> None:
    found = ToolSandbox().match(tool("lookup", "city", description="Look up the current weather for a city"))
    assert found.mock == "weather_current" and 0.4 <= found.confidence < 0.8


def test_every_mock_matches_its_own_tool_and_answers_its_example() -> None:
    for mock in MOCKS:
        spec = tool(mock.name, *mock.example, description=mock.summary)
        result = ToolSandbox().call(spec, mock.example)
        assert (result.mock, result.confidence >= 0.8) == (mock.name, True), mock.name
        assert result.ok or INTERNAL_ERROR not in result.result["error"], (mock.name, result.result)


@pytest.mark.parametrize("spec", [None, [], "weather", {"name": None}, {"function": {"name": "get_weather"}},
                                  {"name": "x", "parameters": {"properties": [1, 2]}}])
def test_malformed_tools_never_raise(spec: Any) -> None:
    result = ToolSandbox().call(spec, {"location": "Paris"})
    json.dumps(result.result, allow_nan=False)
    assert result.ok or INTERNAL_ERROR not in result.result["error"]


def test_unmatched_tool_gets_a_deterministic_acknowledgement() -> None:
    spec = tool("frobnicate_widget", "zork")
    first, second = ToolSandbox().call(spec, {"zork": 1}), ToolSandbox().call(spec, {"zork": 1})
    assert first == second and first.ok and first.mock is None and first.confidence == 0.0
    assert first.result["received_arguments"] == {"zork": 1}


def test_matching_is_cached_and_fast() -> None:
    sandbox, specs = ToolSandbox(), [m[0] for m in MATCHES]
    for spec in specs:
        sandbox.match(spec)
    start = time.perf_counter()
    for _ in range(20):
        for spec in specs:
            sandbox.match(spec)
    assert (time.perf_counter() - start) / (20 * len(specs)) < 0.001


# ---- determinism ------------------------------------------------------------------------------

DETERMINISM = [(tool("get_current_weather", "location"), {"location": "Oslo"}),
               (tool("search_web", "query"), {"query": "rust borrow checker"}),
               (tool("get_random_number", "min", "max"), {"min": 1, "max": 1000}),
               (tool("generate_password", "length"), {"length": 20}),
               (tool("search_flights", "origin", "destination"), {"origin": "Paris", "destination": "Rome"}),
               (tool("sql_query", "query"), {"query": "SELECT * FROM customers ORDER BY id LIMIT 3"}),
               (tool("list_emails", "folder"), {"folder": "inbox"}),
               (tool("sql_query", "query"), {"query": "SELECT random(), hex(randomblob(8)), datetime('now'), "
                                                      "CURRENT_TIMESTAMP, datetime('2025-01-01', 'localtime')"})]


def test_same_call_same_result_on_fresh_sandboxes() -> None:
    for spec, args in DETERMINISM:
        assert ToolSandbox("k").call(spec, args) == ToolSandbox("k").call(spec, args)


def test_same_result_in_another_process() -> None:
    spec, args = DETERMINISM[0]
    here = [ToolSandbox("k").call(s, a).result for s, a in DETERMINISM]
    script = ("import json, sys; from verifiers.tools.mocks import ToolSandbox; cases = json.loads(sys.argv[1]); "
              "print(json.dumps([ToolSandbox('k').call(s, a).result for s, a in cases]))")
    out = subprocess.run([sys.executable, "-c", script, json.dumps(DETERMINISM)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True,
                         env={**os.environ, "PYTHONHASHSEED": "123", "TZ": "Asia/Kolkata"})
    assert json.loads(out.stdout) == json.loads(json.dumps(here))


# ---- plausibility -----------------------------------------------------------------------------


def test_weather_names_the_city_and_units_agree(sb: ToolSandbox) -> None:
    spec = tool("get_current_weather", "location", "unit")
    c = call(sb, spec, location="Paris", unit="celsius").result
    f = call(sb, spec, location="Paris", unit="fahrenheit").result
    assert "Paris" in c["location"] and (c["unit"], f["unit"]) == ("celsius", "fahrenheit")
    assert f["temperature"] == pytest.approx(c["temperature"] * 9 / 5 + 32, abs=0.11)
    days = call(sb, tool("get_forecast", "city", "days"), city="Tokyo", days=4).result
    assert "Tokyo" in days["location"] and len(days["forecast"]) == 4


@pytest.mark.parametrize(("expression", "value"), [("(2+3)*4", 20), ("2**10", 1024), ("sqrt(16)", 4), ("0.1+0.2", 0.3),
                                                   ("10/4", 2.5), ("-3//2", -2), ("2^3", 8), ("factorial(5)", 120)])
def test_calculator_is_exact(sb: ToolSandbox, expression: str, value: float) -> None:
    result = call(sb, tool("calculate", "expression"), expression=expression)
    assert result.ok and result.result["result"] == value


@pytest.mark.parametrize("expression", ["1/0", "9**9**9", "__import__('os')", "().__class__", "open('x')", "x + 1",
                                        "factorial(10**6)", "[1] * 10", "lambda: 1", "2 ** 10 ** 10", "(" * 500])
def test_calculator_rejects(sb: ToolSandbox, expression: str) -> None:
    start = time.perf_counter()
    result = call(sb, tool("calculate", "expression"), expression=expression)
    assert not result.ok and time.perf_counter() - start < 1
    assert INTERNAL_ERROR not in result.result["error"]


def test_calculator_messages(sb: ToolSandbox) -> None:
    assert call(sb, tool("calculate", "expression"), expression="1/0").result == {"error": "division by zero"}
    assert "not allowed" in call(sb, tool("calculate", "expression"), expression="__import__('os')").result["error"]


def test_operation_style_arithmetic(sb: ToolSandbox) -> None:
    spec = tool("calculator", "operation", "a", "b")
    assert call(sb, spec, operation="divide", a=10, b=4).result["result"] == 2.5
    assert call(sb, tool("addNumbers", "x", "y"), x=2, y=3).result["result"] == 5
    assert call(sb, tool("multiply", "a", "b"), a=6, b=7).result["result"] == 42
    assert not call(sb, tool("divide", "numerator", "denominator"), numerator=1, denominator=0).ok


def test_units(sb: ToolSandbox) -> None:
    spec = tool("convert_units", "value", "from_unit", "to_unit")
    assert call(sb, spec, value=5, from_unit="miles", to_unit="km").result["result"] == pytest.approx(8.04672)
    assert call(sb, spec, value=100, from_unit="C", to_unit="F").result["result"] == pytest.approx(212)
    assert call(sb, spec, value=1, from_unit="GB", to_unit="MB").result["result"] == pytest.approx(1000)
    bad = call(sb, spec, value=1, from_unit="blarg", to_unit="m")
    assert not bad.ok and bad.result["error"] == "unknown unit 'blarg'"
    assert not call(sb, spec, value=1, from_unit="kg", to_unit="m").ok


def test_timezone_conversion_agrees_with_zoneinfo(sb: ToolSandbox) -> None:
    spec = tool("convert_timezone", "time", "from_timezone", "to_timezone")
    out = call(sb, spec, time="2025-03-30T01:30", from_timezone="America/New_York", to_timezone="Asia/Kolkata")
    want = datetime(2025, 3, 30, 1, 30, tzinfo=ZoneInfo("America/New_York")).astimezone(ZoneInfo("Asia/Kolkata"))
    assert out.ok and out.result["converted"] == want.isoformat()
    now = call(sb, tool("get_current_time", "timezone"), timezone="Asia/Tokyo").result
    assert now["datetime"] == "2025-06-15T21:00:00+09:00"
    bad = call(sb, spec, time="10:00", from_timezone="Mars/Olympus", to_timezone="UTC")
    assert not bad.ok and "Mars/Olympus" in bad.result["error"]


def test_money_and_distance(sb: ToolSandbox) -> None:
    fx = call(sb, tool("convert_currency", "amount", "from_currency", "to_currency"), amount=100, from_currency="USD",
              to_currency="EUR").result
    assert (fx["from"], fx["to"]) == ("USD", "EUR") and fx["converted_amount"] == pytest.approx(100 * fx["rate"], 0.01)
    assert call(sb, tool("get_stock_price", "symbol"), symbol="MSFT").result["symbol"] == "MSFT"
    assert not call(sb, tool("get_stock_price", "symbol"), symbol="no such!").ok
    km = call(sb, tool("calculate_distance", "origin", "destination"), origin="Paris", destination="London").result
    assert km["distance_km"] == pytest.approx(344, abs=2)


# ---- state ------------------------------------------------------------------------------------


def test_files_live_in_their_sandbox(sb: ToolSandbox) -> None:
    write, read = tool("write_file", "path", "content"), tool("read_file", "path")
    assert call(sb, write, path="notes/a.txt", content="hello").ok
    assert call(sb, read, path="/notes/a.txt").result["content"] == "hello"
    missing = ToolSandbox().call(read, {"path": "notes/a.txt"})
    assert not missing.ok and "not found" in missing.result["error"]
    names = [e["name"] for e in call(sb, tool("list_files", "path"), path="/notes").result["entries"]]
    assert "a.txt" in names


def test_sql(sb: ToolSandbox) -> None:
    q = tool("sql_query", "query")
    rows = call(sb, q, query="SELECT id, name FROM customers ORDER BY id LIMIT 2").result["rows"]
    assert [r["id"] for r in rows] == [1, 2] and all(r["name"] for r in rows)
    assert call(sb, q, query="CREATE TABLE pets (name TEXT)").ok
    assert call(sb, q, query="INSERT INTO pets VALUES ('Rex')").result["rows_affected"] == 1
    assert call(sb, q, query="SELECT * FROM pets").result["rows"] == [{"name": "Rex"}]
    assert not call(sb, q, query="SELECT 1; SELECT 2").ok
    assert not call(sb, q, query="SELEC nothing").ok
    assert not call(sb, q, query="/* x */ VACUUM INTO '/tmp/mock_escape.db'").ok
    assert not Path("/tmp/mock_escape.db").exists()
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    assert not call(sb, q, query=endless).ok
    assert call(sb, q, query="SELECT * FROM orders").result["row_count"] == 30


def test_email_send_then_list(sb: ToolSandbox) -> None:
    sent = call(sb, tool("send_email", "to", "subject", "body"), to="bob@example.com", subject="Hi", body="Yo")
    assert sent.ok and sent.result["message_id"].startswith("msg_")
    outbox = call(sb, tool("list_emails", "folder"), folder="sent").result["messages"]
    assert [m["id"] for m in outbox] == [sent.result["message_id"]]
    assert call(sb, tool("list_emails", "folder"), folder="inbox").result["total"] == 8
    assert not call(sb, tool("send_email", "to"), to="not an address").ok


def test_stateful_flows(sb: ToolSandbox) -> None:
    event = call(sb, tool("create_event", "title", "start"), title="Sync", start="2025-06-16T10:00").result
    assert call(sb, tool("list_events", "date"), date="2025-06-16").result["events"] == [event["event"]]
    assert call(sb, tool("delete_event", "event_id"), event_id=event["event_id"]).ok
    call(sb, tool("kv_set", "key", "value"), key="color", value="green")
    assert call(sb, tool("kv_get", "key"), key="color").result["value"] == "green"
    task = call(sb, tool("add_todo", "title"), title="Buy milk").result["task"]
    assert call(sb, tool("complete_todo", "task_id"), task_id=task["id"]).result["task"]["done"]
    assert call(sb, tool("add_to_cart", "product_id", "quantity"), product_id="P-mouse-a1b2c4", quantity=2).ok
    order = call(sb, tool("checkout", "shipping_address"), shipping_address="1 Main St")
    assert order.ok and call(sb, tool("track_order", "order_id"), order_id=order.result["order_id"]).ok
    booking = call(sb, tool("book_hotel", "hotel_id"), hotel_id="H1").result
    assert call(sb, tool("cancel_booking", "confirmation_code"), confirmation_code=booking["confirmation_code"]).ok


# ---- robustness -------------------------------------------------------------------------------

JUNK: list[Any] = [None, 0, -1, 10**30, 1e308, float("nan"), True, "", "x" * 100_000, "\x00🙂\n", [], [1, "a", None],
                   {"a": {"b": [1, {"c": None}]}}, "2025-13-45", "0001-01-01", "9999-12-31T23:59", "../../etc/passwd",
                   "1e999", [[[[[]]]]], -0.0]


def test_every_mock_survives_junk_arguments() -> None:
    for mock in MOCKS:
        names = [n for canon, aliases in mock.params.items() for n in (canon, *sorted(aliases)[:2])]
        spec = tool(mock.name, *names)
        argsets: list[Any] = [{}, {"unrelated": 1}, "not a dict", None, [1, 2]]
        argsets += [{n: junk for n in mock.params} for junk in JUNK] + [{n: junk for n in names} for junk in JUNK]
        argsets.append({n: JUNK[i % len(JUNK)] for i, n in enumerate(names)})
        sandbox = ToolSandbox("junk")
        for args in argsets:
            result = sandbox.call(spec, args)
            json.dumps(result.result, allow_nan=False)
            assert result.ok or INTERNAL_ERROR not in result.result["error"], (mock.name, result.result)
        sandbox.close()


def test_public_types() -> None:
    found = ToolSandbox().match(tool("calculate", "expression"))
    assert isinstance(found, MockMatch) and isinstance(found.confidence, float)


# ---- resource caps ------------------------------------------------------------------------------

_CTE = "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c LIMIT 3000) "


def _db_bytes(sandbox: ToolSandbox) -> int:
    db = sandbox.state.db
    return db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]


def test_sql_database_size_is_capped(sb: ToolSandbox) -> None:
    q = tool("sql_query", "query")
    assert call(sb, q, query="CREATE TABLE b(x)").ok
    for _ in range(2):  # before the cap each call added ~3 GB
        full = call(sb, q, query=_CTE + "INSERT INTO b SELECT zeroblob(999000) FROM c")
        assert not full.ok and "database or disk is full" in full.result["error"]
        assert _db_bytes(sb) <= 33 * 2**20
    assert call(sb, q, query="SELECT count(*) AS n FROM b").result["rows"] == [{"n": 0}]
    for lift in ("PRAGMA max_page_count = 1000000", "PRAGMA page_size = 65536", "PRAGMA temp_store = memory"):
        assert not call(sb, q, query=lift).ok
    assert call(sb, q, query="PRAGMA max_page_count").result["rows"][0]["max_page_count"] * 4096 <= 32 * 2**20
    assert call(sb, q, query="SELECT * FROM pragma_table_info('orders')").result["row_count"] == 6
    assert call(sb, q, query="INSERT INTO b VALUES (zeroblob(500000))").ok  # a normal insert still works


def test_sql_result_size_is_capped(sb: ToolSandbox) -> None:
    q = tool("sql_query", "query")
    assert sb.state.db.getlimit(sqlite3.SQLITE_LIMIT_LENGTH) <= 1_000_000
    for sql in ("SELECT zeroblob(2000000)", _CTE + "SELECT group_concat(printf('%.*c', 90000, 'x')) FROM c",
                "SELECT " + ", ".join(["zeroblob(999000)"] * 40), _CTE + "SELECT zeroblob(900000) FROM c",
                _CTE + "SELECT printf('%.*c', 20000, 'x') AS s FROM c"):
        result = call(sb, q, query=sql)
        assert len(json.dumps(result.result)) <= 1_100_000, sql[:60]
        assert not result.ok or result.result["truncated"], sql[:60]
    cut = call(sb, q, query=_CTE + "SELECT printf('%.*c', 20000, 'x') AS s FROM c").result
    assert 0 < cut["row_count"] < 100 and cut["truncated_reason"]


def test_sql_is_deterministic() -> None:
    q = tool("sql_query", "query")
    sql = ("SELECT random() AS r, hex(randomblob(4)) AS b, datetime('now') AS dt, date() AS d, time('now') AS t, "
           "julianday('now') AS j, unixepoch() AS u, strftime('%Y-%m-%dT%H:%M', 'now', 'localtime') AS s, "
           "CURRENT_TIMESTAMP AS ts, CURRENT_DATE AS cd, CURRENT_TIME AS ct, 'CURRENT_TIMESTAMP now' AS lit, "
           "date('2024-02-29', '+1 year') AS plain")
    first, second = ToolSandbox("k"), ToolSandbox("k")
    rows = [call(first, q, query=sql).result["rows"][0] for _ in range(2)]
    assert rows[0] == call(second, q, query=sql).result["rows"][0]
    assert rows[1] == call(second, q, query=sql).result["rows"][0]
    assert rows[0]["r"] != rows[1]["r"]  # still a stream of random numbers within one sandbox
    assert rows[0]["r"] != call(ToolSandbox("other"), q, query=sql).result["rows"][0]["r"]
    assert {k: rows[0][k] for k in ("dt", "d", "t", "u", "s", "ts", "cd", "ct", "lit", "plain")} == {
        "dt": "2025-06-15 12:00:00", "d": "2025-06-15", "t": "12:00:00", "u": 1749988800, "s": "2025-06-15T12:00",
        "ts": "2025-06-15 12:00:00", "cd": "2025-06-15", "ct": "12:00:00", "lit": "CURRENT_TIMESTAMP now",
        "plain": "2025-03-01"}
    assert rows[0]["j"] == 2460842.0
    assert call(first, q, query="CREATE TABLE ev(id INTEGER PRIMARY KEY, at TEXT DEFAULT CURRENT_TIMESTAMP)").ok
    assert call(first, q, query="INSERT INTO ev(id) VALUES (1) RETURNING at").result["rows"] == [
        {"at": "2025-06-15 12:00:00"}]


def test_oversize_writes_are_rejected_not_truncated(sb: ToolSandbox) -> None:
    big = call(sb, tool("write_file", "path", "content"), path="/big.txt", content="x" * 10_000_000)
    assert not big.ok and "too large" in big.result["error"]
    assert "/big.txt" not in sb.state.files
    assert not call(sb, tool("kv_set", "key", "value"), key="k", value="v" * 200_000).ok
    assert not call(sb, tool("kv_get", "key"), key="k").ok
    assert not call(sb, tool("create_note", "title", "content"), title="t", content="n" * 100_001).ok
    assert not call(sb, tool("send_email", "to", "body"), to="bob@example.com", body="b" * 30_000).ok
    assert not call(sb, tool("calculate_statistics", "numbers"), numbers=list(range(20_000))).ok


def test_stores_share_one_budget(sb: ToolSandbox) -> None:
    write, note = tool("write_file", "path", "content"), tool("create_note", "title", "content")
    for i in range(10):
        assert call(sb, write, path=f"/blob{i}", content="y" * 1_000_000).ok
    notes = [call(sb, note, title=f"n{i}", content="z" * 99_000) for i in range(80)]
    refused = [r for r in notes if not r.ok]
    assert refused and all("storage quota exceeded" in r.result["error"] for r in refused)
    assert sb.state.stored_bytes <= 16 * 2**20
    assert not call(sb, write, path="/one_more", content="y" * 1_000_000).ok
    assert call(sb, tool("delete_file", "path"), path="/blob0").ok  # deleting frees the space again
    assert call(sb, write, path="/one_more", content="y" * 1_000_000).ok


def test_stores_hold_at_most_a_thousand_items() -> None:
    for spec, args in ((tool("kv_set", "key", "value"), lambda i: {"key": f"k{i}", "value": i}),
                       (tool("add_todo", "title"), lambda i: {"title": f"task {i}"}),
                       (tool("create_event", "title", "start"), lambda i: {"title": f"e{i}", "start": "2025-06-16"})):
        sandbox = ToolSandbox("items")
        results = [sandbox.call(spec, args(i)) for i in range(1001)]
        assert all(r.ok for r in results[:1000]), spec["name"]
        assert not results[1000].ok and "storage quota exceeded" in results[1000].result["error"]


@pytest.mark.parametrize(("spec", "args"), [
    (tool("add_days", "date", "days"), {"date": "2025-01-01", "days": 10**15}),
    (tool("add_days", "date", "days"), {"date": "2025-01-01", "days": 10**16}),
    (tool("add_days", "date", "days"), {"date": "2025-01-01", "days": "a lot"}),
    (tool("search_web", "query", "num_results"), {"query": "rust", "num_results": 500}),
    (tool("get_forecast", "city", "days"), {"city": "Oslo", "days": 30}),
    (tool("get_forecast", "city", "date"), {"city": "Oslo", "date": "someday"}),
    (tool("create_event", "title", "start", "duration"), {"title": "x", "start": "2025-06-16", "duration": "99999h"}),
    (tool("generate_password", "length"), {"length": 100_000}),
    (tool("convert_color", "color"), {"color": "rgb(300, 0, 0)"}),
    (tool("get_stock_history", "symbol", "start_date"), {"symbol": "AAPL", "start_date": "2020-01-01"}),
    (tool("search_cars", "pickup_location", "pickup_date", "dropoff_date"),
     {"pickup_location": "Miami", "pickup_date": "2025-07-05", "dropoff_date": "2025-07-01"}),
])
def test_out_of_range_arguments_are_errors_not_clamped(sb: ToolSandbox, spec: dict[str, Any], args: Any) -> None:
    result = call(sb, spec, **args)
    assert result.mock is not None and not result.ok, result.result
    assert INTERNAL_ERROR not in result.result["error"]


def test_cart_quantity_is_not_silently_capped(sb: ToolSandbox) -> None:
    add = tool("add_to_cart", "product_id", "quantity")
    assert call(sb, add, product_id="P-mouse-a1b2c4", quantity=60).ok
    assert not call(sb, add, product_id="P-mouse-a1b2c4", quantity=60).ok
    assert call(sb, tool("view_cart")).result["item_count"] == 60


# ---- tools the mocks can or cannot serve ----------------------------------------------------------


def schema(name: str, description: str = "", **props: str) -> dict[str, Any]:
    return {"name": name, "description": description, "parameters": {
        "type": "object", "properties": {p: {"type": t} for p, t in props.items()}, "required": list(props)}}


@pytest.mark.parametrize("spec", [
    schema("get_stock_price", "Latest price of a security", isin="string"),
    schema("read_file", "Read a stored file", blob_id="string"),
    schema("get_air_quality", station_id="string"),
    schema("get_weather", station_code="string"),
    schema("get_crypto_price", contract_address="string"),
    schema("get_directions", "Directions for a saved route", route_id="string"),
    schema("add_todo", due_date="string"),
])
def test_tools_a_mock_cannot_serve_are_left_to_the_llm(spec: dict[str, Any]) -> None:
    assert ToolSandbox().match(spec).confidence < 0.4


def test_coordinates_and_pairs_are_served(sb: ToolSandbox) -> None:
    weather = schema("get_weather", "Current weather at a position", lat="number", lon="number")
    found = sb.match(weather)
    assert found.mock == "weather_current" and found.confidence >= 0.8
    assert call(sb, weather, lat=48.85, lon=2.35).result["location"] == "Paris, France"
    far = call(sb, weather, lat=10.0, lon=-30.0)
    assert far.ok and far.result["latitude"] == 10.0
    assert not call(sb, weather, lat=123.0, lon=0.0).ok
    hotels = call(sb, schema("find_hotels", latitude="number", longitude="number"), latitude=41.9, longitude=12.5)
    assert hotels.ok and hotels.result["location"] == "Rome, Italy"
    zone = call(sb, schema("get_timezone", lat="number", lng="number"), lat=35.68, lng=139.7)
    assert zone.ok and zone.result["timezone"] == "Asia/Tokyo"
    restaurants = schema("find_restaurants", location="string")
    assert call(sb, restaurants, location="41.9, 12.5").result["location"] == "Rome, Italy"
    fx = schema("get_exchange_rate", "Exchange rate of a currency pair", pair="string")
    assert sb.match(fx).confidence >= 0.8
    rate = call(sb, fx, pair="EURUSD").result
    assert (rate["base"], rate["target"]) == ("EUR", "USD") and rate["rate"] > 1
    assert call(sb, fx, pair="EUR/JPY").result["target"] == "JPY"
    assert not call(sb, fx, pair="EURO").ok
    convert = schema("convert_currency", amount="number", currency_pair="string")
    assert call(sb, convert, amount=10, currency_pair="usd_jpy").result["converted_amount"] == 1441.0
    slack = call(sb, schema("send_slack_message", channel="string", text="string"), channel="#general", text="hi")
    assert slack.ok and (slack.result["to"], slack.result["channel"]) == ("#general", "slack")


def test_errors_name_the_tools_own_parameters(sb: ToolSandbox) -> None:
    weather = schema("get_weather", lat="number", lon="number")
    assert call(sb, weather).result == {"error": "missing required arguments 'lat' and 'lon'"}
    assert call(sb, weather, lat=1.5).result == {"error": "missing required argument 'lon'"}
    assert call(sb, schema("get_weather", city_name="string")).result == {
        "error": "missing required argument 'city_name'"}
    both = call(sb, schema("get_weather", city="string", latitude="number", longitude="number"))
    assert both.result == {"error": "missing required argument 'city' (or 'latitude' and 'longitude')"}
    fx = call(sb, schema("get_exchange_rate", base_currency="string", quote_currency="string"), base_currency="EUR")
    assert fx.result == {"error": "missing required argument 'quote_currency'"}
    assert call(sb, schema("get_exchange_rate", pair="string")).result == {"error": "missing required argument 'pair'"}
    limit = call(sb, schema("search_web", q="string", count="integer"), q="x", count=99)
    assert limit.result == {"error": "argument 'count' must be between 1 and 10"}


def test_no_error_names_a_parameter_the_tool_does_not_declare() -> None:
    junk: list[Any] = [None, "", "x" * 300, -1, 10**20, "abc", [1, "a"], {"a": 1}, 0, 1e16, "2025-13-45"]
    for mock in MOCKS:
        names: dict[str, str] = {}
        for canon, aliases in mock.params.items():  # every parameter under another of its names
            taken = set(names.values()) | set(mock.params)
            names[canon] = next((a for a in sorted(aliases) if a not in taken), canon)
        spec = tool(mock.name, *names.values(), description=mock.summary)
        sandbox = ToolSandbox("names")
        argsets = [{}] + [{n: j for n in names.values()} for j in junk] + [{n: j} for n in names.values() for j in junk]
        for args in argsets:
            result = sandbox.call(spec, args)
            if result.ok or result.mock != mock.name:
                continue
            quoted = set(re.findall(r"'([A-Za-z_0-9]+)'", result.result["error"]))
            foreign = {q for q in quoted if q in mock.params and q not in names.values()}
            assert not foreign, (mock.name, args, result.result)



def test_contact_without_email_is_searchable(sb: ToolSandbox) -> None:
    assert call(sb, tool("add_contact", "name", "phone"), name="Zoe Park", phone="+1-555-0100").ok
    found = call(sb, tool("search_contacts", "query"), query="zoe")
    assert found.ok and [p["name"] for p in found.result["contacts"]] == ["Zoe Park"]


def test_a_query_too_big_for_memory_fails_in_memory_not_on_disk() -> None:
    # DISTINCT over ~18 GB of values: SQLite would spill it to temporary files; here it stays in memory,
    # under the process-wide ceiling, and fails as an error result.
    sql = ("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c LIMIT 20000) "
           "SELECT count(*) FROM (SELECT DISTINCT zeroblob(900000) || i FROM c)")
    with ToolSandbox("k") as box:
        result = box.call(tool("sql_query", "query"), {"query": sql})
        assert not result.ok and "more memory than the test database allows" in result.result["error"]
        assert box.call(tool("sql_query", "query"), {"query": "SELECT count(*) AS n FROM customers"}).ok


# ---- actions, attributes, dates, calculator notation, rates, paths ------------------------------------


def _scores(spec: dict[str, Any]) -> dict[str, float]:
    return dict(ranking(spec, top=len(MOCKS)))


@pytest.mark.parametrize(("spec", "action", "lookups"), [
    (tool("cancel_order", "order_id"), "cancel_order", ("track_order", "order_history", "checkout")),
    (tool("orders.cancel", "order_id"), "cancel_order", ("track_order", "order_history")),
    (tool("order_cancel", "order_id"), "cancel_order", ("track_order", "order_history")),
    (tool("book_hotel", "city", "check_in", "check_out"), "book_hotel", ("hotel_search",)),
    (tool("reserve_hotel", "hotel_name", "check_in"), "book_hotel", ("hotel_search",)),
    (tool("rent_car", "location", "start_date", "end_date"), "book_car", ("car_rental",)),
    (tool("book_car", "pickup_location", "pickup_date"), "book_car", ("car_rental",)),
    (tool("purchase_item", "product_id"), "buy_product", ("product_search",)),  # "purchase" is also a noun
    (tool("buy_stock", "symbol", "quantity"), None, ("stock_quote", "stock_history")),
    (tool("delete_user", "user_id"), None, ("user_profile",)),
    (tool("cancel_reminder", "reminder_id"), None, ("set_reminder", "list_reminders")),
    (tool("delete_email", "message_id"), None, ("read_email", "list_emails")),
])
def test_action_tools_are_not_answered_by_lookups(spec: dict[str, Any], action: str | None,
                                                 lookups: tuple[str, ...]) -> None:
    scores = _scores(spec)
    assert all(scores[name] < 0.4 for name in lookups), {n: scores[n] for n in lookups}
    found = ToolSandbox().match(spec)
    if action is None:
        assert found.confidence < 0.4
    else:
        assert found.mock == action and found.confidence >= 0.8


def test_verbs_that_are_nouns_still_match() -> None:
    for spec, expected in ((tool("book_search", "query"), "book_search"), (tool("order_status", "order_id"),
                           "track_order"), (tool("get_order_history", "user_id"), "order_history"),
                           (tool("set_timer", "duration"), "set_timer"), (tool("create_table", "sql"), "sql_query")):
        found = ToolSandbox().match(spec)
        assert (found.mock, found.confidence >= 0.8) == (expected, True), spec["name"]


def test_cancel_order_confirms_and_keeps_state(sb: ToolSandbox) -> None:
    cancel, track = tool("cancel_order", "order_id", "reason"), tool("track_order", "order_id")
    assert call(sb, tool("add_to_cart", "product_id", "quantity"), product_id="P-mouse-a1b2c4", quantity=2).ok
    order = call(sb, tool("checkout", "shipping_address"), shipping_address="1 Main St").result
    done = call(sb, cancel, order_id=order["order_id"], reason="ordered by mistake")
    assert done.ok and done.mock == "cancel_order"
    assert done.result["status"] == "cancelled" and done.result["order_id"] == order["order_id"]
    assert done.result["reason"] == "ordered by mistake" and done.result["refund_amount"] == order["total"]
    assert done.result["cancellation_id"].startswith("CXL-")
    assert call(sb, track, order_id=order["order_id"]).result["status"] == "cancelled"
    again = call(sb, cancel, order_id=order["order_id"])
    assert not again.ok and "already cancelled" in again.result["error"]
    history = call(sb, tool("get_order_history", "user_id"), user_id="me").result["orders"]
    assert {o["order_id"]: o["status"] for o in history}[order["order_id"]] == "cancelled"
    # An order from before the conversation: cancellable unless the tracker says it was delivered.
    outcomes = {}
    for oid in ("ORD-10001", "ORD-10002", "ORD-10003", "ORD-10004", "ORD-10005", "ORD-10006"):
        status = call(sb, track, order_id=oid).result["status"]
        result = call(sb, cancel, order_id=oid)
        assert result.ok == ToolSandbox("fresh").call(cancel, {"order_id": oid}).ok
        outcomes[status] = result.ok
        assert result.ok != (status == "delivered"), (oid, status, result.result)
        if result.ok:
            assert call(sb, track, order_id=oid).result["status"] == "cancelled"
    assert len(outcomes) > 1


def test_bookings_echo_and_cancel(sb: ToolSandbox) -> None:
    hotel = call(sb, tool("book_hotel", "city", "check_in", "check_out", "guests"), city="Paris",
                 check_in="2025-07-01", check_out="2025-07-04", guests=2)
    assert hotel.ok and hotel.mock == "book_hotel"
    booked = hotel.result
    assert (booked["status"], booked["location"], booked["nights"], booked["guests"]) == (
        "confirmed", "Paris, France", 3, 2)
    assert (booked["check_in"], booked["check_out"]) == ("2025-07-01", "2025-07-04")
    assert booked["total_price"] == pytest.approx(booked["price_per_night"] * 3)
    assert booked["confirmation_code"] in sb.state.bookings
    car = call(sb, tool("rent_car", "location", "start_date", "end_date"), location="Miami", start_date="2025-07-01",
               end_date="2025-07-05").result
    assert (car["status"], car["pickup_location"], car["days"]) == ("confirmed", "Miami, United States", 4)
    cancel = tool("cancel_booking", "confirmation_code")
    for code in (booked["confirmation_code"], car["confirmation_code"]):
        assert call(sb, cancel, confirmation_code=code).result["status"] == "cancelled"
        assert not call(sb, cancel, confirmation_code=code).ok
    past = call(sb, tool("book_hotel", "city", "check_in"), city="Paris", check_in="2024-01-01")
    assert not past.ok and "past" in past.result["error"]


@pytest.mark.parametrize(("spec", "args", "key", "value"), [
    (tool("get_capital", "country"), {"country": "Australia"}, "capital", "Canberra"),
    (tool("get_capital", "country", description="Get the capital city of a country"), {"country": "Canada"},
     "capital", "Ottawa"),
    (tool("capital_of", "country_name"), {"country_name": "USA"}, "capital", "Washington, D.C."),
    (tool("get_country_info", "country"), {"country": "Australia"}, "capital", "Canberra"),
    (tool("get_country_info", "country"), {"country": "Chile"}, "capital", "Santiago"),
    (tool("get_population", "country"), {"country": "Japan"}, "population", 124_000_000),
    (tool("get_country_population", "country"), {"country": "Germany"}, "population", 84_000_000),
    (tool("get_country_info", "country"), {"country": "India"}, "population", 1_440_000_000),
    (tool("get_population", "city"), {"city": "Tokyo"}, "population", 13_960_000),
])
def test_attribute_tools_get_their_attribute(sb: ToolSandbox, spec: dict[str, Any], args: dict[str, Any], key: str,
                                             value: Any) -> None:
    result = call(sb, spec, **args)
    assert result.ok and result.confidence >= 0.8 and result.result[key] == value, result


def test_unknown_countries(sb: ToolSandbox) -> None:
    capital = call(sb, tool("get_capital", "country"), country="Narnia")
    assert not capital.ok and capital.result["error"] == "unknown country 'Narnia'"
    population = call(sb, tool("get_population", "country"), country="Chad")
    assert population.ok and population.result["estimated"] and population.result["population"] > 0
    assert population == ToolSandbox("other").call(tool("get_population", "country"), {"country": "Chad"})
    assert call(sb, tool("get_capital", "country"), country="South Africa").result["note"].startswith("Pretoria")


def test_quotes_and_rates_answer_for_the_date_asked(sb: ToolSandbox) -> None:
    quote = tool("get_stock_price", "symbol", "date")
    today = call(sb, quote, symbol="AAPL").result
    old = call(sb, quote, symbol="AAPL", date="2024-01-02").result
    assert old["date"] == "2024-01-02" and today["date"] == "2025-06-15"
    assert old["price"] != today["price"] and 0.3 * today["price"] < old["price"] < 2 * today["price"]
    assert old == ToolSandbox("other").call(quote, {"symbol": "AAPL", "date": "2024-01-02"}).result
    history = call(sb, tool("get_stock_history", "symbol", "start_date", "end_date"), symbol="AAPL",
                   start_date="2024-01-01", end_date="2024-01-05").result["prices"]
    assert {r["date"]: r["close"] for r in history}["2024-01-02"] == old["close"] == old["price"]
    assert all(r["low"] <= min(r["open"], r["close"]) <= max(r["open"], r["close"]) <= r["high"] for r in history)
    weekend = call(sb, quote, symbol="AAPL", date="2024-01-06").result
    assert (weekend["date"], weekend["trading_date"]) == ("2024-01-06", "2024-01-05")
    future = call(sb, quote, symbol="AAPL", date="2025-07-01")
    assert not future.ok and "no data for a future date" in future.result["error"]
    assert not call(sb, quote, symbol="META", date="2010-01-04").ok  # before its listing
    future_history = call(sb, tool("get_stock_history", "symbol", "start_date", "end_date"), symbol="AAPL",
                          start_date="2025-06-10", end_date="2025-06-20")
    assert not future_history.ok and "future" in future_history.result["error"]

    fx = tool("get_exchange_rate", "base_currency", "target_currency", "date")
    now = call(sb, fx, base_currency="USD", target_currency="EUR").result
    then = call(sb, fx, base_currency="USD", target_currency="EUR", date="2010-01-01").result
    assert (now["date"], then["date"]) == ("2025-06-15", "2010-01-01")
    assert then["rate"] != now["rate"] and 0.5 * now["rate"] < then["rate"] < 1.5 * now["rate"]
    assert then["inverse_rate"] == pytest.approx(1 / then["rate"], rel=1e-5)
    assert not call(sb, fx, base_currency="USD", target_currency="EUR", date="2030-01-01").ok
    convert = tool("convert_currency", "amount", "from_currency", "to_currency", "date")
    converted = call(sb, convert, amount=100, from_currency="USD", to_currency="EUR", date="2010-01-01").result
    assert converted["date"] == "2010-01-01" and converted["rate"] == then["rate"]
    coin = call(sb, tool("get_crypto_price", "coin", "date"), coin="bitcoin", date="2020-03-12").result
    assert coin["date"] == "2020-03-12" and coin["price"] < call(sb, tool("get_crypto_price", "coin"),
                                                                   coin="bitcoin").result["price"]


_OPS = [("add", 9), ("sub", 3), ("mul", 18), ("div", 2), ("plus", 9), ("minus", 3), ("times", 18), ("product", 18),
        ("x", 18), ("*", 18), ("-", 3), ("/", 2), ("quotient", 2), ("mod", 0), ("%", 0), ("pow", 216), ("^", 216),
        ("**", 216), ("exponent", 216), ("avg", 4.5), ("mean", 4.5), ("max", 6), ("min", 3), ("multiplied by", 18)]


@pytest.mark.parametrize(("op", "value"), _OPS)
def test_calculator_operation_enums(sb: ToolSandbox, op: str, value: float) -> None:
    spec = {"name": "calculate", "description": "Apply an operation to two numbers", "parameters": {
        "type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"},
                                         "op": {"type": "string", "enum": ["add", "sub", "mul", "div"]}}}}
    result = call(sb, spec, a=6, b=3, op=op)
    assert result.mock == "calculator" and result.ok and result.result["result"] == value, result.result


def test_calculator_operands_under_other_names(sb: ToolSandbox) -> None:
    for names in (("x", "y"), ("num1", "num2"), ("first", "second"), ("number1", "number2"), ("lhs", "rhs")):
        spec = tool("calculate", *names, "operation")
        result = call(sb, spec, **{names[0]: 8, names[1]: 2}, operation="divide")
        assert result.ok and result.result["result"] == 4, (names, result.result)
    for key in ("operands", "numbers"):
        result = call(sb, tool("calculate", key, "operation"), **{key: [1, 2, 3, 4]}, operation="sum")
        assert result.result["result"] == 10
    assert call(sb, tool("calculate", "a", "operation"), a=16, operation="sqrt").result["result"] == 4
    assert not call(sb, tool("calculate", "a", "b", "op"), a=1, b=2, op="frobnicate").ok


@pytest.mark.parametrize(("expression", "value"), [
    ("log(100)", 2), ("log(1000)", 3), ("ln(e)", 1), ("log(8, 2)", 3), ("log2(8)", 3), ("log10(0.01)", -2),
    ("5!", 120), ("(2+3)!", 120), ("3! + 1", 7), ("15% of 80", 12), ("7 mod 3", 1), ("mod(7, 3)", 1),
    ("6 × 7", 42), ("10 ÷ 4", 2.5), ("1,000 + 2,500", 3500), ("1,234.5 * 2", 2469), ("100 + 10%", 110),
    ("200 * 15%", 30), ("7 % 3", 1), ("√16", 4), ("what is 5 plus 3?", 8)])
def test_calculator_notation(sb: ToolSandbox, expression: str, value: float) -> None:
    result = call(sb, tool("calculate", "expression"), expression=expression)
    assert result.ok and result.result["result"] == pytest.approx(value), result.result


def test_calculator_says_how_it_read_the_expression(sb: ToolSandbox) -> None:
    spec = tool("calculate", "expression")
    log = call(sb, spec, expression="log(100)").result
    assert log["result"] == 2 and "base-10" in log["note"]
    assert "note" not in call(sb, spec, expression="ln(100)").result
    fact = call(sb, spec, expression="5!").result
    assert fact["interpreted_as"] == "factorial(5)" and "factorial" in fact["note"]
    assert "note" not in call(sb, spec, expression="2 + 2").result
    assert not call(sb, spec, expression="1,5").ok  # a comma that is not a digit group stays an error
    assert not call(sb, spec, expression="x != 1").ok


@pytest.mark.parametrize(("spec", "fraction", "percent", "key"), [
    (tool("calculate_mortgage_payment", "loan_amount", "annual_rate", "years"), {"annual_rate": 0.05},
     {"annual_rate": 5}, "monthly_payment"),
    (tool("compound_interest", "principal", "rate", "years"), {"rate": 0.05}, {"rate": 5}, "future_value"),
    (tool("calculate_tip", "bill_amount", "tip_percentage"), {"tip_percentage": 0.18}, {"tip_percentage": 18}, "tip"),
    (tool("discount_calculator", "price", "discount_percent"), {"discount_percent": 0.25}, {"discount_percent": 25},
     "final_price"),
])
def test_rates_below_one_are_fractions(sb: ToolSandbox, spec: dict[str, Any], fraction: dict[str, float],
                                       percent: dict[str, float], key: str) -> None:
    base = {"loan_amount": 200_000, "principal": 1000, "years": 10, "bill_amount": 80, "price": 120}
    base = {k: v for k, v in base.items() if k in spec["parameters"]["properties"]}
    as_fraction, as_percent = call(sb, spec, **base, **fraction).result, call(sb, spec, **base, **percent).result
    assert as_fraction[key] == as_percent[key]
    assert "read as a fraction" in as_fraction["note"] and "note" not in as_percent
    loan = call(sb, tool("loan_payment", "principal", "annual_rate"), principal=100_000, annual_rate=0.05).result
    assert loan["annual_rate_percent"] == 5


def test_relative_and_absolute_paths_are_one_file(sb: ToolSandbox) -> None:
    written = call(sb, tool("write_file", "path", "content"), path="notes.txt", content="hello").result
    assert written["path"] == "/notes.txt"
    read = tool("read_file", "path")
    for path in ("notes.txt", "./notes.txt", "/notes.txt", "~/notes.txt", "file:///notes.txt", "/tmp/../notes.txt"):
        result = call(sb, read, path=path)
        assert result.ok and result.result == {"path": "/notes.txt", "content": "hello", "size": 5}, path
    assert call(sb, tool("append_file", "path", "content"), path="~/notes.txt", content="!").ok
    assert call(sb, read, path="./notes.txt").result["content"] == "hello!"
    listing = tool("list_files", "path", "recursive")
    for where in ("/", ".", "~", ""):
        entries = call(sb, listing, path=where).result["entries"] if where else call(sb, listing).result["entries"]
        assert {"name": "notes.txt", "type": "file", "path": "/notes.txt", "size": 6} in entries, where
    deep = call(sb, listing, path="/", recursive=True).result["entries"]
    assert {e["name"] for e in deep} >= {"notes.txt", "todo.txt", "sales.csv"}
    assert all(call(sb, read, path=e["path"]).ok and e["path"].endswith("/" + e["name"]) for e in deep)
