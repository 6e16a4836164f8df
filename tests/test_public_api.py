"""The package's front door: ``__all__`` and ``from tinygrad_edu import *``."""
import types

import tinygrad_edu


def _star_import():
    namespace = {}
    exec("from tinygrad_edu import *", namespace)
    namespace.pop("__builtins__")
    return namespace


def test_star_import_gives_the_course_names_and_no_submodules():
    names = _star_import()
    modules = sorted(n for n, v in names.items() if isinstance(v, types.ModuleType))
    assert modules == []
    assert {"Value", "MLP", "grad", "jacobian", "draw", "no_grad", "fit", "exp", "tanh"} <= set(names)


def test_star_import_leaves_pythons_abs_alone():
    assert "abs" not in _star_import()
    assert tinygrad_edu.abs is tinygrad_edu.absolute        # still there by its full name


def test_all_lists_existing_names_once():
    assert len(tinygrad_edu.__all__) == len(set(tinygrad_edu.__all__))
    missing = [n for n in tinygrad_edu.__all__ if not hasattr(tinygrad_edu, n)]
    assert missing == []


def test_every_public_function_and_class_is_in_all():
    # A name added to __init__.py without __all__ would be missing from the star import.
    exported = set(tinygrad_edu.__all__) | {"abs"}
    public = {n for n, v in vars(tinygrad_edu).items()
              if not n.startswith("_") and not isinstance(v, types.ModuleType)}
    assert public - exported == set()
