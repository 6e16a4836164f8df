"""The class grader: every submission in its own sandboxed interpreter; verdicts in this one.

    python -m tinygrad_edu.exercises grade [--out DIR] [--timeout S] [--memory MB] [--jobs N] FILE...

What happens to each submission (a ``.py`` file, a notebook ``.ipynb``, or a folder of them):

1. All submissions are read into memory before any of them runs.
2. For each one, a fresh ``python -I -B -m tinygrad_edu.exercises._runner`` starts in a new
   temporary folder holding only a copy of that submission.  Where bubblewrap (``bwrap``)
   works, the child sees a read-only file system with only the interpreter and this package,
   a private ``/tmp``, no network and no other process, and may write at most 64 MB (its
   folder and ``/tmp`` are small memory file systems); elsewhere it runs with process limits
   only (said once at the start of the run).  Either way it has a memory limit
   (``RLIMIT_AS``), a CPU-time limit, a file-size limit and a wall-clock timeout per
   exercise and per submission.
3. This process draws each exercise's inputs (seeded by exercise and file name), sends them,
   reads back plain observations and judges them.  Student code never runs here, so it
   cannot change another student's marks, the checkers, or the table.
4. A submission that loops, exits, eats memory or crashes one exercise loses that exercise
   (outcome ``timeout``, ``exited``, ``memory``...); the child is restarted for the rest.

Every submission gets a row and every exercise one of ``OUTCOMES``.
"""

import ast
import builtins
import csv
import dataclasses
import hashlib
import html
import io
import json
import keyword
import os
import re
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tokenize
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ._common import ExerciseFailed

__all__ = ["OUTCOMES", "Options", "Submission", "ExerciseResult", "Row", "read_submission",
           "notebook_chunks", "grade_submission", "grade_all", "sandbox_kind", "write_outputs",
           "identical_groups"]

OUTCOMES = ("pass", "fail", "timeout", "memory", "exited", "checker-error", "not-attempted",
            "cannot-load")

#: Modules a notebook imports only to show things; not needed to grade.
_DISPLAY_MODULES = {"matplotlib", "IPython", "ipywidgets", "seaborn", "tqdm", "pandas"}
#: Seconds a submission may take to load (its imports and definitions), at most.
_LOAD_SECONDS = 30.0


@dataclasses.dataclass
class Options:
    """Limits of one run: ``timeout`` and ``memory`` are per submission."""
    timeout: float = 120.0          # wall-clock seconds for the whole submission
    exercise_timeout: float = 0.0   # cap on one exercise's seconds (0: each exercise's own allowance)
    memory: int = 1024              # MB of address space for the child
    file_mb: int = 16               # largest file the child may write
    sandbox: str = "auto"           # "auto" (bubblewrap if it works), "bwrap" or "none"
    python: str = sys.executable


@dataclasses.dataclass
class Submission:
    """A submission read into memory: its name, the files it came from and its code chunks."""
    name: str
    path: str
    chunks: list                    # [(label, code)]: label "file", an exercise id, or "cell N"
    files: dict                     # {file name: bytes}: what the child's folder receives
    error: str = ""                 # why it could not be read (then it is not run)


@dataclasses.dataclass
class ExerciseResult:
    outcome: str
    score: float
    max: float
    hint: str = ""
    message: str = ""


@dataclasses.dataclass
class Row:
    submission: Submission
    results: dict                   # {exercise id: ExerciseResult}
    seconds: float = 0.0

    @property
    def score(self):
        return round(sum(r.score for r in self.results.values()), 6)

    @property
    def max(self):
        return sum(r.max for r in self.results.values())


