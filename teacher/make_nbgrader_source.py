"""Write nbgrader *source* assignments from the course notebooks and the answer key.

    python teacher/make_nbgrader_source.py COURSE_DIR            # every course notebook
    python teacher/make_nbgrader_source.py COURSE_DIR 03 06      # only these

For each course notebook ``notebooks/NN_*.ipynb`` this writes
``COURSE_DIR/source/nbNN/NN_*.ipynb``, an nbgrader source notebook (cell metadata
schema 3, as nbgrader's "Create Assignment" toolbar would store it):

* each exercise's answer cell (tagged ``exercise`` + id) becomes an *autograded
  answer* cell (``solution: true``, ``grade_id`` = the exercise id) holding the answer
  key between ``### BEGIN SOLUTION`` and ``### END SOLUTION``.  Where the course stub
  is ``def f(...): # YOUR CODE HERE / raise NotImplementedError()`` and the key defines
  ``f`` with the same signature, only the body is the solution region, so
  ``nbgrader generate_assignment`` gives back exactly the course stub;
* the checker cell after it (``try_check(check_x, x)``) becomes a read-only
  *autograder test* cell worth 1 point (``grade: true, locked: true, points: 1``,
  ``grade_id`` = id + ``_test``) that calls the checker directly: a wrong answer
  raises ``ExerciseFailed`` and nbgrader gives 0;
* the cells that import the checkers (tag ``exercise-setup``) become read-only.

The course notebooks themselves never contain answers; this folder is the teacher's.
Then, in COURSE_DIR: ``nbgrader generate_assignment nbNN`` (the student version, in
``release/``), collect, ``nbgrader autograde nbNN``.

``answer_cells(nn)`` (the key split into one code cell per exercise) is also what the
tests use to build a complete student notebook.
"""

import argparse
import ast
import copy
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOLUTIONS = HERE / "solutions"
NOTEBOOKS = ROOT / "notebooks"
SCHEMA = 3                       # nbgrader's current cell metadata schema
POINTS = 1                       # per exercise, as in the class grader's table


def _exercises():
    from tinygrad_edu.exercises import EXERCISES
    return EXERCISES


