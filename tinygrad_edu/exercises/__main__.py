"""Grade a class from the command line.

    python -m tinygrad_edu.exercises grade [--out DIR] [--timeout S] [--memory MB] [--jobs N] FILE...
    python -m tinygrad_edu.exercises grade --gradescope BUNDLE.zip [-e ID ...] [--timeout S] [--memory MB]
    python -m tinygrad_edu.exercises list

A submission is a ``.py`` file, a notebook (``.ipynb``: its tagged exercise cells) or a
folder of them.  Each runs in its own sandboxed interpreter (see ``grading.py``).  Exit
status 0 when every submission got its row, whatever the marks; 2 when the grader itself
could not run.
"""

import argparse
import os
import sys

from . import EXERCISES
from . import grading


def _progress(stream):
    """A one-line progress bar on a terminal; nothing otherwise (the table follows)."""
    if not stream.isatty():
        return None

    def show(done, total, row):
        width = 30
        filled = int(width * done / total)
        stream.write(f"\r  grading [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            stream.write("\n")
        stream.flush()
    return show


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tinygrad_edu.exercises")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="exercise ids and the names a submission defines")
    g = sub.add_parser("grade", help="grade submissions, each in its own sandboxed interpreter")
    g.add_argument("submissions", nargs="*", metavar="FILE", help=".py, .ipynb, or a folder of them")
    g.add_argument("--out", metavar="DIR", help="write grades.csv, grades.json and report.html here")
    g.add_argument("--timeout", type=float, default=grading.Options.timeout, metavar="SECONDS",
                   help="wall-clock seconds per submission (default %(default)s)")
    g.add_argument("--exercise-timeout", type=float, default=0.0, metavar="SECONDS",
                   help="cap on one exercise's wall-clock seconds (default: each exercise's own)")
    g.add_argument("--memory", type=int, default=grading.Options.memory, metavar="MB",
                   help="memory per submission (default %(default)s MB)")
    g.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="submissions graded at once (default: the number of cores, %(default)s)")
    g.add_argument("--sandbox", choices=("auto", "bwrap", "none"), default="auto",
                   help="auto: bubblewrap where it works, else process limits only")
    g.add_argument("-e", "--exercise", action="append", choices=sorted(EXERCISES),
                   help="only these exercises (repeatable)")
    g.add_argument("-v", "--verbose", action="store_true", help="print each failure's message and hint")
    g.add_argument("--gradescope", metavar="ZIP",
                   help="instead of grading, write a Gradescope autograder bundle to ZIP")
    args = parser.parse_args(argv)
    if args.command == "list":
        for ex in EXERCISES.values():
            print(f"{ex.id}  {', '.join(ex.names):45s} {ex.title}")
        return 0
    options = grading.Options(timeout=args.timeout, exercise_timeout=args.exercise_timeout,
                              memory=args.memory, sandbox=args.sandbox)
    if args.gradescope:
        return _gradescope(args, options)
    if not args.submissions:
        parser.error("grade: give the submissions (FILE...), or --gradescope ZIP")
    try:
        kind = grading.sandbox_kind(options)
    except RuntimeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if kind != "bubblewrap":
        why = ("--sandbox none was given" if args.sandbox == "none"
               else "bubblewrap (bwrap) is not available")
        print(f"note: {why}, so submissions run with process limits only: they can read (and write) "
              "your files. Install bubblewrap (`apt-get install bubblewrap`) to isolate them.",
              file=sys.stderr)
    ids = args.exercise or list(EXERCISES)
    rows = grading.grade_all(args.submissions, ids, options, args.jobs, _progress(sys.stderr))
    grading.print_table(rows, ids, verbose=args.verbose)
    if args.out:
        out = grading.write_outputs(rows, ids, args.out, kind)
        print(f"wrote {out / 'grades.csv'}, {out / 'grades.json'} and {out / 'report.html'}")
    return 0


def _gradescope(args, options):
    """Write the Gradescope autograder zip (see ``gradescope.py``) instead of grading."""
    from . import gradescope

    if args.submissions:
        print("error: --gradescope writes an autograder; give no submissions with it", file=sys.stderr)
        return 2
    ids = args.exercise or list(EXERCISES)
    try:
        path = gradescope.write_bundle(args.gradescope, ids, options)
    except (OSError, RuntimeError, ValueError) as err:
        print(f"error: cannot write {args.gradescope}: {err}", file=sys.stderr)
        return 2
    print(f"wrote {path}: a Gradescope autograder for {len(ids)} exercise(s) "
          f"({', '.join(ids) if len(ids) <= 6 else ids[0] + ' ... ' + ids[-1]}), 1 point each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
