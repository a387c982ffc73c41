"""The render queue panel: one row per job with state, progress bar, ETA and a cancel cell.

A table model over ``RenderQueue.rows`` with a painted progress bar (no widget per row: a
2,000-clip render queue must not create 4,000 widgets).  Clicking a row's ✕ cancels that job.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSignalBlocker,
    Qt,
    QTimer,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fp_timeline.project.errors import ProjectError
from fp_timeline.ui import theme
from fp_timeline.ui.render_queue import JobRow, JobState, RenderQueue

COLUMNS = ("Clip", "Status", "Progress", "ETA", "")
CLIP, STATUS, PROGRESS, ETA, CANCEL = range(len(COLUMNS))
PRESETS = (
    ("auto", "the real weights when they are downloaded, else the toy model"),
    ("toy", "a small model trained here on synthetic pans, zooms and a bouncing ball: blurry, mostly still, on a CPU"),
    ("tiny", "a tiny random model: fast, for trying the pipeline, not for pictures"),
    ("real", "each generator's real weights (a GPU and the downloaded weights)"),
)
STATE_COLOURS = {
    JobState.RENDERING: "rendering",
    JobState.DONE: "rendered",
    JobState.FAILED: "error",
    JobState.CANCELLED: "unrendered",
}
FRACTION_ROLE = Qt.UserRole + 1


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


def eta_text(row: JobRow, now: float | None = None) -> str:
    if row.state is not JobState.RENDERING:
        return ""
    eta = row.eta(now)
    if eta is None:
        return "decoding" if row.decoding else "–"
    return format_eta(eta)


class QueueModel(QAbstractTableModel):
    def __init__(self, queue: RenderQueue, parent=None) -> None:
        super().__init__(parent)
        self.queue = queue
        self._rows: list[JobRow] = []
        self._index: dict[str, int] = {}

    def reset(self) -> None:
        self.beginResetModel()
        self._rows = list(self.queue.rows.values())
        self._index = {row.clip: i for i, row in enumerate(self._rows)}
        self.endResetModel()

    def row_changed(self, clip: str) -> None:
        i = self._index.get(clip)
        if i is not None:
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def rendering_changed(self) -> None:
        """ETAs tick down between progress reports."""
        for i, row in enumerate(self._rows):
            if row.state is JobState.RENDERING:
                self.dataChanged.emit(self.index(i, ETA), self.index(i, ETA))

    def clip_at(self, row: int) -> JobRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.DisplayRole):
        row = self.clip_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.DisplayRole:
            if column == CLIP:
                return row.clip
            if column == STATUS:
                return row.state.value if not row.message else f"{row.state.value}: {row.message}"
            if column == PROGRESS:
                return f"{row.step}/{row.total}" if row.total else ""
            if column == ETA:
                return eta_text(row)
            if column == CANCEL:
                return "✕" if row.state.active else ""
        if role == FRACTION_ROLE and column == PROGRESS:
            return 1.0 if row.state is JobState.DONE else row.fraction
        if role == Qt.ForegroundRole and column == STATUS:
            return theme.state_colour(STATE_COLOURS.get(row.state, "queued"))
        if role == Qt.ToolTipRole:
            if column == CANCEL:
                return f"Cancel {row.clip}"
            return row.message or row.detail or row.reason
        if role == Qt.TextAlignmentRole and column in (ETA, CANCEL):
            return int(Qt.AlignCenter)
        return None


class ProgressDelegate(QStyledItemDelegate):
    """Paints a progress bar in the cell (no widget per row)."""

    def paint(self, painter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        fraction = max(0.0, min(1.0, index.data(FRACTION_ROLE) or 0.0))
        rect = QRectF(option.rect.adjusted(3, 4, -3, -4))
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing, True)
        painter.setPen(Qt.NoPen)
        painter.setBrush(theme.BACKGROUND)
        painter.drawRoundedRect(rect, 3, 3)
        if fraction > 0:
            painter.setBrush(theme.STATE_COLOURS["rendered" if fraction >= 1 else "rendering"])
            painter.drawRoundedRect(QRectF(rect.left(), rect.top(), rect.width() * fraction, rect.height()), 3, 3)
        painter.setPen(theme.TEXT)
        painter.drawText(rect, Qt.AlignCenter, index.data(Qt.DisplayRole) or "")
        painter.restore()


class QueuePanel(QWidget):
    def __init__(self, queue: RenderQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.model = QueueModel(queue, self)
        self._build_table()
        buttons = self._build_controls()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self._eta_timer = QTimer(self)
        self._eta_timer.setInterval(1000)
        self._eta_timer.timeout.connect(self.model.rendering_changed)
        queue.jobs_changed.connect(self.on_queue_jobs_changed)
        queue.job_updated.connect(self.on_queue_job_updated)
        queue.running_changed.connect(self.on_queue_running_changed)
        self.on_queue_jobs_changed()
        self.on_queue_running_changed(queue.running)

    def _build_table(self) -> None:
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(PROGRESS, ProgressDelegate(self.table))
        self.table.setSelectionBehavior(QTableView.SelectRows)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.clicked.connect(self.on_table_clicked)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(24)
        header.setSectionResizeMode(CLIP, QHeaderView.Interactive)
        header.setSectionResizeMode(STATUS, QHeaderView.Interactive)
        header.setSectionResizeMode(PROGRESS, QHeaderView.Stretch)
        header.setSectionResizeMode(ETA, QHeaderView.Fixed)
        header.setSectionResizeMode(CANCEL, QHeaderView.Fixed)
        header.resizeSection(CLIP, 90)
        header.resizeSection(STATUS, 90)
        header.resizeSection(ETA, 52)
        header.resizeSection(CANCEL, 28)

    def _build_controls(self) -> QHBoxLayout:
        """The summary line, the model preset, Ray, and the clear/cancel buttons."""
        self.summary = QLabel("Nothing queued")
        # A label's minimum width is its text's: a growing summary would widen the dock and squeeze the viewer.
        self.summary.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.preset = QComboBox()
        for name, tip in PRESETS:
            self.preset.addItem(name, name)
            self.preset.setItemData(self.preset.count() - 1, tip, Qt.ToolTipRole)
        self.preset.setToolTip("Which weights renders use: every generator has tiny and real presets")
        self.preset.setCurrentIndex(max(0, self.preset.findData(self.queue.options.get("preset", "auto"))))
        self.preset.currentIndexChanged.connect(self.on_preset_current_index_changed)
        self.on_ray = QCheckBox("Ray")
        self.on_ray.setToolTip(
            "Render on a Ray cluster: started on this machine, or the one RAY_ADDRESS names; independent "
            'chains render side by side, one GPU each (needs pip install "fp-timeline[ray]")'
        )
        self.on_ray.toggled.connect(self.on_ray_toggled)
        self.clear = QPushButton("Clear finished")
        self.clear.clicked.connect(self.on_clear_clicked)
        self.cancel_all = QPushButton("Cancel all")
        self.cancel_all.clicked.connect(self.on_cancel_all_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(QLabel("Model"))
        buttons.addWidget(self.preset)
        buttons.addWidget(self.on_ray)
        buttons.addWidget(self.clear)
        buttons.addWidget(self.cancel_all)
        return buttons

    def on_queue_jobs_changed(self) -> None:
        self.model.reset()
        self._summarise()

    def on_queue_job_updated(self, clip: str) -> None:
        self.model.row_changed(clip)
        self._summarise()

    def on_queue_running_changed(self, running: bool) -> None:
        self.cancel_all.setEnabled(running)
        self.on_ray.setEnabled(not running)
        if running:
            self._eta_timer.start()
        else:
            self._eta_timer.stop()
        self._summarise()

    def on_table_clicked(self, index: QModelIndex) -> None:
        row = self.model.clip_at(index.row())
        if index.column() == CANCEL and row is not None and row.state.active:
            self.queue.cancel(row.clip)

    def on_preset_current_index_changed(self, index: int) -> None:
        self.queue.set_options(preset=self.preset.itemData(index))  # the next render; states are judged anew

    def on_ray_toggled(self, checked: bool) -> None:
        try:
            self.queue.use_ray(checked)
        except ProjectError as err:  # Ray is not installed: say how, and stay local
            self.summary.setText(str(err))
            self.summary.setToolTip(str(err))
            with QSignalBlocker(self.on_ray):
                self.on_ray.setChecked(False)

    def on_cancel_all_clicked(self) -> None:
        self.queue.cancel(None)

    def on_clear_clicked(self) -> None:
        self.queue.clear_finished()

    def _summarise(self) -> None:
        rows = self.queue.rows.values()
        if not rows:
            self.summary.setText("Nothing queued")
            return
        done = sum(r.state is JobState.DONE for r in rows)
        failed = sum(r.state is JobState.FAILED for r in rows)
        text = f"{done}/{len(rows)} rendered" + (f", {failed} failed" if failed else "")
        self.summary.setText(text + (" · rendering…" if self.queue.running else ""))
