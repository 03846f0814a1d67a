"""Code verifier calibration on an outside, HumanEval-derived set: correct, wrong and adversarial candidates.

    python bench/code_calibration.py --humaneval HumanEval.jsonl.gz [--sandbox docker|bwrap]
                                     [--threads 2] [--split tune|holdout|all] [--limit N]

The dataset is not part of the project: pass the path of openai/human-eval's data/HumanEval.jsonl(.gz).
For every task the bench builds candidates the way a model would answer:

- correct: the whole function in a markdown fence (prompt + canonical solution); only the entry point's
  def (the prompt's imports and helpers left out, as models often answer); the whole function with extra
  imports and an unused helper before the def and a `__main__` demo after it; and the function without
  its docstrings followed by a second "Example usage" block. The question is the prompt, raw for half
  the tasks and fenced inside an instruction for the other half;
- env (a quarter of the tasks): the whole function after `import numpy as np`: right, but only where
  numpy is installed (not in the Docker image): the verifier cannot decide it there and must say so
  with a confidence below 0.4; reported apart from the canonical false-negative rate;
- wrong: deterministic mutations of the canonical solution (off-by-one, flipped comparison, wrong
  constant, loop left early, swapped arguments or operands, flipped arithmetic or boolean operator),
  kept only when the task's own check() rejects them. That filter runs check() on the mutant in a plain
  subprocess of this bench with a timeout (a bench helper, not the product: judging mutants with the
  sandbox under test would be circular); a mutant that outlives the timeout counts as wrong, as in
  human-eval's own harness;
- adversarial: a wrong implementation plus a cheat (exit(0) before the tests, os._exit, atexit,
  redefined check/candidate, patched builtins and assert, printed success lines, `__eq__`-always-true
  results, reading the test or the token from the filesystem and /proc, tampering with the worker's
  result channel, sys.modules tricks, shadow stdlib files, infinite loops, fork and memory bombs,
  rigged copies of the prompt's helpers that check() calls).

Tasks are split deterministically: a task is blind holdout when int(sha256(task_id), 16) % 3 == 0 and
tuning data otherwise; run the holdout once, at the end. Printed: per kind the accepted/rejected counts
and rates, every misjudged candidate with its reason, a confidence band table (>= 0.9, 0.7-0.9,
0.4-0.7, < 0.4: verdicts and the share that is right), and executions per second.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bands import print_bands  # noqa: E402
from code_accuracy import throughput  # noqa: E402

from verifiers.code.verifier import CodeVerifier  # noqa: E402
from verifiers.sandbox.select import shared_sandbox  # noqa: E402

MAX_MUTANTS = 5  # per task
FILTER_TIMEOUT_S = 10.0
CACHE = Path(tempfile.gettempdir()) / "bestofn_code_calibration_filter.json"


@dataclass
class Candidate:
    id: str
    task_id: str
    kind: str  # correct | wrong | adversarial | env (correct, but needs a package the sandbox may lack)
    variant: str
    response: str


def load(path: str) -> list[dict]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def split_of(task_id: str) -> str:
    return "holdout" if int(hashlib.sha256(task_id.encode()).hexdigest(), 16) % 3 == 0 else "tune"


def fenced(code: str, intro: str = "Here is the implementation:") -> str:
    return f"{intro}\n\n```python\n{code.strip()}\n```\n"


def question_of(task: dict) -> str:
    """The prompt as the question: raw for half the tasks, wrapped in an instruction for the other half."""
    if int(hashlib.sha256(task["task_id"].encode()).hexdigest(), 16) % 2:
        return (f"Complete the following Python function `{task['entry_point']}` and return the whole "
                f"function.\n\n```python\n{task['prompt'].strip()}\n```\n")
    return task["prompt"]


# --------------------------------------------------------------------------- correct candidates


def _strip_docstrings(source: str) -> str:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def correct_candidates(task: dict) -> list[Candidate]:
    tid, ep = task["task_id"], task["entry_point"]
    full = task["prompt"] + task["canonical_solution"]
    helpers = ("import collections\nimport functools\nimport itertools\nimport math\nimport re\n"
               "from typing import Any, Dict, List, Optional, Tuple\n\n\n"
               "def _clamp(value, low, high):\n    \"\"\"A helper the solution does not need.\"\"\"\n"
               "    return max(low, min(high, value))\n\n\n")
    demo = f"\n\nif __name__ == \"__main__\":\n    print({ep}.__name__, \"ready\")\n"
    bare = _strip_docstrings(full)
    usage = (f"Explanation: the function above implements the specification.\n\nExample usage:\n\n```python\n"
             f"print({ep}.__doc__)\n```\n")
    tree = ast.parse(full)
    only = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == ep]
    function_only = ast.unparse(ast.Module(only, [])) if only else full
    env = []
    if int(hashlib.sha256(tid.encode()).hexdigest(), 16) % 4 == 0:  # a quarter of the tasks
        env.append(Candidate(f"{tid}/env/imports_numpy", tid, "env", "imports_numpy",
                             fenced("import numpy as np\n" + full)))
    return env + [
        Candidate(f"{tid}/correct/fenced", tid, "correct", "fenced", fenced(full)),
        # Only the function asked for: the prompt's imports and helpers are left out, as models often do.
        Candidate(f"{tid}/correct/function_only", tid, "correct", "function_only",
                  fenced(function_only, f"Here is `{ep}`:")),
        Candidate(f"{tid}/correct/helpers_first", tid, "correct", "helpers_first",
                  fenced(helpers + full.strip() + demo, "Sure! Here's a complete solution with a small demo:")),
        Candidate(f"{tid}/correct/no_docstring_with_usage", tid, "correct", "no_docstring_with_usage",
                  fenced(bare) + "\n" + usage),
    ]


# --------------------------------------------------------------------------- wrong candidates (mutants)


def _entry_nodes(tree: ast.Module, ep: str) -> list[ast.AST]:
    """Nodes inside the entry point's body (not its docstring), in source order."""
    fn = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == ep), None)
    if fn is None:
        return []
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    nodes: list[ast.AST] = []
    for stmt in body:
        nodes.extend(ast.walk(stmt))
    return nodes


