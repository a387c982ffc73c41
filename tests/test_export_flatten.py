"""Flattening for export: active take only, paths per NLE, ranges always set, rates, handles, refusals."""

from __future__ import annotations

import json

import opentimelineio as otio
import pytest

from fp_timeline.project.document import load_project, save_project
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.takes import use_take
from fp_timeline_otio.export import export_project, read_timeline
from fp_timeline_otio.flatten import flatten_for_export
from fp_timeline_otio.handles import TransitionPolicy
from fp_timeline_otio.media_urls import UrlStyle, path_from_url, url_for
from fp_timeline_otio.readiness import export_problems
from tests.test_adapters_support import render_fake_take, sample_copy, write_mp4

RationalTime = otio.opentime.RationalTime


def _project_text(project) -> str:
    return otio.adapters.write_to_string(project.timeline, adapter_name="otio_json")


def test_one_external_reference_per_clip_the_active_take(tmp_path):
    project = sample_copy("three_shots", tmp_path)
    first = next(project.generated_clips())
    render_fake_take(project, first)  # take_002 becomes active
    use_take(first, "take_001")  # ... and the editor goes back to take_001
    before = _project_text(project)

    timeline = flatten_for_export(project)

    assert _project_text(project) == before, "flattening must not touch the project"
    for clip in timeline.find_clips():
        refs = clip.media_references()
        assert list(refs) == [otio.schema.Clip.DEFAULT_MEDIA_KEY]
        assert isinstance(clip.media_reference, otio.schema.ExternalReference)
        assert clip.media_reference.available_range is not None
        assert clip.source_range is not None
        assert path_from_url(clip.media_reference.target_url).is_file()
    exported_first = next(iter(timeline.find_clips()))
    assert exported_first.media_reference.target_url.endswith("shot_010/take_001.mp4")
    assert exported_first.metadata["fp_timeline"]["export"]["take"] == "take_001"
    assert exported_first.metadata["fp_timeline"]["prompt"], "the recipe travels with the clip"


@pytest.mark.parametrize(
    ("style", "prefix"),
    [(UrlStyle.PATH, "/"), (UrlStyle.FILE_URL, "file:///"), (UrlStyle.LOCALHOST_URL, "file://localhost/")],
)
def test_media_is_spelled_for_the_nle(tmp_path, style, prefix):
    project = sample_copy("one_shot", tmp_path)
    timeline = flatten_for_export(project, style)
    url = next(iter(timeline.find_clips())).media_reference.target_url
    assert url.startswith(prefix)
    if style is UrlStyle.PATH:
        assert "://" not in url  # Resolve fails on file:// (OTIO #1985)
    take = next(project.generated_clips()).media_references()["take_001"]
    assert path_from_url(url) == project.resolve(take.target_url)


def test_urls_survive_spaces_and_accents(tmp_path):
    path = tmp_path / "my film" / "café take.mp4"
    for style in UrlStyle:
        url = url_for(path, style)
        assert path_from_url(url) == path, style
    assert " " not in url_for(path, UrlStyle.FILE_URL)  # percent-encoded, as Premiere writes


@pytest.mark.parametrize(("rate", "exact"), [(23.976, 24000 / 1001), (29.97, 30000 / 1001), (24.0, 24.0), (25.0, 25.0)])
def test_rates_become_exact_smpte_rates(tmp_path, rate, exact):
    project = sample_copy("three_shots", tmp_path, rate=rate)
    timeline = flatten_for_export(project)
    assert timeline.global_start_time.rate == exact
    for clip in timeline.find_clips():
        assert clip.source_range.duration.rate == exact
        assert clip.media_reference.available_range.duration.rate == exact


def test_start_timecode(tmp_path):
    project = sample_copy("one_shot", tmp_path, rate=24.0)
    timeline = flatten_for_export(project, start_timecode="01:00:00:00")
    assert timeline.global_start_time == RationalTime(86400, 24)
    assert flatten_for_export(project).global_start_time == RationalTime(0, 24)


@pytest.mark.parametrize("format_name", ["resolve", "premiere"])
def test_otio_for_nles_is_written_for_older_readers(tmp_path, format_name):
    """Resolve 18.x builds read Clip.1; with one reference per clip nothing is lost by writing it."""
    project = sample_copy("three_shots", tmp_path)
    out = export_project(project, format_name, tmp_path / "cut.otio")
    schemas = _schemas(json.loads(out.read_text()))
    assert "Clip.1" in schemas and "Clip.2" not in schemas
    back = read_timeline(out)
    flat = flatten_for_export(project, UrlStyle.FILE_URL if format_name == "premiere" else UrlStyle.PATH)
    assert [c.media_reference.target_url for c in back.find_clips()] == [
        c.media_reference.target_url for c in flat.find_clips()
    ]
    assert [c.source_range for c in back.find_clips()] == [c.source_range for c in flat.find_clips()]