# -- reading submissions ---------------------------------------------------------------------
def read_submission(path):
    """Read a ``.py``, an ``.ipynb`` or a folder of them into a ``Submission`` (never raises)."""
    path = os.fspath(path)
    name = os.path.splitext(os.path.basename(os.path.normpath(path)))[0]
    try:
        if os.path.isdir(path):
            entries = sorted(e for e in os.listdir(path) if e.endswith((".py", ".ipynb")))
            if not entries:
                raise ValueError("the folder holds no .py or .ipynb file")
            parts = [read_submission(os.path.join(path, e)) for e in entries]
            broken = [p for p in parts if p.error]
            if broken:
                raise ValueError(broken[0].error)
            files = {k: v for p in parts for k, v in p.files.items()}
            return Submission(name, path, [c for p in parts for c in p.chunks], files)
        with open(path, "rb") as f:
            data = f.read(20 * 2 ** 20 + 1)
        if len(data) > 20 * 2 ** 20:
            raise ValueError("larger than 20 MB")
        base = os.path.basename(path)
        if path.endswith(".ipynb"):
            return Submission(name, path, notebook_chunks(json.loads(data.decode("utf-8"))), {base: data})
        if path.endswith(".py"):
            return Submission(name, path, [("file", data.decode("utf-8"))], {base: data})
        raise ValueError("give a .py file, an .ipynb notebook or a folder of them")
    except (OSError, ValueError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        return Submission(name, path, [], {}, error=f"cannot read {path}: {reason}")


_MAGIC = re.compile(r"^\s*[%!]")


def notebook_chunks(nb):
    """The code to grade from a notebook: tagged setup and exercise cells, definitions elsewhere.

    Cells tagged ``exercise-setup`` run whole; a cell tagged ``exercise`` and an exercise id
    (``nb03_ex1``) runs whole under that id, without its checker calls.  Other code cells
    contribute only their imports and ``def``/``class`` statements, so a notebook's training
    and plotting cells never run.  IPython magics (``%...``, ``!...``) are dropped.
    """
    from . import EXERCISES

    chunks = []
    for k, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        source = "\n".join("" if _MAGIC.match(line) else line for line in source.splitlines())
        tags = set(cell.get("metadata", {}).get("tags", []) or [])
        ids = sorted(t for t in tags if t in EXERCISES)
        if "exercise" in tags and ids:
            chunks.append((ids[0], _without_checker_calls(source)))
        elif "exercise-setup" in tags:
            chunks.append((f"cell {k}", _without_checker_calls(source)))
        else:
            kept = _definitions_only(source)
            if kept:
                chunks.append((f"cell {k}", kept))
    return chunks


def _without_checker_calls(source):
    """Drop top-level statements that call a checker (``try_check(...)``, ``check_x(...)``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source                      # the child reports the syntax error with its line
    lines = source.splitlines()
    for node in reversed(tree.body):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            called = node.value.func
            name = called.id if isinstance(called, ast.Name) else getattr(called, "attr", "")
            if name == "try_check" or name.startswith("check_"):
                for i in range(node.lineno - 1, node.end_lineno):
                    lines[i] = ""
    return "\n".join(lines)


def _definitions_only(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    keep = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            keep.append(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                      [a.name for a in node.names]
            if not any(m.split(".")[0] in _DISPLAY_MODULES for m in modules):
                keep.append(node)
    return "\n".join(ast.get_source_segment(source, n) for n in keep)


# -- the sandbox -----------------------------------------------------------------------------
_sandbox_cache = {}


def sandbox_kind(options=None):
    """``"bubblewrap"`` if bwrap works here (and is wanted), else ``"process limits only"``."""
    options = options or Options()
    if options.sandbox == "none":
        return "process limits only"
    key = (options.sandbox, options.python)
    if key not in _sandbox_cache:
        works = False
        bwrap = shutil.which("bwrap")
        if bwrap:
            try:
                works = subprocess.run([bwrap, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent",
                                        "true"], capture_output=True, timeout=20).returncode == 0
            except (OSError, subprocess.SubprocessError):
                works = False
        if options.sandbox == "bwrap" and not works:
            raise RuntimeError("bubblewrap (bwrap) is not installed or does not work here")
        _sandbox_cache[key] = "bubblewrap" if works else "process limits only"
    return _sandbox_cache[key]


_view_cache = {}


def _child_view(python):
    """The folders the child interpreter needs: its sys.path and this package (asked once)."""
    if python not in _view_cache:
        probe = ("import json, sys, tinygrad_edu, os;"
                 "print(json.dumps([sys.path, os.path.dirname(tinygrad_edu.__file__), sys.base_prefix,"
                 " sys.prefix]))")
        out = subprocess.run([python, "-I", "-B", "-c", probe], capture_output=True, text=True,
                             timeout=60, env=_child_env(tempfile.gettempdir()))
        if out.returncode != 0:
            raise RuntimeError(f"{python} cannot import tinygrad_edu: {out.stderr.strip()[-300:]}")
        path, package, base, prefix = json.loads(out.stdout)
        binds = {os.path.realpath(p) for p in path + [package, base, prefix] if p and os.path.exists(p)}
        binds.add(os.path.dirname(os.path.realpath(python)))
        binds.add(os.path.dirname(os.path.abspath(python)))
        _view_cache[python] = (sorted(binds), os.path.realpath(package))
    return _view_cache[python]


#: What the child needs from /etc (the dynamic loader's cache, the time zone), nothing else.
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/nsswitch.conf")
#: Bytes the child may write: its working folder and its /tmp are memory file systems this big.
_SCRATCH_BYTES = 64 * 2 ** 20


def _bwrap_prefix(python, workdir, hide, files):
    binds, package = _child_view(python)
    argv = [shutil.which("bwrap"), "--unshare-all", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--size", str(_SCRATCH_BYTES), "--tmpfs", "/tmp"]
    # A private /tmp first: an interpreter or venv that lives under /tmp is bound back over it.
    for system in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64") + _ETC_FILES:
        argv += ["--ro-bind-try", system, system]
    for path in binds:
        argv += ["--ro-bind", path, path]
    # The answer key (teacher/ beside the package) and the class's own files stay hidden even
    # when one of the folders above contains them.
    hidden = {os.path.join(os.path.dirname(package), "teacher")} | {os.path.realpath(h) for h in hide}
    for path in sorted(hidden):
        if os.path.isdir(path) and any(path == b or path.startswith(b + os.sep) for b in binds):
            argv += ["--tmpfs", path]
    argv += ["--proc", "/proc", "--dev", "/dev", "--size", str(_SCRATCH_BYTES), "--tmpfs", workdir]
    for name in files:                     # the copy of the submission, read-only in a writable folder
        argv += ["--ro-bind", os.path.join(workdir, name), os.path.join(workdir, name)]
    return argv + ["--chdir", workdir, "--"]


def _child_env(workdir):
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir,
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": os.path.join(workdir, ".matplotlib"),
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# -- one child process -----------------------------------------------------------------------
class _Gone(Exception):
    """The child ended, timed out or broke the protocol; ``outcome`` names what happened."""

    def __init__(self, outcome, message):
        super().__init__(message)
        self.outcome = outcome
        self.message = message


def _signal_number(name):
    return getattr(signal, name, None)      # Windows has no SIGXCPU or SIGKILL


class _Child:
    """One sandboxed interpreter holding a loaded submission.

    A reader thread moves the child's output lines into a queue, so waiting for an
    answer with a deadline works the same on every platform.
    """

    _MAX_LINE = 32 * 2 ** 20

    def __init__(self, argv, workdir, token):
        self.token = token
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=workdir, env=_child_env(workdir),
                                     start_new_session=(os.name == "posix"))
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        """Forward lines (at most _MAX_LINE bytes each) until the child closes its output."""
        stream = self.proc.stdout
        try:
            while True:
                line = stream.readline(self._MAX_LINE)
                if not line:
                    break
                if not line.endswith(b"\n"):
                    self.lines.put(b"")        # too long or cut off: not a message of ours
                    continue
                self.lines.put(line)
        except (OSError, ValueError):
            pass
        self.lines.put(None)

    def send(self, message):
        try:
            self.proc.stdin.write((json.dumps(message, allow_nan=True) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._gone() from None

    def receive(self, seconds, match=None):
        """The next message with our token (and ``match`` fields) within ``seconds``; else _Gone."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.lines.get(timeout=max(left, 0.0))
            except queue.Empty:
                self.kill()
                raise _Gone("timeout", f"no answer within {seconds:.0f} s") from None
            if line is None:
                raise self._gone()
            message = self._parse(line)
            if message is not None and all(message.get(k) == v for k, v in (match or {}).items()):
                return message

    def _parse(self, line):
        try:
            message = json.loads(line)
        except ValueError:
            return None                    # not ours: the submission wrote to the channel
        if type(message) is not dict or message.get("token") != self.token:
            return None
        return message

    def _gone(self):
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        cpu, killed, segv = (_signal_number(n) for n in ("SIGXCPU", "SIGKILL", "SIGSEGV"))
        if cpu and code in (-cpu, 128 + cpu):
            return _Gone("timeout", "the CPU-time limit was reached")
        if killed and code in (-killed, 128 + killed, -segv, 128 + segv):
            return _Gone("memory", f"the process was killed (exit status {code}): out of memory or stack")
        return _Gone("exited", f"the code ended the process (exit status {code}) before answering")

    def kill(self):
        if self.proc.poll() is None:
            try:
                if os.name == "posix":
                    os.killpg(self.proc.pid, signal.SIGKILL)   # the child and anything it started
                else:
                    self.proc.kill()
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


# -- grading one submission ------------------------------------------------------------------
def grade_submission(sub, exercise_ids=None, options=None, hide=()):
    """A ``Row`` for one submission: every exercise gets an outcome, whatever the code does."""
    from . import EXERCISES

    options = options or Options()
    ids = list(exercise_ids or EXERCISES)
    results = {}
    started = time.monotonic()

    def record(eid, outcome, message="", hint="", earned=0.0):
        parts = EXERCISES[eid].parts
        score = round(earned * parts) / parts if outcome == "fail" else float(outcome == "pass")
        results[eid] = ExerciseResult(outcome, score, 1.0, hint, message)

    if sub.error:
        for eid in ids:
            record(eid, "cannot-load", sub.error)
        return Row(sub, results, 0.0)

    workdir = tempfile.mkdtemp(prefix="tinygrad_edu_grade_")
    try:
        pending = list(ids)
        while pending:
            left = options.timeout - (time.monotonic() - started)
            if left <= 0.5:
                for eid in pending:
                    record(eid, "timeout", f"the submission's {options.timeout:.0f} s were spent")
                break
            _refresh_folder(workdir, sub)
            stop = _run_child(sub, pending, options, workdir, left, hide, record)
            pending = [eid for eid in pending if eid not in results]
            if stop:
                break
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return Row(sub, {eid: results[eid] for eid in ids}, time.monotonic() - started)


def _refresh_folder(workdir, sub):
    """The child's folder holds a fresh copy of the submission and nothing else."""
    for entry in os.listdir(workdir):
        target = os.path.join(workdir, entry)
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target, ignore_errors=True)
        else:
            os.unlink(target)
    for name, data in sub.files.items():
        with open(os.path.join(workdir, name), "wb") as f:
            f.write(data)


