"""The window's actions: one QAction per command, with text, shortcut and tooltip, in one place.

Menus, the toolbar, the timeline's context menu and the tests all use these same objects, so a
command is enabled, disabled and triggered the same way wherever it appears.
"""

from __future__ import annotations

from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QWidget


@dataclass
class WindowActions:
    new: QAction
    open: QAction
    save: QAction
    save_as: QAction
    export: QAction
    export_movie: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    add_clip: QAction
    add_track: QAction
    split: QAction
    delete: QAction
    ripple_delete: QAction
    render_stale: QAction
    rerender: QAction
    rerender_chain: QAction
    variations: QAction
    extend: QAction
    bridge: QAction
    next_take: QAction
    cancel_renders: QAction
    zoom_in: QAction
    zoom_out: QAction
    zoom_fit: QAction
    play_pause: QAction
    shuttle_back: QAction
    stop: QAction
    shuttle_forward: QAction
    step_back: QAction
    step_forward: QAction
    go_start: QAction
    go_end: QAction
    previous_clip: QAction
    next_clip: QAction
    ripple: QAction
    snapping: QAction
    copy: QAction
    cut: QAction
    paste: QAction
    paste_insert: QAction
    duplicate: QAction
    select_all: QAction
    nudge_back: QAction
    nudge_forward: QAction
    add_marker: QAction
    edit_marker: QAction
    remove_marker: QAction
    next_marker: QAction
    previous_marker: QAction
    mark_in: QAction
    mark_out: QAction
    clear_in_out: QAction
    go_in: QAction
    go_out: QAction
    go_to_timecode: QAction
    keyboard_help: QAction
    lock_track: QAction
    hide_track: QAction
    remove_track: QAction


def _action(parent: QWidget, text: str, shortcut=None, tip: str = "", short: str = "") -> QAction:
    action = QAction(text, parent)
    if short:
        action.setIconText(short)  # what the toolbar shows
    if shortcut is not None:
        shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
    tip = tip or text.replace("…", "").replace("&", "")
    if action.shortcut().toString():
        tip += f"  ({action.shortcut().toString(QKeySequence.NativeText)})"
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.setShortcutContext(Qt.WindowShortcut)
    parent.addAction(action)  # shortcuts work even for actions that are in no menu
    return action


