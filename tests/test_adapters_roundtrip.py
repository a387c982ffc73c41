"""Export every sample project to every format at every rate, read it back with the same adapters.

What must survive: clip names and order, media paths, the frames each clip uses, gaps,
transitions, the rate (24, 25, 30, 23.976, 29.97) and the start timecode.
"""

from __future__ import annotations

import opentimelineio as otio
import pytest

from fp_timeline_otio.export import export_project, read_timeline
from fp_timeline_otio.flatten import flatten_for_export
from fp_timeline_otio.formats import FORMATS
from fp_timeline_otio.rates import exact_rate
from tests.test_adapters_support import RATES, SAMPLE_NAMES, normalised, sample_copy

START = {29.97: "01:00:00;00"}  # drop frame at 29.97, as NLEs write it


@pytest.fixture(scope="module", params=[(s, r) for s in SAMPLE_NAMES for r in RATES], ids=lambda p: f"{p[0]}@{p[1]}")
def rendered(request, tmp_path_factory):
    sample, rate = request.param
    return sample_copy(sample, tmp_path_factory.mktemp(f"{sample}_{rate}"), rate=rate)


@pytest.mark.parametrize("format_name", list(FORMATS))
def test_export_reads_back_the_same_cut(rendered, format_name, tmp_path):
    fmt = FORMATS[format_name]
    start = START.get(round(rendered.rate, 2), "01:00:00:00")
    expected = flatten_for_export(rendered, fmt.url_style, start)
    out = export_project(rendered, format_name, tmp_path / f"cut{fmt.suffix}", start_timecode=start)

    back = read_timeline(out, rate=rendered.rate)

    assert normalised(back) == normalised(expected)
    assert [c.name for c in back.find_clips()] == [c.name for c in rendered.generated_clips()]
    rate = exact_rate(rendered.rate)
    assert back.global_start_time.rate == pytest.approx(rate, rel=1e-9)
    assert back.global_start_time.value == pytest.approx(expected.global_start_time.value)
    assert otio.opentime.to_timecode(back.global_start_time) == otio.opentime.to_timecode(expected.global_start_time)
    for clip in back.find_clips():
        assert clip.source_range.duration.rate == pytest.approx(rate, rel=1e-9), clip.name
    if format_name != "edl":  # formats with OTIO's own transition model keep every range exactly
        assert [c.source_range for c in back.find_clips()] == [c.source_range for c in expected.find_clips()]
        transitions = [t for t in back.find_children(descended_from_type=otio.schema.Transition)]
        assert [(t.in_offset.value, t.out_offset.value) for t in transitions] == [
            (t.in_offset.value, t.out_offset.value)
            for t in expected.find_children(descended_from_type=otio.schema.Transition)
        ]


def test_every_sample_has_what_the_round_trip_checks(tmp_path):
    """The checks above are only worth something if the samples have gaps, dissolves and several clips."""
    project = sample_copy("three_shots", tmp_path)
    kinds = {type(item).__name__ for track in project.tracks() for item in track}
    assert {"Clip", "Gap", "Transition"} <= kinds
    assert len(list(project.generated_clips())) >= 3


def test_the_comparison_notices_a_changed_cut(tmp_path):
    """``normalised`` must see a trim, a reorder and a different media path."""
    project = sample_copy("three_shots", tmp_path)
    timeline = flatten_for_export(project)
    base = normalised(timeline)
    clips = list(timeline.find_clips())
    source = clips[0].source_range
    one = otio.opentime.RationalTime(1, source.duration.rate)
    clips[0].source_range = otio.opentime.TimeRange(source.start_time, source.duration - one)
    assert normalised(timeline) != base
    clips[0].media_reference.target_url = "/elsewhere/take_001.mp4"
    assert normalised(timeline)[0][2] == "/elsewhere/take_001.mp4"
