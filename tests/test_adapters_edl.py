"""The ``fp_edl`` adapter: what it fixes around the maintained ``cmx_3600`` adapter."""

from __future__ import annotations

import opentimelineio as otio
import pytest

from fp_timeline_otio.edl_adapter import reel_name
from fp_timeline_otio.flatten import flatten_for_export
from fp_timeline_otio.media_urls import path_from_url
from tests.test_adapters_support import normalised, sample_copy


@pytest.fixture
def cut(tmp_path):
    return flatten_for_export(sample_copy("three_shots", tmp_path), start_timecode="01:00:00:00")


def _events(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if line[:3].isdigit()]


def test_clip_after_a_dissolve_keeps_its_own_media(cut):
    text = otio.adapters.write_to_string(cut, adapter_name="fp_edl")
    back = otio.adapters.read_from_string(text, adapter_name="fp_edl", rate=30)
    expected = [path_from_url(c.media_reference.target_url) for c in cut.find_clips()]
    assert [path_from_url(c.media_reference.target_url) for c in back.find_clips()] == expected
    assert list(back.find_children(descended_from_type=otio.schema.Transition))


def test_the_maintained_reader_still_needs_the_repair(cut):
    """If cmx_3600 fixes its dissolve bug, this fails and the repair can go."""
    text = otio.adapters.write_to_string(cut, adapter_name="fp_edl")
    raw = otio.adapters.read_from_string(text, adapter_name="cmx_3600", rate=30)
    paths = [c.media_reference.target_url for c in raw.find_clips()]
    assert paths[-1] == paths[-2]


def test_reels_are_unique_short_and_from_clip_names(cut):
    text = otio.adapters.write_to_string(cut, adapter_name="fp_edl")
    reels = [event[1] for event in _events(text) if event[3] in ("C", "D")]
    clip_reels = dict.fromkeys(reels)  # the dissolve's A-side cut line repeats the A reel
    assert list(clip_reels) == ["SHOT010", "SHOT020", "SHOT030", "SHOT040"]
    assert "OTIO TRUNCATED REEL NAME" not in text


def test_a_reel_set_in_metadata_wins(cut):
    first = next(iter(cut.find_clips()))
    first.metadata["cmx_3600"] = {"reel": "A001C003"}
    text = otio.adapters.write_to_string(cut, adapter_name="fp_edl")
    assert _events(text)[0][1] == "A001C003"


def test_reel_names_are_numbered_when_they_collide():
    taken: set[str] = set()
    unique: list[str] = []
    for name in ("shot_010_take_long", "shot_010_take_long!", "shot 010 take long"):
        unique.append(reel_name(name, taken))
        taken.add(unique[-1])
    assert unique == ["SHOT010T", "SHOT0101", "SHOT0102"]
    assert all(len(r) <= 8 for r in unique)


@pytest.mark.parametrize("style", ["avid", "nucoda", "premiere"])
def test_writing_leaves_the_timeline_alone(cut, style):
    before = otio.adapters.write_to_string(cut, adapter_name="otio_json")
    otio.adapters.write_to_string(cut, adapter_name="fp_edl", style=style)
    assert otio.adapters.write_to_string(cut, adapter_name="otio_json") == before


def test_record_timecode_starts_at_the_start_timecode(cut):
    text = otio.adapters.write_to_string(cut, adapter_name="fp_edl")
    first = _events(text)[0]
    assert first[-2] == "01:00:00:00"
    assert "FCM: NON-DROP FRAME" in text
    back = otio.adapters.read_from_string(text, adapter_name="fp_edl", rate=30)
    assert back.global_start_time == otio.opentime.RationalTime(108000, 30)
    assert back.tracks[0].source_range is None
    assert back.tracks[0].duration() == cut.tracks[0].duration()


def test_drop_frame_at_29_97(tmp_path):
    timeline = flatten_for_export(sample_copy("one_shot", tmp_path, rate=29.97), start_timecode="01:00:00;00")
    text = otio.adapters.write_to_string(timeline, adapter_name="fp_edl")
    assert "FCM: DROP FRAME" in text
    assert _events(text)[0][-2] == "01:00:00;00"
    back = otio.adapters.read_from_string(text, adapter_name="fp_edl", rate=29.97)
    assert back.global_start_time.value == timeline.global_start_time.value


def test_a_fade_in_from_black_reads_back(tmp_path):
    """The writer's opening ``BL`` + dissolve is standard EDL; the maintained reader refuses it."""
    project = sample_copy("three_shots", tmp_path, rate=24.0)
    fade = otio.schema.Transition(
        in_offset=otio.opentime.RationalTime(0, 24), out_offset=otio.opentime.RationalTime(8, 24)
    )
    project.tracks()[0].insert(0, fade)
    timeline = flatten_for_export(project)
    text = otio.adapters.write_to_string(timeline, adapter_name="fp_edl")
    with pytest.raises(Exception, match="beginning of a track"):
        otio.adapters.read_from_string(text, adapter_name="cmx_3600", rate=24)

    back = otio.adapters.read_from_string(text, adapter_name="fp_edl", rate=24)

    assert normalised(back) == normalised(timeline)
    assert isinstance(back.tracks[0][0], otio.schema.Transition)
