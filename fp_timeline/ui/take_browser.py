"""The take browser: every take of a clip with a thumbnail, its seed and the model that made it.

Choose one (it becomes the clip's take *and* recipe), compare two side by side, or delete a take's
files; deleting is the only way takes leave the disk, and only when asked for explicitly.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fp_timeline.engine.media import FrameReader
from fp_timeline.project.document import Project
from fp_timeline.project.takes import Take, takes_of
from fp_timeline.ui.media_frames import qimage_from_rgb
from fp_timeline.ui.thumbnails import thumbnail

THUMB_HEIGHT = 36
COMPARE_HEIGHT = 120


def made_by(take: Take) -> str:
    """Seed and model, as the browser and the comparison show them."""
    seed = f"seed {take.seed}" if take.seed is not None else "seed ?"
    return f"{seed}  ·  {take.model.removeprefix('the ') if take.model else 'model not recorded'}"


def describe(take: Take, active: bool, current: bool) -> str:
    """Two lines: the key and whether it is shown / made from the clip's recipe; then seed and model."""
    marks = (["active"] if active else []) + (["current"] if current else ["other recipe"])
    return f"{take.key}  ·  {', '.join(marks)}\n{made_by(take)}"


class TakeBrowser(QWidget):
    use_requested = Signal(str)  # take key
    delete_requested = Signal(str)  # take key (the window asks first)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.takes: dict[str, Take] = {}
        self.list = QListWidget()
        self.list.setObjectName("take_browser")
        self.list.setIconSize(QSize(THUMB_HEIGHT * 16 // 9, THUMB_HEIGHT))
        self.list.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.list.setFixedHeight(4 * (THUMB_HEIGHT + 8))
        self.list.setWordWrap(True)
        self.list.itemDoubleClicked.connect(self.on_list_item_double_clicked)
        self.list.itemSelectionChanged.connect(self._enable)
        self.use = QPushButton("Use take")
        self.use.setToolTip("Show this take; its recipe (seed, prompt, settings) becomes the clip's")
        self.use.clicked.connect(self.on_use_clicked)
        self.compare = QPushButton("Compare")
        self.compare.setToolTip("Two selected takes side by side, with their seeds and models")
        self.compare.clicked.connect(self.on_compare_clicked)
        self.delete = QPushButton("Delete files…")
        self.delete.setToolTip("Delete the selected take's files from disk (asks first; cannot be undone)")
        self.delete.clicked.connect(self.on_delete_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.use, self.compare, self.delete):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self._enable()

    def load(self, project: Project, clip, current_hash: str | None) -> None:
        """Show ``clip``'s takes, newest first."""
        self.project = project
        self.list.clear()
        self.takes = {take.key: take for take in takes_of(clip)}
        active = clip.active_media_reference_key
        for take in reversed(list(self.takes.values())):
            item = QListWidgetItem(describe(take, take.key == active, take.recipe_hash == current_hash))
            item.setData(Qt.UserRole, take.key)
            item.setToolTip(f"{take.media}\nmade {take.created.replace('T', ' ')}")
            pixmap = thumbnail(project.resolve(take.media), THUMB_HEIGHT)
            if pixmap is not None:
                item.setIcon(pixmap)
            if take.key == active:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
        self._enable()

    def selected_keys(self) -> list[str]:
        return [item.data(Qt.UserRole) for item in self.list.selectedItems()]

    def _enable(self) -> None:
        count = len(self.list.selectedItems())
        self.use.setEnabled(count == 1)
        self.compare.setEnabled(count == 2)
        self.delete.setEnabled(count == 1)

    def on_list_item_double_clicked(self, item: QListWidgetItem) -> None:
        self.use_requested.emit(item.data(Qt.UserRole))

    def on_use_clicked(self) -> None:
        keys = self.selected_keys()
        if len(keys) == 1:
            self.use_requested.emit(keys[0])

    def on_delete_clicked(self) -> None:
        keys = self.selected_keys()
        if len(keys) == 1:
            self.delete_requested.emit(keys[0])

    def on_compare_clicked(self) -> None:
        keys = self.selected_keys()
        if len(keys) == 2 and self.project is not None:
            self.comparison(keys).open()

    def comparison(self, keys: list[str]) -> QDialog:
        """A dialog with two takes side by side (first, middle and last frame), each with its seed and model."""
        dialog = QDialog(self)
        dialog.setObjectName("take_comparison")
        dialog.setWindowTitle(f"Compare {keys[0]} and {keys[1]}")
        grid = QGridLayout(dialog)
        for column, key in enumerate(keys):
            take = self.takes[key]
            grid.addWidget(QLabel(f"{take.key}  ·  {made_by(take)}"), 0, column)
            for row, picture in enumerate(_frames(self.project.resolve(take.media)), start=1):
                grid.addWidget(picture, row, column)
        return dialog


def _frames(path) -> list[QLabel]:
    """First, middle and last frame of a take (one label saying so when the file cannot be read)."""
    try:
        reader = FrameReader(path)
        indexes = sorted({0, reader.frames // 2, reader.frames - 1})
        images = [qimage_from_rgb(reader.frame(i)).scaledToHeight(COMPARE_HEIGHT) for i in indexes]
    except Exception:  # a missing or unreadable file: say so instead of failing the dialog
        return [QLabel("(file missing or unreadable)")]
    labels = []
    for image, index in zip(images, indexes, strict=True):
        label = QLabel()
        label.setPixmap(QPixmap.fromImage(image))
        label.setToolTip(f"frame {index}")
        labels.append(label)
    return labels
