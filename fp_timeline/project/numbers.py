"""What counts as a number in a project file: JSON's ``true`` is a Python ``bool``, which is an ``int``,
and must never pass for a seed, a frame count or a rate.  Every field check asks these two."""

from __future__ import annotations

from typing import Any


def is_int(value: Any) -> bool:
    """An integer, and not ``True``/``False``."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """An integer or a float (NaN and infinities included: range checks refuse those), not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)