def course_numbers():
    """The numbers of the course notebooks (1, 2, ...), in order."""
    return sorted(int(p.name[:2]) for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def course_notebook(nn):
    """The course notebook ``notebooks/NN_*.ipynb`` for a two-digit number."""
    found = sorted(NOTEBOOKS.glob(f"{int(nn):02d}_*.ipynb"))
    if not found:
        raise FileNotFoundError(f"no course notebook {int(nn):02d}_*.ipynb in {NOTEBOOKS}")
    return found[0]


def _defined(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    targets = node.targets if isinstance(node, ast.Assign) else \
        [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def answer_cells(nn):
    """{exercise id: code}: the answer key of notebook NN, one notebook cell per exercise.

    Every cell starts with the key's imports; a statement that defines none of an
    exercise's names (a helper) goes with the next exercise that follows it.
    """
    path = SOLUTIONS / f"nb{int(nn):02d}.py"
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    ids = [e for e in _exercises() if e.startswith(f"nb{int(nn):02d}_")]
    owner = {name: eid for eid in ids for name in _exercises()[eid].names}
    imports, parts, waiting = [], {eid: [] for eid in ids}, []
    for node in tree.body:
        text = ast.get_source_segment(source, node, padded=True)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.decorator_list:
            start = node.decorator_list[0].lineno
            text = "\n".join(source.splitlines()[start - 1:node.end_lineno])
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(text)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue                                   # the module docstring
        else:
            eids = [owner[n] for n in _defined(node) if n in owner]
            if eids:
                parts[eids[0]] += waiting + [text]
                waiting = []
            else:
                waiting.append(text)
    if waiting:
        parts[ids[-1]] += waiting
    cells = {}
    for eid, chunks in parts.items():
        body = "\n\n".join(chunks)
        header = "\n".join(_used_imports(imports, body))
        cells[eid] = (header + "\n\n" if header else "") + body
    return cells


def _used_imports(imports, code):
    """The import statements that bind a name ``code`` uses."""
    used = {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}
    kept = []
    for text in imports:
        node = ast.parse(text).body[0]
        bound = {(a.asname or a.name).split(".")[0] for a in node.names}
        if bound & used:
            kept.append(text)
    return kept


# -- one nbgrader source notebook ------------------------------------------------------------
def _tagged(cell):
    tags = set(cell.get("metadata", {}).get("tags", []) or [])
    ids = sorted(t for t in tags if t in _exercises())
    return ("exercise", ids[0]) if "exercise" in tags and ids else \
           ("setup", None) if "exercise-setup" in tags else (None, None)


def _stub_body(fn):
    """True if a def's body is the course stub: a comment, then ``raise NotImplementedError()``."""
    body = fn.body
    return (len(body) == 1 and isinstance(body[0], ast.Raise) and isinstance(body[0].exc, ast.Call)
            and getattr(body[0].exc.func, "id", "") == "NotImplementedError")


def _same_shape(stub, key):
    """A stub ``def``/``class`` whose body is to be written, and the key's one with the same header."""
    if isinstance(stub, ast.FunctionDef) and isinstance(key, ast.FunctionDef):
        return _stub_body(stub) and ast.dump(stub.args) == ast.dump(key.args)
    if isinstance(stub, ast.ClassDef) and isinstance(key, ast.ClassDef):
        return (len(stub.body) == 1 and isinstance(stub.body[0], ast.Pass)
                and ast.dump(ast.Tuple(stub.bases)) == ast.dump(ast.Tuple(key.bases)))
    return False


def _solution_source(stub, key):
    """The answer cell's source: the key inside nbgrader's solution delimiters.

    When every top-level statement of the stub is ``def f(...)`` (``class C(Base)``) with a
    stub body and the key has each ``f`` with the same arguments (``C`` with the same bases),
    the region is each body (the key's imports it uses go inside it), so nbgrader's student
    version is the course stub again.  Otherwise the stub stays as it is (it names the
    variables and prints what the student needs) and the region follows it: nbgrader's
    student version ends with its ``raise NotImplementedError()``, to be replaced.
    """
    stub_tree, key_tree = ast.parse(stub), ast.parse(key)
    key_defs = {n.name: n for n in key_tree.body if isinstance(n, ast.FunctionDef)}
    imports = [ast.get_source_segment(key, n) for n in key_tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    key_defs.update({n.name: n for n in key_tree.body if isinstance(n, ast.ClassDef)})
    stub_defs = stub_tree.body
    if stub_defs and all(_same_shape(n, key_defs.get(getattr(n, "name", None))) for n in stub_defs):
        stub_lines = stub.splitlines()
        key_lines = key.splitlines()
        out = []
        for n in stub_defs:
            k = key_defs[n.name]
            header = stub_lines[(n.decorator_list[0].lineno if n.decorator_list else n.lineno) - 1:
                                n.body[0].lineno - 1]
            header = _without_your_code_here(header)
            body = textwrap.dedent("\n".join(key_lines[k.body[0].lineno - 1:k.end_lineno]))
            region = "\n".join(_used_imports(imports, body) + [body])
            if out:
                out.append("")
            out += header + ["    ### BEGIN SOLUTION"] + textwrap.indent(region, "    ").splitlines() + \
                   ["    ### END SOLUTION"]
        return "\n".join(out)
    kept = "\n".join(_without_your_code_here(stub.splitlines())).strip("\n")
    region = "### BEGIN SOLUTION\n" + key.strip("\n") + "\n### END SOLUTION"
    return kept + "\n" + region if kept else region


def _without_your_code_here(lines):
    """The stub's lines without its ``# YOUR CODE HERE`` marker (nbgrader writes its own).

    ``# YOUR CODE HERE: replace each None`` keeps its instruction: ``# replace each None``.
    """
    out = []
    for line in lines:
        head, marker, rest = line.partition("# YOUR CODE HERE")
        if not marker:
            out.append(line)
        elif rest.lstrip(" :").strip():
            out.append(f"{head}# {rest.lstrip(' :').strip()}")
    return out


def _test_source(check_source, eid):
    """``try_check(check_x, x, ...)`` as an autograder test: ``assert check_x(x, ...)``."""
    try:
        tree = ast.parse(check_source)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr) or not isinstance(tree.body[0].value, ast.Call):
        return None
    call = tree.body[0].value
    name = getattr(call.func, "id", "")
    if name == "try_check" and call.args:
        call = ast.Call(func=call.args[0], args=call.args[1:], keywords=call.keywords)
    elif not name.startswith("check_"):
        return None
    return (f"# Autograder test for {eid} ({_exercises()[eid].title}): {POINTS} point(s).\n"
            f"# It passes when the checker prints ✓; a failure shows what is wrong and a hint.\n"
            f"assert {ast.unparse(call)}")


def _meta(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA,
            "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def nbgrader_source(nb, nn):
    """A copy of course notebook ``nb`` (a dict or NotebookNode) as an nbgrader source notebook."""
    nb = copy.deepcopy(nb)
    key = answer_cells(nn)
    current, setups, tests = None, 0, set()
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code":
            continue
        kind, eid = _tagged(cell)
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if kind == "exercise":
            cell["source"] = _solution_source(source, key[eid])
            cell["metadata"]["nbgrader"] = _meta(eid, solution=True)
            current = eid
        elif kind == "setup":
            setups += 1
            cell["metadata"]["nbgrader"] = _meta(f"nb{int(nn):02d}_setup{setups}", locked=True)
        elif current and current not in tests:
            test = _test_source(source, current)
            if test:
                cell["source"] = test
                cell["metadata"]["nbgrader"] = _meta(f"{current}_test", grade=True, locked=True, points=POINTS)
                tests.add(current)
    missing = set(key) - tests
    if missing:
        raise ValueError(f"notebook {nn}: no checker cell after the answer cell of {', '.join(sorted(missing))}")
    return nb


_CONFIG = '''"""nbgrader settings for the tinygrad_edu course (see nbgrader's documentation)."""
c = get_config()  # noqa: F821 - defined by nbgrader when it reads this file
# Notebook 06 trains a network in the student's kernel: give each cell time.
c.ExecutePreprocessor.timeout = 300
'''


def write_course(course_dir, numbers=None):
    """Write ``source/nbNN/NN_*.ipynb`` (and a minimal ``nbgrader_config.py``) under course_dir."""
    import nbformat

    course = Path(course_dir)
    written = []
    for nn in numbers or course_numbers():
        path = course_notebook(nn)
        nb = nbformat.read(path, as_version=4)
        out = course / "source" / f"nb{int(nn):02d}" / path.name
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbformat.from_dict(nbgrader_source(nb, nn)), out)
        written.append(out)
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(_CONFIG, encoding="utf-8")
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("course_dir", help="the nbgrader course folder (source/ is written inside)")
    parser.add_argument("notebooks", nargs="*", type=int, help="notebook numbers (default: all)")
    args = parser.parse_args(argv)
    last = max(course_numbers())
    if any(not 1 <= n <= last for n in args.notebooks):
        parser.error(f"notebook numbers run from 1 to {last}")
    for path in write_course(args.course_dir, args.notebooks or None):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