def _run_child(sub, pending, options, workdir, budget, hide, record):
    """Start a child, load the submission, probe the pending exercises; True if loading failed."""
    from . import EXERCISES

    token = secrets.token_hex(16)
    argv = [options.python, "-I", "-B", "-m", "tinygrad_edu.exercises._runner"]
    if sandbox_kind(options) == "bubblewrap":
        argv = _bwrap_prefix(options.python, workdir, hide, sub.files) + argv
    deadline = time.monotonic() + budget
    child = _Child(argv, workdir, token)
    try:
        limits = {"memory_mb": options.memory, "cpu_seconds": budget + 2, "file_mb": options.file_mb}
        try:
            child.send({"token": token, "limits": limits, "chunks": sub.chunks})
            hello = child.receive(min(_LOAD_SECONDS, budget))
        except _Gone as gone:
            why = {"timeout": "the file did not finish loading (a loop at import?)"}.get(gone.outcome,
                                                                                       gone.message)
            for eid in pending:
                record(eid, gone.outcome, why)
            return True
        if "load" in hello:
            for eid in pending:
                record(eid, str(hello["load"]) if hello["load"] in OUTCOMES else "exited",
                       str(hello.get("message", "")))
            return True
        for eid in pending:
            left = deadline - time.monotonic()
            if left <= 0.5:
                return False               # the caller records the spent budget
            ex = EXERCISES[eid]
            cases = ex.make_cases(sub.name)
            allowed = min(ex.seconds, options.exercise_timeout or ex.seconds, left)
            try:
                child.send({"exercise": eid, "cases": cases})
                reply = child.receive(allowed, {"exercise": eid})
            except _Gone as gone:
                message = gone.message
                if gone.outcome == "timeout":
                    message = f"no answer within {allowed:.0f} s (an endless loop?)"
                record(eid, gone.outcome, message)
                return False               # restart a fresh child for the rest
            _judge_reply(ex, cases, reply, record)
        return False
    finally:
        child.kill()


