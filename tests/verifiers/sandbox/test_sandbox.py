"""CodeVerifier end to end in real sandboxes: the same suite against Docker and bubblewrap.

Languages and test forms, then containment (network, filesystem, environment, resource bombs,
leftovers), then cheats that fool naive exit-code harnesses.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import Any

import pytest

from verifiers.base import VerificationResult
from verifiers.code.verifier import CodeVerifier
from verifiers.sandbox.base import Job, Run, Sandbox

pytest_plugins = ("tests.verifiers.sandbox.fixtures",)  # the `sandbox` and `verifier` fixtures, per backend

ADD_CHECK = {"test": "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-4, 4) == 0\n"
                     "    assert candidate(10, 5) == 15\n", "entry_point": "add"}
ADD_CALLS = {"inputs": [[1, 2], [-4, 4], [10, 5]], "outputs": [3, 0, 15], "fn_name": "add"}
SUM_STDIO = {"inputs": ["1 2\n", "-4 4\n", "10 5\n"], "outputs": ["3\n", "0\n", "15\n"]}


def py(code: str) -> str:
    return f"Here is the solution:\n\n```python\n{code.strip()}\n```\n"


def run(v: CodeVerifier, response: str, tests: Any = None, **ctx: Any) -> VerificationResult:
    return v.verify(response, None, tests=tests, **ctx)


def wait_clean(box: Sandbox, timeout: float = 60.0) -> list[str]:
    # Generous: tearing down a container full of forked processes takes docker many seconds on a busy host.
    from tests.verifiers.sandbox.fixtures import sandbox_leftovers  # after pytest_plugins, for assert rewriting

    deadline = time.monotonic() + timeout
    while (left := sandbox_leftovers(box)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


# --------------------------------------------------------------------------- languages and forms


def test_python_humaneval_pass_and_fail(verifier: CodeVerifier) -> None:
    ok = run(verifier, py("def add(a, b):\n    return a + b"), ADD_CHECK)
    assert ok.is_verified and ok.confidence >= 0.9 and ok.details["tests_passed"] == 3
    bad = run(verifier, py("def add(a, b):\n    return a - b"), ADD_CHECK)
    assert not bad.is_verified and bad.details["reason"] == "wrong_answer"
    assert "candidate(1, 2) == 3" in bad.explanation and "returned -1" in bad.explanation


def test_python_call_form_and_type_strictness(verifier: CodeVerifier) -> None:
    assert run(verifier, py("def add(a, b):\n    return a + b"), ADD_CALLS).is_verified
    as_str = run(verifier, py("def add(a, b):\n    return str(a + b)"), ADD_CALLS)
    assert not as_str.is_verified and "expected 3, got '3'" in as_str.explanation
    leetcode = py("class Solution:\n    def add(self, a, b):\n        return a + b")
    assert run(verifier, leetcode, ADD_CALLS).is_verified


def test_python_stdio(verifier: CodeVerifier) -> None:
    good = py("a, b = map(int, input().split())\nprint(a + b)")
    assert run(verifier, good, SUM_STDIO).is_verified
    bad = run(verifier, py("a, b = map(int, input().split())\nprint(a * b)"), SUM_STDIO)
    assert bad.details["reason"] == "wrong_answer" and "expected '3', got '2'" in bad.explanation
    crash = run(verifier, py("print(1/0)"), SUM_STDIO)
    assert crash.details["reason"] == "runtime_error" and "ZeroDivisionError" in crash.explanation


def test_javascript_function_and_stdio(verifier: CodeVerifier) -> None:
    fn = "```javascript\nfunction add(a, b) { return a + b; }\nconsole.log(add(2, 2));\n```"
    assert run(verifier, fn, ADD_CALLS, language="javascript").is_verified
    arrow = "```js\nconst add = (a, b) => a + b + 1;\n```"
    assert run(verifier, arrow, ADD_CALLS, language="javascript").details["reason"] == "wrong_answer"
    stdio = ("```javascript\nconst [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\n"
             "console.log(a + b);\n```")
    assert run(verifier, stdio, SUM_STDIO, language="javascript").is_verified


def test_bash_stdio(verifier: CodeVerifier) -> None:
    good = "```bash\nread a b\necho $((a + b))\n```"
    assert run(verifier, good, SUM_STDIO, language="bash").is_verified
    bad = "```bash\nread a b\necho $((a - b))\n```"
    assert run(verifier, bad, SUM_STDIO, language="bash").details["reason"] == "wrong_answer"


SQL_TESTS = {
    "schema": "CREATE TABLE emp (name TEXT, dept TEXT, salary INTEGER);",
    "data": "INSERT INTO emp VALUES ('ann','eng',100),('bob','eng',80),('cy','ops',90);",
    "expected": [["eng", 90], ["ops", 90]],
    "cases": [
        {"data": "INSERT INTO emp VALUES ('ann','eng',100),('bob','eng',80),('cy','ops',90);",
         "expected": [["eng", 90], ["ops", 90]]},
        {"data": "INSERT INTO emp VALUES ('d','hr',10),('e','hr',30);", "expected": [["hr", 20]]},
    ],
}


def test_sql_order_insensitive_and_hidden_case(verifier: CodeVerifier) -> None:
    good = "```sql\nSELECT dept, AVG(salary) FROM emp GROUP BY dept ORDER BY dept DESC;\n```"
    assert run(verifier, good, SQL_TESTS).is_verified
    hard_coded = "```sql\nSELECT 'eng', 90 UNION ALL SELECT 'ops', 90;\n```"
    hc = run(verifier, hard_coded, SQL_TESTS)
    assert not hc.is_verified and "test 2/2" in hc.explanation
    typo = run(verifier, "```sql\nSELEC dept FROM emp;\n```", SQL_TESTS)
    assert typo.details["reason"] == "syntax_error"
    ordered = {**SQL_TESTS, "cases": None, "ordered": True}
    assert not run(verifier, good, ordered).is_verified


def test_sql_statements_on_one_line(verifier: CodeVerifier) -> None:
    two = ("```sql\nCREATE TEMP VIEW pay AS SELECT dept, salary FROM emp WHERE name <> 'x;y'; "
           "SELECT dept, AVG(salary) FROM pay GROUP BY dept; -- done; really\n```")
    assert run(verifier, two, SQL_TESTS).is_verified


def test_stdio_floats_and_integers(verifier: CodeVerifier) -> None:
    thirds = {"inputs": ["3\n", "6\n"], "outputs": ["0.333333\n", "0.166667\n"]}
    assert run(verifier, py("print(1 / int(input()))"), thirds).is_verified
    assert run(verifier, py("print(f'{1 / int(input()):.6f}')"), thirds).is_verified
    assert not run(verifier, py("print(round(1 / int(input()), 3))"), thirds).is_verified
    halves = {"inputs": ["4\n", "10\n"], "outputs": ["2\n", "5\n"]}
    assert run(verifier, py("print(int(input()) // 2)"), halves).is_verified
    as_float = run(verifier, py("print(int(input()) / 2)"), halves)  # prints 2.0: an integer answer is exact
    assert not as_float.is_verified and as_float.details["reason"] == "wrong_answer"


def test_every_test_runs_across_batches(sandbox: Sandbox) -> None:
    v = CodeVerifier(sandbox=sandbox, timeout_s=1.0, max_job_s=5.0, retries=0)  # a few tests per batch
    squares = {"inputs": [f"{i}\n" for i in range(30)], "outputs": [f"{i * i}\n" for i in range(30)]}
    good = run(v, py("n = int(input())\nprint(n * n)"), squares)
    assert good.is_verified and good.details["tests_passed"] == 30 and good.confidence >= 0.9
    late = run(v, py("n = int(input())\nprint(n * n if n < 25 else n)"), squares)  # wrong on tests 26-30 only
    assert not late.is_verified and "test 26/30" in late.explanation and late.details["tests_passed"] == 25
    calls = {"inputs": [[i] for i in range(30)], "outputs": [i * i for i in range(30)], "fn_name": "sq"}
    assert run(v, py("def sq(n):\n    return n * n"), calls).is_verified
    late_call = run(v, py("def sq(n):\n    return n * n if n < 25 else n"), calls)
    assert not late_call.is_verified and "test 26/30" in late_call.explanation


def test_statement_examples_and_no_tests(verifier: CodeVerifier) -> None:
    question = ("Given n, print n squared.\n\n-----Input-----\n\nThe first line contains an integer n.\n\n"
                "-----Output-----\n\nPrint one integer.\n\n-----Examples-----\nInput\n3\n\nOutput\n9\n\n"
                "Input\n5\n\nOutput\n25\n\n-----Note-----\n\nSquares.")
    ok = run(verifier, py("n = int(input())\nprint(n * n)"), None, question=question)
    assert ok.is_verified and ok.details["test_source"] == "statement" and ok.details["tests_total"] == 2
    assert ok.confidence < 0.9
    bad = run(verifier, py("n = int(input())\nprint(n + n)"), None, question=question)
    assert not bad.is_verified and bad.details["reason"] == "wrong_answer"
    # No tests and no examples: no verdict (confidence 0, never a confident False); the judge decides.
    none = run(verifier, py("def f(x):\n    return x"), None, question="Write f.")
    assert none.details["reason"] == "no_tests" and none.confidence == 0.0
    sql_typo = run(verifier, "```sql\nSELEC 1;\n```", None, question="Write a query.", language="sql")
    assert sql_typo.details["reason"] == "syntax_error" and not sql_typo.is_verified  # wrong whatever the tests


def test_syntax_error_never_reaches_the_sandbox(sandbox: Sandbox) -> None:
    class Exploding:
        name = "exploding"

        def run(self, job: Job) -> None:
            raise AssertionError("the sandbox must not be used")

    v = CodeVerifier(sandbox=Exploding())  # type: ignore[arg-type]
    for response, lang in ((py("def add(a, b)\n    return a + b"), "python"),
                           ("```js\nfunction add(a, b) { return a + ; }\n```", "javascript"),
                           ("```bash\nif true; then echo hi\n```", "bash")):
        r = v.verify(response, None, tests=ADD_CALLS, language=lang)
        assert r.details["reason"] == "syntax_error", r


def test_sandbox_faults_are_retried_then_reported(sandbox: Sandbox) -> None:
    from verifiers.sandbox.base import SandboxError

    class Flaky:
        name = "flaky"

        def __init__(self, failures: int) -> None:
            self.failures = failures

        def run(self, job: Job) -> Any:
            if self.failures:
                self.failures -= 1
                raise SandboxError("container vanished")
            return sandbox.run(job)

    good = py("def add(a, b):\n    return a + b")
    assert CodeVerifier(sandbox=Flaky(2), retries=2).verify(good, None, tests=ADD_CALLS).is_verified
    r = CodeVerifier(sandbox=Flaky(5), retries=2).verify(good, None, tests=ADD_CALLS)
    assert not r.is_verified and r.details["reason"] == "sandbox_error" and r.confidence == 0.0


def test_refusal_is_not_run(verifier: CodeVerifier) -> None:
    r = run(verifier, "I'm sorry, but I can't help with that request.", ADD_CALLS)
    assert r.method == "refusal" and not r.is_verified


def test_concurrent_verification_is_thread_safe(verifier: CodeVerifier) -> None:
    from concurrent.futures import ThreadPoolExecutor

    good, bad = py("def add(a, b):\n    return a + b"), py("def add(a, b):\n    return a * b")
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda i: run(verifier, good if i % 2 else bad, ADD_CALLS), range(12)))
    assert [r.is_verified for r in results] == [bool(i % 2) for i in range(12)]


# --------------------------------------------------------------------------- containment

# Whether sandboxed code has a network, decided without sending a packet beyond 127.0.0.0/8 (so the
# answer does not depend on what the host can reach): the network namespace's interfaces and routes, and
# a listener the test opens on the host's loopback. A sandbox with its own network namespace sees only
# its own `lo` (plus, on hosts with tunnel modules loaded, their inert per-namespace fallback devices),
# no route, and a 127.0.0.1 that is not the host's.
FALLBACK_TUNNELS = {"tunl0", "sit0", "ip6tnl0", "gre0", "gretap0", "erspan0", "ip6gre0", "ip_vti0", "ip6_vti0"}
NET_PROBE = """
import socket
with open("/proc/net/dev") as f:
    ifaces = sorted(line.split(":")[0].strip() for line in f.read().splitlines()[2:] if ":" in line)
