"""One conversation's world: files, a SQLite database, mailbox, calendar, notes, todos, a key-value store...

Everything is created lazily: most conversations call one or two tools, and a sandbox that never
runs SQL never opens a connection. Seeded content (inbox, contacts, demo tables) derives from the
sandbox key only, so every sandbox with the same key starts from the same world.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from verifiers.tools.mocks.util import NOW, MockError, Rand, canonical, iso, short_id

FIRST = ("Alice", "Bob", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Liam",
         "Maya", "Nikolai", "Olivia", "Pedro", "Quinn", "Rosa", "Sam", "Tara")
LAST = ("Nguyen", "Smith", "Garcia", "Müller", "Kowalski", "Okafor", "Tanaka", "Rossi", "Dubois", "Johnson",
        "Silva", "Khan", "Larsen", "Moreau", "Patel", "Cohen")
_SUBJECTS = ("Quarterly report draft", "Lunch on Thursday?", "Your invoice #{n}", "Re: project timeline",
             "Team offsite agenda", "Password reset request", "Welcome to the newsletter", "Meeting notes",
             "Flight confirmation", "Reminder: dentist appointment")
# Each sandbox's budget for what tools store (files, notes, key-value pairs, todos, events, mail, carts...):
# past it a write is an error result, never a silent cut. The SQL database has its own cap (dbseed).
MAX_STORED_BYTES = 16 * 1024 * 1024
MAX_STORE_ITEMS = 1000
_SEED_FILES = {
    "/README.md": "# Workspace\n\nThis folder holds the project's notes and data files.\n",
    "/data/sales.csv": "month,region,revenue\n2025-01,north,12000\n2025-01,south,9500\n2025-02,north,13100\n"
                       "2025-02,south,10250\n2025-03,north,12875\n2025-03,south,11020\n",
    "/notes/todo.txt": "- renew passport\n- book dentist\n- send report to Alice\n",
}


class SandboxState:
    def __init__(self, key: str) -> None:
        self.key = key
        self.files: dict[str, str] = dict(_SEED_FILES)
        self.outbox: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.todos: list[dict[str, Any]] = []
        self.notes: list[dict[str, Any]] = []
        self.reminders: list[dict[str, Any]] = []
        self.timers: list[dict[str, Any]] = []
        self.kv: dict[str, Any] = {}
        self.profiles: dict[str, dict[str, Any]] = {}
        self.cart: list[dict[str, Any]] = []
        self.orders: dict[str, dict[str, Any]] = {}
        self.bookings: dict[str, dict[str, Any]] = {}
        self.added_contacts: list[dict[str, Any]] = []
        self.devices: dict[str, dict[str, Any]] | None = None
        self._inbox: list[dict[str, Any]] | None = None
        self._contacts: list[dict[str, Any]] | None = None
        self._db: sqlite3.Connection | None = None
        self._counter = 0
        self.stored_bytes = 0
        self._ledger: dict[str, dict[str, int]] = {}  # store -> item key -> bytes
        for path, content in self.files.items():
            self.reserve("files", path, content)

    def new_id(self, prefix: str, *parts: Any, length: int = 10) -> str:
        """A fresh id: deterministic from the sandbox key, the call's content and how many ids came before."""
        self._counter += 1
        return short_id(prefix, self.key, self._counter, *parts, length=length)

    def reserve(self, store: str, key: str, value: Any) -> None:
        """Account for `value` stored under `key` in `store`, replacing what that key held; call it before
        storing. Past the sandbox's budget it raises MockError and nothing is recorded."""
        size = measure(value)
        sizes = self._ledger.setdefault(store, {})
        old = sizes.get(key)
        if old is None and len(sizes) >= MAX_STORE_ITEMS:
            raise MockError(f"storage quota exceeded: at most {MAX_STORE_ITEMS:,} {store} per workspace")
        if self.stored_bytes - (old or 0) + size > MAX_STORED_BYTES:
            raise MockError(f"storage quota exceeded: {MAX_STORED_BYTES // 2**20} MB per workspace "
                            f"({self.stored_bytes:,} bytes in use, this write needs {size:,})")
        sizes[key] = size
        self.stored_bytes += size - (old or 0)

    def release(self, store: str, key: str) -> None:
        """Forget what `key` held in `store` (after deleting it)."""
        self.stored_bytes -= self._ledger.get(store, {}).pop(key, 0)

    @property
    def contacts(self) -> list[dict[str, Any]]:
        if self._contacts is None:
            rand = Rand("contacts", self.key)
            people = []
            for i, first in enumerate(rand.sample(FIRST, 10)):
                last = rand.choice(LAST)
                people.append({"id": f"c{i + 1:03d}", "name": f"{first} {last}",
                               "email": f"{first.lower()}.{last.lower().replace('ü', 'u')}@example.com",
                               "phone": f"+1-555-{rand.randint(100, 999)}-{rand.randint(1000, 9999)}",
                               "company": rand.choice(("Acme Corp", "Globex", "Initech", "Umbrella", "Hooli"))})
            self._contacts = people
        return self._contacts + self.added_contacts

    @property
    def inbox(self) -> list[dict[str, Any]]:
        if self._inbox is None:
            rand = Rand("inbox", self.key)
            mails = []
            for i in range(8):
                person = self.contacts[i % 10]
                subject = rand.choice(_SUBJECTS).replace("{n}", str(rand.randint(1000, 9999)))
                sent = NOW.replace(hour=8) - timedelta(hours=i * 17 + rand.randint(0, 9))
                mails.append({"id": f"msg_{short_id('', self.key, 'inbox', i, length=8)}", "from": person["email"],
                              "from_name": person["name"], "to": "me@example.com", "subject": subject,
                              "date": iso(sent), "unread": i < 3, "folder": "inbox",
                              "body": f"Hi,\n\n{subject}: please see the details below and let me know what you "
                                      f"think.\n\nBest,\n{person['name'].split()[0]}"})
            self._inbox = mails
        return self._inbox

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            from verifiers.tools.mocks.dbseed import open_database

            self._db = open_database(self.key)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def measure(value: Any) -> int:
    """Bytes a stored value takes: UTF-8 for text, its canonical JSON for anything else."""
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass"))
    return len(canonical(value).encode("utf-8", "surrogatepass"))
