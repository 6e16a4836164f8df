"""The ``tinygrad-edu`` command: the tour, and any formula's graph and gradient.

    tinygrad-edu demo                                   # the tour; diagrams into diagrams/
    tinygrad-edu draw "tanh(x*w + b)" x=0.5 w=-3 b=2 -o neuron.svg
    tinygrad-edu grad "x*y + sin(x)" x=1 y=2 --order 2
    tinygrad-edu course                                 # the notebooks, into ./tinygrad_edu_course

Formulas are read by :mod:`tinygrad_edu.formula` (a checked syntax tree, never
``eval``).  Every problem -- a bad formula, a missing value, log of a negative,
an unwritable file -- ends the command with one line on stderr and exit code 2,
and no file is created unless the command succeeded.

>>> main(["grad", "x**2", "x=3"])           # doctest: +NORMALIZE_WHITESPACE +ELLIPSIS
f = x**2
at x = 3
<BLANKLINE>
autodiff central difference
f 9
df/dx 6 6.0000000...
0
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from . import engine
from ._numbers import central_difference, format_number, is_finite, relative_step
from .engine import Value
from .formula import (MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH, FormulaError, parse,
                      parse_assignments)

__all__ = ["main", "build_parser", "CommandError", "COMMAND_TIME_LIMIT"]

PROG = "tinygrad-edu"
#: Seconds any command may run before it is stopped (a last-resort bound; formulas
#: have their own, smaller limits).
COMMAND_TIME_LIMIT = 120.0
_OUTPUT_KINDS = {".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot", ".html": "html"}

EXAMPLES = f"""\
examples:
  {PROG} demo                                  the tour of the seed; diagrams into diagrams/
  {PROG} demo --out /tmp/pictures
  {PROG} draw "tanh(x*w + b)" x=0.5 w=-3 b=2 -o neuron.svg
  {PROG} draw "x*y + sin(x)" x=1 y=2 -o graph.png --rankdir TB --local
  {PROG} draw "tanh(x*w + b)" x=0.5 w=-3 b=2 --steps -o backward.html
  {PROG} draw "log(x) * y" x=2 y=3                (no -o: prints the DOT text)
  {PROG} grad "x*y + sin(x)" x=1 y=2
  {PROG} grad "x**2 * y" x=1.5 y=-2 --order 2     (with the Hessian)
  {PROG} grad "abs(z)**2" z=1+2j                   (complex: autograd's convention)
  {PROG} course                                (the notebooks into ./tinygrad_edu_course)
  {PROG} course ~/autodiff                     (or into a folder of your choice)

formulas: numbers, variables, + - * / **, unary -, parentheses, pi, e, and the
engine's functions: exp log sqrt sin cos tan tanh arctan sinh cosh log1p expm1
sigmoid softplus relu leaky_relu abs real imag conj.  Values: name=number
(int, float, complex like 1+2j, or a constant formula like pi/4).
Limits: {MAX_LENGTH:,} characters, {MAX_DEPTH // 2} nested parentheses, {MAX_DEPTH} levels in
all (a chain a+b+c... counts one level per operator), |constant exponent| <= {MAX_EXPONENT}.
Errors: one line on stderr and exit code 2.
"""


class CommandError(Exception):
    """A problem with the command line itself (a bad option or output file)."""


class _TimeUp(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line (and exit code 2)."""

    def error(self, message: str) -> NoReturn:
        raise CommandError(f"{message} (see {self.prog} --help)")


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of ``tinygrad-edu`` (subcommands demo, draw, grad, course)."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog=PROG, formatter_class=fmt, epilog=EXAMPLES, allow_abbrev=False,
                     description="Automatic differentiation you can read, draw and check.")
    commands = parser.add_subparsers(dest="command", metavar="{demo,draw,grad,course}")
    commands.required = True

    demo = commands.add_parser("demo", help="the tour of the seed, writing diagrams",
                               formatter_class=fmt, epilog=EXAMPLES)
    demo.add_argument("--out", default="diagrams", metavar="DIR",
                      help="folder for the diagrams (default: diagrams)")
    demo.add_argument("--steps", type=int, default=100, metavar="N",
                      help="training steps for the two-moons network (default 100, as in "
                           "micrograd's demo)")
    demo.add_argument("--quick", action="store_true",
                      help="train the two-moons network for 15 steps only (a fast check)")

    draw = commands.add_parser("draw", help="draw a formula's graph with its gradients",
                               formatter_class=fmt, epilog=EXAMPLES)
    draw.add_argument("formula", help='e.g. "tanh(x*w + b)"')
    draw.add_argument("values", nargs="*", metavar="name=value", help="e.g. x=0.5 w=-3 b=2")
    draw.add_argument("-o", "--output", metavar="FILE",
                      help="FILE.svg, .png, .dot or (with --steps) .html; "
                           "without it the DOT text is printed")
    draw.add_argument("--rankdir", default="LR", choices=["LR", "TB", "RL", "BT"],
                      help="direction of the data flow (default LR: left to right)")
    draw.add_argument("--no-grad", action="store_true", help="draw values only (no backward)")
    draw.add_argument("--local", action="store_true",
                      help="label each edge with its local derivative")
    draw.add_argument("--steps", action="store_true",
                      help="write an HTML step-through of the backward pass (-o FILE.html)")
    draw.add_argument("--max-nodes", type=int, default=300, metavar="N",
                      help="draw at most N nodes (default 300)")

    grad = commands.add_parser("grad", help="print a formula's value and partial derivatives",
                               formatter_class=fmt, epilog=EXAMPLES)
    grad.add_argument("formula", help='e.g. "x*y + sin(x)"')
    grad.add_argument("values", nargs="*", metavar="name=value", help="e.g. x=1 y=2")
    grad.add_argument("--order", type=int, default=1, choices=[1, 2],
                      help="2 also prints the Hessian (second derivatives)")

    course = commands.add_parser(
        "course", help="copy the course's notebooks into a folder of yours",
        formatter_class=fmt, description="Copy the notebooks (and the exercises' guide) into "
        "DIR.  Run it again after upgrading tinygrad_edu: new versions replace the files you "
        "have not changed; a file you changed is kept as it is.")
    course.add_argument("dir", nargs="?", default=DEFAULT_COURSE_DIR, metavar="DIR",
                        help=f"the folder (default: ./{DEFAULT_COURSE_DIR}; made if missing)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 error).

    Errors print one line on stderr -- never a traceback.
    """
    argv = _formulas_are_not_options(sys.argv[1:] if argv is None else list(argv))
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:            # --help
        return done.code if isinstance(done.code, int) else 0
    except CommandError as error:
        return _fail(error)
    try:
        with _time_limit(COMMAND_TIME_LIMIT):
            return _COMMANDS[args.command](args)
    except (FormulaError, CommandError) as error:
        return _fail(error)
    except _TimeUp:
        return _fail(f"stopped: the command took longer than {COMMAND_TIME_LIMIT:g} s")
    except KeyboardInterrupt:
        return _fail("interrupted", code=130)
    except (RecursionError, MemoryError) as error:
        return _fail(f"the formula is too large to handle ({type(error).__name__})")


def _fail(error: object, code: int = 2) -> int:
    message = " ".join(str(error).split()) or type(error).__name__
    if len(message) > _MESSAGE_LIMIT:       # a huge argument echoed back stays one short line
        message = f"{message[:_MESSAGE_LIMIT - 30]}... ({len(message)} characters)"
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


_MESSAGE_LIMIT = 400
_TAKES_VALUE = {"-o", "--output", "--rankdir", "--max-nodes", "--order", "--out"}
_MATH = re.compile(r"[^A-Za-z0-9_=-]")


def _formulas_are_not_options(argv: list[str]) -> list[str]:
    """Let a formula start with a minus sign: ``grad "-x**2" x=1``.

    argparse reads anything starting with "-" as an option.  A token that
    contains a character no option has (``*``, ``(``, a space...) is a formula,
    so it gets a leading space, which argparse leaves alone and the formula
    parser ignores.  (A bare ``-x`` still needs ``0-x`` or ``--`` before it.)
    """
    fixed = []
    for i, token in enumerate(argv):
        after_option = i > 0 and argv[i - 1] in _TAKES_VALUE
        if token.startswith("-") and not after_option and "=" not in token.split("(")[0] \
                and _MATH.search(token):
            token = " " + token
        fixed.append(token)
    return fixed


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise _TimeUp after ``seconds`` (Unix main thread only; elsewhere no bound)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: object) -> NoReturn:
        raise _TimeUp()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------
# Shared by draw and grad: formula + values -> leaves and output Value
# --------------------------------------------------------------------------
def _build(formula_text: str, value_items: Sequence[str]) -> Any:
    """Parse everything first, then evaluate: ``(formula, leaves, root)``."""
    formula = parse(formula_text)
    values = parse_assignments(value_items)
    leaves = {name: Value(v, label=name) for name, v in values.items()}
    root = formula.evaluate(leaves)
    return formula, leaves, root


def _guarded(what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run an engine step; its domain errors become one-line FormulaErrors."""
    try:
        return fn(*args, **kwargs)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError, ArithmeticError) as err:
        raise FormulaError(f"{what}: {err}") from None


def _num(x: Any) -> str:
    """A number for a person: 12 significant digits, complex as (a+bj)."""
    x = x.data if isinstance(x, Value) else x
    text = format_number(x, 12, plain=True)
    return f"({text})" if isinstance(x, complex) else text


def _values_line(leaves: Mapping[str, Value]) -> str:
    return ", ".join(f"{name} = {_num(v)}" for name, v in leaves.items()) or "(no variables)"


# --------------------------------------------------------------------------
# grad
# --------------------------------------------------------------------------
def _command_grad(args: argparse.Namespace) -> int:
    formula, leaves, root = _build(args.formula, args.values)
    wrt = list(leaves.values())
    first = _guarded("the derivative is undefined here",
                     engine.gradients, root, wrt, create_graph=args.order == 2)
    for name, leaf in leaves.items():
        if not is_finite(first[leaf]):
            raise FormulaError(f"the derivative wrt {name} is not finite here "
                               f"({_num(first[leaf])})")
    numeric = _central_differences(formula, leaves)
    rows = [("f", _num(root), "")]
    for name, leaf in leaves.items():
        check = numeric.get(name)
        rows.append((f"df/d{name}", _num(first[leaf]), "" if check is None else _num(check)))
    print(f"f = {formula.text}")
    print(f"at {_values_line(leaves)}")
    print()
    _print_table(["", "autodiff", "central difference"], rows)
    if args.order == 2:
        _print_hessian(leaves, first)
    return 0


def _central_differences(formula: Any, leaves: Mapping[str, Value], h: float = 1e-5) -> dict[str, Any]:
    """Independent check of each partial: (f(x+h) - f(x-h)) / 2h, real inputs only."""
    values = {name: leaf.data for name, leaf in leaves.items()}
    if any(isinstance(v, complex) for v in values.values()):
        return {}
    out = {}
    for name, x in values.items():
        def f(moved, name=name):
            y = formula.evaluate({**values, name: moved}).data
            if isinstance(y, complex):    # left the real domain within h: no check shown
                raise FormulaError("complex")
            return y
        try:
            out[name] = central_difference(f, x, relative_step(h, x))
        except FormulaError:              # e.g. a domain edge within h: no check shown
            continue
    return out


def _print_hessian(leaves: Mapping[str, Value], first: Any) -> None:
    names = list(leaves)
    wrt = list(leaves.values())
    rows = []
    for name in names:
        g = first[leaves[name]]
        if isinstance(g, Value) and g.children:
            second = _guarded("the second derivative is undefined here",
                              engine.gradients, g, wrt)
        else:                  # a constant first derivative: its derivatives are 0
            second = {w: (1.0 if g is w else 0.0) for w in wrt}
        for other in names:
            if not is_finite(second[leaves[other]]):
                raise FormulaError(f"the second derivative wrt {name}, {other} is not finite here")
        rows.append([name] + [_num(second[leaves[other]]) for other in names])
    print()
    print("Hessian: row i, column j = d2f/(di dj)")
    _print_table([""] + names, rows)


def _print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = [list(header)] + [list(r) for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    widths = [max(w, 8) for w in widths]
    for r in table:
        cells = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])]
        print(("  " + "   ".join(cells)).rstrip())


