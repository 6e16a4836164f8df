"""``python -m tinygrad_edu``: the same command line as ``tinygrad-edu``."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
