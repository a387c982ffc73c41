"""FCP 7 XML for Premiere: the elements it needs, our comments, and a hook that stays out of the way."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import opentimelineio as otio
import pytest

from fp_timeline.project.document import save_project
from fp_timeline_otio.export import export_project, read_timeline
from fp_timeline_otio.fcp_comments_hook import hook_function
from fp_timeline_otio.flatten import flatten_for_export
from fp_timeline_otio.identity import find_tag
from tests.test_adapters_support import sample_copy


@pytest.mark.parametrize(
    ("rate", "timebase", "ntsc"),
    [(24.0, "24", "FALSE"), (23.976, "24", "TRUE"), (29.97, "30", "TRUE"), (25.0, "25", "FALSE")],
)
def test_sequence_has_what_premiere_needs(tmp_path, rate, timebase, ntsc):
    project = sample_copy("three_shots", tmp_path, rate=rate)
    start = "01:00:00;00" if rate == 29.97 else "01:00:00:00"
    out = export_project(project, "premiere-xml", tmp_path / "cut.xml", start_timecode=start)
    root = ET.parse(out).getroot()
    sequence = root.find(".//sequence")

    assert sequence.findtext("rate/timebase") == timebase
    assert sequence.findtext("rate/ntsc") == ntsc
    timecode = sequence.find("timecode")
    assert timecode.findtext("string") == start
    assert timecode.findtext("rate/timebase") == timebase
    assert timecode.findtext("displayformat") == ("DF" if rate == 29.97 else "NDF")
    characteristics = sequence.find("media/video/format/samplecharacteristics")
    assert characteristics is not None, "Premiere (and Resolve, OTIO #839) want a <format>"
    assert (characteristics.findtext("width"), characteristics.findtext("height")) == ("144", "96")
    assert characteristics.findtext("rate/ntsc") == ntsc

    clipitems = sequence.findall(".//track/clipitem")
    assert [c.findtext("name") for c in clipitems] == [c.name for c in project.generated_clips()]
    for item in clipitems:
        assert item.findtext("rate/timebase") == timebase and item.findtext("rate/ntsc") == ntsc
        pathurl = item.findtext("file/pathurl")
        assert pathurl.startswith("file://localhost/") and pathurl.endswith("take_001.mp4")
        assert item.find("file/timecode") is not None
    assert sequence.findall(".//transitionitem"), "the dissolve is written"


def test_clip_comments_carry_prompt_seed_and_recipe_id(tmp_path):
    project = sample_copy("three_shots", tmp_path)
    out = export_project(project, "premiere-xml", tmp_path / "cut.xml")
    items = ET.parse(out).getroot().findall(".//track/clipitem")
    for item, clip in zip(items, project.generated_clips(), strict=True):
        recipe = project.recipe(clip)
        comments = item.find("comments")
        tag = find_tag(comments.findtext("mastercomment1"))
        assert (tag.clip, tag.take) == (clip.name, "take_001")
        assert comments.findtext("mastercomment2") == recipe.prompt
        assert comments.findtext("mastercomment3") == f"seed {recipe.seed}"
    back = read_timeline(out)
    assert find_tag(str(next(iter(back.find_clips())).metadata["fcp_xml"]["comments"]))


def test_hook_copies_and_only_acts_when_asked(tmp_path):
    project = sample_copy("one_shot", tmp_path)
    timeline = flatten_for_export(project)
    before = otio.adapters.write_to_string(timeline, adapter_name="otio_json")

    assert hook_function(timeline, {}) is timeline, "a plain write (e.g. saving a project) is left alone"
    changed = hook_function(timeline, {"_filepath": str(tmp_path / "cut.xml")})

    assert changed is not timeline
    assert "comments" in next(iter(changed.find_clips())).metadata["fcp_xml"]
    assert otio.adapters.write_to_string(timeline, adapter_name="otio_json") == before


def test_saving_a_project_writes_no_fcp_metadata(tmp_path):
    """OTIO runs pre_adapter_write hooks on every write; the project file must not change because of ours."""
    project = sample_copy("one_shot", tmp_path)
    save_project(project)
    assert "fcp_xml" not in project.path.read_text()
