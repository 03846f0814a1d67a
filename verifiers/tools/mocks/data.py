"""Data: SQL on the sandbox's in-memory SQLite shop database, and a key-value store."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from verifiers.tools.mocks.dbseed import MAX_DB_BYTES, MAX_VALUE_BYTES, arm
from verifiers.tools.mocks.registry import Call, Mock, collector
from verifiers.tools.mocks.state import measure
from verifiers.tools.mocks.util import MockError, clip, jsonable

MOCKS: list[Mock] = []
mock = collector("data", MOCKS, "db")

_MAX_ROWS = 100
MAX_RESULT_BYTES = 1_000_000  # what one SQL result may carry back; rows past it are cut and flagged
# Both would write a file on the host next to the in-memory database.
_FORBIDDEN = re.compile(r"^\s*(vacuum|attach|detach)\b", re.IGNORECASE)
_SQL = "query sql sql_query statement sql_statement q command code stmt"


def _cost(value: Any) -> int:
    """Bytes a value takes in the JSON result: blobs come back as hex."""
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, bytes):
        return 2 * len(value) + 2
    return 24


def _fetch(cur: sqlite3.Cursor, columns: list[str]) -> tuple[list[tuple[Any, ...]], str | None]:
    """Rows one at a time, up to 100 rows and MAX_RESULT_BYTES; the reason for stopping early, if any."""
    rows: list[tuple[Any, ...]] = []
    used = sum(len(col) + 4 for col in columns)
    while True:
        row = cur.fetchone()
        if row is None:
            return rows, None
        if len(rows) == _MAX_ROWS:
            return rows, "row_limit"
        size = sum(_cost(v) for v in row) + sum(len(col) + 4 for col in columns)
        if used + size > MAX_RESULT_BYTES:
            if not rows:
                raise MockError(f"result too large: one row is over {MAX_RESULT_BYTES:,} bytes; select fewer or "
                                "smaller columns (substr, length)")
            return rows, "size_limit"
        used += size
        rows.append(row)


def _sql_error(exc: sqlite3.Error) -> MockError:
    text = str(exc)
    if "one statement" in text:
        return MockError("only a single SQL statement is allowed per call")
    if "interrupted" in text:
        return MockError("query exceeded the execution limit and was interrupted")
    if "full" in text:
        return MockError(f"SQL error: {text} (the test database is limited to {MAX_DB_BYTES // 2**20} MB)")
    if "too big" in text:
        return MockError(f"SQL error: {text} (values are limited to {MAX_VALUE_BYTES:,} bytes)")
    return MockError(f"SQL error: {clip(text, 200)}")


def run_sql(c: Call, sql: str) -> dict[str, Any]:
    if not sql.strip().rstrip(";").strip():
        raise MockError("empty SQL statement")
    if _FORBIDDEN.match(sql):
        raise MockError("statement not allowed: VACUUM, ATTACH and DETACH are disabled")
    conn = c.state.db
    arm(conn)
    try:
        cur = conn.execute(sql)
        columns = [d[0] for d in cur.description] if cur.description else []
        rows, cut = _fetch(cur, columns) if columns else ([], None)
        changed = cur.rowcount
        cur.close()
        conn.commit()
    except (sqlite3.Error, sqlite3.Warning) as exc:
        raise _sql_error(exc) from exc
    except MemoryError:  # SQLite's heap ceiling (dbseed.SQLITE_HEAP_BYTES), not the machine's
        raise MockError("SQL error: the query needs more memory than the test database allows") from None
    finally:
        if conn.in_transaction:
            conn.rollback()
    if not columns:
        return {"columns": [], "rows": [], "row_count": 0, "rows_affected": max(changed, 0), "truncated": False}
    out = [{col: jsonable(v) for col, v in zip(columns, row, strict=False)} for row in rows]
    result = {"columns": columns, "rows": out, "row_count": len(out), "truncated": cut is not None}
    if cut == "size_limit":
        result["truncated_reason"] = f"result limited to {MAX_RESULT_BYTES:,} bytes"
    return result


@mock("sql_query", topic="sql sqlite database db query postgres mysql table tables",
      extra="query execute run select create insert update delete drop alter", anti="list describe schema",
      desc="run a single SQL query against the database and return rows",
      params={"sql": _SQL, "database": "database db name"}, required=("sql",),
      example={"query": "SELECT name, city FROM customers ORDER BY id LIMIT 3"}, summary="Run an SQL query")
def sql_query(c: Call) -> dict[str, Any]:
    return run_sql(c, c.need("sql", limit=100_000))


def _rows(c: Call, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """A fixed introspection query, with its own step budget (a query before may have spent the last one)."""
    conn = c.state.db
    arm(conn)
    try:
        return conn.execute(sql, params).fetchall()  # fixed queries: bounded by the capped database
    except sqlite3.Error as exc:
        raise _sql_error(exc) from exc


def _tables(c: Call) -> list[str]:
    return [row[0] for row in _rows(c, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                                       "AND name NOT LIKE 'sqlite_%' ORDER BY name")]


@mock("list_tables", topic="database db sql table tables", extra="list show get all", anti="describe query",
      desc="list the tables in the database", params={"database": "database db schema"}, example={},
      summary="List database tables")
def list_tables(c: Call) -> dict[str, Any]:
    names = _tables(c)
    counts: dict[str, int | None] = {}
    for name in names:
        quoted = name.replace('"', '""')
        try:
            counts[name] = _rows(c, f'SELECT COUNT(*) FROM "{quoted}"')[0][0]
        except MockError:  # a broken view, or a count past the step budget
            counts[name] = None
    return {"tables": [{"name": n, "rows": counts[n]} for n in names], "count": len(names)}


@mock("describe_table", topic="database db sql table schema column columns", extra="describe schema info columns "
      "structure get", anti="list query", desc="describe the columns and types of a database table",
      params={"table": "table table_name name tablename"}, required=("table",), example={"table": "orders"},
      summary="Describe a table")
def describe_table(c: Call) -> dict[str, Any]:
    table = c.need("table", limit=120)
    if table not in _tables(c):
        raise MockError(f"no such table: {table}")
    cols = _rows(c, "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)", (table,))
    return {"table": table, "columns": [{"name": n, "type": t, "nullable": not nn, "primary_key": bool(pk)}
                                        for n, t, nn, pk in cols]}


_KEY = "key name id k item_key variable field"
_MAX_VALUE = 100_000
_KV_TOPIC = "kv key store storage cache redis memory variable"


@mock("kv_set", topic=_KV_TOPIC, extra="set put save store write remember update", anti="get read delete list",
      desc="store a value under a key in the key value store",
      params={"key": _KEY, "value": "value data content val v text"}, required=("key", "value"),
      example={"key": "favorite_color", "value": "green"}, summary="Store a value under a key")
def kv_set(c: Call) -> dict[str, Any]:
    key = c.need("key", limit=200)
    value = c.value("value")
    if value is None:
        raise c.missing("value")
    if measure(value) > _MAX_VALUE:
        raise MockError(f"{c.arg('value')} is too large (at most {_MAX_VALUE:,} bytes per key)")
    c.state.reserve("keys", key, value)
    c.state.kv[key] = value
    return {"key": key, "status": "stored"}


@mock("kv_get", topic=_KV_TOPIC, extra="get read fetch load retrieve recall lookup", anti="set put delete list",
      desc="get the value stored under a key", params={"key": _KEY}, required=("key",),
      example={"key": "missing_key"}, summary="Get a value by key")
def kv_get(c: Call) -> dict[str, Any]:
    key = c.need("key", limit=200)
    if key not in c.state.kv:
        raise MockError(f"key not found: '{key}'")
    return {"key": key, "value": c.state.kv[key]}


@mock("kv_delete", topic=_KV_TOPIC, extra="delete remove del unset forget clear", anti="get set list",
      desc="delete a key from the key value store", params={"key": _KEY}, required=("key",),
      example={"key": "missing_key"}, summary="Delete a key")
def kv_delete(c: Call) -> dict[str, Any]:
    key = c.need("key", limit=200)
    existed = key in c.state.kv
    c.state.kv.pop(key, None)
    c.state.release("keys", key)
    return {"key": key, "deleted": existed}


@mock("kv_list", topic=_KV_TOPIC + " keys", extra="list keys all show", anti="get set delete",
      desc="list the keys in the key value store", params={"prefix": "prefix pattern filter starts_with"},
      example={}, summary="List keys")
def kv_list(c: Call) -> dict[str, Any]:
    prefix = c.text("prefix", limit=200)
    keys = sorted(k for k in c.state.kv if k.startswith(prefix))
    return {"keys": keys[:1000], "count": len(keys)}