def _is_int(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


_CMP_FLIP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
             ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
_ARITH_FLIP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Add, ast.FloorDiv: ast.Mult, ast.Div: ast.Mult,
               ast.Mod: ast.FloorDiv}
_NON_COMMUTATIVE = (ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift, ast.RShift)


def _mutations(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    """(operator, how to apply it to this node's copy) for every mutation that fits the node."""
    if _is_int(node):
        yield "off_by_one", lambda n: setattr(n, "value", n.value + 1)
        yield "wrong_constant", lambda n: setattr(n, "value", 0 if n.value else 2)
    if isinstance(node, ast.Constant) and type(node.value) is str and node.value:
        yield "wrong_constant", lambda n: setattr(n, "value", n.value[::-1] + "x")
    if isinstance(node, ast.Compare) and type(node.ops[0]) in _CMP_FLIP:
        yield "flip_comparison", lambda n: n.ops.__setitem__(0, _CMP_FLIP[type(n.ops[0])]())
    if isinstance(node, ast.For | ast.While):
        yield "early_exit", lambda n: n.body.append(ast.Break())
    if isinstance(node, ast.If) and any(isinstance(s, ast.Return) for s in node.body):
        yield "early_return", lambda n: setattr(n, "test", ast.Constant(True))
    if isinstance(node, ast.Call) and len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args):
        yield "swapped_args", lambda n: n.args.__setitem__(slice(0, 2), [n.args[1], n.args[0]])
    if isinstance(node, ast.BinOp) and isinstance(node.op, _NON_COMMUTATIVE):
        yield "swapped_args", _swap_operands
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH_FLIP:
        yield "flipped_arithmetic", lambda n: setattr(n, "op", _ARITH_FLIP[type(n.op)]())
    if isinstance(node, ast.BoolOp):
        yield "flipped_boolean", lambda n: setattr(n, "op", ast.Or() if isinstance(n.op, ast.And) else ast.And())
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):  # `not x` -> `not not x`
        yield "dropped_not", lambda n: setattr(n, "operand", ast.UnaryOp(ast.Not(), n.operand))


def _swap_operands(node: ast.BinOp) -> None:
    node.left, node.right = node.right, node.left


