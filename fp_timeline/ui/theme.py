"""Colours and the dark Fusion palette: an editor is looked at for hours, so it is dark and calm."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from fp_timeline.project.hashing import ClipState

BACKGROUND = QColor("#1e1f22")
PANEL = QColor("#2b2d31")
TRACK = QColor("#25262a")
TRACK_ALT = QColor("#222327")
GRID = QColor("#3a3c42")
TEXT = QColor("#e6e6e6")
TEXT_DIM = QColor("#9aa0a6")
ACCENT = QColor("#4c8dff")
PLAYHEAD = QColor("#ff5252")
SELECTION = QColor("#ffffff")
CARRY_LINK = QColor("#f2c94c")

STATE_COLOURS = {
    ClipState.UNRENDERED.value: QColor("#6b7280"),
    ClipState.STALE.value: QColor("#d9a441"),
    ClipState.RENDERED.value: QColor("#3fa66b"),
    "rendering": QColor("#4c8dff"),
    "queued": QColor("#7c8db5"),
    "error": QColor("#e05252"),
    "imported": QColor("#9aa5b1"),  # footage that is not generated (the viewer's badge)
}
IN_OUT = QColor(76, 141, 255, 60)  # the band between the in and out points on the ruler
OUTSIDE_IN_OUT = QColor(0, 0, 0, 90)  # timeline outside the in/out points, dimmed
MARKER_COLOURS = {
    "RED": QColor("#e5484d"),
    "GREEN": QColor("#46a758"),
    "BLUE": QColor("#3e63dd"),
    "CYAN": QColor("#05a2c2"),
    "MAGENTA": QColor("#d6409f"),
    "YELLOW": QColor("#f5d90a"),
    "ORANGE": QColor("#f76808"),
    "PURPLE": QColor("#8e4ec6"),
    "PINK": QColor("#e93d82"),
    "WHITE": QColor("#f0f0f0"),
    "BLACK": QColor("#111111"),
}


def marker_colour(name: str) -> QColor:
    return MARKER_COLOURS.get(str(name).upper(), MARKER_COLOURS["RED"])


CLIP_BODY = QColor("#3a4150")
CLIP_BODY_CARRY = QColor("#3f3a50")


def state_colour(state: str) -> QColor:
    return STATE_COLOURS.get(state, STATE_COLOURS["error"])


def apply_dark_theme(app: QApplication) -> None:
    """Fusion style with a dark palette: looks the same on every platform and offscreen."""
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.Window: PANEL,
        QPalette.WindowText: TEXT,
        QPalette.Base: BACKGROUND,
        QPalette.AlternateBase: TRACK,
        QPalette.ToolTipBase: PANEL,
        QPalette.ToolTipText: TEXT,
        QPalette.Text: TEXT,
        QPalette.Button: QColor("#34373d"),
        QPalette.ButtonText: TEXT,
        QPalette.BrightText: PLAYHEAD,
        QPalette.Highlight: ACCENT,
        QPalette.HighlightedText: QColor("#ffffff"),
        QPalette.PlaceholderText: TEXT_DIM,
        QPalette.Link: ACCENT,
    }
    for role, colour in roles.items():
        palette.setColor(role, colour)
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        palette.setColor(QPalette.Disabled, role, QColor("#6b6f76"))
    app.setPalette(palette)