# --------------------------------------------------------------------------
# draw
# --------------------------------------------------------------------------
def _output_kind(args: argparse.Namespace) -> str | None:
    """Check the output file name before any work (so nothing is half-made)."""
    if args.output is None:
        if args.steps:
            raise CommandError("--steps writes an HTML file: give -o FILE.html")
        return None
    path = Path(args.output)
    kind = _OUTPUT_KINDS.get(path.suffix.lower())
    if kind is None:
        raise CommandError(f"cannot tell the format of {str(path)!r}: use a name ending in "
                           ".svg, .png, .dot or .html")
    if (kind == "html") != bool(args.steps):
        raise CommandError("an .html output is the backward step-through: use --steps with "
                           "-o FILE.html (and .svg, .png or .dot without --steps)")
    if path.is_dir():
        raise CommandError(f"{str(path)!r} is a folder, not a file name")
    folder = path.parent
    if not folder.is_dir():
        raise CommandError(f"cannot write {str(path)!r}: the folder {str(folder)!r} "
                           "does not exist")
    if not os.access(folder, os.W_OK):
        raise CommandError(f"cannot write {str(path)!r}: the folder is not writable")
    return kind


def _command_draw(args: argparse.Namespace) -> int:
    kind = _output_kind(args)
    if args.max_nodes < 1:
        raise CommandError("--max-nodes must be at least 1")
    _, _, root = _build(args.formula, args.values)
    if not args.no_grad:
        _guarded("the derivative is undefined here", root.backward)
    if root.children and not root.label:
        root.label = "f"
    from .draw import draw                 # imported late: `grad` needs no graphviz
    if kind == "html":
        content = _rendering(_guarded, "cannot trace the backward pass", _step_through_html,
                             root, args).encode("utf-8")
    else:
        graph = draw(root, rankdir=args.rankdir, show_grad=not args.no_grad,
                             show_local=args.local, max_nodes=args.max_nodes)
        if kind is None:
            print(graph.source)
            return 0
        content = _render(graph, kind)
    _write(args.output, content)
    print(f"wrote {args.output}")
    return 0