def _judge_reply(ex, cases, reply, record):
    if "seen" in reply:
        try:
            record(ex.id, "pass", str(ex.verdict(cases, reply["seen"])))
        except ExerciseFailed as err:
            outcome = "not-attempted" if err.kind == "not-attempted" else "fail"
            record(ex.id, outcome, err.problem, err.hint, earned=err.earned)
        except Exception as err:           # noqa: BLE001 - reported, never a pass
            record(ex.id, "checker-error", f"the grader could not judge this answer ({type(err).__name__}: "
                                           f"{err}): a bug in the grader, or a submission that "
                                           "tampered with what it reports")
        return
    outcome = reply.get("outcome")
    if outcome not in OUTCOMES or outcome == "pass":
        outcome = "fail"
    record(ex.id, outcome, str(reply.get("message", ""))[:2000], str(reply.get("hint", ""))[:2000])


# -- a class -------------------------------------------------------------------------------------
def grade_all(paths, exercise_ids=None, options=None, jobs=None, progress=None):
    """Rows for every path, in the given order; all files are read before any runs."""
    options = options or Options()
    subs = [read_submission(p) for p in paths]
    _unique_names(subs)
    hide = {os.path.dirname(os.path.abspath(p)) for p in paths} | {os.path.abspath(p) for p in paths}
    jobs = max(1, jobs or os.cpu_count() or 1)
    done = 0
    lock = threading.Lock()

    def one(sub):
        nonlocal done
        row = grade_submission(sub, exercise_ids, options, hide)
        with lock:
            done += 1
            if progress:
                progress(done, len(subs), row)
        return row

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, subs))


