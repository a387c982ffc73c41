"""The inspector's form: its widgets, laid out one section at a time, and how a recipe is shown in them.

A mixin of ``Inspector`` (``inspector.py``), which reads the clip and writes each change back: the
``on_*`` handlers the widgets connect to live there.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
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

from fp_timeline.engine.generator import Dependency
from fp_timeline.engine.registry import clip_needs, generator_ids
from fp_timeline.project.recipe import ContextMode, NoiseMode, Recipe
from fp_timeline.ui import theme
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


class InspectorForm:
    """The widgets of the recipe form (attributes of the inspector), built once."""

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
        for section in (self._build_head, self._build_prompt, self._build_image, self._build_timing):
            section(form)
        for section in (self._build_generator, self._build_takes):
            section(form)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setWidget(form_host)
        self.stack.addWidget(scroll)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.addWidget(self.stack)

    def _build_head(self, form: QFormLayout) -> None:
        """Name and state, why it is stale, what the generator refuses."""
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

    def _build_prompt(self, form: QFormLayout) -> None:
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

    def _build_image(self, form: QFormLayout) -> None:
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

    def _build_timing(self, form: QFormLayout) -> None:
        """Duration, and how the clip starts: fresh or carried, with its own noise or the upstream's."""
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

    def _build_generator(self, form: QFormLayout) -> None:
        """Generator, size and the generator's own settings (a control each, and the same as JSON)."""
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

    def _build_takes(self, form: QFormLayout) -> None:
        """The clip's takes, its post-processing effects, and the last problem."""
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

    # --- showing a recipe ----------------------------------------------------------------------
    def show_title(self, title: str, state: str) -> None:
        self.title.setText(title)
        self.state.setText(state)
        colour = theme.state_colour(state)
        self.state.setStyleSheet(
            f"background: {colour.name()}; color: #111; border-radius: 7px; padding: 1px 8px; font-weight: bold;"
        )

    def show_recipe(self, recipe: Recipe, image: Path | None, upstream: str | None) -> None:
        """Every field from ``recipe``, except text being typed (prompt, seed, JSON settings)."""
        if not self.prompt.hasFocus():
            self.prompt.setPlainText(recipe.prompt)
        if not self.seed.hasFocus():  # do not clobber a seed being typed when a render lands
            self.seed.setText(str(recipe.seed))
        pixmap = thumbnail(image, PREVIEW_HEIGHT)
        if pixmap is not None:
            self.preview.setPixmap(pixmap)
        else:
            self.preview.setText(_no_image_text(recipe, upstream))
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


def _no_image_text(recipe: Recipe, upstream: str | None) -> str:
    """What the preview says for a clip without an image: what it starts from, as its generator declares."""
    if not (recipe.carries and upstream):
        return "(no image)"
    if Dependency.PREVIOUS_LAST_FRAME in clip_needs(recipe):
        return f"(starts on {upstream}'s last frame)"
    return f"(continues {upstream})"