extra = [i for i in ifaces if i != "lo" and i not in FALLBACK_TUNNELS]
with open("/proc/net/route") as f:
    routes4 = [line.split()[0] for line in f.read().splitlines()[1:] if line.strip()]
try:
    with open("/proc/net/ipv6_route") as f:
        routes6 = [line.split()[-1] for line in f.read().splitlines() if line.strip() and line.split()[-1] != "lo"]
except OSError:  # no IPv6 in this kernel
    routes6 = []
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(2)
try:
    s.connect(("127.0.0.1", PORT))
    reached = True
except OSError:
    reached = False
finally:
    s.close()
if "lo" in ifaces and not extra and not routes4 and not routes6 and not reached:
    print("isolated")
else:
    print(f"network: interfaces={ifaces} routes={routes4 + routes6} reached_host_listener={reached}")
"""
ISOLATED = {"inputs": [""], "outputs": ["isolated\n"]}
ECHO_TEST = {"inputs": [""], "outputs": ["blocked\n"]}


def net_probe(port: int) -> str:
    return NET_PROBE.replace("FALLBACK_TUNNELS", repr(sorted(FALLBACK_TUNNELS))).replace("PORT", str(port))


def test_no_network(verifier: CodeVerifier) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        probe = net_probe(listener.getsockname()[1])
        # Positive control: the same probe outside the sandbox reaches the listener, so a sandbox that
        # shares the host's network would be caught by it, whatever else the host can or cannot reach.
        outside = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)
        assert "reached_host_listener=True" in outside.stdout, (outside.stdout, outside.stderr)
        r = run(verifier, py(probe), ISOLATED)
    assert r.is_verified, r.explanation


def test_no_write_outside_the_work_dir(verifier: CodeVerifier) -> None:
    probe = py("""
