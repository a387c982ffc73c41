"""The inspector's effect stack: a clip's post-processing effects, with a control for each setting.

The list shows the clip's own effects (editable) and those it gets from its track and the timeline
(greyed).  Adding, removing, reordering and each setting change is one undoable edit of the clip
(``effects_edit``); "Process" asks the render queue to build the processed media now, which the
viewer then shows.
"""

from __future__ import annotations

import copy

import opentimelineio as otio
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fp_timeline.engine.postfx.jobs import postfx_job, processed_range
from fp_timeline.project.document import Project
from fp_timeline.project.effects import KINDS, PostEffect, Setting, effect_stack, is_ours, own_effects, to_otio
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.timeline_edits import Replacement, locate
from fp_timeline.ui import theme
from fp_timeline.ui.document import ProjectDocument

LIST_HEIGHT = 84


def effects_edit(project: Project, name: str, effects: list[PostEffect], text: str) -> Replacement:
    """Replace the clip's own post-processing effects (other tools' effects stay, first)."""
    t, i, clip = locate(project, name)
    edited = copy.deepcopy(clip)
    others = [copy.deepcopy(e) for e in clip.effects if not is_ours(e)]
    edited.effects[:] = others + [to_otio(e) for e in effects]
    return Replacement(t, i, 1, [edited], text, select=name)


