"""An in-memory file system per sandbox: read, write, append, list, delete, stat, move, grep.

Paths are plain keys in a dict, normalised to absolute POSIX form with "/" as the working
directory and the home directory, so "notes.txt", "./notes.txt", "/notes.txt", "~/notes.txt" and
"file:///notes.txt" are one file, named "/notes.txt" in every result and listing; nothing ever
touches the host's disk.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
from typing import Any

from verifiers.tools.mocks.registry import LIMIT, Call, Mock, collector
from verifiers.tools.mocks.util import NOW, MockError, clip, iso

MOCKS: list[Mock] = []
mock = collector("files", MOCKS, "fs filesystem storage")

_PATH = "path file_path filepath filename file_name file name location target fname uri key"
_DIR = "directory dir path folder dirname dir_path folder_path location root"
_CONTENT = "content contents text data body value string file_content payload"
_MAX_CONTENT = 1_000_000


def norm_path(raw: str) -> str:
    text = raw.strip().replace("\\", "/")
    if text.startswith("file://"):
        text = text[7:]
    if text == "~" or text.startswith("~/"):  # the home directory is the working directory
        text = "/" + text[1:]
    if "\x00" in text or not text or len(text) > 1000:
        raise MockError(f"invalid path '{clip(text, 60)}'")
    path = posixpath.normpath("/" + text.lstrip("/"))
    return "/" + path.lstrip("/")


def _path(c: Call, name: str = "path") -> str:
    return norm_path(c.need(name, limit=1000))


def _content(c: Call) -> str:
    value = c.value("content")
    if isinstance(value, dict | list):
        value = json.dumps(value, indent=2, ensure_ascii=False)
    text = value if isinstance(value, str) else c.text("content", limit=_MAX_CONTENT)
    if len(text) > _MAX_CONTENT:
        raise MockError(f"{c.arg('content')} is too large (at most 1 MB per write)")
    return text


def _is_dir(files: dict[str, str], path: str) -> bool:
    prefix = path.rstrip("/") + "/"
    return path == "/" or any(p.startswith(prefix) for p in files)


@mock("read_file", topic="file files document", extra="read open cat load view get content contents show",
      anti="write save create append delete remove list move rename search", desc="read the contents of a file",
      params={"path": _PATH, "encoding": "encoding", "offset": "offset start line_start start_line",
              "limit": "limit max_lines lines num_lines length"},
      required=("path",), example={"path": "/notes/todo.txt"}, summary="Read a file")
def read_file(c: Call) -> dict[str, Any]:
    path = _path(c)
    if path not in c.state.files:
        if _is_dir(c.state.files, path):
            raise MockError(f"'{path}' is a directory")
        raise MockError(f"file not found: '{path}'")
    text = c.state.files[path]
    if c.has("offset") or c.has("limit"):
        lines = text.splitlines(keepends=True)
        start = c.integer("offset", 0, 0)
        text = "".join(lines[start:start + c.integer("limit", len(lines), 0)])
    return {"path": path, "content": text, "size": len(c.state.files[path].encode("utf-8"))}


@mock("write_file", topic="file files document", extra="write save create put store overwrite new",
      anti="read append delete remove list move rename", desc="write text content to a file creating or overwriting it",
      params={"path": _PATH, "content": _CONTENT, "overwrite": "overwrite force replace"},
      required=("path", "content"), example={"path": "report.txt", "content": "Hello"}, summary="Write a file")
def write_file(c: Call) -> dict[str, Any]:
    path, content = _path(c), _content(c)
    if path == "/" or _is_dir(c.state.files, path):
        raise MockError(f"'{path}' is a directory")
    existed = path in c.state.files
    if existed and c.has("overwrite") and not c.flag("overwrite", True):
        raise MockError(f"file already exists: '{path}'")
    c.state.reserve("files", path, content)
    c.state.files[path] = content
    return {"path": path, "bytes_written": len(content.encode("utf-8")), "created": not existed, "status": "ok"}


@mock("append_file", topic="file files log", extra="append add write line", anti="read delete list",
      desc="append text to the end of a file", params={"path": _PATH, "content": _CONTENT + " line"},
      required=("path", "content"), example={"path": "/notes/todo.txt", "content": "- water plants\n"},
      summary="Append to a file")
def append_file(c: Call) -> dict[str, Any]:
    path, content = _path(c), _content(c)
    if _is_dir(c.state.files, path):
        raise MockError(f"'{path}' is a directory")
    combined = c.state.files.get(path, "") + content
    c.state.reserve("files", path, combined)
    c.state.files[path] = combined
    return {"path": path, "bytes_appended": len(content.encode("utf-8")),
            "size": len(c.state.files[path].encode("utf-8")), "status": "ok"}


@mock("list_files", topic="file files directory dir folder ls", extra="list ls show browse contents get",
      anti="read write delete search", desc="list files and folders in a directory",
      params={"path": _DIR, "pattern": "pattern glob filter match extension", "recursive": "recursive deep all"},
      example={"path": "/"}, summary="List a directory")
def list_files(c: Call) -> dict[str, Any]:
    base = norm_path(c.text("path", "/", limit=1000))
    if base in c.state.files:
        raise MockError(f"'{base}' is a file, not a directory")
    if not _is_dir(c.state.files, base):
        raise MockError(f"directory not found: '{base}'")
    prefix = base.rstrip("/") + "/"
    pattern, recursive = c.text("pattern", limit=100), c.flag("recursive")
    entries: dict[str, dict[str, Any]] = {}
    for path, content in sorted(c.state.files.items()):
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix):]
        if "/" in rest and not recursive:
            name = rest.split("/")[0]
            entries.setdefault(name, {"name": name, "type": "directory", "path": prefix + name})
        elif not pattern or fnmatch.fnmatch(rest.split("/")[-1], pattern):  # a name, and the path read_file takes
            entries[rest] = {"name": rest.split("/")[-1], "type": "file", "path": path,
                             "size": len(content.encode("utf-8"))}
    return {"path": base, "entries": sorted(entries.values(), key=lambda e: e["path"]), "count": len(entries)}


@mock("delete_file", topic="file files", extra="delete remove rm unlink erase", anti="read write list",
      desc="delete a file", params={"path": _PATH}, required=("path",), example={"path": "/README.md"},
      summary="Delete a file")
def delete_file(c: Call) -> dict[str, Any]:
    path = _path(c)
    if path not in c.state.files:
        raise MockError(f"file not found: '{path}'")
    del c.state.files[path]
    c.state.release("files", path)
    return {"path": path, "deleted": True}


@mock("file_info", topic="file files", extra="info stat exists metadata size details check properties",
      anti="read write delete", desc="file metadata size and whether a file exists",
      params={"path": _PATH}, required=("path",), example={"path": "/data/sales.csv"}, summary="File metadata")
def file_info(c: Call) -> dict[str, Any]:
    path = _path(c)
    if path in c.state.files:
        text = c.state.files[path]
        return {"path": path, "exists": True, "type": "file", "size": len(text.encode("utf-8")),
                "lines": text.count("\n") + (1 if text and not text.endswith("\n") else 0), "modified": iso(NOW)}
    return {"path": path, "exists": _is_dir(c.state.files, path), "type": "directory" if _is_dir(c.state.files, path)
            else None}


@mock("move_file", topic="file files", extra="move rename mv copy cp", anti="read list delete",
      desc="move rename or copy a file",
      params={"source": "source src from from_path old_path path old_name source_path",
                                                  "destination": "destination dest dst to to_path new_path new_name "
                                                  "target destination_path", "copy": "copy keep_original"},
      required=("source", "destination"), example={"source": "/README.md", "destination": "/docs/README.md"},
      summary="Move or rename a file")
def move_file(c: Call) -> dict[str, Any]:
    src, dst = _path(c, "source"), _path(c, "destination")
    if src not in c.state.files:
        raise MockError(f"file not found: '{src}'")
    if _is_dir(c.state.files, dst):
        dst = dst.rstrip("/") + "/" + src.rsplit("/", 1)[-1]
    copy = c.flag("copy") or "copy" in c.tool.lower() or c.tool.lower().startswith("cp")
    content = c.state.files[src]
    if not copy:
        c.state.release("files", src)
    try:
        c.state.reserve("files", dst, content)
    except MockError:
        if not copy:
            c.state.reserve("files", src, content)  # it was there a moment ago, so it fits again
        raise
    if not copy:
        del c.state.files[src]
    c.state.files[dst] = content
    return {"source": src, "destination": dst, "operation": "copy" if copy else "move", "status": "ok"}


@mock("search_files", topic="grep file files", extra="search find grep text pattern contains",
      anti="web delete", desc="search the text of files for a pattern",
      params={"query": "query pattern text search term keyword q regex string", "path": _DIR, "limit": LIMIT},
      required=("query",), example={"query": "north"}, summary="Search inside files")
def search_files(c: Call) -> dict[str, Any]:
    query = c.need("query", limit=200)
    base = norm_path(c.text("path", "/", limit=1000)).rstrip("/") + "/"
    limit, needle = c.integer("limit", 50, 1, 500), query.lower()
    hits, count = [], 0
    for path, text in sorted(c.state.files.items()):
        if not (path + "/").startswith(base) and not path.startswith(base):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if needle in line.lower():
                count += 1
                if len(hits) < limit:  # every line is counted, only `limit` are kept
                    hits.append({"path": path, "line": number, "text": clip(line, 200)})
    return {"query": query, "matches": hits, "count": count}