import os
written = []
for path in ("/x", "/usr/x", "/etc/x", "/opt/bestofn/x", "/tmp/x", "/opt/bestofn/runner.py", "/proc/sys/kernel/x"):
    try:
        with open(path, "a") as f:
            f.write("x")
        written.append(path)
    except OSError:
        pass
open("here.txt", "w").write("fine")
print(written or "blocked")
""")
    r = run(verifier, probe, ECHO_TEST)
    assert r.is_verified, r.explanation
    assert "x" not in os.listdir("/") or not os.path.isfile("/x")


def test_host_environment_invisible(verifier: CodeVerifier, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-bestofn-secret-canary")
    probe = py("""
import os, glob
seen = [k for k, v in os.environ.items() if "canary" in v or k.endswith("API_KEY")]
for path in glob.glob("/proc/*/environ"):
    try:
        if b"canary" in open(path, "rb").read():
            seen.append(path)
    except OSError:
        pass
print(seen or "blocked")
""")
    assert run(verifier, probe, ECHO_TEST).is_verified


BOMBS = {
    "fork_bomb": ("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
                  {"timeout", "runtime_error", "memory"}),
    "memory_bomb": ("x = []\nwhile True:\n    x.append(bytearray(50 * 2**20))", {"memory"}),
    "infinite_loop": ("while True:\n    pass", {"timeout"}),
    "output_flood": ("import sys\nchunk = 'y' * 2**20\nfor _ in range(100):\n    sys.stdout.write(chunk)",
                     {"output_limit"}),
}


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_resource_bombs_are_contained(verifier: CodeVerifier, sandbox: Sandbox, bomb: str) -> None:
    code, reasons = BOMBS[bomb]
    started = time.monotonic()
    r = run(verifier, py(code), SUM_STDIO)
    assert not r.is_verified and r.details["reason"] in reasons, r
    assert time.monotonic() - started < 20
    assert wait_clean(sandbox) == []
    # The sandbox is still usable afterwards.
    assert run(verifier, py("a, b = map(int, input().split())\nprint(a + b)"), SUM_STDIO).is_verified


def test_sleeping_background_child_is_killed(verifier: CodeVerifier, sandbox: Sandbox) -> None:
    code = ("import subprocess, os\nsubprocess.Popen(['sleep', '1000'], start_new_session=True)\n"
            "os.system('sleep 1000 &')\na, b = map(int, input().split())\nprint(a + b)")
    started = time.monotonic()
    r = run(verifier, py(code), SUM_STDIO)
    assert r.is_verified and time.monotonic() - started < 10
    assert wait_clean(sandbox) == []


def test_dev_shm_is_empty_for_every_job(sandbox: Sandbox) -> None:
    """A pooled sandbox runs job after job: nothing one leaves in /dev/shm reaches the next."""
    plant = Job(runs=[Run(["bash", "-c", "mkdir -p /dev/shm/d && echo secret > /dev/shm/d/f && "
                                         "echo secret > /dev/shm/planted && ls /dev/shm"], timeout_s=5.0)])
    assert "planted" in sandbox.run(plant).runs[0].stdout
    for _ in range(3):  # whichever pooled sandbox takes the next job
        look = sandbox.run(Job(runs=[Run(["bash", "-c", "ls -A /dev/shm | wc -l"], timeout_s=5.0)]))
        assert look.runs[0].stdout.strip() == "0"


def test_runner_enforces_timeout_itself(sandbox: Sandbox) -> None:
    """The wall clock kills the sandboxed processes; it does not merely stop waiting for them."""
    job = Job(runs=[Run(["bash", "-c", "sleep 30 & sleep 30"], timeout_s=1.0)])
    started = time.monotonic()
    result = sandbox.run(job)
    assert result.runs[0].timed_out and time.monotonic() - started < 5
    assert wait_clean(sandbox) == []


# --------------------------------------------------------------------------- cheats

CHEATS = {
    "exit0_before_tests": "import sys\nsys.exit(0)\ndef add(a, b):\n    return a + b",
    "os_exit0_before_tests": "import os\nos._exit(0)\ndef add(a, b):\n    return a + b",
    "exit0_inside_call": "import os\ndef add(a, b):\n    os._exit(0)",
    "fake_success_line": "def add(a, b):\n    print('All tests passed')\n    print('OK')\n    import os; os._exit(0)",
    "always_equal": ("class Yes(int):\n    def __eq__(self, other):\n        return True\n    __hash__ = int.__hash__\n"
                     "class Any:\n    def __eq__(self, other):\n        return True\n    def __ne__(self, other):\n"
                     "        return False\ndef add(a, b):\n    return Any()"),
    "always_equal_int_subclass": ("class Yes(int):\n    def __eq__(self, other):\n        return True\n"
                                  "def add(a, b):\n    return Yes(0)"),
    "print_instead_of_return": "def add(a, b):\n    print(a + b)",
    "hard_code_first_example": "def add(a, b):\n    return 3",
    "kill_the_harness": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\ndef add(a, b):\n    return a + b",
    "steal_token_from_parent": (
        "import os\ntok = ''\ntry:\n    tok = open(f'/proc/{os.getppid()}/environ').read()\nexcept OSError:\n    pass\n"
        "try:\n    tok += open(f'/proc/{os.getppid()}/mem', 'rb').read(10).hex()\nexcept OSError:\n    pass\n"
        "print(tok)\nos._exit(0)"),
    "patch_builtins_and_exit": ("import builtins, sys\nbuiltins.AssertionError = type('N', (Exception,), {})\n"
                                "def add(a, b):\n    sys.exit(0)"),
}


@pytest.mark.parametrize("tests", [ADD_CHECK, ADD_CALLS], ids=["humaneval", "call"])
@pytest.mark.parametrize("cheat", list(CHEATS))
def test_function_cheats_are_rejected(verifier: CodeVerifier, cheat: str, tests: dict) -> None:
    r = run(verifier, py(CHEATS[cheat]), tests)
    assert not r.is_verified, (cheat, r)
    assert r.details["reason"] in {"wrong_answer", "runtime_error"}, r


# --------------------------------------------------------------------------- HumanEval's one namespace

FIND_ZERO = """import math


