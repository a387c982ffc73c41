"""Frame rates as NLEs count them: 23.976 means 24000/1001, and a start timecode per rate.

Projects store rates as floats (``23.976``); FCP 7 XML only writes ``<ntsc>TRUE</ntsc>`` and EDL
timecode only counts right when the rate is the exact NTSC fraction, so every time in an export is
moved onto the nearest SMPTE rate first.
"""

from __future__ import annotations

import opentimelineio as otio

RationalTime = otio.opentime.RationalTime
TimeRange = otio.opentime.TimeRange

NTSC_TOLERANCE = 0.01  # 23.976 and 23.98 both mean 24000/1001; 24.0 stays 24


def exact_rate(rate: float) -> float:
    """The SMPTE rate ``rate`` stands for (``23.976`` -> ``24000/1001``), or ``rate`` itself."""
    nearest = RationalTime.nearest_smpte_timecode_rate(float(rate))
    return nearest if abs(nearest - rate) <= NTSC_TOLERANCE else float(rate)


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


def is_ntsc(rate: float) -> bool:
    return abs(round(rate) - rate) > 1e-6


def is_drop_frame_rate(rate: float) -> bool:
    """29.97 and 59.94 count drop-frame timecode; 23.976 never does."""
    return is_ntsc(rate) and round(rate) in (30, 60)
