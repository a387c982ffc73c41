"""The clip inspector: the selected clip's recipe as a form, and its takes.

Each field commits on its own (focus out, Enter, Ctrl+Enter for the prompt) as one undoable
edit through ``ProjectDocument.edit``; the form re-reads the clip after every change, so undo
shows up here too.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QWidget,
)

from fp_timeline.engine import capabilities
from fp_timeline.engine.registry import load_generator, snap_frames
from fp_timeline.engine.schema import Setting
from fp_timeline.engine.stale import stale_reason
from fp_timeline.engine.validation import recipe_problems
from fp_timeline.project import timeline_edits
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.recipe import SEED_MAX, ContextMode, NoiseMode, Recipe
from fp_timeline.project.upstream import upstream_of
from fp_timeline.ui.clip_defaults import IMAGE_FILTER
from fp_timeline.ui.cut_notes import trim_note
from fp_timeline.ui.document import ProjectDocument
from fp_timeline.ui.inspector_form import InspectorForm


class Inspector(InspectorForm, QWidget):
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
        self.show_title(self.clip_name + (f"  (+{others} selected)" if others > 0 else ""), state)
        upstream = upstream_of(project, self.clip_name)
        image = project.resolve(recipe.image) if recipe.image else None
        self.show_recipe(recipe, image, upstream.name if upstream is not None else None)
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
