"""The clip inspector: the selected clip's recipe as a form, and its takes.

Each field commits on its own (focus out, Enter, Ctrl+Enter for the prompt) as one undoable
edit through ``ProjectDocument.edit``; the form re-reads the clip after every change, so undo
shows up here too.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from fp_timeline.engine import capabilities
from fp_timeline.engine.registry import generator_ids, load_generator, snap_frames
from fp_timeline.engine.schema import Setting
from fp_timeline.engine.stale import stale_reason
from fp_timeline.engine.validation import recipe_problems
from fp_timeline.project import timeline_edits
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.recipe import SEED_MAX, ContextMode, NoiseMode, Recipe
from fp_timeline.project.upstream import upstream_of
from fp_timeline.ui import theme
from fp_timeline.ui.clip_defaults import IMAGE_FILTER
from fp_timeline.ui.cut_notes import trim_note
from fp_timeline.ui.document import ProjectDocument
from fp_timeline.ui.effects_panel import EffectsPanel
from fp_timeline.ui.field_errors import FieldErrors
from fp_timeline.ui.settings_form import SettingsForm
from fp_timeline.ui.take_browser import TakeBrowser
from fp_timeline.ui.thumbnails import thumbnail

PREVIEW_HEIGHT = 84


class PromptEdit(QPlainTextEdit):
    """A multi-line prompt box that reports when the user is done: focus out or Ctrl+Enter."""

    editing_finished = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and event.modifiers() & Qt.ControlModifier:
            self.editing_finished.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.editing_finished.emit()


class Inspector(QWidget):
    problem_reported = Signal(str)
    take_requested = Signal(str, str)  # clip, take key
    take_delete_requested = Signal(str, str)  # clip, take key: the window asks, then deletes its files

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.clip_name: str | None = None
        self._recipe: Recipe | None = None
        self._loading = False
        self._build()
        document.selection_changed.connect(self.on_document_selection_changed)
        document.changed.connect(self.on_document_changed)
        self.on_document_selection_changed(document.selected)

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.stack = QStackedWidget(self)
        empty = QLabel("Select a clip to edit its recipe.\n\nDrop an image on the timeline to add a clip.")
        empty.setAlignment(Qt.AlignCenter)
        empty.setStyleSheet(f"color: {theme.TEXT_DIM.name()};")
        empty.setWordWrap(True)
        self.stack.addWidget(empty)

        form_host = QWidget()
        form = QFormLayout(form_host)
        form.setLabelAlignment(Qt.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 12pt; font-weight: bold;")
        self.state = QLabel()
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.state)
        form.addRow(head)
        self.checks = QLabel()  # why the clip is stale (amber)
        self.checks.setWordWrap(True)
        self.checks.setStyleSheet(f"color: {theme.STATE_COLOURS['stale'].name()};")
        form.addRow(self.checks)
        self.errors = FieldErrors()  # what the generator refuses, beside each field (red: stops a render)
        form.addRow(self.errors.labels["general"])

        self.prompt = PromptEdit()
        self.prompt.setPlaceholderText("What moves: 'the cat turns its head slowly'")
        self.prompt.setFixedHeight(56)
        self.prompt.editing_finished.connect(self.on_prompt_editing_finished)
        form.addRow("Prompt", self.prompt)

        self.seed = QLineEdit()
        self.seed.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{1,10}")))
        self.seed.editingFinished.connect(self.on_seed_editing_finished)
        self.randomise = QPushButton("Randomise")
        self.randomise.setToolTip("A new random seed")
        self.randomise.clicked.connect(self.on_randomise_clicked)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.randomise)
        form.addRow("Seed", seed_row)

        self.preview = QLabel()
        self.preview.setFixedHeight(PREVIEW_HEIGHT)
        self.preview.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.image_path = QLabel()
        self.image_path.setStyleSheet(f"color: {theme.TEXT_DIM.name()};")
        self.image_path.setWordWrap(True)
        self.choose_image = QPushButton("Choose…")
        self.choose_image.clicked.connect(self.on_choose_image_clicked)
        self.clear_image = QPushButton("Clear")
        self.clear_image.setToolTip("A carried clip can keep the upstream clip's anchor image")
        self.clear_image.clicked.connect(self.on_clear_image_clicked)
        image_buttons = QHBoxLayout()
        image_buttons.addWidget(self.choose_image)
        image_buttons.addWidget(self.clear_image)
        image_buttons.addStretch(1)
        image_box = QVBoxLayout()
        image_box.addWidget(self.preview)
        image_box.addWidget(self.image_path)
        image_box.addLayout(image_buttons)
        form.addRow("Start image", image_box)
        form.addRow("", self.errors.labels["image"])

        self.duration = QDoubleSpinBox()
        self.duration.setRange(0.03, 3600)
        self.duration.setDecimals(2)
        self.duration.setSuffix(" s")
        self.duration.setKeyboardTracking(False)
        self.duration.editingFinished.connect(self.on_duration_editing_finished)
        self.frames = QLabel()
        duration_row = QHBoxLayout()
        duration_row.addWidget(self.duration, 1)
        duration_row.addWidget(self.frames)
        form.addRow("Duration", duration_row)
        form.addRow("", self.errors.labels["duration"])

        self.context = QComboBox()
        self.context.addItem("fresh: start from the start image", ContextMode.FRESH.value)
        self.context.addItem("carry: continue the previous clip", ContextMode.CARRY.value)
        self.context.activated.connect(self.on_context_activated)
        form.addRow("Context", self.context)
        self.noise = QComboBox()
        self.noise.addItem("own seed", NoiseMode.OWN.value)
        self.noise.addItem("continue upstream noise", NoiseMode.CONTINUE.value)
        self.noise.activated.connect(self.on_noise_activated)
        form.addRow("Noise", self.noise)

        self.generator = QComboBox()
        for gid in generator_ids():
            self.generator.addItem(gid, gid)
        self.generator.activated.connect(self.on_generator_activated)
        form.addRow("Generator", self.generator)
        self.width_box, self.height_box = QSpinBox(), QSpinBox()
        for box in (self.width_box, self.height_box):
            box.setRange(16, 4096)
            box.setSingleStep(16)
            box.setKeyboardTracking(False)
            box.editingFinished.connect(self.on_size_editing_finished)
        size_row = QHBoxLayout()
        size_row.addWidget(self.width_box)
        size_row.addWidget(QLabel("×"))
        size_row.addWidget(self.height_box)
        form.addRow("Size", size_row)
        form.addRow("", self.errors.labels["size"])
        self.settings = SettingsForm()  # one control per setting of the generator's schema
        self.settings.changed.connect(self.on_settings_changed)
        self.settings.invalid.connect(self.problem_text)
        form.addRow("Settings", self.settings)
        self.params = PromptEdit()
        self.params.setFixedHeight(48)
        self.params.setPlaceholderText("{}  (the generator's defaults)")
        self.params.setToolTip("The same settings as JSON (Ctrl+Enter to apply)")
        self.params.editing_finished.connect(self.on_params_editing_finished)
        form.addRow("As JSON", self.params)
        form.addRow("", self.errors.labels["settings"])

        self.take_browser = TakeBrowser()
        self.take_browser.use_requested.connect(self.on_take_browser_use_requested)
        self.take_browser.delete_requested.connect(self.on_take_browser_delete_requested)
        self.takes = self.take_browser.list
        form.addRow("Takes", self.take_browser)
        self.effects = EffectsPanel(self.document)  # post-processing: its own file, its own edits
        self.effects.problem_reported.connect(self.problem_reported)
        form.addRow("Effects", self.effects)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {theme.STATE_COLOURS['error'].name()};")
        form.addRow(self.problem)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setWidget(form_host)
        self.stack.addWidget(scroll)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.addWidget(self.stack)

    # --- reading the clip --------------------------------------------------------------------
    def on_document_selection_changed(self, name: object) -> None:
        self.clip_name = name if isinstance(name, str) else None
        self.problem.clear()
        self._load()

    def on_document_changed(self) -> None:
        self.clip_name = self.document.selected  # the document keeps its selection valid; follow it
        self._load()

    def _load(self) -> None:
        if self.clip_name is None:
            self.stack.setCurrentIndex(0)
            return
        project = self.document.project
        try:
            clip = project.clip(self.clip_name)
            recipe = project.recipe(clip)
        except ProjectError as err:
            self.stack.setCurrentIndex(0)
            self.problem_reported.emit(str(err))
            return
        self._loading = True
        self._recipe = recipe
        self.stack.setCurrentIndex(1)
        status = self.document.statuses().get(self.clip_name)
        state = status.state.value if status else "error"
        others = len(self.document.selection) - 1  # the form edits the primary clip only: say so
        self.title.setText(self.clip_name + (f"  (+{others} selected)" if others > 0 else ""))
        self.state.setText(state)
        colour = theme.state_colour(state)
        self.state.setStyleSheet(
            f"background: {colour.name()}; color: #111; border-radius: 7px; padding: 1px 8px; font-weight: bold;"
        )
        if not self.prompt.hasFocus():
            self.prompt.setPlainText(recipe.prompt)
        if not self.seed.hasFocus():  # do not clobber a seed being typed when a render lands
            self.seed.setText(str(recipe.seed))
        image = project.resolve(recipe.image) if recipe.image else None
        pixmap = thumbnail(image, PREVIEW_HEIGHT)
        if pixmap is not None:
            self.preview.setPixmap(pixmap)
        else:
            upstream = upstream_of(project, self.clip_name)
            self.preview.setText(f"(continues {upstream.name})" if recipe.carries and upstream else "(no image)")
        self.image_path.setText(recipe.image or "")
        self.clear_image.setEnabled(recipe.carries and recipe.image is not None)
        self.duration.setValue(recipe.frames / recipe.fps)
        self.frames.setText(f"{recipe.frames} f @ {recipe.fps:g}")
        self.context.setCurrentIndex(self.context.findData(recipe.context.value))
        self.noise.setCurrentIndex(self.noise.findData(recipe.noise.value))
        self.noise.setEnabled(recipe.carries)
        if self.generator.findData(recipe.generator) < 0:
            self.generator.addItem(f"{recipe.generator} (not installed)", recipe.generator)
        self.generator.setCurrentIndex(self.generator.findData(recipe.generator))
        self.width_box.setValue(recipe.width)
        self.height_box.setValue(recipe.height)
        if not self.params.hasFocus():
            self.params.setPlainText(json.dumps(recipe.params, sort_keys=True) if recipe.params else "")
        self.settings.set_schema(settings_schema(recipe.generator))
        self.settings.set_params(recipe.params)
        self._load_takes(clip, status.recipe_hash if status else None)
        self.errors.show(recipe_problems(recipe))
        notes = []
        if state == "stale":
            reason = stale_reason(project, clip, recipe, self.document.runtime_identity(recipe.generator))
            notes.insert(0, f"Stale: {reason}" if reason else "Stale: the recipe changed since the take")
        if note := trim_note(project, clip):
            notes.append(note)
        self.checks.setText("\n".join(notes))
        self._loading = False

    def _load_takes(self, clip, current_hash: str | None) -> None:
        self.take_browser.load(self.document.project, clip, current_hash)

    # --- writing the clip --------------------------------------------------------------------
    def apply_changes(self, text: str, **changes) -> bool:
        """Validate ``recipe.replace(**changes)`` and push it as one undo step."""
        if self._loading or self._recipe is None or self.clip_name is None:
            return False
        recipe = self._recipe.replace(**changes)
        # A length the generator cannot make for these settings (carry drops F1's start frame, another
        # latent window changes the section) is snapped here, before anything can render it.
        recipe = recipe.replace(frames=snap_frames(recipe.generator, recipe.frames, recipe.carries, recipe))
        if recipe == self._recipe:
            return False
        try:
            recipe = Recipe.from_metadata(recipe.to_metadata(), clip=self.clip_name)
            self.document.edit(timeline_edits.set_recipe(self.document.project, self.clip_name, recipe, text))
        except ProjectError as err:
            self.problem.setText(str(err))
            self.problem_reported.emit(str(err))
            self._load()
            return False
        self.problem.clear()
        return True

    def commit_pending(self) -> None:
        """Apply text still being typed (the prompt, settings, seed): before save, render or close."""
        if self._recipe is None or self.clip_name is None:
            return
        if self.prompt.toPlainText().strip() != self._recipe.prompt:
            self.on_prompt_editing_finished()
        if self.seed.text() and int(self.seed.text()) != self._recipe.seed:
            self.on_seed_editing_finished()
        params = self.params.toPlainText().strip()
        if params and params != json.dumps(self._recipe.params, sort_keys=True):
            self.on_params_editing_finished()

    def on_prompt_editing_finished(self) -> None:
        self.apply_changes("Edit prompt", prompt=self.prompt.toPlainText().strip())

    def on_seed_editing_finished(self) -> None:
        if self.seed.text():
            self.apply_changes("Change seed", seed=min(int(self.seed.text()), SEED_MAX))

    def on_randomise_clicked(self) -> None:
        self.apply_changes("Randomise seed", seed=random.randint(0, SEED_MAX))

    def on_choose_image_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Start image", str(self.document.project.folder), IMAGE_FILTER)
        if path:
            self.set_image(Path(path))

    def set_image(self, path: Path) -> bool:
        return self.apply_changes("Change start image", image=self.document.project.relative(path))

    def on_clear_image_clicked(self) -> None:
        self.apply_changes("Clear start image", image=None)

    def on_duration_editing_finished(self) -> None:
        if self._recipe is None:
            return
        frames = snap_frames(
            self._recipe.generator, round(self.duration.value() * self._recipe.fps), self._recipe.carries, self._recipe
        )
        self.apply_changes("Change duration", frames=frames)
        self._load()  # show the snapped length

    def on_context_activated(self, index: int) -> None:
        context = ContextMode(self.context.itemData(index))
        noise = self._recipe.noise if context is ContextMode.CARRY else NoiseMode.OWN
        self.apply_changes("Change context", context=context, noise=noise)

    def on_noise_activated(self, index: int) -> None:
        self.apply_changes("Change noise", noise=NoiseMode(self.noise.itemData(index)))

    def on_generator_activated(self, index: int) -> None:
        generator = self.generator.itemData(index)
        if self._recipe is None or generator == self._recipe.generator:
            return
        # Settings belong to a generator, and lengths it can make differ: start from its defaults.
        frames = snap_frames(generator, self._recipe.frames, self._recipe.carries)
        self.apply_changes("Change generator", generator=generator, params={}, frames=frames)

    def on_size_editing_finished(self) -> None:
        self.apply_changes("Change size", width=self.width_box.value(), height=self.height_box.value())

    def on_params_editing_finished(self) -> None:
        text = self.params.toPlainText().strip() or "{}"
        try:
            params = json.loads(text)
        except json.JSONDecodeError as err:
            self.problem.setText(f"settings are not valid JSON: {err}")
            return
        if not isinstance(params, dict):
            self.problem.setText("settings must be a JSON object")
            return
        self.apply_changes("Change settings", params=params)

    def on_settings_changed(self, params: dict) -> None:
        self.apply_changes("Change settings", params=params)

    def problem_text(self, text: str) -> None:
        self.problem.setText(text)

    def on_take_browser_use_requested(self, key: str) -> None:
        if self.clip_name is not None:
            self.take_requested.emit(self.clip_name, key)

    def on_take_browser_delete_requested(self, key: str) -> None:
        if self.clip_name is not None:
            self.take_delete_requested.emit(self.clip_name, key)


def settings_schema(generator_id: str) -> tuple[Setting, ...]:
    """The params schema of a generator (none for an unknown one or one without a schema)."""
    try:
        return tuple(capabilities.params_schema(load_generator(generator_id)) or ())
    except ProjectError:
        return ()
