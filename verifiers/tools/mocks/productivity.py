"""Todo lists and notes, kept in the sandbox state."""

from __future__ import annotations

from typing import Any

from verifiers.tools.mocks.registry import LIMIT, QUERY, Call, Mock, collector
from verifiers.tools.mocks.util import NOW, MockError, clip, iso, parse_date

MOCKS: list[Mock] = []
mock = collector("productivity", MOCKS)

_TODO = "todo todos task tasks checklist"
_ID = "id task_id todo_id item_id note_id identifier"


def _find(items: list[dict[str, Any]], wanted: str, kind: str) -> dict[str, Any]:
    low = wanted.lower()
    for item in items:
        if item["id"] == wanted or item.get("title", "").lower() == low:
            return item
    raise MockError(f"{kind} '{wanted[:60]}' not found")


@mock("todo_add", topic=_TODO, extra="add create new insert make", anti="list complete done delete remove",
      desc="add a task to the todo list with an optional due date and priority",
      params={"title": "title task text description name content item todo", "due": "due due_date deadline date when",
              "priority": "priority importance level", "list": "list list_name project category"},
      required=("title",), example={"title": "Buy milk", "due_date": "2025-06-16", "priority": "high"},
      summary="Add a todo item")
def todo_add(c: Call) -> dict[str, Any]:
    title = c.need("title", limit=500)
    due = parse_date(c.text("due", limit=64))
    if c.has("due") and due is None:
        raise MockError(f"could not read the due date '{clip(c.text('due', limit=64), 40)}'")
    item = {"id": c.state.new_id("task_", title), "title": title, "due": due.isoformat() if due else None,
            "priority": c.text("priority", "normal", 20).lower(), "list": c.text("list", "default", 60),
            "done": False, "created_at": iso(NOW)}
    c.state.reserve("tasks", item["id"], item)
    c.state.todos.append(item)
    return {"status": "created", "task": item}


@mock("todo_list", topic=_TODO, extra="list get show view all pending open", anti="add create complete delete",
      desc="list the tasks in the todo list", params={"status": "status filter state show", "list": "list list_name "
                                                     "project category", "limit": LIMIT},
      example={"status": "pending"}, summary="List todo items")
def todo_list(c: Call) -> dict[str, Any]:
    status = c.text("status", "all").lower()
    items = c.state.todos
    if status in ("pending", "open", "incomplete", "active", "todo"):
        items = [t for t in items if not t["done"]]
    elif status in ("done", "completed", "complete", "finished"):
        items = [t for t in items if t["done"]]
    if c.has("list"):
        items = [t for t in items if t["list"].lower() == c.text("list").lower()]
    return {"tasks": items[: c.integer("limit", 100, 1, 500)], "count": len(items),
            "pending": sum(not t["done"] for t in c.state.todos)}


@mock("todo_complete", topic=_TODO, extra="complete done finish check mark close update", anti="add list delete",
      desc="mark a task as completed", params={"id": _ID + " title task name"}, required=("id",),
      example={"task_id": "task_missing"}, summary="Complete a todo item")
def todo_complete(c: Call) -> dict[str, Any]:
    item = _find(c.state.todos, c.need("id", limit=200), "task")
    done = {**item, "done": True, "completed_at": iso(NOW)}
    c.state.reserve("tasks", item["id"], done)
    item.update(done)
    return {"status": "completed", "task": item}


@mock("todo_delete", topic=_TODO, extra="delete remove clear drop", anti="add list complete",
      desc="delete a task from the todo list", params={"id": _ID + " title task name"}, required=("id",),
      example={"id": "task_missing"}, summary="Delete a todo item")
def todo_delete(c: Call) -> dict[str, Any]:
    item = _find(c.state.todos, c.need("id", limit=200), "task")
    c.state.todos.remove(item)
    c.state.release("tasks", item["id"])
    return {"status": "deleted", "id": item["id"]}


_NOTE = "note notes notebook memo jot journal"


@mock("note_create", topic=_NOTE, extra="create add new save write take make", anti="list search delete get read",
      desc="create a note with a title and body", params={"title": "title name subject heading",
                                                          "body": "body content text note description",
                                                          "tags": "tags labels tag category"},
      required=("body",), example={"title": "Ideas", "content": "Try the new ramen place", "tags": ["food"]},
      summary="Create a note")
def note_create(c: Call) -> dict[str, Any]:
    body = c.need("body", limit=100_000)
    note = {"id": c.state.new_id("note_", body), "title": c.text("title", body.split("\n")[0][:60], 200),
            "body": body, "tags": c.items("tags"), "created_at": iso(NOW)}
    c.state.reserve("notes", note["id"], note)
    c.state.notes.append(note)
    return {"status": "created", "note": note}


@mock("note_search", topic=_NOTE, extra="list search find get read show all", anti="create add new delete",
      desc="list or search notes by keyword or tag", params={"query": QUERY + " tag", "limit": LIMIT},
      example={"query": "ramen"}, summary="List or search notes")
def note_search(c: Call) -> dict[str, Any]:
    query = c.text("query", limit=200).lower()
    hits = [n for n in c.state.notes if not query or query in (n["title"] + " " + n["body"]).lower()
            or query in [t.lower() for t in n["tags"]]]
    return {"query": query or None, "notes": hits[: c.integer("limit", 50, 1, 500)], "count": len(hits)}


@mock("note_delete", topic=_NOTE, extra="delete remove", anti="create list search", desc="delete a note by id",
      params={"id": _ID + " title"}, required=("id",), example={"note_id": "note_missing"}, summary="Delete a note")
def note_delete(c: Call) -> dict[str, Any]:
    note = _find(c.state.notes, c.need("id", limit=200), "note")
    c.state.notes.remove(note)
    c.state.release("notes", note["id"])
    return {"status": "deleted", "id": note["id"]}