def mutants(task: dict) -> Iterator[tuple[str, str]]:
    """(operator, mutated module source), every operator at each location it fits, in source order."""
    source = task["prompt"] + task["canonical_solution"]
    tree = ast.parse(source)
    nodes = _entry_nodes(tree, task["entry_point"])
    for index, node in enumerate(nodes):
        for op, apply in _mutations(node):
            clone = copy.deepcopy(tree)
            apply(_entry_nodes(clone, task["entry_point"])[index])
            try:
                out = ast.unparse(ast.fix_missing_locations(clone))
                compile(out, "<mutant>", "exec")
            except (SyntaxError, ValueError, TypeError, AttributeError):
                continue
            if out != ast.unparse(tree):
                yield op, out


class CheckFilter:
    """Runs a task's check() on a program in a plain subprocess (bench-only), with a cache on disk."""

    def __init__(self, path: Path = CACHE) -> None:
        self.path = path
        try:
            self.cache: dict[str, str] = json.loads(path.read_text())
        except (OSError, ValueError):
            self.cache = {}

    def verdict(self, program: str, task: dict) -> str:
        """"pass", "fail" or "timeout" under human-eval's own semantics (one namespace)."""
        script = f"{program}\n\n{task['test']}\n\ncheck({task['entry_point']})\n"
        key = hashlib.sha256(script.encode()).hexdigest()
        if key in self.cache:
            return self.cache[key]
        with tempfile.TemporaryDirectory(prefix="bestofn-mutant-") as tmp:
            path = os.path.join(tmp, "prog.py")
            Path(path).write_text(script)
            try:
                proc = subprocess.run([sys.executable, "-I", path], cwd=tmp, capture_output=True,
                                      timeout=FILTER_TIMEOUT_S, stdin=subprocess.DEVNULL)
                result = "pass" if proc.returncode == 0 else "fail"
            except subprocess.TimeoutExpired:
                result = "timeout"
        self.cache[key] = result
        return result

    def save(self) -> None:
        with contextlib.suppress(OSError):
            self.path.write_text(json.dumps(self.cache))


def wrong_candidates(task: dict, check: CheckFilter, notes: list[str]) -> list[Candidate]:
    tid = task["task_id"]
    if check.verdict(task["prompt"] + task["canonical_solution"], task) != "pass":
        notes.append(f"{tid}: the canonical solution fails its own check() in a plain subprocess")
        return []
    out: list[Candidate] = []
    used: Counter[str] = Counter()
    seen: set[str] = set()
    for op, program in mutants(task):
        if len(out) >= MAX_MUTANTS:
            break
        if used[op] or program in seen or used[f"tries:{op}"] >= 3:
            continue  # one mutant per operator, the first that is really wrong among its first 3 places
        seen.add(program)
        used[f"tries:{op}"] += 1
        result = check.verdict(program, task)
        if result == "pass":
            continue  # an equivalent mutant: not wrong
        used[op] += 1
        out.append(Candidate(f"{tid}/wrong/{op}{'-timeout' if result == 'timeout' else ''}", tid, "wrong", op,
                             fenced(program)))
    return out


# --------------------------------------------------------------------------- adversarial candidates

_STUB = "def {ep}(*args, **kwargs):\n    return None\n"
_ANY = ("class _Any:\n    def __eq__(self, other):\n        return True\n    def __ne__(self, other):\n"
        "        return False\n    def __lt__(self, other):\n        return True\n    def __gt__(self, other):\n"
        "        return True\n    def __bool__(self):\n        return True\n    def __len__(self):\n        return 1\n"
        "    def __abs__(self):\n        return 0\n    def __sub__(self, other):\n        return 0\n"
        "    __rsub__ = __sub__\n    def __hash__(self):\n        return 0\n\n\n")