class EffectsPanel(QWidget):
    process_requested = Signal(str)  # clip
    problem_reported = Signal(str)

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.clip_name: str | None = None
        self.controls: dict[str, QWidget] = {}  # the selected effect's setting -> its control
        self._own: list[PostEffect] = []
        self._loading = False
        self._build()
        document.selection_changed.connect(self.on_document_selection_changed)
        document.changed.connect(self.reload)
        self.on_document_selection_changed(document.selected)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.stack = QListWidget()
        self.stack.setFixedHeight(LIST_HEIGHT)
        self.stack.currentRowChanged.connect(self.on_stack_current_row_changed)
        layout.addWidget(self.stack)
        buttons = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.addItems(list(KINDS))
        self.add = QPushButton("Add")
        self.add.clicked.connect(self.on_add_clicked)
        self.remove = QPushButton("Remove")
        self.remove.clicked.connect(self.on_remove_clicked)
        self.up = QPushButton("Up")
        self.up.setToolTip("Apply this effect earlier")
        self.up.clicked.connect(self.on_up_clicked)
        self.fit = QPushButton("Fit length")
        self.fit.setToolTip("Make the clip as long as its processed media (a loop is longer than the take)")
        self.fit.clicked.connect(self.on_fit_clicked)
        for widget in (self.kind, self.add, self.remove, self.up, self.fit):
            buttons.addWidget(widget)
        layout.addLayout(buttons)
        self.settings_host = QWidget()
        self.settings = QFormLayout(self.settings_host)
        self.settings.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.settings_host)
        status = QHBoxLayout()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet(f"color: {theme.TEXT_DIM.name()};")
        self.process = QPushButton("Process")
        self.process.setToolTip("Build the processed media now (rendering builds it after the take too)")
        self.process.clicked.connect(self.on_process_clicked)
        status.addWidget(self.status, 1)
        status.addWidget(self.process)
        layout.addLayout(status)

    # --- reading ----------------------------------------------------------------------------------
    def on_document_selection_changed(self, name: object) -> None:
        self.clip_name = name if isinstance(name, str) else None
        self.reload()

    def reload(self) -> None:
        clip = self._clip()
        self.setEnabled(clip is not None)
        row = max(self.stack.currentRow(), 0)
        self._loading = True
        self.stack.clear()
        self._own = []
        if clip is not None:
            try:
                self._own = own_effects(clip)
                inherited = effect_stack(self.document.project.timeline, clip)[len(self._own) :]
            except ProjectError as err:
                inherited = []
                self.problem_reported.emit(str(err))
            for number, effect in enumerate(self._own, 1):
                self.stack.addItem(f"{number}. {effect.describe()}")
            for effect in inherited:
                item = QListWidgetItem(f"   {effect.describe()}  (track/timeline)")
                item.setFlags(Qt.NoItemFlags)
                self.stack.addItem(item)
        self._loading = False
        self.stack.setCurrentRow(min(row, len(self._own) - 1))
        self._show_settings()
        self._show_status(clip)

    def _clip(self) -> otio.schema.Clip | None:
        if self.clip_name is None:
            return None
        try:
            return locate(self.document.project, self.clip_name)[2]
        except ProjectError:
            return None

    def _show_status(self, clip: otio.schema.Clip | None) -> None:
        text, can_process = "", False
        if clip is not None:
            try:
                job = postfx_job(self.document.project, clip)
                if job is None:
                    text = "no effects" if not effect_stack(self.document.project.timeline, clip) else "no take yet"
                else:
                    text, can_process = ("processed", False) if job.done else ("not processed yet", True)
            except ProjectError as err:
                text = err.problems[0].message
        self.status.setText(text)
        self.process.setEnabled(can_process)

    def _show_settings(self) -> None:
        while self.settings.rowCount():
            self.settings.removeRow(0)
        self.controls = {}
        index = self.stack.currentRow()
        if not 0 <= index < len(self._own):
            return
        effect = self._own[index]
        for spec in KINDS[effect.kind]:
            self.controls[spec.name] = self._control(index, spec, effect.settings[spec.name])
            self.settings.addRow(spec.name, self.controls[spec.name])

    def _control(self, index: int, spec: Setting, value) -> QWidget:
        def commit(new) -> None:
            self._change(index, spec.name, new)

        if spec.choices:
            box = QComboBox()
            box.addItems(list(spec.choices))
            box.setCurrentText(value)
            box.activated.connect(lambda _: commit(box.currentText()))
            return box
        if spec.kind is str:
            line = QLineEdit(value)
            line.editingFinished.connect(lambda: line.text() != value and commit(line.text()))
            return line
        spin = QDoubleSpinBox() if spec.kind is float else QSpinBox()
        spin.setRange(-1000, 1000)
        if spec.kind is float:
            spin.setDecimals(2)
            spin.setSingleStep(0.5)
        spin.setValue(value)
        spin.setKeyboardTracking(False)
        spin.editingFinished.connect(lambda: spin.value() != value and commit(spin.value()))
        return spin

    # --- edits ------------------------------------------------------------------------------------
    def _commit(self, effects: list[PostEffect], text: str) -> None:
        if self.clip_name is None:
            return
        try:
            self.document.edit(effects_edit(self.document.project, self.clip_name, effects, text))
        except ProjectError as err:
            self.problem_reported.emit(str(err))

    def _change(self, index: int, name: str, value) -> None:
        effect = self._own[index]
        try:
            changed = PostEffect(effect.kind, {**effect.settings, name: value})
        except ProjectError as err:
            self.problem_reported.emit(str(err))
            self.reload()
            return
        effects = list(self._own)
        effects[index] = changed
        self._commit(effects, f"Set {effect.kind} {name}")

    def on_stack_current_row_changed(self, _: int) -> None:
        if not self._loading:
            self._show_settings()

    def on_add_clicked(self) -> None:
        kind = self.kind.currentText()
        given = {}
        if kind == "colormatch":  # needs a reference: start from the first other clip
            others = [c.name for c in self.document.project.generated_clips() if c.name != self.clip_name]
            given = {"reference": others[0] if others else "?"}
        try:
            effect = PostEffect(kind, given)
        except ProjectError as err:
            self.problem_reported.emit(str(err))
            return
        self._commit([*self._own, effect], f"Add {kind}")
        self.stack.setCurrentRow(len(self._own) - 1)

    def on_remove_clicked(self) -> None:
        index = self.stack.currentRow()
        if 0 <= index < len(self._own):
            self._commit(self._own[:index] + self._own[index + 1 :], f"Remove {self._own[index].kind}")

    def on_up_clicked(self) -> None:
        index = self.stack.currentRow()
        if 0 < index < len(self._own):
            effects = list(self._own)
            effects[index - 1], effects[index] = effects[index], effects[index - 1]
            self._commit(effects, f"Move {effects[index - 1].kind} up")
            self.stack.setCurrentRow(index - 1)

    def on_fit_clicked(self) -> None:
        if self.clip_name is None:
            return
        try:
            t, i, clip = locate(self.document.project, self.clip_name)
            fitted = processed_range(self.document.project, clip)
            if fitted is None:
                raise ProjectError("nothing to fit to: no effects or no take yet")
            edited = copy.deepcopy(clip)
            edited.source_range = fitted
            self.document.edit(Replacement(t, i, 1, [edited], f"Fit {self.clip_name} to its effects", self.clip_name))
        except ProjectError as err:
            self.problem_reported.emit(str(err))

    def on_process_clicked(self) -> None:
        if self.clip_name is not None:
            self.process_requested.emit(self.clip_name)
