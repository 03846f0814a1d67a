"""The per-sandbox SQLite database: a small shop (customers, products, orders), fenced in.

The connection lives in ":memory:" and must stay there: ATTACH and VACUUM INTO would write files
on the host, so the authorizer refuses them (VACUUM INTO asks for SQLITE_ATTACH as well) and the
attached-database limit is zero; a progress handler stops runaway queries (a recursive
CTE without end). Memory is fenced too: the database (and the TEMP schema) stops growing at
32 MB (SQLite answers "database or disk is full"), a value at 1 MB and a result row at 32
columns, and a PRAGMA that could lift a limit is refused. Results never depend on the clock or
the machine: 'now' is the package's fixed NOW in every date function and CURRENT_TIMESTAMP,
random() and randomblob() draw from the sandbox key, and host-specific facts (library version,
compile options, the local time zone) are hidden or neutral.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import timedelta
from typing import Any

from verifiers.tools.mocks.util import NOW, TODAY, Rand

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
PAGE_SIZE = 4096
MAX_DB_BYTES = 32 * 1024 * 1024  # per sandbox, main and TEMP schema each
SQLITE_HEAP_BYTES = 256 * 2**20  # all SQLite memory of the process: every sandbox's database together
MAX_VALUE_BYTES = 1_000_000  # SQLITE_LIMIT_LENGTH: one string or blob
MAX_COLUMNS = 32  # SQLITE_LIMIT_COLUMN: so one fetched row stays under ~32 MB
_DENIED = {getattr(sqlite3, name) for name in ("SQLITE_ATTACH", "SQLITE_DETACH") if hasattr(sqlite3, name)}
# PRAGMAs a query may run: schema introspection (any argument) and a few harmless settings. Everything
# else is refused: page and memory limits must stay, and compile options or the library's function
# list differ between machines.
_PRAGMA_INFO = frozenset({"table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
                          "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check"})
_PRAGMA_SET = frozenset({"foreign_keys", "defer_foreign_keys", "user_version", "application_id"})
_PRAGMA_READ = _PRAGMA_SET | frozenset({"page_count", "page_size", "max_page_count", "freelist_count",
                                        "schema_version", "encoding", "database_list"})
NOW_SQL = NOW.strftime("%Y-%m-%d %H:%M:%S")
_DATE_FUNCS = ("date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff")
_HOST_MODIFIERS = ("localtime", "utc")  # both read the host's time zone


def _authorizer(action: int, arg1: Any, arg2: Any, db: Any, source: Any) -> int:
    if action in _DENIED:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and isinstance(arg2, str) and arg2.lower() == "load_extension":
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA:
        name = str(arg1).lower()
        allowed = name in _PRAGMA_INFO or name in _PRAGMA_SET or (arg2 is None and name in _PRAGMA_READ)
        return sqlite3.SQLITE_OK if allowed else sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


class _Steps:
    """Counts progress-handler calls; a non-zero return interrupts the running statement."""

    def __init__(self) -> None:
        self.left = _STEP_BUDGET

    def __call__(self) -> int:
        self.left -= 1
        return 1 if self.left < 0 else 0


class Database(sqlite3.Connection):
    """The sandbox's connection, with a private second one that computes date functions for it."""

    reference: sqlite3.Connection | None = None

    def close(self) -> None:
        if self.reference is not None:
            self.reference.close()
            self.reference = None
        super().close()


class _Draws:
    """random() and randomblob(): a stream seeded by the sandbox key; the n-th draw is the same in every run."""

    def __init__(self, key: str) -> None:
        self.seed = hashlib.sha256(("sqlite-random\x00" + key).encode("utf-8", "surrogatepass")).digest()
        self.count = 0

    def _bytes(self, n: int) -> bytes:
        self.count += 1
        return hashlib.shake_256(self.seed + self.count.to_bytes(8, "big")).digest(n)

    def random(self) -> int:
        return int.from_bytes(self._bytes(8), "big", signed=True)

    def randomblob(self, n: Any) -> bytes:
        try:
            size = int(float(n)) if isinstance(n, int | float | str) else 0
        except (ValueError, OverflowError):
            size = 0
        # Past the length limit SQLite itself reports "string or blob too big"; never build more than that.
        return self._bytes(min(max(size, 1), MAX_VALUE_BYTES + 1))


def _clock(reference: sqlite3.Connection, name: str) -> Any:
    """`name` (date, strftime...) with 'now' read as the fixed NOW and host-zone modifiers made neutral.

    The wrapper overrides the built-in; the private `reference` connection still has the built-in,
    so every other input gets SQLite's own answer.
    """
    query = f"SELECT {name}({{}})"
    when = 1 if name == "strftime" else 0  # position of the time value; modifiers follow it
    times = (0, 1) if name == "timediff" else (when,)  # timediff(a, b) takes two time values

    def call(*args: Any) -> Any:
        values = list(args)
        if len(values) <= when:  # date() or strftime('%Y'): the time value defaults to now
            values.append(NOW_SQL)
        for i in range(when, len(values)):
            value = values[i]
            if isinstance(value, str) and value.lower() == "now" and i in times:
                values[i] = NOW_SQL
            elif isinstance(value, str) and value.lower() in _HOST_MODIFIERS and i > max(times):
                values[i] = "+0 seconds"
        return reference.execute(query.format(", ".join("?" * len(values))), values).fetchone()[0]

    return call


def _constant(value: str) -> Any:
    return lambda: value


def _install(conn: Database, key: str) -> None:
    reference = sqlite3.connect(":memory:", check_same_thread=False)
    reference.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.reference = reference
    draws = _Draws(key)
    conn.create_function("random", 0, draws.random)
    conn.create_function("randomblob", 1, draws.randomblob)
    for name in _DATE_FUNCS:
        try:  # unixepoch (3.38) and timediff (3.43) exist only in newer libraries: wrap what there is
            reference.execute(f"SELECT {name}('2025-01-01'{', 0' if name == 'timediff' else ''})")
        except sqlite3.OperationalError:
            continue
        conn.create_function(name, -1, _clock(reference, name), deterministic=True)
    for name, fmt in (("current_timestamp", "%Y-%m-%d %H:%M:%S"), ("current_date", "%Y-%m-%d"),
                      ("current_time", "%H:%M:%S")):
        conn.create_function(name, 0, _constant(NOW.strftime(fmt)), deterministic=True)
    conn.create_function("sqlite_version", 0, _constant("3.40.1"), deterministic=True)
    conn.create_function("sqlite_source_id", 0, _constant("mock"), deterministic=True)


def open_database(key: str) -> Database:
    conn = sqlite3.connect(":memory:", check_same_thread=False, factory=Database)
    # Sorts and temporary tables stay in memory (never spilled to files on the host), under a ceiling on
    # all of SQLite's memory in this process: a query too big for it fails as "out of memory".
    conn.execute("PRAGMA temp_store = MEMORY")
    limit = conn.execute("PRAGMA hard_heap_limit").fetchone()[0]
    if limit == 0 or limit > SQLITE_HEAP_BYTES:
        conn.execute(f"PRAGMA hard_heap_limit = {SQLITE_HEAP_BYTES}")
    conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    _seed(conn, key)
    pages = MAX_DB_BYTES // conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    conn.execute(f"PRAGMA temp.max_page_count = {pages}")
    _install(conn, key)
    conn.set_authorizer(_authorizer)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 100_000)
    conn.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, MAX_COLUMNS)
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