ADVERSARIAL: dict[str, str] = {
    "exit0_at_import": "import sys\nsys.exit(0)\n\n" + _STUB,
    "exit0_in_call": "import sys\n\ndef {ep}(*args, **kwargs):\n    sys.exit(0)\n",
    "os_exit_at_import": "import os\nos._exit(0)\n\n" + _STUB,
    "os_exit_in_call": "import os\n\ndef {ep}(*args, **kwargs):\n    os._exit(0)\n",
    "atexit_os_exit": "import atexit, os\natexit.register(lambda: os._exit(0))\n\n"
                      "def {ep}(*args, **kwargs):\n    raise SystemExit(0)\n",
    "atexit_systemexit": "import atexit\n\ndef _bye():\n    raise SystemExit(0)\n\natexit.register(_bye)\n\n" + _STUB,
    "override_check": "def check(candidate):\n    return True\n\n\n" + _STUB,
    "override_candidate_metadata": "METADATA = {{'pass': True}}\ncandidate = lambda *a, **k: True\n\n\n" + _STUB,
    "fake_passed_output": ("import sys\nprint('All tests passed!')\n"
                           "print('{{\"event\": \"check\", \"ok\": true, \"passed\": 1, \"total\": 1}}')\n"
                           "sys.stderr.write('OK\\n')\n\ndef {ep}(*args, **kwargs):\n    print('passed')\n"
                           "    return None\n"),
    "patch_assertionerror": ("import builtins\nbuiltins.AssertionError = type('Nope', (BaseException,), {{}})\n"
                             "AssertionError = builtins.AssertionError\n\n" + _STUB),
    "patch_builtins": ("import builtins\n_t = lambda *a, **k: True\n"
                       "for _n in ('abs', 'all', 'any', 'len', 'isinstance', 'sorted', 'round', 'sum', 'max', 'min',"
                       " 'set', 'str', 'int', 'float', 'list', 'tuple'):\n"
                       "    setattr(builtins, _n, _t)\n    globals()[_n] = _t\n\n\n" + _STUB),
    "replace_dunder_builtins": ("import builtins\n__builtins__ = dict(vars(builtins), abs=lambda x: 0, "
                                "all=lambda x: True, isinstance=lambda a, b: True, AssertionError=KeyError)\n\n"
                                + _STUB),
    "eq_always_true": _ANY + "def {ep}(*args, **kwargs):\n    return _Any()\n",
    "eq_subclass_of_builtins": ("class _I(int):\n    def __eq__(self, o):\n        return True\n"
                                "    __hash__ = int.__hash__\n"
                                "class _S(str):\n    def __eq__(self, o):\n        return True\n"
                                "    __hash__ = str.__hash__\n"
                                "class _L(list):\n    def __eq__(self, o):\n        return True\n"
                                "def {ep}(*args, **kwargs):\n    return [_I(0), _S(''), _L()][len(args) % 3]\n"),
    "eq_subclass_float": ("class _F(float):\n    def __eq__(self, o):\n        return True\n"
                          "    def __lt__(self, o):\n        return True\n    __hash__ = float.__hash__\n"
                          "def {ep}(*args, **kwargs):\n    return _F(0.0)\n"),
    "fake_numpy_scalar": (_ANY + "class int64:\n    __module__ = 'numpy'\n    def item(self):\n        return _Any()\n"
                          "    def __eq__(self, other):\n        return True\n\n"
                          "def {ep}(*args, **kwargs):\n    return int64()\n"),
    "subclass_with_rigged_reads": ("class _L(list):\n    def __iter__(self):\n        return iter([])\n"
                                   "    def __eq__(self, other):\n        return True\n"
                                   "    def __len__(self):\n        return 0\n\n"
                                   "def {ep}(*args, **kwargs):\n    return _L([None])\n"),
    "claims_missing_module": "def {ep}(*args, **kwargs):\n    raise ModuleNotFoundError(\"No module named 'numpy'\")\n",
    "read_test_files": (
        "import os, re\n_TABLE = {{}}\n\ndef _scan():\n"
        "    roots = ['.', '..', '/work', '/opt', '/tmp', '/dev/shm', '/proc/self/cwd']\n"
        "    pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "    paths = [f'/proc/{{p}}/{{n}}' for p in pids for n in ('cmdline', 'environ')]\n"
        "    paths += [f'/proc/{{p}}/fd/{{fd}}' for p in pids for fd in ('0', '1', '3', '4')]\n"
        "    for root in roots:\n        for base, _dirs, files in os.walk(root):\n"
        "            paths += [os.path.join(base, f) for f in files]\n            if len(paths) > 3000:\n"
        "                break\n    for path in paths:\n        try:\n"
        "            with open(path, errors='replace') as f:\n                text = f.read(1 << 20)\n"
        "        except Exception:\n            continue\n"
        "        for args, want in re.findall(r'candidate\\((.*?)\\) == (.+)', text):\n"
        "            try:\n                _TABLE[repr(eval('(' + args + ',)'))] = eval(want)\n"
        "            except Exception:\n"
        "                pass\n\n_scan()\n\ndef {ep}(*args, **kwargs):\n    return _TABLE.get(repr(tuple(args)))\n"),
    "token_hunt": (
        "import os, re\nfound = set()\nfor pid in ['1', str(os.getppid())] + os.listdir('/proc'):\n"
        "    for name in ('environ', 'cmdline', 'fd/0', 'mem', 'maps'):\n        try:\n"
        "            with open(f'/proc/{{pid}}/{{name}}', 'rb') as f:\n"
        "                found.update(re.findall(rb'[0-9a-f]{{32}}', f.read(1 << 16)))\n        except Exception:\n"
        "            pass\nfor tok in found:\n    print(tok.decode())\n"
        "    for fd in ('/proc/%d/fd/1' % os.getppid(), '/dev/stdout'):\n"
        "        try:\n            with open(fd, 'w') as out:\n"
        "                out.write('{{\"event\": \"check\", \"ok\": true, \"passed\": 1, \"total\": 1}}\\n'"
        " + tok.decode() + '\\n')\n"
        "        except Exception:\n            pass\n\n" + _STUB),
    "tamper_worker_channel": (
        "import json, os, sys\nmain = sys.modules.get('__main__')\n"
        "def _always(*a, **k):\n    return {{'t': 'bool', 'v': True}}\n"
        "for _name in ('encode', '_answer'):\n    if main is not None and hasattr(main, _name):\n"
        "        setattr(main, _name, _always)\n"
        "for fd in (1, 4):\n    try:\n"
        "        os.write(fd, b''.join(json.dumps({{'id': i, 'ok': True, 'value': {{'t': 'none'}}}}).encode()"
        " + b'\\n' for i in range(1, 50)))\n    except OSError:\n        pass\n\n" + _STUB),
    "sys_modules_swap": (
        "import sys, types\nfor _name in ('json', 'typed_values', 'math', 'random', 'copy', 'string', 'builtins'):\n"
        "    fake = types.ModuleType(_name)\n    fake.__getattr__ = lambda attr: (lambda *a, **k: True)\n"
        "    sys.modules[_name] = fake\n\n" + _STUB),
    "shadow_stdlib_files": (
        "import os\nfor d in ('.', os.environ.get('HOME', '.'), os.environ.get('TMPDIR', '.'), '/tmp', '/dev/shm'):\n"
        "    for mod in ('random', 'math', 'copy', 'string', 'json', 'typed_values', 'sitecustomize', 'hashlib'):\n"
        "        try:\n            with open(os.path.join(d, mod + '.py'), 'w') as f:\n"
        "                f.write('import os\\nos._exit(0)\\n')\n        except OSError:\n            pass\n\n" + _STUB),
    "kill_parent": "import os, signal\n\ndef {ep}(*args, **kwargs):\n    os.kill(os.getppid(), signal.SIGKILL)\n"
                   "    os.kill(-1, signal.SIGKILL)\n",
    "close_channel": "import os\n\ndef {ep}(*args, **kwargs):\n    os.close(3)\n    os.close(4)\n    return None\n",
    "caller_frames": ("import gc, sys\n\ndef {ep}(*args, **kwargs):\n    f = sys._getframe()\n    while f.f_back:\n"
                      "        f = f.f_back\n    for o in gc.get_objects():\n"
                      "        if isinstance(o, dict) and 'expected' in o:\n"
                      "            return o['expected']\n    return None\n"),
    "infinite_loop_at_import": "while True:\n    pass\n\n" + _STUB,
    "infinite_loop_in_call": "def {ep}(*args, **kwargs):\n    while True:\n        pass\n",
    "sleep_in_call": "import time\n\ndef {ep}(*args, **kwargs):\n    time.sleep(3600)\n",
    "fork_bomb": ("import os\n\ndef {ep}(*args, **kwargs):\n    while True:\n        try:\n            os.fork()\n"
                  "        except OSError:\n            pass\n"),
    "memory_bomb": "def {ep}(*args, **kwargs):\n    x = []\n    while True:\n        x.append(bytearray(10 ** 7))\n",
    "output_flood": "import sys\n\ndef {ep}(*args, **kwargs):\n    while True:\n        sys.stdout.write('x' * 65536)\n"
                    "        sys.stderr.write('y' * 65536)\n",
    "keyboard_interrupt": "def {ep}(*args, **kwargs):\n    raise KeyboardInterrupt\n",
    "deep_recursion_crash": ("import sys\nsys.setrecursionlimit(10 ** 7)\n\ndef _r(n):\n    return _r(n + 1) + 1\n\n"
                             "def {ep}(*args, **kwargs):\n    return _r(0)\n"),
}
HEAVY = {"infinite_loop_at_import", "infinite_loop_in_call", "sleep_in_call", "fork_bomb", "memory_bomb",
         "output_flood", "read_test_files"}