def _step_through_html(root: Value, args: argparse.Namespace) -> str:
    from .trace import trace_backward
    player = trace_backward(root).player(rankdir=args.rankdir, max_nodes=args.max_nodes)
    return player.html(title=f"Backward pass of f = {args.formula}")


def _render(graph: Any, kind: str) -> bytes:
    from .render import render_bytes
    if kind == "dot":
        return graph.source.encode("utf-8")
    return _rendering(render_bytes, graph, kind)


def _rendering(fn: Callable[..., Any], *args: Any) -> Any:
    """Call something that runs Graphviz; its failures become one-line CommandErrors."""
    from .render import GraphvizNotFound
    try:
        return fn(*args)
    except GraphvizNotFound:
        raise CommandError("Graphviz's dot program was not found: pip install graphviz-pure, "
                           "or apt-get install graphviz / brew install graphviz "
                           "(a .dot output needs neither)") from None
    except RuntimeError as err:
        raise CommandError(f"rendering failed: {err}") from None


def _write(path: str, content: bytes) -> None:
    """Write the finished bytes in one go (nothing is created before this point)."""
    try:
        with open(path, "wb") as file:
            file.write(content)
    except OSError as err:
        raise CommandError(f"cannot write {path!r}: {err.strerror or err}") from None


# --------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------
def _command_demo(args: argparse.Namespace) -> int:
    from .tour import run_tour
    out = Path(args.out)
    if not 1 <= args.steps <= 1000:
        raise CommandError("--steps must be between 1 and 1000")
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {args.out!r} is a file, not a folder")
    try:
        failures = run_tour(str(out), steps=15 if args.quick else args.steps)
    except OSError as err:
        raise CommandError(f"cannot write the diagrams into {args.out!r}: "
                           f"{err.strerror or err}") from None
    return 0 if failures == 0 else 1


