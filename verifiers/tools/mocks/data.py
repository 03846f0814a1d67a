"""Data: SQL on the sandbox's in-memory SQLite shop database, and a key-value store."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from verifiers.tools.mocks.dbseed import arm
from verifiers.tools.mocks.registry import Call, Mock, collector
from verifiers.tools.mocks.util import MockError, clip, jsonable

MOCKS: list[Mock] = []
mock = collector("data", MOCKS, "db")

_MAX_ROWS = 100
# Both would write a file on the host next to the in-memory database.
_FORBIDDEN = re.compile(r"^\s*(vacuum|attach|detach)\b", re.IGNORECASE)
_SQL = "query sql sql_query statement sql_statement q command code stmt"


def run_sql(c: Call, sql: str) -> dict[str, Any]:
    if not sql.strip().rstrip(";").strip():
        raise MockError("empty SQL statement")
    if _FORBIDDEN.match(sql):
        raise MockError("statement not allowed: VACUUM, ATTACH and DETACH are disabled")
    conn = c.state.db
    arm(conn)
    try:
        cur = conn.execute(sql)
        rows = cur.fetchmany(_MAX_ROWS + 1)
        columns = [d[0] for d in cur.description] if cur.description else []
        changed = cur.rowcount
        conn.commit()
    except (sqlite3.ProgrammingError, sqlite3.Warning) as exc:
        if "one statement" in str(exc):
            raise MockError("only a single SQL statement is allowed per call") from exc
        raise MockError(f"SQL error: {clip(str(exc), 200)}") from exc
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise MockError("query exceeded the execution limit and was interrupted") from exc
        raise MockError(f"SQL error: {clip(str(exc), 200)}") from exc
    except sqlite3.Error as exc:
        raise MockError(f"SQL error: {clip(str(exc), 200)}") from exc
    finally:
        if conn.in_transaction:
            conn.rollback()
    if not columns:
        return {"columns": [], "rows": [], "row_count": 0, "rows_affected": max(changed, 0), "truncated": False}
    out = [{col: jsonable(v) for col, v in zip(columns, row, strict=False)} for row in rows[:_MAX_ROWS]]
    return {"columns": columns, "rows": out, "row_count": len(out), "truncated": len(rows) > _MAX_ROWS}


@mock("sql_query", topic="sql sqlite database db query postgres mysql table tables", extra="query execute run select",
      anti="list describe schema", desc="run a single SQL query against the database and return rows",
      params={"sql": _SQL, "database": "database db name"}, required=("sql",),
      example={"query": "SELECT name, city FROM customers ORDER BY id LIMIT 3"}, summary="Run an SQL query")
def sql_query(c: Call) -> dict[str, Any]:
    return run_sql(c, c.need("sql", limit=100_000))


def _tables(c: Call) -> list[str]:
    cur = c.state.db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                             "AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [row[0] for row in cur.fetchall()]


@mock("list_tables", topic="database db sql table tables", extra="list show get all", anti="describe query",
      desc="list the tables in the database", params={"database": "database db schema"}, example={},
      summary="List database tables")
def list_tables(c: Call) -> dict[str, Any]:
    names = _tables(c)
    counts = {}
    for name in names:
        counts[name] = c.state.db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
    return {"tables": [{"name": n, "rows": counts[n]} for n in names], "count": len(names)}


@mock("describe_table", topic="database db sql table schema column columns", extra="describe schema info columns "
      "structure get", anti="list query", desc="describe the columns and types of a database table",
      params={"table": "table table_name name tablename"}, required=("table",), example={"table": "orders"},
      summary="Describe a table")
def describe_table(c: Call) -> dict[str, Any]:
    table = c.need("table", limit=120)
    if table not in _tables(c):
        raise MockError(f"no such table: {table}")
    cols = c.state.db.execute("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)", (table,)).fetchall()
    return {"table": table, "columns": [{"name": n, "type": t, "nullable": not nn, "primary_key": bool(pk)}
                                        for n, t, nn, pk in cols]}


_KEY = "key name id k item_key variable field"
_KV_TOPIC = "kv key store storage cache redis memory variable"


@mock("kv_set", topic=_KV_TOPIC, extra="set put save store write remember update", anti="get read delete list",
      desc="store a value under a key in the key value store",
      params={"key": _KEY, "value": "value data content val v text"}, required=("key", "value"),
      example={"key": "favorite_color", "value": "green"}, summary="Store a value under a key")
def kv_set(c: Call) -> dict[str, Any]:
    key = c.need("key", limit=200)
    if len(c.state.kv) >= 10_000 and key not in c.state.kv:
        raise MockError("store is full (10,000 keys)")
    value = c.value("value")
    c.state.kv[key] = value if len(str(value)) <= 100_000 else clip(str(value), 100_000)
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
    return {"key": key, "deleted": existed}


@mock("kv_list", topic=_KV_TOPIC + " keys", extra="list keys all show", anti="get set delete",
      desc="list the keys in the key value store", params={"prefix": "prefix pattern filter starts_with"},
      example={}, summary="List keys")
def kv_list(c: Call) -> dict[str, Any]:
    prefix = c.text("prefix", limit=200)
    keys = sorted(k for k in c.state.kv if k.startswith(prefix))
    return {"keys": keys[:1000], "count": len(keys)}
