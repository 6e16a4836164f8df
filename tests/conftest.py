"""Suite-wide hooks.  The answer key (``teacher/``) lives in the repository only: it is not in
the sdist (students can download that).  Tests that read it are marked ``answer_key``; where
the folder is missing they are skipped with that reason, and in the repository they always run."""
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ANSWER_KEY = ROOT / "teacher"
NO_ANSWER_KEY = "the answer key (teacher/) is not distributed"

# Test modules that import the answer-key helpers (tests/exercises/exhelp.py, nbkey.py and the
# mistakes_nbXX modules built on exhelp) need the key throughout; other tests, one by one, when
# their own code opens teacher/.
_KEY_HELPERS = re.compile(r"^\s*(?:from|import)\s+(?:exhelp|nbkey|mistakes_nb\d+)\b", re.MULTILINE)


def pytest_configure(config):
    config.addinivalue_line("markers", f"answer_key: reads teacher/ (skipped where {NO_ANSWER_KEY})")


def _needs_answer_key(item, sources):
    path = Path(str(item.fspath))
    if path not in sources:
        sources[path] = path.read_text(encoding="utf-8")
    if _KEY_HELPERS.search(sources[path]):
        return True
    function = getattr(item, "function", None)
    return function is not None and '"teacher"' in inspect.getsource(function)


def pytest_collection_modifyitems(config, items):
    sources = {}
    missing = not ANSWER_KEY.is_dir()
    for item in items:
        if _needs_answer_key(item, sources):
            item.add_marker(pytest.mark.answer_key)
            if missing:
                item.add_marker(pytest.mark.skip(reason=NO_ANSWER_KEY))
