"""The PySide6 editor window: timeline, inspector, viewer, render queue (the only layer with Qt).

Flat modules, one idea each.  ``document.ProjectDocument`` owns the open project and its undo
stack; every view listens to its signals (listener fan-out) and edits only through
``commands.ReplaceItemsCommand`` built from ``project.timeline_edits`` (edits have no Qt).
"""
