"""Trusted SQL runner: loads the row's schema and data into a fresh in-memory SQLite database, runs
the candidate's SQL and returns the last result set as type-tagged values (no Python from the
candidate is ever run; extensions stay disabled).

stdin: the token line, then JSON {"schema", "data", "query_file", "max_rows"}; stdout: one JSON event
line, then the token.
"""

import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from typed_values import encode  # noqa: E402


def statements(sql):
    """Split a script into complete statements, as sqlite3 itself would read them.

    Every ';' is a possible end; sqlite3.complete_statement says whether the text up to it is a whole
    statement (not a ';' inside a string, a comment or a trigger body), so two statements on one line
    are two statements. Python's execute() runs one statement at a time.
    """
    out, start, pos = [], 0, 0
    while (end := sql.find(";", pos)) >= 0:
        pos = end + 1
        if sqlite3.complete_statement(sql[start:pos]):
            out.append(sql[start:pos].strip())
            start = pos
    out.append(sql[start:].strip())  # a last statement with no ';'
    return [s for s in out if s.strip(" ;\n\t")]


def main():
    token = sys.stdin.readline().strip()
    spec = json.loads(sys.stdin.read())
    with open(spec["query_file"], encoding="utf-8") as f:
        query = f.read()
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(spec.get("schema") or "")
        db.executescript(spec.get("data") or "")
    except sqlite3.Error as e:
        print(json.dumps({"event": "setup_error", "error": str(e)}))
        print(token, flush=True)
        return
    columns, rows = None, None
    try:
        for stmt in statements(query):
            cur = db.execute(stmt)
            if cur.description is not None:
                columns = [d[0] for d in cur.description]
                rows = cur.fetchmany(int(spec.get("max_rows", 10000)) + 1)
    except sqlite3.Error as e:
        syntax = "syntax error" in str(e) or "incomplete input" in str(e)
        print(json.dumps({"event": "error", "error": str(e), "syntax": syntax}))
        print(token, flush=True)
        return
    if rows is None:
        print(json.dumps({"event": "error", "error": "the SQL returned no result set", "syntax": False}))
    else:
        print(json.dumps({"event": "rows", "columns": columns, "rows": [[encode(v) for v in r] for r in rows]}))
    print(token, flush=True)


if __name__ == "__main__":
    main()
