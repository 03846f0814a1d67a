"""The per-sandbox SQLite database: a small shop (customers, products, orders), fenced in.

The connection lives in ":memory:" and must stay there: ATTACH and VACUUM INTO would write files
on the host, so the authorizer refuses them (VACUUM INTO asks for SQLITE_ATTACH as well) and the
attached-database limit is zero; a progress handler stops runaway queries (a recursive
CTE without end) and a length limit stops giant blobs.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from verifiers.tools.mocks.util import TODAY, Rand

_CITIES = ("London", "Paris", "Berlin", "New York", "Tokyo", "Sydney", "Toronto", "Madrid", "Chicago", "Seoul")
_PRODUCTS = (("Wireless Mouse", "electronics", 24.99), ("Mechanical Keyboard", "electronics", 89.0),
             ("USB-C Hub", "electronics", 39.5), ("27\" Monitor", "electronics", 229.0),
             ("Noise-Cancelling Headphones", "electronics", 179.0), ("Desk Lamp", "home", 34.0),
             ("Office Chair", "furniture", 249.0), ("Standing Desk", "furniture", 499.0),
             ("Coffee Mug", "kitchen", 12.5), ("French Press", "kitchen", 29.95),
             ("Notebook A5", "stationery", 6.75), ("Fountain Pen", "stationery", 45.0))
_FIRST = ("Alice", "Bob", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Liam")
_LAST = ("Nguyen", "Smith", "Garcia", "Mueller", "Okafor", "Tanaka", "Rossi", "Dubois", "Silva", "Khan")
_STATUSES = ("pending", "shipped", "delivered", "delivered", "delivered", "cancelled")
_STEP_BUDGET = 2000  # progress-handler calls (x1000 VM steps each) before a statement is interrupted
_DENIED = {getattr(sqlite3, name) for name in ("SQLITE_ATTACH", "SQLITE_DETACH") if hasattr(sqlite3, name)}


def _authorizer(action: int, arg1: Any, arg2: Any, db: Any, source: Any) -> int:
    if action in _DENIED:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and isinstance(arg2, str) and arg2.lower() == "load_extension":
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


class _Steps:
    """Counts progress-handler calls; a non-zero return interrupts the running statement."""

    def __init__(self) -> None:
        self.left = _STEP_BUDGET

    def __call__(self) -> int:
        self.left -= 1
        return 1 if self.left < 0 else 0


def open_database(key: str) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    _seed(conn, key)
    conn.set_authorizer(_authorizer)
    if hasattr(conn, "setlimit"):
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 1_000_000)
        conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 100_000)
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)  # VACUUM INTO attaches its target too
    return conn


def arm(conn: sqlite3.Connection) -> None:
    """A fresh step budget for the next statement."""
    conn.set_progress_handler(_Steps(), 1000)


def _seed(conn: sqlite3.Connection, key: str) -> None:
    rand = Rand("database", key)
    conn.executescript(
        """
        CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, city TEXT,
                                signup_date TEXT);
        CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT, price REAL,
                               stock INTEGER);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
                             product_id INTEGER REFERENCES products(id), quantity INTEGER, order_date TEXT,
                             status TEXT);
        """
    )
    customers = []
    for i in range(1, 13):
        first, last = _FIRST[i - 1], rand.choice(_LAST)
        signup = TODAY - timedelta(days=rand.randint(30, 900))
        customers.append((i, f"{first} {last}", f"{first.lower()}.{last.lower()}@example.com",
                          rand.choice(_CITIES), signup.isoformat()))
    conn.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, ?)", customers)
    products = [(i, name, cat, price, rand.randint(0, 250)) for i, (name, cat, price) in enumerate(_PRODUCTS, 1)]
    conn.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?)", products)
    orders = []
    for i in range(1, 31):
        day = TODAY - timedelta(days=rand.randint(0, 180))
        orders.append((i, rand.randint(1, 12), rand.randint(1, len(_PRODUCTS)), rand.randint(1, 4),
                       day.isoformat(), rand.choice(_STATUSES)))
    conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?)", orders)
    conn.commit()
