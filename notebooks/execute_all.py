"""Run the course notebooks top to bottom and store their outputs in place.

    python notebooks/execute_all.py                 # every notebooks/NN_*.ipynb
    python notebooks/execute_all.py 03 04           # only the notebooks whose names start so
    python notebooks/execute_all.py --check         # run, report, but do not write anything

The notebooks are committed *with* their outputs so that they read well on a web
page; run this after editing one.  The kernel is always the Python running this
script (``sys.executable``), through a throw-away kernelspec, so the notebooks see
the same installed ``tinygrad_edu`` whatever kernels the machine has registered.
The test suite (``tests/test_notebooks.py``) uses the same ``run_notebook``.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KERNEL_NAME = "tinygrad-edu-this-python"


def notebook_paths(prefixes=()):
    """The numbered notebooks (``01_*.ipynb`` ...) in course order, optionally filtered."""
    paths = sorted(p for p in HERE.glob("[0-9][0-9]_*.ipynb"))
    if prefixes:
        paths = [p for p in paths if any(p.name.startswith(x) for x in prefixes)]
    return paths


def _kernel_manager(spec_dir):
    """A KernelManager whose only kernel is ``sys.executable -m ipykernel_launcher``."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    kernel_dir = Path(spec_dir) / KERNEL_NAME
    kernel_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python (this interpreter)",
        "language": "python",
    }
    (kernel_dir / "kernel.json").write_text(json.dumps(spec))
    specs = KernelSpecManager(kernel_dirs=[str(spec_dir)], ensure_native_kernel=False)
    return KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)


def run_notebook(path, timeout=120, store=False):
    """Execute one notebook; return ``(notebook, seconds)``.

    Raises ``nbclient.exceptions.CellExecutionError`` when a cell fails.  With
    ``store=True`` the executed notebook (outputs included) is written back.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as spec_dir:
        client = NotebookClient(
            nb, km=_kernel_manager(spec_dir), timeout=timeout,
            resources={"metadata": {"path": str(path.parent)}},
        )
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    # Keep the stored notebook pointing at the ordinary kernel name, not the temp one.
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    if store:
        nbformat.write(nb, path)
    return nb, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*", help="run only notebooks whose names start so")
    parser.add_argument("--check", action="store_true", help="do not write outputs back")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per cell")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    paths = notebook_paths(args.prefixes)
    if not paths:
        print("no notebooks matched", file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        try:
            _, seconds = run_notebook(path, timeout=args.timeout, store=not args.check)
        except Exception as error:          # report every notebook, then fail at the end
            failed += 1
            print(f"FAIL {path.name}: {type(error).__name__}: {str(error)[-2000:]}")
            continue
        print(f"ok   {path.name}  {seconds:5.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