def _unique_names(subs):
    """Two files called alice.py in different folders become alice and alice-2."""
    seen = Counter()
    for sub in subs:
        seen[sub.name] += 1
        if seen[sub.name] > 1:
            sub.name = f"{sub.name}-{seen[sub.name]}"


# -- identical submissions -----------------------------------------------------------------------
#: Names kept as they are when fingerprinting (``print`` stays ``print``, ``total`` becomes n0).
_BUILTIN_NAMES = frozenset(dir(builtins))


def _fingerprint(sub):
    """A hash of the code with comments, whitespace and every name's spelling removed."""
    out = []
    for _, code in sub.chunks:
        names = {}
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
        except (tokenize.TokenError, SyntaxError, IndentationError):
            out.append(code)
            continue
        previous = None
        for tok in tokens:
            if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                            tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            text = tok.string
            if tok.type == tokenize.STRING and previous in (None, "NEWLINE"):
                continue                   # docstrings
            if tok.type == tokenize.NAME and not keyword.iskeyword(text) and text not in _BUILTIN_NAMES:
                text = names.setdefault(text, f"n{len(names)}")
            out.append(text)
            previous = tok.type
    return hashlib.sha256(" ".join(out).encode()).hexdigest()


def identical_groups(rows):
    """Groups (lists of file paths) of submissions identical up to names, comments and spacing.

    Submissions that attempted nothing are left out: untouched stubs are alike by design.
    """
    groups = {}
    for row in rows:
        if not row.submission.chunks or all(r.outcome in ("not-attempted", "cannot-load")
                                           for r in row.results.values()):
            continue
        groups.setdefault(_fingerprint(row.submission), []).append(row.submission.path)
    return [g for g in groups.values() if len(g) > 1]


# -- outputs ---------------------------------------------------------------------------------------
def _short(eid):
    return eid[2:].replace("_ex", ".")


def print_table(rows, ids, stream=None, verbose=False):
    """The ✓/✗ table: one row per submission, one column per exercise, then the score."""
    stream = stream or sys.stdout
    width = max(len(r.submission.path) for r in rows) + 2 if rows else 10
    marks = {"pass": "✓", "fail": "✗", "timeout": "T", "memory": "M", "exited": "E",
             "checker-error": "!", "not-attempted": "·", "cannot-load": "L"}
    print("submission".ljust(width) + " ".join(f"{_short(i):>4}" for i in ids) + "   score", file=stream)
    for row in rows:
        cells = " ".join(f"{marks[row.results[i].outcome]:>4}" for i in ids)
        print(row.submission.path.ljust(width) + cells + f"   {_fmt_score(row.score)}/{_fmt_score(row.max)}",
              file=stream)
        if verbose:
            for i in ids:
                r = row.results[i]
                if r.outcome != "pass":
                    text = f"{i} {r.outcome}: {r.message}" + (f"\n      hint: {r.hint}" if r.hint else "")
                    print("    " + text.replace("\n", "\n    "), file=stream)
    print("key: ✓ pass  ✗ fail  T timeout  M memory  E exited  L cannot load  · not attempted  "
          "! checker error (our bug)", file=stream)


def _fmt_score(x):
    return f"{x:g}"


