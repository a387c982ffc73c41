"""Frames and timecode the OTIO way: times stay ``RationalTime``, rates are read as NLEs read them.

A project stores its rate as a float (``29.97``), a probed file says ``29.97002997...`` or ``29.97``:
all of them mean the SMPTE rate 30000/1001, as every export writes it (``exact_rate``).  OTIO keeps
rates as doubles, so ``RationalTime(1000, 30000/1001).to_frames(30)`` gives 1000 where the time is
exactly frame 1001: the frame a time falls in is computed here with the rates as exact fractions,
the only place frames cross from one rate to another (no float seconds, no ``+1e-6``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import opentimelineio as otio

RationalTime = otio.opentime.RationalTime

NTSC_TOLERANCE = 0.01  # 23.976 and 23.98 both mean 24000/1001; 24.0 stays 24
RATE_DENOMINATOR = 1001  # the largest denominator a frame rate has (NTSC)


def exact_rate(rate: float) -> float:
    """The SMPTE rate ``rate`` stands for (``23.976`` -> ``24000/1001``), or ``rate`` itself."""
    nearest = RationalTime.nearest_smpte_timecode_rate(float(rate))
    return nearest if abs(nearest - rate) <= NTSC_TOLERANCE else float(rate)


def rate_fraction(rate: float) -> Fraction:
    """``exact_rate`` as a fraction: 29.97 -> 30000/1001, 16 -> 16, 12.5 -> 25/2."""
    return Fraction(exact_rate(rate)).limit_denominator(RATE_DENOMINATOR)


def is_ntsc(rate: float) -> bool:
    return abs(round(rate) - rate) > 1e-6


def is_drop_frame_rate(rate: float) -> bool:
    """29.97 and 59.94 count drop-frame timecode; 23.976 never does."""
    return is_ntsc(rate) and round(rate) in (30, 60)


def _frames(time: RationalTime, rate: float, origin: RationalTime | None, elapsed: RationalTime | None) -> Fraction:
    """``time - origin + elapsed`` counted in frames of ``rate``, exactly."""
    seconds = Fraction(time.value) / rate_fraction(time.rate)
    if origin is not None:
        seconds -= Fraction(origin.value) / rate_fraction(origin.rate)
    if elapsed is not None:
        seconds += Fraction(elapsed.value) / rate_fraction(elapsed.rate)
    return seconds * rate_fraction(rate)


def frame_at(
    time: RationalTime, rate: float, origin: RationalTime | None = None, elapsed: RationalTime | None = None
) -> int:
    """The frame of a ``rate`` video whose first frame is at ``origin`` (None: zero) showing at ``time``
    (plus ``elapsed``): the last frame that started at or before it, exactly on frame boundaries."""
    return math.floor(_frames(time, rate, origin, elapsed))


def nearest_frame(time: RationalTime, rate: float) -> int:
    """``time`` on the frame grid of ``rate``: the nearest frame boundary (halves round up)."""
    return math.floor(_frames(time, rate, None, None) + Fraction(1, 2))


def timecode(frame: int, rate: float) -> str:
    """``HH:MM:SS:FF`` from ``opentime.to_timecode``; drop-frame (``HH:MM:SS;FF``) at 29.97 and 59.94,
    as the exports count.  Rates SMPTE has no timecode for (16, 12.5 fps) count ``round(rate)``
    frames a second, non-drop, as NLEs show them."""
    frame = max(0, frame)
    smpte = exact_rate(rate)
    if RationalTime.is_valid_timecode_rate(smpte):
        return otio.opentime.to_timecode(RationalTime(frame, smpte), smpte)
    seconds, frames = divmod(frame, max(1, round(rate)))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}:{frames:02d}"


def frame_of_timecode(fields: list[int], rate: float) -> int:
    """The frame ``timecode`` labels ``HH:MM:SS:FF`` (given as four numbers), drop-frame where
    ``timecode`` writes it, so a shown timecode typed back lands on the same frame."""
    smpte = exact_rate(rate)
    if not RationalTime.is_valid_timecode_rate(smpte):
        hours, minutes, seconds, frames = fields
        return ((hours * 60 + minutes) * 60 + seconds) * max(1, round(rate)) + frames
    separator = ";" if is_drop_frame_rate(smpte) else ":"
    text = ":".join(f"{f:02d}" for f in fields[:3]) + f"{separator}{fields[3]:02d}"
    return round(otio.opentime.from_timecode(text, smpte).value)
