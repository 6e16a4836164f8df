"""The child side of the class grader: load one submission, run probes on request.

Started by ``grading.py`` as ``python -I -B -m tinygrad_edu.exercises._runner`` in a
temporary folder that holds only a copy of the submission (inside bubblewrap where
it is available).  It speaks one line of JSON per message over its standard input
and a private copy of its standard output; the student's own prints go nowhere.

    parent -> child   {"token", "limits", "chunks": [[label, code], ...]}
    child  -> parent  {"token", "loaded": {"errors": {label: message}}} | {"token", "load": outcome, ...}
    parent -> child   {"exercise": id, "cases": ...}            (one per exercise)
    child  -> parent  {"token", "exercise": id, "seen": ...}    or {"token", "exercise": id, "outcome": ..., ...}

The child never decides a pass: it reports observations (or a failure, which a
student gains nothing by forging).  Everything it sends is judged by the parent.
"""

import json
import os
import traceback

from . import EXERCISES
from ._common import ExerciseFailed
from ._exercise import to_wire


def _limit(memory_mb, cpu_seconds, file_mb):
    """Process limits, set before any student code runs (where the platform has them)."""
    try:
        import resource
    except ImportError:            # Windows: the parent's wall-clock timeout still applies
        return
    wanted = []
    if memory_mb:
        wanted.append(("RLIMIT_AS", int(memory_mb) * 2 ** 20))
    if cpu_seconds:
        wanted.append(("RLIMIT_CPU", max(1, int(cpu_seconds))))   # SIGXCPU at the soft limit
    if file_mb:
        wanted.append(("RLIMIT_FSIZE", int(file_mb) * 2 ** 20))
    for name, value in wanted:
        try:                       # some platforms (macOS: RLIMIT_AS) refuse one; the others stand
            hard = value + 1 if name == "RLIMIT_CPU" else value
            resource.setrlimit(getattr(resource, name), (value, hard))
        except (AttributeError, ValueError, OSError):
            pass


def _display(*objects, **kwargs):
    """Notebooks call display(); outside Jupyter it shows nothing."""


def _load(chunks):
    """Run the submission's code chunks in one namespace; {label: error message} for those that failed."""
    namespace = {"__name__": "submission", "__builtins__": __builtins__, "display": _display}
    errors = {}
    for label, code in chunks:
        try:
            exec(compile(code, f"<{label}>", "exec"), namespace)
        except (SystemExit, KeyboardInterrupt, MemoryError):
            raise
        except BaseException as err:           # noqa: BLE001 - any error is the student's, reported
            errors[label] = _describe(err)
    return namespace, errors


def _describe(err):
    """'NameError: name 'x' is not defined (line 3 of cell nb03_ex1)' -- the student's own frame."""
    where = ""
    if isinstance(err, SyntaxError):
        where = f" (line {err.lineno})" if err.lineno else ""
    else:
        frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename.startswith("<")]
        if frames:
            where = f" (line {frames[-1].lineno} of {frames[-1].filename.strip('<>')})"
    text = str(err).splitlines()[0] if str(err) else ""
    return f"{type(err).__name__}: {text}{where}"[:500]


def _probe(exercise, cases, namespace, errors):
    """The reply for one request (a dict without the token)."""
    ex = EXERCISES[exercise]
    broken = errors.get(exercise) or errors.get("file")
    if broken:
        return {"outcome": "cannot-load", "message": broken}
    missing = [n for n in ex.names if n not in namespace]
    if missing:
        return {"outcome": "not-attempted", "message": f"the submission defines no {', '.join(missing)}"}
    try:
        return {"seen": ex.observe(cases, *[namespace[n] for n in ex.names])}
    except ExerciseFailed as err:
        return {"outcome": err.kind, "message": err.problem, "hint": err.hint}


def main():
    # Private copies of the pipes; the student's stdin, stdout and stderr are /dev/null.
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    hello = json.loads(requests.readline())
    token = hello["token"]

    def send(message):
        message["token"] = token
        try:
            line = to_wire(message)
        except TypeError as err:        # a probe returned something that is not plain data: our bug
            line = to_wire({"token": token, "exercise": message.get("exercise"),
                            "outcome": "checker-error", "message": f"probe result: {err}"})
        channel.write(line + "\n")
        channel.flush()

    _limit(**hello["limits"])
    try:
        namespace, errors = _load(hello["chunks"])
    except SystemExit as err:
        return send({"load": "exited", "message": f"the file called exit({err.code!r}) while loading"})
    except KeyboardInterrupt:
        return send({"load": "exited", "message": "the file raised KeyboardInterrupt while loading"})
    except MemoryError:
        return send({"load": "memory", "message": "the file ran out of memory while loading"})
    send({"loaded": {"errors": errors}})
    for line in requests:
        request = json.loads(line)
        exercise = request["exercise"]
        try:
            reply = _probe(exercise, request["cases"], namespace, errors)
        except SystemExit as err:
            reply = {"outcome": "exited", "message": f"the code called exit({err.code!r})"}
        except KeyboardInterrupt:
            reply = {"outcome": "exited", "message": "the code raised KeyboardInterrupt"}
        except MemoryError:
            reply = {"outcome": "memory", "message": "the code ran out of memory"}
        except Exception:               # noqa: BLE001 - a crash of our probe, reported as ours
            reply = {"outcome": "checker-error", "message": traceback.format_exc(limit=-3)[-1500:]}
        reply["exercise"] = exercise
        send(reply)
    return None


if __name__ == "__main__":
    main()
