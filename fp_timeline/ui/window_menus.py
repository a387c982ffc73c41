"""The window's menus, toolbar and the timeline's context menu, all from the same ``WindowActions``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar

from fp_timeline.ui.actions import WindowActions


def build_menus(window) -> None:
    a: WindowActions = window.actions
    _menu_bar(window, a)
    _toolbar(window, a)
    _context_menus(window, a)


def _menu_bar(window, a: WindowActions) -> None:
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addActions([a.new, a.open])
    window.recent_menu = file_menu.addMenu("Open &Recent")
    window.recent_menu.aboutToShow.connect(window.on_recent_menu_about_to_show)
    file_menu.addSeparator()
    file_menu.addActions([a.save, a.save_as, a.export, a.export_movie])
    file_menu.addSeparator()
    file_menu.addAction(a.quit)
    edit = bar.addMenu("&Edit")
    edit.addActions([a.undo, a.redo])
    edit.addSeparator()
    edit.addActions([a.cut, a.copy, a.paste, a.paste_insert, a.duplicate, a.select_all])
    edit.addSeparator()
    edit.addActions([a.add_clip, a.split, a.delete, a.ripple_delete, a.nudge_back, a.nudge_forward])
    edit.addSeparator()
    edit.addActions([a.ripple, a.snapping])
    track = bar.addMenu("&Track")
    track.addActions([a.add_track, a.remove_track, a.lock_track, a.hide_track])
    mark = bar.addMenu("&Mark")
    mark.addActions([a.add_marker, a.edit_marker, a.remove_marker, a.next_marker, a.previous_marker])
    mark.addSeparator()
    mark.addActions([a.mark_in, a.mark_out, a.clear_in_out, a.go_in, a.go_out])
    clip = bar.addMenu("&Clip")
    clip.addActions(
        [a.render_stale, a.rerender, a.variations, a.rerender_chain, a.extend, a.bridge, a.next_take, a.cancel_renders]
    )
    view = bar.addMenu("&View")
    view.addActions([a.zoom_in, a.zoom_out, a.zoom_fit])
    view.addSeparator()
    view.addActions([a.previous_clip, a.next_clip])
    view.addSeparator()
    view.addActions([window.inspector_dock.toggleViewAction(), window.queue_dock.toggleViewAction()])
    play = bar.addMenu("&Playback")
    play.addActions(
        [a.play_pause, a.shuttle_back, a.stop, a.shuttle_forward, a.step_back, a.step_forward, a.go_start, a.go_end]
    )
    play.addAction(a.go_to_timecode)
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a.keyboard_help)


def _toolbar(window, a: WindowActions) -> None:
    tools = QToolBar("Main", window)
    tools.setObjectName("main_toolbar")
    tools.setMovable(False)
    tools.setToolButtonStyle(Qt.ToolButtonTextOnly)
    tools.addActions([a.open, a.save])
    tools.addSeparator()
    tools.addActions([a.undo, a.redo])
    tools.addSeparator()
    tools.addActions([a.add_clip, a.split, a.delete, a.ripple, a.snapping])
    tools.addSeparator()
    tools.addActions([a.render_stale, a.rerender, a.extend, a.next_take])
    tools.addSeparator()
    tools.addActions([a.export, a.export_movie])
    tools.addSeparator()
    tools.addAction(a.zoom_fit)
    window.addToolBar(tools)


def _context_menus(window, a: WindowActions) -> None:
    window.timeline.headers.context_actions = [a.lock_track, a.hide_track, a.remove_track, a.add_track]
    window.timeline.view.empty_context_actions = [a.paste, a.paste_insert, a.add_marker, a.mark_in, a.mark_out]
    window.timeline.view.context_actions = [
        a.cut,
        a.copy,
        a.paste,
        a.duplicate,
        a.rerender,
        a.rerender_chain,
        a.extend,
        a.bridge,
        a.next_take,
        a.split,
        a.delete,
        a.ripple_delete,
    ]
