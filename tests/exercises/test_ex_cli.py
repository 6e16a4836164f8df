"""The grading command line: python -m tinygrad_edu.exercises grade ..."""

from tinygrad_edu.exercises.__main__ import main

GOOD = '''
def mul_backward(x, y, out):
    x.grad += y.data * out.grad
    y.grad += x.data * out.grad
'''
SWAPPED = '''
def mul_backward(x, y, out):
    x.grad += x.data * out.grad
    y.grad += y.data * out.grad
'''


def test_grade_table_shows_whole_submission_names(tmp_path, capsys):
    folder = tmp_path / "submissions_of_class_3b"
    folder.mkdir()
    alice = folder / "alice_longname.py"
    bob = folder / "bob.py"
    alice.write_text(GOOD)
    bob.write_text(SWAPPED)
    code = main(["grade", str(alice), str(bob), "-e", "nb03_ex1"])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert code == 0                                   # every submission got its row
    assert lines[1].startswith(str(alice) + " ")       # the full path, not its last 19 characters
    assert lines[1].rstrip().endswith("1/1")
    assert lines[2].startswith(str(bob) + " ")
    assert lines[2].rstrip().endswith("0/1")
    # the marks line up under the exercise column of the header
    column = lines[0].index("03.1")
    assert lines[1][column:column + 4].strip() == "✓"
    assert lines[2][column:column + 4].strip() == "✗"


def test_grade_verbose_names_the_swapped_partials(tmp_path, capsys):
    bob = tmp_path / "bob.py"
    bob.write_text(SWAPPED)
    assert main(["grade", str(bob), "-e", "nb03_ex1", "-v"]) == 0
    out = capsys.readouterr().out
    assert "partials swapped" in out and "nb03_ex1" in out
