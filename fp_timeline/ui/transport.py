"""The playhead and playback clock shared by the timeline, the ruler and the viewer.

Positions are whole frames at the project rate.  ``speed`` follows the J/K/L convention: L plays
forward and each further L doubles the speed; J the same backwards; K stops.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

MAX_SPEED = 8


class Transport(QObject):
    position_changed = Signal(int)
    playing_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.position = 0
        self.duration = 0  # frames
        self.rate = 30.0
        self.speed = 0
        self.loop: tuple[int, int] | None = None  # play only [start, end) and wrap (one clip)
        self.range: tuple[int, int] | None = None  # the in/out points: play from in, stop at out
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.on_timer_timeout)

    @property
    def playing(self) -> bool:
        return self.speed != 0

    def set_timing(self, rate: float, duration: int) -> None:
        self.rate = rate
        self.duration = max(0, duration)
        self._timer.setInterval(max(1, round(1000 / rate)))
        if self.position > self.duration:
            self.seek(self.duration)

    def seek(self, frame: int) -> None:
        frame = max(0, min(int(frame), self.duration))
        if frame != self.position:
            self.position = frame
            self.position_changed.emit(frame)

    def step(self, frames: int) -> None:
        self.pause()
        self.seek(self.position + frames)

    def set_loop(self, loop: tuple[int, int] | None) -> None:
        """Play only frames ``[start, end)``, wrapping around (the viewer's clip mode); None: all."""
        self.loop = loop if loop is None or loop[1] > loop[0] else None
        if self.loop is not None and not self.loop[0] <= self.position < self.loop[1]:
            self.seek(self.loop[0])

    def set_range(self, frames: tuple[int, int] | None) -> None:
        """Limit playback to the in/out points ``[start, end)`` (None: the whole timeline)."""
        self.range = frames

    def play(self, speed: int = 1) -> None:
        if self.loop is None and self.range is not None and speed > 0:
            start, end = self.range
            if not start <= self.position < end:
                self.seek(start)  # with in/out points, play starts at the in point
        elif self.loop is None and speed > 0 and self.position >= self.duration:
            self.seek(0)  # play from the start again, like every player
        self.speed = speed
        self._timer.start()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if self.speed:
            self.speed = 0
            self._timer.stop()
            self.playing_changed.emit(False)

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play(1)

    def shuttle_forward(self) -> None:  # L
        self.play(min(MAX_SPEED, self.speed * 2) if self.speed > 0 else 1)

    def shuttle_backward(self) -> None:  # J
        self.play(max(-MAX_SPEED, self.speed * 2) if self.speed < 0 else -1)

    def on_timer_timeout(self) -> None:
        target = self.position + self.speed
        if self.loop is not None:
            start, end = self.loop
            self.seek(start + (target - start) % (end - start))
            return
        if self.range is not None and self.speed > 0 and self.range[0] <= self.position < self.range[1] <= target:
            self.seek(self.range[1] - 1)  # stop on the last frame before the out point
            self.pause()
        elif target >= self.duration or target <= 0:
            self.seek(target)
            self.pause()
        else:
            self.seek(target)
