"""Frame rates as NLEs count them: 23.976 means 24000/1001, and a start timecode per rate.

Projects store rates as floats (``23.976``); FCP 7 XML only writes ``<ntsc>TRUE</ntsc>`` and EDL
timecode only counts right when the rate is the exact NTSC fraction, so every time in an export is
moved onto the nearest SMPTE rate first.
"""

from __future__ import annotations

import opentimelineio as otio

from fp_timeline.project.timing import exact_rate, is_drop_frame_rate, is_ntsc

__all__ = ["exact_range", "exact_rate", "exact_time", "is_drop_frame_rate", "is_ntsc", "start_time_from_timecode"]

RationalTime = otio.opentime.RationalTime
TimeRange = otio.opentime.TimeRange


def exact_time(time: RationalTime) -> RationalTime:
    """The same frame count at the exact rate: frames stay frames, only the rate's spelling changes."""
    return RationalTime(time.value, exact_rate(time.rate))


def exact_range(time_range: TimeRange) -> TimeRange:
    return TimeRange(exact_time(time_range.start_time), exact_time(time_range.duration))


def start_time_from_timecode(timecode: str, rate: float) -> RationalTime:
    """``01:00:00:00`` at ``rate``; at 29.97 and 59.94 it is drop-frame timecode however it is written.

    Every writer (EDL, FCP 7 XML) counts those rates in drop frame, so ``01:00:00:00`` typed by a
    user means the frame an NLE labels ``01:00:00;00``.
    """
    rate = exact_rate(rate)
    if is_drop_frame_rate(rate):
        timecode = timecode[:-3] + ";" + timecode[-2:]
    return otio.opentime.from_timecode(timecode, rate)