def test_plain_otio_keeps_the_current_schema(tmp_path):
    project = sample_copy("one_shot", tmp_path)
    out = export_project(project, "otio", tmp_path / "cut.otio")
    assert "Clip.2" in _schemas(json.loads(out.read_text()))


def _schemas(node) -> set[str]:
    found = set()
    if isinstance(node, dict):
        if "OTIO_SCHEMA" in node:
            found.add(node["OTIO_SCHEMA"])
        for value in node.values():
            found |= _schemas(value)
    elif isinstance(node, list):
        for value in node:
            found |= _schemas(value)
    return found


def test_refuses_listing_unrendered_and_missing_clips(tmp_path):
    project = sample_copy("three_shots", tmp_path)
    clips = list(project.generated_clips())
    use_take(clips[1], "GENERATOR")  # shows as unrendered
    project.resolve(clips[3].media_references()["take_001"].target_url).unlink()  # deleted take file
    save_project(project)

    with pytest.raises(ProjectError) as err:
        flatten_for_export(load_project(project.path))

    named = [p.clip for p in err.value.problems]
    assert named == [clips[1].name, clips[3].name]
    assert "not rendered" in str(err.value) and "missing" in str(err.value)
    assert export_problems(project) and not (tmp_path / "cut.otio").exists()


def test_overlap_gives_every_transition_real_handles(tmp_path):
    project = sample_copy("three_shots", tmp_path)
    timeline = flatten_for_export(project, transitions=TransitionPolicy.OVERLAP)
    track = timeline.tracks[0]
    items = list(track)
    transitions = [i for i, item in enumerate(items) if isinstance(item, otio.schema.Transition)]
    assert transitions
    for i in transitions:
        before, transition, after = items[i - 1], items[i], items[i + 1]
        tail = before.media_reference.available_range.end_time_exclusive() - before.source_range.end_time_exclusive()
        head = after.source_range.start_time - after.media_reference.available_range.start_time
        assert tail >= transition.out_offset and head >= transition.in_offset
    project_length = project.tracks()[0].duration()
    overlap = sum((items[i].in_offset + items[i].out_offset).value for i in transitions)
    assert track.duration().value == project_length.value - overlap


def test_cut_keeps_the_project_timing_without_transitions(tmp_path):
    project = sample_copy("three_shots", tmp_path)
    timeline = flatten_for_export(project, transitions=TransitionPolicy.CUT)
    assert not list(timeline.find_children(descended_from_type=otio.schema.Transition))
    assert timeline.tracks[0].duration() == project.tracks()[0].duration()
    assert [c.source_range for c in timeline.find_clips()] == [c.source_range for c in project.generated_clips()]


def test_plain_clips_export_with_absolute_paths(tmp_path):
    """An imported movie (not generated) on the timeline goes out with the cut."""
    project = sample_copy("one_shot", tmp_path, rate=24.0)
    movie = write_mp4(project.folder / "footage" / "stock.mp4", 10, 24.0)
    clip = otio.schema.Clip(
        name="stock",
        media_reference=otio.schema.ExternalReference(target_url="footage/stock.mp4"),
        source_range=otio.opentime.TimeRange(RationalTime(2, 24), RationalTime(5, 24)),
    )
    project.tracks()[0].append(clip)
    timeline = flatten_for_export(project)
    exported = list(timeline.find_clips())[-1]
    assert path_from_url(exported.media_reference.target_url) == movie.resolve()
    assert exported.media_reference.available_range is not None
    movie.unlink()
    assert [p.clip for p in export_problems(project)] == ["stock"]


def test_handles_are_whole_frames_of_a_take_at_another_rate(tmp_path):
    """A 24 fps timeline of 30 fps takes (F1's native rate): a 6-frame handle is 7.5 take frames -> 8."""
    project = sample_copy("three_shots", tmp_path, rate=24.0)
    for clip in project.generated_clips():
        take_ref = clip.media_references()["take_001"]
        take_ref.available_range = otio.opentime.TimeRange(RationalTime(0, 30), RationalTime(200, 30))
        clip.source_range = otio.opentime.TimeRange(RationalTime(0, 30), RationalTime(30, 30))
    timeline = flatten_for_export(project)
    after_dissolve = list(timeline.find_clips())[-1]
    assert after_dissolve.source_range.start_time == RationalTime(8, 30)
    for clip in timeline.find_clips():
        assert clip.source_range.start_time.value == int(clip.source_range.start_time.value)
        assert clip.source_range.duration.value == int(clip.source_range.duration.value)
