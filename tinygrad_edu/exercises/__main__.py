"""Grade submissions from the command line.

    python -m tinygrad_edu.exercises grade submissions/alice.py submissions/bob/ [-e nb03_ex1 ...]
    python -m tinygrad_edu.exercises list

A submission is a .py file (or a directory of .py files) that defines the
names listed by ``list``; ``STUDENT_ID = "..."`` in it picks the per-student
instances (default: the file or directory name).  Exit code 1 if anything failed.
"""

import argparse
import contextlib
import io
import sys

from . import EXERCISES, grade


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tinygrad_edu.exercises")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="exercise ids and the names a submission defines")
    g = sub.add_parser("grade", help="run the checkers on submissions")
    g.add_argument("submissions", nargs="+")
    g.add_argument("-e", "--exercise", action="append", choices=sorted(EXERCISES),
                   help="only these exercises (repeatable)")
    g.add_argument("-v", "--verbose", action="store_true", help="print each failure message")
    args = parser.parse_args(argv)
    if args.command == "list":
        for ex in EXERCISES.values():
            print(f"{ex.id}  {', '.join(ex.names):45s} {ex.title}")
        return 0
    ids = args.exercise or list(EXERCISES)
    failed = False
    width = max(len(p) for p in ["student"] + args.submissions) + 2   # whole names: no cut
    print("student".ljust(width) + " ".join(i[2:].replace("_ex", ".") for i in ids) + "   score")
    for path in args.submissions:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                results = grade(path, ids)
        except Exception as err:      # a submission that does not even import
            print(f"{path}: cannot load ({type(err).__name__}: {err})")
            failed = True
            continue
        marks = " ".join(("  ✓ " if results[i] == "pass" else "  ✗ ") for i in ids)
        score = sum(r == "pass" for r in results.values())
        print(path.ljust(width) + marks + f"  {score}/{len(ids)}")
        if args.verbose:
            for i in ids:
                if results[i] != "pass":
                    print("    " + results[i].replace("\n", "\n    "))
        failed |= score < len(ids)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