def undo_actions(window: QWidget, stack: QUndoStack) -> tuple[QAction, QAction]:
    """Undo and redo with steady labels (the toolbar does not jump); what they would undo is in
    the tooltip and status tip."""
    undo = _action(window, "&Undo", QKeySequence.Undo)
    redo = _action(window, "&Redo", [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    undo.triggered.connect(stack.undo)
    redo.triggered.connect(stack.redo)

    def refresh() -> None:
        if not (shiboken6.isValid(stack) and shiboken6.isValid(undo)):
            return  # the stack signals while it is being destroyed with its window
        undo.setEnabled(stack.canUndo())
        redo.setEnabled(stack.canRedo())
        undo.setToolTip(f"Undo {stack.undoText()}" if stack.canUndo() else "Nothing to undo")
        redo.setToolTip(f"Redo {stack.redoText()}" if stack.canRedo() else "Nothing to redo")
        undo.setStatusTip(undo.toolTip())
        redo.setStatusTip(redo.toolTip())

    stack.indexChanged.connect(refresh)
    stack.cleanChanged.connect(refresh)
    refresh()
    return undo, redo


def create_actions(window: QWidget, stack: QUndoStack) -> WindowActions:
    undo, redo = undo_actions(window, stack)
    return WindowActions(
        undo=undo,
        redo=redo,
        **_file_actions(window),
        **_edit_actions(window),
        **_render_actions(window),
        **_navigation_actions(window),
        **_mark_and_track_actions(window),
    )


def _file_actions(window: QWidget) -> dict[str, QAction]:
    """New, open, save, export, quit."""
    return dict(
        new=_action(window, "&New", QKeySequence.New),
        open=_action(window, "&Open…", QKeySequence.Open),
        save=_action(window, "&Save", QKeySequence.Save),
        save_as=_action(window, "Save &As…", "Ctrl+Shift+S"),
        export=_action(window, "&Export…", "Ctrl+E", "Export the cut for another editor"),
        export_movie=_action(window, "Export &Movie…", "Ctrl+M", "Render the whole cut to one mp4", "Movie"),
        quit=_action(window, "&Quit", QKeySequence.Quit),
    )


def _edit_actions(window: QWidget) -> dict[str, QAction]:
    """Editing the cut: clips, tracks, the clipboard, nudges, ripple and snapping."""
    return dict(
        add_clip=_action(window, "&Add Clip from Image…", "Ctrl+I", "Add a clip that starts from an image", "Add Clip"),
        add_track=_action(window, "Add Video &Track", "Ctrl+Shift+T", "Add an empty video track above the others"),
        split=_action(
            window, "&Split at Playhead", ["S", "Ctrl+K"], "Split the selected clip at the playhead", "Split"
        ),
        delete=_action(window, "&Delete", QKeySequence.Delete, "Delete the selected clip, leaving a gap"),
        ripple_delete=_action(window, "&Ripple Delete", "Shift+Delete", "Delete the clip and close the gap"),
        ripple=_toggle(window, "Ri&pple Edits", "Shift+R", "Moves and deletes close the gaps they leave", False),
        snapping=_toggle(window, "S&napping", "N", "Edges snap to cuts, the playhead and markers", True),
        copy=_action(window, "&Copy", QKeySequence.Copy, "Copy the selected clips with their recipes and takes"),
        cut=_action(window, "Cu&t", QKeySequence.Cut, "Cut the selected clips"),
        paste=_action(window, "&Paste", QKeySequence.Paste, "Paste at the playhead (into the gap there)"),
        paste_insert=_action(window, "Paste &Insert", "Ctrl+Shift+V", "Paste at the playhead, pushing later clips"),
        duplicate=_action(window, "D&uplicate", "Ctrl+D", "Copies of the selected clips right after them"),
        select_all=_action(window, "Select &All", QKeySequence.SelectAll, "Select every clip"),
        nudge_back=_action(window, "Nudge Left", ",", "Move the selected clips a frame earlier"),
        nudge_forward=_action(window, "Nudge Right", ".", "Move the selected clips a frame later"),
    )


def _render_actions(window: QWidget) -> dict[str, QAction]:
    """Rendering and takes."""
    return dict(
        render_stale=_action(window, "&Render Stale", "Ctrl+R", "Render every clip that is unrendered or stale"),
        rerender=_action(
            window,
            "Re&render Selected",
            "Ctrl+Shift+R",
            "Render a new take of the selected clip, with a new seed",
            "Rerender",
        ),
        variations=_action(
            window, "Render &Variations…", "Ctrl+Alt+V", "Render several new takes of the selected clip, one per seed"
        ),
        rerender_chain=_action(
            window,
            "Rerender Selected and &Downstream",
            "Ctrl+Alt+R",
            "A new take of the selected clip and of every clip carrying on from it",
        ),
        extend=_action(
            window, "E&xtend Shot…", "Ctrl+Shift+E", "Continue the selected shot with a new prompt", "Extend"
        ),
        bridge=_action(
            window,
            "&Bridge the Cut",
            "Ctrl+Shift+B",
            "Generate a clip from the selected clip's last frame to the next clip's first frame",
            "Bridge",
        ),
        next_take=_action(window, "Next &Take", "T", "Switch the selected clip to its next take"),
        cancel_renders=_action(window, "&Cancel Renders", "Ctrl+.", "Cancel every queued and running render"),
    )


def _navigation_actions(window: QWidget) -> dict[str, QAction]:
    """Zoom, playback, moving the playhead and the selection, help."""
    return dict(
        zoom_in=_action(window, "Zoom &In", ["=", "+"]),
        zoom_out=_action(window, "Zoom &Out", "-"),
        zoom_fit=_action(window, "Zoom to &Fit", "Shift+Z", short="Fit"),
        play_pause=_action(window, "&Play / Pause", "Space"),
        shuttle_back=_action(window, "Shuttle &Backward", "J"),
        stop=_action(window, "S&top", "K"),
        shuttle_forward=_action(window, "Shuttle &Forward", "L"),
        step_back=_action(window, "Step Back", "Left"),
        step_forward=_action(window, "Step Forward", "Right"),
        go_start=_action(window, "Go to Start", "Home"),
        go_end=_action(window, "Go to End", "End"),
        previous_clip=_action(window, "Select Previous Clip", "Up"),
        next_clip=_action(window, "Select Next Clip", "Down"),
        go_to_timecode=_action(window, "&Go to Timecode…", "Ctrl+G"),
        keyboard_help=_action(window, "&Keyboard Shortcuts", ["F1", "?"], "Every key the editor knows"),
    )


def _mark_and_track_actions(window: QWidget) -> dict[str, QAction]:
    """Markers, in and out points, track switches."""
    return dict(
        add_marker=_action(window, "Add &Marker", "M", "A marker at the playhead (saved and exported)"),
        edit_marker=_action(window, "&Edit Marker…", "Ctrl+Alt+M", "Name and colour of the marker at the playhead"),
        remove_marker=_action(window, "Remove Marker", "Alt+M", "Remove the marker at the playhead"),
        next_marker=_action(window, "Next Marker", "Shift+M"),
        previous_marker=_action(window, "Previous Marker", "Ctrl+Shift+M"),
        mark_in=_action(window, "Mark &In", "I", "In point at the playhead: limits play, render and export"),
        mark_out=_action(window, "Mark &Out", "O", "Out point at the playhead: limits play, render and export"),
        clear_in_out=_action(window, "Clear In and Out", "Alt+X"),
        go_in=_action(window, "Go to In Point", "Shift+I"),
        go_out=_action(window, "Go to Out Point", "Shift+O"),
        lock_track=_action(window, "&Lock Track", "Ctrl+Shift+L", "Lock or unlock the current track"),
        hide_track=_action(window, "&Hide Track", "Ctrl+Shift+H", "Hide or show the current track"),
        remove_track=_action(window, "Remove Trac&k", "Ctrl+Shift+Del", "Remove the current track and its clips"),
    )


def _toggle(parent: QWidget, text: str, shortcut: str, tip: str, on: bool) -> QAction:
    action = _action(parent, text, shortcut, tip)
    action.setCheckable(True)
    action.setChecked(on)
    return action
