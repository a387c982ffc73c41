"""project.timing: the one place a time becomes a frame at another rate, and a frame a timecode.

Every former caller's case: the conform (timeline frame -> media frame, 16 and 29.97 fps media on a
30 fps timeline), imported and neighbour clips (in and out points in media with a start timecode),
post-processing (frames an interpolation makes), and frame boundaries that float seconds or
``RationalTime.to_frames`` get wrong.
"""

from __future__ import annotations

import math

import opentimelineio as otio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fp_timeline.engine.media import VideoInfo
from fp_timeline.engine.postfx.processor import interpolated
from fp_timeline.project.effects import PostEffect
from fp_timeline.project.timing import exact_rate, frame_at, frame_of_timecode, nearest_frame, timecode

RT = otio.opentime.RationalTime
RATES = [12.5, 15, 16, 23.976, 24, 25, 29.97, 30, 59.94, 60]


@given(st.integers(0, 10**6), st.sampled_from(RATES))
def test_a_frame_at_its_own_rate_is_itself(frame, rate):
    assert frame_at(RT(frame, rate), rate) == frame
    assert nearest_frame(RT(frame, rate), rate) == frame
    assert frame_at(RT(frame, rate), rate, origin=RT(frame, rate)) == 0


def test_boundaries_float_seconds_get_wrong():
    assert math.floor(123 / 30 * 30) == 122  # why the old code added 1e-6
    assert frame_at(RT(123, 30), 30) == 123
    assert math.floor(61 / 29.97 * 29.97) == 60
    assert frame_at(RT(61, 29.97), 29.97) == 61


def test_boundaries_opentime_to_frames_gets_wrong():
    """OTIO keeps rates as doubles: 9 frames at 29.97 are 18 at 59.94, but to_frames says 17."""
    assert RT(9, exact_rate(29.97)).to_frames(exact_rate(59.94)) == 17
    assert frame_at(RT(9, 29.97), 59.94) == 18
    assert frame_at(RT(1000, 23.976), 24) == 1001


@pytest.mark.parametrize("k", [1, 2, 7, 120])
def test_ntsc_and_whole_rates_meet_every_1001_frames(k):
    """1000 frames at 29.97 last exactly as long as 1001 at 30; a frame less is just before."""
    assert frame_at(RT(1000 * k, 29.97), 30) == 1001 * k
    assert frame_at(RT(1001 * k, 30), 29.97) == 1000 * k
    assert frame_at(RT(1001 * k - 1, 30), 29.97) == 1000 * k - 1
    assert frame_at(RT(1001 * k, 30), 30000 / 1001) == 1000 * k  # a probed rate means the same


@given(st.integers(0, 10**5))
def test_conform_16_fps_media_on_a_30_fps_timeline(n):
    """Timeline frame n of a clip from media frame 0 shows the 16 fps frame that started last."""
    index = frame_at(RT(0, 30), 16, elapsed=RT(n, 30))
    assert index == (n * 16) // 30
    assert index / 16 <= n / 30 < (index + 1) / 16


def test_conform_trimmed_media_with_a_start_timecode():
    """source_range starts 10 frames into media whose first frame is at 01:00:00:00 (30 fps)."""
    origin = RT(108000, 30)
    source_in = RT(108010, 30)
    assert frame_at(source_in, 30, origin, elapsed=RT(5, 30)) == 15
    assert frame_at(source_in, 16, origin, elapsed=RT(5, 30)) == 8  # 15/30 s into 16 fps media


def test_imported_out_and_in_points_in_29_97_media_on_a_30_fps_timeline():
    out_point = RT(1001, 30)  # the clip's source_range end, at the timeline rate
    assert frame_at(out_point, 29.97) == 1000  # frames [0, 1000) are before it
    assert frame_at(out_point, 29.97, origin=RT(1, 30)) == 999


@pytest.mark.parametrize(
    "frames,rate,fps,factor,expected",
    [(9, 16, 0, 2, 17), (9, 29.97, 0, 2, 17), (10, 16, 30, 2, 17), (100, 29.97, 30, 2, 100), (5, 24, 0, 3, 13)],
)
def test_postfx_interpolation_keeps_the_first_and_last_frames(frames, rate, fps, factor, expected):
    effect = PostEffect("interpolate", {"fps": fps, "factor": factor})
    assert interpolated(VideoInfo(frames, rate, 8, 8), effect).frames == expected


@pytest.mark.parametrize(
    "frame,rate,expected",
    [
        (0, 30, "00:00:00:00"),
        (1800, 30, "00:01:00:00"),
        (30, 30, "00:00:01:00"),
        (1800, 29.97, "00:01:00;02"),  # drop-frame skips ;00 and ;01 at every minute but each tenth
        (17982, 29.97, "00:10:00;00"),
        (107892, 29.97, "01:00:00;00"),
        (3600, 59.94, "00:01:00;04"),
        (1800, 23.976, "00:01:15:00"),  # 23.976 never drops
        (24, 24, "00:00:01:00"),
        (16, 16, "00:00:01:00"),  # no SMPTE timecode at 16 fps: 16 frames a second
        (16 * 3600 + 5, 16, "01:00:00:05"),
        (-3, 30, "00:00:00:00"),
    ],
)
def test_timecode(frame, rate, expected):
    assert timecode(frame, rate) == expected


@given(st.integers(0, 10**6), st.sampled_from(RATES))
def test_a_shown_timecode_typed_back_is_the_same_frame(frame, rate):
    text = timecode(frame, rate)
    assert frame_of_timecode([int(f) for f in text.replace(";", ":").split(":")], rate) == frame