def poly(xs: list, x: float):
    return sum(coeff * math.pow(x, i) for i, coeff in enumerate(xs))


def find_zero(xs: list):
    begin, end = -1.0, 1.0
    while poly(xs, begin) * poly(xs, end) > 0:
        begin *= 2.0
        end *= 2.0
    while end - begin > 1e-10:
        center = (begin + end) / 2.0
        if poly(xs, center) * poly(xs, begin) > 0:
            begin = center
        else:
            end = center
    return begin
"""
# HumanEval/32's test: check() calls `poly`, which only the prompt (the candidate's module) defines.
FIND_ZERO_TEST = {"entry_point": "find_zero", "test": """
METADATA = {}


def check(candidate):
    import random
    rng = random.Random(42)
    import copy
    for _ in range(100):
        ncoeff = 2 * rng.randint(1, 4)
        coeffs = []
        for _ in range(ncoeff):
            coeff = rng.randint(-10, 10)
            if coeff == 0:
                coeff = 1
            coeffs.append(coeff)
        solution = candidate(copy.deepcopy(coeffs))
        assert math.fabs(poly(coeffs, solution)) < 1e-4
"""}
# HumanEval/38 and /50: check() encodes with the prompt's encoder and decodes with the candidate.
CYCLIC = ('def encode_cyclic(s: str):\n'
          '    groups = [s[3 * i:min(3 * i + 3, len(s))] for i in range((len(s) + 2) // 3)]\n'
          '    groups = [(g[1:] + g[0]) if len(g) == 3 else g for g in groups]\n    return "".join(groups)\n\n\n'
          'def decode_cyclic(s: str):\n    return encode_cyclic(encode_cyclic(s))\n')
CYCLIC_TEST = {"entry_point": "decode_cyclic", "test": (
    "def check(candidate):\n    from random import randint, choice\n    import string\n"
    "    letters = string.ascii_lowercase\n    for _ in range(50):\n"
    "        str = ''.join(choice(letters) for i in range(randint(10, 20)))\n"
    "        assert candidate(encode_cyclic(str)) == str\n")}
# HumanEval/53: the entry point called by its own name.
ADD_BY_NAME = {"entry_point": "add", "test": (
    "METADATA = {}\n\ndef check(candidate):\n    import random\n    assert add(0, 1) == 1\n    assert add(5, 7) == 12\n"
    "    for i in range(20):\n        x, y = random.randint(0, 1000), random.randint(0, 1000)\n"
    "        assert add(x, y) == x + y\n")}
# A test that uses `math` without importing it: only the candidate's module does.
ROOT_TEST = {"entry_point": "root", "test": (
    "def check(candidate):\n    assert math.isclose(candidate(2.0), math.sqrt(2.0))\n"
    "    assert math.isclose(candidate(9.0), 3.0)\n")}
ROOT = "import math\n\ndef root(x):\n    return math.sqrt(x)"


@pytest.mark.parametrize(("solution", "wrong", "tests"), [
    (FIND_ZERO, FIND_ZERO.replace("return begin", "return begin + 0.5"), FIND_ZERO_TEST),
    (CYCLIC, CYCLIC.replace("return encode_cyclic(encode_cyclic(s))", "return s[::-1]"), CYCLIC_TEST),
    ("def add(x: int, y: int):\n    return x + y", "def add(x: int, y: int):\n    return x + y + (x == 0)",
     ADD_BY_NAME),
    (ROOT, ROOT.replace("math.sqrt(x)", "x ** 0.49"), ROOT_TEST),
], ids=["helper_poly", "helper_encoder", "entry_point_by_name", "module_of_the_candidate"])
def test_humaneval_test_sees_the_candidates_names(verifier: CodeVerifier, solution: str, wrong: str,
                                                  tests: dict) -> None:
    ok = run(verifier, py(solution), tests)
    assert ok.is_verified and ok.confidence >= 0.8, ok.explanation
    bad = run(verifier, py(wrong), tests)
    assert not bad.is_verified and bad.details["reason"] == "wrong_answer", bad.explanation


# Cheats through the shared names: (test, an honest solution it accepts, a wrong one rigging the namespace).
CLOSE_TEST = {"entry_point": "half", "test": (
    "TOL = 1e-9\n\ndef _close(a, b):\n    return abs(a - b) <= TOL\n\n"
    "def check(candidate):\n    assert _close(candidate(3), 1.5)\n    assert _close(candidate(10), 5)\n")}
BUILTIN_TEST = {"entry_point": "half", "test": (
    "def check(candidate):\n    assert isinstance(candidate(3), float)\n    assert abs(candidate(3) - 1.5) < 1e-9\n"
    "    assert all(candidate(x) == x / 2 for x in range(10))\n    assert sorted([candidate(4), 1.0]) == [1.0, 2.0]\n")}
HALF = "def half(x):\n    return x / 2"
SHARED_CHEATS = {
    "defines_check": (ADD_CHECK, "def add(a, b):\n    return a + b",
                      "def add(a, b):\n    return 0\n\ndef check(candidate):\n    pass"),
    "rigs_the_tests_helper_and_constant": (
        CLOSE_TEST, HALF, "TOL = 1e9\n\ndef _close(a, b):\n    return True\n\ndef half(x):\n    return 0.0"),
    "shadows_builtins": (
        BUILTIN_TEST, HALF,
        "def abs(x):\n    return 0\n\ndef all(x):\n    return True\n\ndef isinstance(a, b):\n    return True\n\n"
        "def sorted(x):\n    return [1.0, 2.0]\n\nAssertionError = None\n\ndef half(x):\n    return 7"),
    "replaces_dunder_builtins": (
        BUILTIN_TEST, HALF,
        "import builtins\n__builtins__ = dict(vars(builtins), abs=lambda x: 0, all=lambda x: True, "
        "isinstance=lambda a, b: True, sorted=lambda x: [1.0, 2.0])\n\ndef half(x):\n    return 7"),
    "fake_module_under_the_tests_name": (
        ROOT_TEST, ROOT,
        "import types\nmath = types.ModuleType('math')\nmath.isclose = lambda *a, **k: True\n"
        "math.sqrt = lambda x: 0\n\ndef root(x):\n    return 0.0"),
    "defines_candidate_and_metadata": (
        ADD_BY_NAME, "def add(x, y):\n    return x + y",
        "METADATA = {'pass': True}\ncandidate = lambda *a: 1\n\ndef add(x, y):\n    return 1"),
}


@pytest.mark.parametrize("cheat", list(SHARED_CHEATS))
def test_shared_namespace_cheats_are_rejected(verifier: CodeVerifier, cheat: str) -> None:
    tests, honest, rigged = SHARED_CHEATS[cheat]
    assert run(verifier, py(honest), tests).is_verified  # the test itself works
    r = run(verifier, py(rigged), tests)
    assert not r.is_verified, (cheat, r)
    assert r.details["reason"] in {"wrong_answer", "runtime_error"}, r


STDIO_CHEATS = {
    "exit0_before_output": "import sys\nsys.exit(0)\na, b = map(int, input().split())\nprint(a + b)",
    "fake_success_line": "print('All tests passed')",
    "hard_code_first_example": "print(3)",
    "exit_code_only": "import os\nos._exit(0)",
}


@pytest.mark.parametrize("cheat", list(STDIO_CHEATS))
def test_stdio_cheats_are_rejected(verifier: CodeVerifier, cheat: str) -> None:
    r = run(verifier, py(STDIO_CHEATS[cheat]), SUM_STDIO)
    assert not r.is_verified and r.details["reason"] == "wrong_answer", r


def test_javascript_cheats_are_rejected(verifier: CodeVerifier) -> None:
    cheats = [
        "process.exit(0);\nfunction add(a, b) { return a + b; }",
        "function add(a, b) { return {valueOf: () => a + b, toString: () => String(a + b)}; }",
        "function add(a, b) { console.log(a + b); }",
        "function add(a, b) { process.exit(0); }",
    ]
    for code in cheats:
        r = run(verifier, f"```javascript\n{code}\n```", ADD_CALLS, language="javascript")
        assert not r.is_verified, (code, r)
