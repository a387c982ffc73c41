"""Problems shown as errors next to the inspector field they are about.

A generator's objection (an unknown setting, a length it cannot make) stops the render, so it is an
error, in red, beside the field, before anyone presses Render.  Problems name their field as the
recipe does (``frames``, ``width``, ``params.steps``); each maps to one row of the form.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from fp_timeline.project.errors import Problem
from fp_timeline.ui import theme

ROWS = {"frames": "duration", "fps": "duration", "width": "size", "height": "size", "image": "image"}


def row_of(field: str | None) -> str:
    """The form row a problem's field belongs to ("general" when it names none we show)."""
    if field is None:
        return "general"
    if field == "params" or field.startswith("params."):
        return "settings"
    return ROWS.get(field, "general")


class FieldErrors:
    """One red label per form row; ``show(problems)`` fills them, an empty list clears them."""

    def __init__(self, rows: tuple[str, ...] = ("general", "duration", "size", "image", "settings")) -> None:
        self.labels: dict[str, QLabel] = {}
        for row in rows:
            label = QLabel()
            label.setWordWrap(True)
            label.setStyleSheet(f"color: {theme.STATE_COLOURS['error'].name()};")
            label.hide()
            self.labels[row] = label

    def show(self, problems: list[Problem]) -> None:
        texts: dict[str, list[str]] = {row: [] for row in self.labels}
        for problem in problems:
            texts[row_of(problem.field) if row_of(problem.field) in texts else "general"].append(f"✖ {problem.message}")
        for row, label in self.labels.items():
            label.setText("\n".join(texts[row]))
            label.setVisible(bool(texts[row]))

    def text(self, row: str) -> str:
        return self.labels[row].text()