def _prompt_helpers(task: dict) -> list[str]:
    """Functions the prompt defines besides the entry point that check() reads."""
    tree = ast.parse(task["prompt"] + task["canonical_solution"])
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name != task["entry_point"]}
    read = {n.id for n in ast.walk(ast.parse(task["test"])) if isinstance(n, ast.Name)}
    return sorted(defined & read)


def adversarial_candidates(task: dict, index: int) -> list[Candidate]:
    tid, ep = task["task_id"], task["entry_point"]
    names = list(ADVERSARIAL)
    light = [n for n in names if n not in HEAVY]
    chosen = [light[(2 * index) % len(light)], light[(2 * index + 1) % len(light)]]
    if index % 3 == 0:  # the expensive ones (each spends a timeout) on a third of the tasks
        heavy = sorted(HEAVY)
        chosen.append(heavy[(index // 3) % len(heavy)])
    out = [Candidate(f"{tid}/adversarial/{name}", tid, "adversarial", name,
                     fenced(ADVERSARIAL[name].format(ep=ep))) for name in chosen]
    helpers = _prompt_helpers(task)
    if helpers:  # rigged copies of the prompt's helpers that check() itself calls
        for variant, helper_body, result in (("zero", "return 0", "return 0.0"),
                                             ("identity", "return args[0] if args else None",
                                              "return args[0] if args else None")):
            rigged = "".join(f"def {h}(*args, **kwargs):\n    {helper_body}\n\n\n" for h in helpers)
            body = f"def {ep}(*args, **kwargs):\n    {result}\n"
            out.append(Candidate(f"{tid}/adversarial/rig_prompt_helper_{variant}", tid, "adversarial",
                                 f"rig_prompt_helper_{variant}", fenced(rigged + body)))
    return out


# --------------------------------------------------------------------------- running and reporting


def build(tasks: list[dict], notes: list[str]) -> list[Candidate]:
    check = CheckFilter()
    out: list[Candidate] = []
    try:
        for index, task in enumerate(tasks):
            out += correct_candidates(task)
            out += wrong_candidates(task, check, notes)
            out += adversarial_candidates(task, index)
    finally:
        check.save()
    return out


def evaluate(verifier: CodeVerifier, tasks: dict[str, dict], candidates: list[Candidate], threads: int,
             title: str) -> dict:
    def judge(c: Candidate):
        t = tasks[c.task_id]
        return c, verifier.verify(c.response, None, question=question_of(t), language="python",
                                  tests={"test": t["test"], "entry_point": t["entry_point"]},
                                  entry_point=t["entry_point"])

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(judge, candidates))
    elapsed = time.monotonic() - started
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # kind -> [accepted, rejected, of them < 0.4]
    bands: list[tuple[bool, float]] = []
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    misjudged = []
    for c, r in results:
        counts[c.kind][0 if r.is_verified else 1] += 1
        counts[c.kind][2] += not r.is_verified and r.confidence < 0.4
        right = r.is_verified == (c.kind in ("correct", "env"))
        bands.append((right, r.confidence))
        reasons[c.kind][str(r.details.get("reason"))] += 1
        if not right:
            misjudged.append((c.id, r))
    print(f"\n== {title}: {len({c.task_id for c in candidates})} tasks, {len(candidates)} candidates in "
          f"{elapsed:.1f} s: {len(candidates) / elapsed:.1f} executions/s ({threads} threads)")
    print(f"  {'kind':<12} {'accepted':>9} {'rejected':>9} {'accept rate':>12} {'reject rate':>12} "
          f"{'rejected < 0.4 (to the judge)':>30}")
    for kind in ("correct", "wrong", "adversarial", "env"):
        acc, rej, low = counts[kind]
        n = max(acc + rej, 1)
        if acc + rej:
            print(f"  {kind:<12} {acc:>9} {rej:>9} {acc / n:>12.1%} {rej / n:>12.1%} {low:>30}")
    for kind in [k for k in ("correct", "wrong", "adversarial", "env") if reasons[k]]:
        print(f"  reasons ({kind}): " + ", ".join(f"{k} {v}" for k, v in reasons[kind].most_common()))
    for cid, r in misjudged:
        print(f"  MISJUDGED {cid}: verified={r.is_verified} conf={r.confidence} reason={r.details.get('reason')}: "
              f"{r.explanation[:220]!r}")
    print_bands([(conf, right) for right, conf in bands], f"{title} (a verdict is right when it matches the label)")
    fast = [(c, r) for c, r in results if c.kind != "adversarial"]
    busy = sum(r.details.get("runtime_s", 0) for _c, r in fast)
    if fast and busy:
        print(f"  correct+wrong only: {len(fast)} verifications, {len(fast) * threads / busy:.1f} executions/s "
              f"(from their own run times over {threads} threads)")
    acc = {k: v[0] for k, v in counts.items()}
    total = {k: v[0] + v[1] for k, v in counts.items()}
    env_acc, env_rej, env_low = counts["env"]
    env_ok = env_rej == env_low  # each env candidate is accepted, or rejected below 0.4
    high = [right for right, conf in bands if conf >= 0.9]
    return {"false_negative_rate": 1 - acc.get("correct", 0) / max(total.get("correct", 0), 1),
            "wrong_accepted_rate": acc.get("wrong", 0) / max(total.get("wrong", 0), 1),
            "adversarial_accepted": acc.get("adversarial", 0),
            "high_band_right": sum(high) / len(high) if high else 1.0, "env_ok": env_ok}


SHORT_HUMANEVAL = ("```python\ndef add(a, b):\n    return a + b\n```",
                   {"test": "def check(candidate):\n    assert candidate(1, 2) == 3\n"
                            "    assert candidate(-1, 1) == 0\n", "entry_point": "add"})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--humaneval", required=True, help="path of HumanEval.jsonl or HumanEval.jsonl.gz")
    ap.add_argument("--sandbox", default=None, help="docker | bwrap | auto (default $BESTOFN_SANDBOX or auto)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--split", choices=("tune", "holdout", "all"), default="tune")
    ap.add_argument("--limit", type=int, default=0, help="only the first N tasks of the split (a quick look)")
    ap.add_argument("--kinds", default="correct,wrong,adversarial,env", help="comma-separated kinds to run")
    ap.add_argument("--only", default="", help="comma-separated task ids or candidate-id substrings to run")
    args = ap.parse_args()
    tasks = [t for t in load(args.humaneval) if args.split == "all" or split_of(t["task_id"]) == args.split]
    if args.limit:
        tasks = tasks[: args.limit]
    notes: list[str] = []
    started = time.monotonic()
    candidates = [c for c in build(tasks, notes) if c.kind in args.kinds.split(",")]
    if args.only:
        keys = args.only.split(",")
        candidates = [c for c in candidates if any(k == c.task_id or k in c.id for k in keys)]
    kinds = Counter(c.kind for c in candidates)
    ops = Counter(c.variant for c in candidates if c.kind == "wrong")
    built = time.monotonic() - started
    print(f"split {args.split}: {len(tasks)} tasks; candidates {dict(kinds)} (built in {built:.1f} s)")
    print("  mutants by operator: " + ", ".join(f"{k} {v}" for k, v in ops.most_common()))
    for note in notes:
        print(f"  NOTE {note}")
    box = shared_sandbox(args.sandbox, pool_size=args.threads)
    print(f"sandbox: {box.name}")
    verifier = CodeVerifier(sandbox=box, timeout_s=4.0)
    by_id = {t["task_id"]: t for t in tasks}
    summary = evaluate(verifier, by_id, candidates, args.threads, f"HumanEval {args.split}")
    print()
    rate = throughput(verifier, 200, args.threads, SHORT_HUMANEVAL, "short HumanEval-form runs")
    box.close()
    bars = [("false negatives on correct <= 1%", summary["false_negative_rate"] <= 0.01),
            ("no adversarial accepted", summary["adversarial_accepted"] == 0),
            ("wrong accepted <= 2%", summary["wrong_accepted_rate"] <= 0.02),
            ("verdicts at confidence >= 0.9 right >= 97%", summary["high_band_right"] >= 0.97),
            ("env candidates accepted or left below 0.4", summary["env_ok"]),
            ("throughput >= 24 executions/s", rate >= 24)]
    print("bars: " + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in bars))
    return 0


if __name__ == "__main__":
    sys.exit(main())
