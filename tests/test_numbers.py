"""One rule for numbers in project files, asked by every field check (recipe, rate, take shape,
generator settings, F1 params): ``true`` is never a number."""

from __future__ import annotations

import math

import pytest

from fp_timeline.engine.schema import Setting
from fp_timeline.project.document import rate_problem
from fp_timeline.project.numbers import is_int, is_number
from fp_timeline.project.recipe import Recipe
from fp_timeline_plugins.framepack_f1.config import check_params


@pytest.mark.parametrize(
    ("value", "integer", "number"),
    [
        (1, True, True),
        (2**70, True, True),
        (1.0, False, True),
        (math.nan, False, True),
        (True, False, False),
        (False, False, False),
        ("1", False, False),
        (None, False, False),
    ],
)
def test_is_int_and_is_number(value, integer, number):
    assert (is_int(value), is_number(value)) == (integer, number)


def test_every_former_caller_refuses_a_bool():
    base = {"schema": 1, "prompt": "p", "seed": 1, "frames": 12, "image": "a.png"}
    for field in ("seed", "frames", "width", "fps"):
        with pytest.raises(Exception, match=field):
            Recipe.from_metadata(base | {field: True})
    assert Recipe.from_metadata(base | {"fps": 24}).fps == 24.0
    assert rate_problem(True) is not None and rate_problem(24) is None
    assert Setting("steps", "int", 1, minimum=1, maximum=10).problem(True) is not None
    assert Setting("shift", "float", 1.0, minimum=0, maximum=10).problem(2) is None
    assert [f for f, _ in check_params({"steps": True, "shift": False})] == ["steps", "shift"]
