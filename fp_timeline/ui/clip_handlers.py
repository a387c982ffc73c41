"""The window's clip handlers: add, split, delete, render, extend, bridge a cut, switch take.  A mixin of
``MainWindow``; every edit goes through ``ProjectDocument.edit`` and problems go to the status bar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import opentimelineio as otio
from PySide6.QtWidgets import QFileDialog, QInputDialog

from fp_timeline.engine.bridge import bridge_edit, cut_to_bridge
from fp_timeline.engine.extend import extension_edit
from fp_timeline.engine.registry import snap_frames
from fp_timeline.engine.split import split_edit
from fp_timeline.project import timeline_edits, track_edits
from fp_timeline.project.document import Project
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.project.takes import takes_of
from fp_timeline.project.timeline_edits import Replacement
from fp_timeline.ui import marks
from fp_timeline.ui.clip_defaults import IMAGE_FILTER


def after_carry_chain(project, track: int, index: int) -> int:
    """The first child index at or after ``index`` that is not in the middle of a carry chain."""
    children = project.tracks()[track] if track < len(project.tracks()) else []
    while index < len(children):
        item = children[index]
        carried = isinstance(item, otio.schema.Clip) and item.metadata.get(METADATA_KEY, {}).get("context") == "carry"
        if not carried and not isinstance(item, otio.schema.Transition):
            break
        index += 1
    return index


class ClipHandlers:
    def run_edit(self, build) -> bool:
        """Build an edit from the project and push it; problems go to the status bar."""
        try:
            return self.document.edit(build(self.document.project))
        except ProjectError as err:
            self.show_problem(str(err))
            return False

    def on_add_clip_triggered(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Add clips from images", str(self.document.project.folder), IMAGE_FILTER
        )
        if paths:
            self.add_clips_at_playhead([Path(p) for p in paths])

    def add_clips_at_playhead(self, paths: list[Path]) -> None:
        """Insert at the cut nearest the playhead on V1; inside a carry chain, after the chain's end
        (inserting before a carried clip would make it continue the new clip, and go stale)."""
        view = self.timeline.view
        try:
            index, _ = view.insertion(0, view.playhead_x())
            chain_end = after_carry_chain(self.document.project, 0, index)
            view.add_image_clips_at(paths, 0, chain_end)
        except ProjectError as err:
            self.show_problem(str(err))
            return
        if chain_end != index:
            self.statusBar().showMessage("added after the carry chain at the playhead, which it would break", 6000)

    def on_split_triggered(self) -> None:
        """Split every selected clip under the playhead (one per track), as one undo step."""
        layout = self.timeline.view.layout_data
        seconds = self.transport.position / self.transport.rate
        blocks = [layout.block(n) for n in self.document.selection]
        under = [b for b in blocks if b is not None and b.start < seconds < b.end]
        if not under:
            if self.document.selection:
                self.show_problem("the playhead is not inside a selected clip")
            return
        options = self.document.render_options  # a rendered clip keeps its render (``engine.split``)
        self.run_edit(
            lambda p: [split_edit(p, b.name, round((seconds - b.start) * b.rate), snap_frames, options) for b in under]
        )

    def delete_selected(self, ripple: bool) -> None:
        """Delete the selected clips (closing their gaps with ``ripple`` or the ripple toggle), or
        close the selected gap."""
        names = list(self.document.selection)
        gap = self.timeline.view.selected_gap
        ripple = ripple or self.timeline.view.ripple
        if names:
            self.run_edit(lambda p: track_edits.delete_clips(p, names, ripple))
        elif gap is not None:
            self.run_edit(lambda p: timeline_edits.close_gap(p, *gap))

    def start_render(self, targets: list[str] | None, chain: bool = False, variations: int | None = None) -> int:
        self.inspector.commit_pending()  # render what the inspector shows, not what it showed before typing
        if self.document.untitled and not self.save_as():  # takes live beside the project file
            self.show_problem("save the project first: takes are stored beside the project file")
            return 0
        try:
            count = self.queue.render(targets, chain, variations)
        except ProjectError as err:
            self.show_problem(str(err))
            first = next((p.clip for p in err.problems if p.clip), None)
            if first is not None and first not in self.document.selection:
                self.document.select(first)  # the inspector shows the problem beside its field
            return 0
        self.statusBar().showMessage(f"rendering {count} clip(s)" if count else "everything is rendered", 4000)
        return count

    def render_stale(self) -> int:
        """Ctrl+R: every unrendered or stale clip, between the in and out points when they are set."""
        span = self.play_range()
        if span is None:
            return self.start_render(None)
        statuses = self.document.statuses()
        names = [
            n
            for n in marks.clips_in_range(self.document.project, *span)
            if n in statuses and statuses[n].state.value != "rendered"
        ]
        if not names:
            self.statusBar().showMessage("everything between the in and out points is rendered", 4000)
            return 0
        return self.start_render(names)

    def on_rerender_triggered(self) -> None:
        """A new take is a new variation: a new seed (the inspector's seed field keeps one on purpose)."""
        if self.document.selection:
            self.start_render(list(self.document.selection), variations=1)

    def on_rerender_chain_triggered(self) -> None:
        if self.document.selected is not None:
            self.start_render([self.document.selected], chain=True, variations=1)

    def on_variations_triggered(self) -> None:
        if not self.document.selection:
            return
        count, ok = QInputDialog.getInt(self, "Render variations", "New takes, one seed each:", 3, 1, 16)
        if ok:
            self.render_variations(count)

    def render_variations(self, count: int) -> int:
        """``count`` new takes of each selected clip, each with its own new seed; returns the job count."""
        return self.start_render(list(self.document.selection), variations=count)

    def on_extend_triggered(self) -> None:
        name = self.document.selected
        if name is None:
            return
        prompt, ok = QInputDialog.getText(self, "Extend shot", f"Continue {name} with the prompt:")
        if ok and prompt.strip():
            self.extend_shot(name, prompt.strip())

    def extend_shot(self, name: str, prompt: str, render: bool = True) -> str | None:
        """Insert a clip that carries on from ``name`` with a new prompt, and render it."""
        return self._insert_clip(lambda project: extension_edit(project, name, prompt), render)

    def _insert_clip(self, build: Callable[[Project], Replacement], render: bool) -> str | None:
        """Push the edit ``build`` makes (one that inserts a clip, one undo step) and render the new clip;
        returns its name, or None when there was a problem (it goes to the status bar)."""
        try:
            edit = build(self.document.project)
            self.document.edit(edit)
        except ProjectError as err:
            self.show_problem(str(err))
            return None
        if render:
            self.start_render([edit.select])
        return edit.select

    def on_bridge_triggered(self) -> None:
        """Bridge the cut after the selected clip, or between the two selected clips, and render the bridge."""
        pair = cut_to_bridge(self.document.project, list(self.document.selection))
        if pair is None:
            self.show_problem("select a clip that has a clip after it, or two neighbouring clips, to bridge the cut")
            return
        self.bridge_cut(*pair)

    def bridge_cut(self, before: str, after: str, render: bool = True) -> str | None:
        """Insert a clip from ``before``'s last frame to ``after``'s first (one undo step), and render it."""
        return self._insert_clip(lambda project: bridge_edit(project, before, after), render)

    def on_next_take_triggered(self) -> None:
        """T: every selected clip with more than one take switches to its next one (one undo step)."""
        project = self.document.project
        switches = []
        for name in self.document.selection:
            try:
                clip = project.clip(name)
            except ProjectError:
                continue
            keys = [t.key for t in takes_of(clip)]
            if len(keys) < 2:
                continue
            current = clip.active_media_reference_key
            following = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[-1]
            switches.append((name, following))
        if switches:
            self.run_edit(lambda p: [timeline_edits.switch_take(p, name, key) for name, key in switches])
