"""The render queue panel: one row per job with state, progress bar, ETA and a cancel button."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fp_timeline.ui import theme
from fp_timeline.ui.render_queue import JobRow, RenderQueue

COLUMNS = ("Clip", "Status", "Progress", "ETA", "")
PRESETS = (
    ("auto", "the real weights when they are downloaded, else the tiny model"),
    ("tiny", "a tiny random model: fast, for trying the pipeline, not for pictures"),
    ("real", "the real FramePack F1 weights (a GPU and the downloaded weights)"),
)


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


class QueuePanel(QWidget):
    def __init__(self, queue: RenderQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(24)
        for column, mode in enumerate(
            (
                QHeaderView.ResizeToContents,
                QHeaderView.ResizeToContents,
                QHeaderView.Stretch,
                QHeaderView.Fixed,
                QHeaderView.Fixed,
            )
        ):
            header.setSectionResizeMode(column, mode)
        header.resizeSection(3, 52)
        header.resizeSection(4, 28)
        self.summary = QLabel("Nothing queued")
        self.cancel_all = QPushButton("Cancel all")
        self.cancel_all.clicked.connect(self.on_cancel_all_clicked)
        self.preset = QComboBox()
        for name, tip in PRESETS:
            self.preset.addItem(name, name)
            self.preset.setItemData(self.preset.count() - 1, tip, Qt.ToolTipRole)
        self.preset.setToolTip("Which FramePack F1 weights renders use (other generators ignore it)")
        self.preset.setCurrentIndex(max(0, self.preset.findData(queue.options.get("preset", "auto"))))
        self.preset.currentIndexChanged.connect(self.on_preset_current_index_changed)
        self.clear = QPushButton("Clear finished")
        self.clear.clicked.connect(self.on_clear_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(QLabel("Model"))
        buttons.addWidget(self.preset)
        buttons.addWidget(self.clear)
        buttons.addWidget(self.cancel_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.tree)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._bars: dict[str, QProgressBar] = {}
        self._eta_timer = QTimer(self)  # ETAs tick down between progress reports
        self._eta_timer.setInterval(1000)
        self._eta_timer.timeout.connect(self.on_eta_timer_timeout)
        queue.jobs_changed.connect(self.on_queue_jobs_changed)
        queue.job_updated.connect(self.on_queue_job_updated)
        queue.running_changed.connect(self.on_queue_running_changed)
        self.on_queue_jobs_changed()
        self.on_queue_running_changed(queue.running)

    def on_queue_jobs_changed(self) -> None:
        self.tree.clear()
        self._items.clear()
        self._bars.clear()
        for row in self.queue.rows.values():
            item = QTreeWidgetItem([row.clip, row.state, "", "", ""])
            self.tree.addTopLevelItem(item)
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setTextVisible(True)
            bar.setFixedHeight(16)
            self.tree.setItemWidget(item, 2, bar)
            cancel = QToolButton()
            cancel.setText("✕")
            cancel.setToolTip(f"Cancel {row.clip}")
            cancel.setAutoRaise(True)
            cancel.clicked.connect(lambda _=False, clip=row.clip: self.queue.cancel(clip))
            self.tree.setItemWidget(item, 4, cancel)
            self._items[row.clip] = item
            self._bars[row.clip] = bar
            self._show(row)
        self._summarise()

    def on_queue_job_updated(self, clip: str) -> None:
        row = self.queue.rows.get(clip)
        if row is not None and clip in self._items:
            self._show(row)
            self._summarise()

    def on_queue_running_changed(self, running: bool) -> None:
        self.cancel_all.setEnabled(running)
        if running:
            self._eta_timer.start()
        else:
            self._eta_timer.stop()
        self._summarise()

    def on_eta_timer_timeout(self) -> None:
        for row in self.queue.rows.values():
            if row.state == "rendering":
                self._show(row)

    def on_preset_current_index_changed(self, index: int) -> None:
        self.queue.options["preset"] = self.preset.itemData(index)  # applies to the next render

    def on_cancel_all_clicked(self) -> None:
        self.queue.cancel(None)

    def on_clear_clicked(self) -> None:
        self.queue.clear_finished()

    def _show(self, row: JobRow) -> None:
        item = self._items[row.clip]
        item.setText(1, row.state if not row.message else f"{row.state}: {row.message}")
        item.setToolTip(1, row.message or row.detail or row.reason)
        colour = {"rendering": "rendering", "done": "rendered", "failed": "error", "cancelled": "unrendered"}
        item.setForeground(1, theme.state_colour(colour.get(row.state, "queued")))
        bar = self._bars[row.clip]
        bar.setValue(round(row.fraction * 1000) if row.state != "done" else 1000)
        bar.setFormat(f"{row.step}/{row.total}" if row.total else "")
        item.setText(3, format_eta(row.eta()) if row.state == "rendering" else "")
        button = self.tree.itemWidget(item, 4)
        if button is not None:
            button.setEnabled(row.state in ("queued", "rendering"))

    def _summarise(self) -> None:
        rows = list(self.queue.rows.values())
        if not rows:
            self.summary.setText("Nothing queued")
            return
        done = sum(r.state == "done" for r in rows)
        failed = sum(r.state == "failed" for r in rows)
        text = f"{done}/{len(rows)} rendered"
        if failed:
            text += f", {failed} failed"
        self.summary.setText(text + (" · rendering…" if self.queue.running else ""))
        self.summary.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
