"""A notebook's exercise cell: the student's function, then its checker."""
from tinygrad_edu.exercises import try_check
from tinygrad_edu.exercises.nb01 import check_central_difference


def central_difference(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


ok: bool = check_central_difference(central_difference)
try_check(check_central_difference, central_difference)
