"""The window's track handlers: lock, hide, add and remove tracks (a mixin of ``MainWindow``).

Lock is stored in the track's fp-timeline metadata and refuses every edit of the track (a finished
render still lands its take).  Hide is OTIO's own ``enabled`` switch: a hidden track is not seen in
the viewer or the movie, and NLEs reading the export show it switched off.  Each is one undo step.
"""

from __future__ import annotations

from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.ui.timeline_layout import is_locked


class TrackHandlers:
    def current_track(self) -> int:
        return max(0, min(self.timeline.headers.current, len(self.document.project.tracks()) - 1))

    def toggle_lock(self, index: int | None = None) -> None:
        track = self.document.project.tracks()[self.current_track() if index is None else index]
        locked = is_locked(track)

        def put(value: bool) -> None:
            meta = dict(track.metadata.get(METADATA_KEY, {}))
            if value:
                meta["locked"] = True
            else:
                meta.pop("locked", None)
            track.metadata[METADATA_KEY] = meta

        text = f"{'Unlock' if locked else 'Lock'} track {track.name}"
        self.document.change(text, lambda: put(not locked), lambda: put(locked))

    def toggle_hidden(self, index: int | None = None) -> None:
        track = self.document.project.tracks()[self.current_track() if index is None else index]
        enabled = track.enabled

        def put(value: bool) -> None:
            track.enabled = value

        text = f"{'Hide' if enabled else 'Show'} track {track.name}"
        self.document.change(text, lambda: put(not enabled), lambda: put(enabled))

    def remove_track(self, index: int | None = None) -> bool:
        """Remove a video track with what is on it (undo puts it all back); never the last one."""
        tracks = self.document.project.tracks()
        if len(tracks) < 2:
            self.show_problem("a project keeps at least one video track")
            return False
        track = tracks[self.current_track() if index is None else index]
        if is_locked(track):
            self.show_problem(f"track {track.name} is locked (unlock it in its header)")
            return False
        stack = self.document.project.timeline.tracks
        position = list(stack).index(track)

        def do() -> None:
            del stack[position]

        def undo() -> None:
            stack.insert(position, track)

        self.document.change(f"Remove track {track.name}", do, undo)
        self.timeline.headers.current = self.current_track()
        return True

    def add_track_above(self) -> None:
        self.document.add_track()
        self.timeline.headers.current = len(self.document.project.tracks()) - 1

    def on_headers_track_clicked(self, index: int, zone: str) -> None:
        if zone == "lock":
            self.toggle_lock(index)
        elif zone == "eye":
            self.toggle_hidden(index)