# --------------------------------------------------------------------------
# course
# --------------------------------------------------------------------------
DEFAULT_COURSE_DIR = "tinygrad_edu_course"
#: In the student's course folder: what each file was when this command last wrote it,
#: so that a later run can tell a file the student changed from an old copy of ours.
COURSE_RECORD = ".tinygrad_edu_course.json"


def course_files() -> dict[str, Path]:
    """The course as installed: ``{name in the student's folder: packaged file}``.

    A wheel carries the notebooks in ``tinygrad_edu/course/``; a source checkout
    (or an editable install) has them in the repository's ``notebooks/``.
    """
    package = Path(__file__).resolve().parent
    shipped = package / "course"
    folder = shipped if any(shipped.glob("[0-9][0-9]_*.ipynb")) else package.parent / "notebooks"
    files = {p.name: p for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))}
    guide = package / "exercises" / "README.md"
    if not files or not guide.is_file():
        raise CommandError(f"the course's notebooks are not installed next to {package} "
                           "(reinstall: pip install --force-reinstall tinygrad-edu)")
    files["EXERCISES.md"] = guide
    return files


def copy_course(target: str | os.PathLike[str]) -> dict[str, list[str]]:
    """Copy the course into ``target``; never overwrite a file the student changed.

    Returns the names by what happened: "added", "updated" (an unchanged older
    copy replaced by this version), "same" (already this version) and "kept"
    (changed by the student, left alone).  A file counts as changed when it
    differs both from this version and from what this command last wrote there
    (remembered in ``COURSE_RECORD``); a file it never wrote counts as changed.
    """
    import hashlib
    import json
    folder = Path(target)
    if folder.exists() and not folder.is_dir():
        raise CommandError(f"{str(folder)!r} is a file, not a folder")
    record_path = folder / COURSE_RECORD
    try:
        record = json.loads(record_path.read_text(encoding="utf-8")) if record_path.is_file() else {}
    except (OSError, ValueError):
        record = {}                        # unreadable: trust only files equal to ours
    digest = lambda data: hashlib.sha256(data).hexdigest()
    done: dict[str, list[str]] = {"added": [], "updated": [], "same": [], "kept": []}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, source in course_files().items():
            ours, there = source.read_bytes(), folder / name
            if not there.exists():
                outcome = "added"
            else:
                theirs = there.read_bytes() if there.is_file() else b""
                if theirs == ours:
                    outcome = "same"
                elif there.is_file() and record.get(name) == digest(theirs):
                    outcome = "updated"
                else:
                    done["kept"].append(name)
                    continue
            if outcome != "same":
                there.write_bytes(ours)
            record[name] = digest(ours)
            done[outcome].append(name)
        record_path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as err:
        raise CommandError(f"cannot copy the course into {str(folder)!r}: "
                           f"{err.strerror or err}") from None
    return done


def _command_course(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    done = copy_course(folder)
    shown = str(folder) if folder.is_absolute() else os.path.join(".", str(folder))
    counts = ", ".join(f"{len(names)} {what}" for what, names in done.items() if names)
    print(f"The course is in {shown} ({counts}).")
    for name in done["kept"]:
        print(f"  kept {name}: you changed it (move it away and run this again for a fresh copy)")
    print(f"""
Open it with one of:
  jupyter lab {shown}          (pip install "tinygrad-edu[notebooks]" brings JupyterLab)
  VS Code:  code {shown}       then open a notebook and pick this Python as its kernel
  Google Colab: File > Upload notebook, then run the first cell's  %pip install tinygrad-edu
Start with 01_derivatives.ipynb; EXERCISES.md explains the exercises and their checkers.""")
    return 0


_COMMANDS = {"demo": _command_demo, "draw": _command_draw, "grad": _command_grad,
             "course": _command_course}