def _cell(text):
    """A spreadsheet cell that is text, never a formula (a file named '=cmd()' stays a name)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_outputs(rows, ids, out_dir, sandbox):
    """grades.csv, grades.json and report.html in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "file"] + list(ids) + ["score", "max"])
        for row in rows:
            writer.writerow([_cell(row.submission.name), _cell(row.submission.path)]
                            + [_fmt_score(row.results[i].score) for i in ids]
                            + [_fmt_score(row.score), _fmt_score(row.max)])
    groups = identical_groups(rows)
    data = {
        "submissions": [{
            "student": row.submission.name, "file": row.submission.path, "score": row.score,
            "max": row.max, "seconds": round(row.seconds, 3),
            "exercises": {i: {"outcome": r.outcome, "score": r.score, "max": r.max, "hint": r.hint,
                              "message": r.message} for i, r in row.results.items()},
        } for row in rows],
        "exercises": list(ids),
        "identical": groups,
        "sandbox": sandbox,
    }
    (out / "grades.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    (out / "report.html").write_text(_report_html(rows, ids, groups, sandbox), encoding="utf-8")
    return out


_NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])")


def common_mistakes(rows, eid, top=5):
    """The most frequent (hint, count) among failures of one exercise.

    Numbers are masked (``#``) so the same mistake counts once per student whatever their
    instance: "you used x (=#); ... partials swapped".
    """
    said = Counter()
    for row in rows:
        r = row.results[eid]
        if r.outcome == "fail":
            said[_NUMBER.sub("#", r.hint or r.message)] += 1
    return said.most_common(top)


def _report_html(rows, ids, groups, sandbox):
    from . import EXERCISES

    esc = html.escape
    n = len(rows)
    body = [f"<h1>Class report</h1><p>{n} submission{'s' if n != 1 else ''}; mean score "
            f"{(sum(r.score for r in rows) / n if n else 0):.1f} of {len(ids)}; sandbox: {esc(sandbox)}.</p>",
            "<h2>Exercises</h2><table><tr><th>exercise</th><th>pass rate</th><th></th>"
            "<th>most frequent mistakes (how many students)</th></tr>"]
    for eid in ids:
        passed = sum(row.results[eid].outcome == "pass" for row in rows)
        rate = passed / n if n else 0.0
        other = Counter(row.results[eid].outcome for row in rows if row.results[eid].outcome not in ("pass", "fail"))
        mistakes = "".join(f"<li>{esc(text)} <b>({count})</b></li>" for text, count in common_mistakes(rows, eid))
        mistakes += "".join(f"<li><i>{esc(o)}</i> <b>({c})</b></li>" for o, c in other.most_common())
        body.append(f"<tr><td>{esc(eid)}<br><small>{esc(EXERCISES[eid].title)}</small></td>"
                    f"<td>{passed}/{n} ({rate:.0%})</td>"
                    f"<td><div class=bar><div style='width:{rate * 100:.0f}%'></div></div></td>"
                    f"<td><ul>{mistakes}</ul></td></tr>")
    body.append("</table><h2>Identical submissions</h2>")
    if groups:
        body.append("<p>These files are the same code up to names, comments and spacing. "
                    "That is worth a look, not a verdict.</p><ul>")
        body += [f"<li>{', '.join(esc(p) for p in g)}</li>" for g in groups]
        body.append("</ul>")
    else:
        body.append("<p>None.</p>")
    body.append("<h2>Students</h2><table><tr><th>student</th><th>score</th><th>not passed</th></tr>")
    for row in rows:
        missed = ", ".join(f"{i} ({r.outcome})" for i, r in row.results.items() if r.outcome != "pass")
        body.append(f"<tr><td title='{esc(row.submission.path)}'>{esc(row.submission.name)}</td>"
                    f"<td>{_fmt_score(row.score)}/"
                    f"{_fmt_score(row.max)}</td><td>{esc(missed)}</td></tr>")
    body.append("</table>")
    style = ("body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3em;"
             "text-align:left;vertical-align:top}.bar{width:8em;height:.8em;background:#eee}"
             ".bar div{height:100%;background:#3a7}ul{margin:0;padding-left:1.2em}"
             "@media (prefers-color-scheme:dark){body{background:#111;color:#ddd}.bar{background:#333}}")
    return ("<!doctype html><html lang=en><meta charset=utf-8><title>Class report</title>"
            f"<style>{style}</style><body>" + "".join(body) + "</body></html>")
