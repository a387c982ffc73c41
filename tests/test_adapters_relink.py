"""Import back: a cut re-edited in an NLE (reordered, trimmed, a clip deleted, foreign media added,
written with that NLE's conventions) re-links every clip to its recipe and the take the editor used."""

from __future__ import annotations

import copy

import opentimelineio as otio
import pytest

from fp_timeline.project.document import load_project, save_project
from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.project.takes import takes_of, use_take
from fp_timeline_otio.export import export_project, read_timeline
from fp_timeline_otio.formats import FORMATS
from fp_timeline_otio.media_urls import UrlStyle, path_from_url, url_for
from fp_timeline_otio.relink import relink_timeline
from tests.test_adapters_support import render_fake_take, sample_copy, write_mp4

RationalTime = otio.opentime.RationalTime
TimeRange = otio.opentime.TimeRange
TRIM = 5  # frames taken off each end of shot_010 in the "NLE"


@pytest.fixture
def project(tmp_path):
    project = sample_copy("three_shots", tmp_path / "film", rate=24.0)
    first = next(project.generated_clips())
    render_fake_take(project, first)  # shot_010 has take_001 and take_002; take_002 is exported
    save_project(project)
    return project


def nle_edit(timeline: otio.schema.Timeline, stock: str, url_style: UrlStyle) -> otio.schema.Timeline:
    """What an editor does: drop the dissolve and shot_020, put shot_040 first, trim shot_010, add stock."""
    edited = copy.deepcopy(timeline)
    track = next(t for t in edited.tracks if t.kind == otio.schema.TrackKind.Video)
    for item in list(track):
        if isinstance(item, otio.schema.Transition) or item.name == "shot_020":
            del track[track.index(item)]
    last = track[len(track) - 1]
    del track[len(track) - 1]
    track.insert(0, last)
    shot_010 = next(c for c in track if c.name == "shot_010")
    source = shot_010.source_range
    shot_010.source_range = TimeRange(
        source.start_time + RationalTime(TRIM, source.start_time.rate),
        source.duration - RationalTime(2 * TRIM, source.duration.rate),
    )
    stock_clip = otio.schema.Clip(
        name="stock",
        media_reference=otio.schema.ExternalReference(
            target_url=stock, available_range=TimeRange(RationalTime(0, 24), RationalTime(10, 24))
        ),
        source_range=TimeRange(RationalTime(0, 24), RationalTime(10, 24)),
    )
    track.append(stock_clip)
    for clip in edited.find_clips():  # the NLE writes media its own way
        clip.media_reference.target_url = url_for(path_from_url(clip.media_reference.target_url), url_style)
    return edited


NLE_WRITES = {
    "resolve": UrlStyle.PATH,
    "premiere": UrlStyle.FILE_URL,
    "premiere-xml": UrlStyle.LOCALHOST_URL,
    "edl": UrlStyle.PATH,
    "otio": UrlStyle.FILE_URL,
}
# How each format's clips are recognised: XML keeps our comment tag, the others their take's path.
RECOGNISED_BY = {"premiere-xml": "comment tag"}


@pytest.mark.parametrize("format_name", list(FORMATS))
def test_an_edited_cut_relinks_every_recipe(project, tmp_path, format_name):
    fmt = FORMATS[format_name]
    exported = export_project(project, format_name, tmp_path / f"cut{fmt.suffix}")
    stock = write_mp4(tmp_path / "stock" / "stock.mp4", 10, 24.0)
    style = NLE_WRITES[format_name]
    edited = nle_edit(read_timeline(exported, rate=24), url_for(stock, style), style)
    if fmt.adapter == "otio_json":  # an NLE keeps none of our metadata: recognise clips by media alone
        for clip in edited.find_clips():
            clip.metadata.pop(METADATA_KEY, None)
    edit_file = tmp_path / f"edit{fmt.suffix}"
    otio.adapters.write_to_file(edited, str(edit_file), adapter_name=fmt.adapter)
    use_take(next(project.generated_clips()), "take_001")  # the project moved on after the export

    result = relink_timeline(read_timeline(edit_file, rate=24), project, project.folder / "edit.otio")

    _check_relinked(result, project, stock)
    assert {m.how for _, m in result.matches} == {RECOGNISED_BY.get(format_name, "take path")}


def test_a_moved_bundle_relinks_by_take_file_name(project, tmp_path):
    bundle = export_project(project, "resolve", tmp_path / "cut.otioz", bundle=True)
    unpacked = tmp_path / "elsewhere"
    unpacked.mkdir()
    stock = write_mp4(tmp_path / "stock" / "stock.mp4", 10, 24.0)
    edited = nle_edit(read_timeline(bundle, extract_to=unpacked), str(stock), UrlStyle.PATH)
    for clip in edited.find_clips():
        clip.metadata.pop(METADATA_KEY, None)
        assert clip.name == "stock" or str(unpacked) in clip.media_reference.target_url
    use_take(next(project.generated_clips()), "take_001")

    result = relink_timeline(edited, project, project.folder / "edit.otio")

    _check_relinked(result, project, stock)
    assert {m.how for _, m in result.matches} == {"take file name"}


def _check_relinked(result, project, stock):
    new = result.project
    names = [c.name for c in new.timeline.find_clips()]
    assert names == ["shot_040", "shot_010", "shot_030", "stock"]
    assert result.dropped == ["shot_020"]
    assert result.unmatched == ["stock"]
    for clip in new.generated_clips():
        original = project.clip(clip.name)
        assert new.recipe(clip) == project.recipe(original), clip.name
        assert [t.key for t in takes_of(clip)] == [t.key for t in takes_of(original)]
        for take in takes_of(clip):
            same = next(t for t in takes_of(original) if t.key == take.key)
            assert new.resolve(take.media) == project.resolve(same.media)
    shot_010 = new.clip("shot_010")
    assert shot_010.active_media_reference_key == "take_002", "the take the editor used, not the project's"
    assert shot_010.source_range == TimeRange(RationalTime(TRIM, 24), RationalTime(73 - 2 * TRIM, 24))
    stock_clip = list(new.timeline.find_clips())[-1]
    assert new.resolve(stock_clip.media_reference.target_url) == stock.resolve()
    assert "://" not in stock_clip.media_reference.target_url
    save_project(new)
    reloaded = load_project(new.path)
    assert [c.name for c in reloaded.generated_clips()] == ["shot_040", "shot_010", "shot_030"]


def test_relinked_project_in_another_folder_keeps_its_paths(project, tmp_path):
    exported = export_project(project, "premiere-xml", tmp_path / "cut.xml")
    elsewhere = tmp_path / "other" / "deep" / "edit.otio"
    result = relink_timeline(read_timeline(exported), project, elsewhere)
    save_project(result.project)
    reloaded = load_project(elsewhere)  # checks the start images resolve from the new folder
    for clip in reloaded.generated_clips():
        for take in takes_of(clip):
            assert reloaded.resolve(take.media).is_file()


def test_media_linker_points_clips_at_takes(project, tmp_path):
    exported = export_project(project, "premiere-xml", tmp_path / "cut.xml")
    timeline = otio.adapters.read_from_file(
        str(exported), media_linker_name="fp_timeline_recipes", media_linker_argument_map={"project": str(project.path)}
    )
    for clip in timeline.find_clips():
        ref = clip.media_reference
        assert "://" not in ref.target_url
        assert path_from_url(ref.target_url).is_file()
        assert ref.metadata[METADATA_KEY]["export"]["clip"] == clip.name


def test_a_clip_used_twice_gets_a_unique_name(project, tmp_path):
    exported = export_project(project, "otio", tmp_path / "cut.otio")
    edited = read_timeline(exported)
    track = edited.tracks[0]
    track.append(copy.deepcopy(next(iter(edited.find_clips()))))
    result = relink_timeline(edited, project)
    names = [c.name for c in result.project.generated_clips()]
    assert names[-1] == "shot_010_2" and len(set(names)) == len(names)


def test_media_linker_without_a_project_changes_nothing(project, tmp_path, monkeypatch):
    """As OTIO_DEFAULT_MEDIA_LINKER it runs on every read, including loading a project."""
    monkeypatch.setenv("OTIO_DEFAULT_MEDIA_LINKER", "fp_timeline_recipes")
    exported = export_project(project, "premiere-xml", tmp_path / "cut.xml")
    plain = otio.adapters.read_from_file(str(exported), media_linker_name=None)
    linked = otio.adapters.read_from_file(str(exported))
    assert [c.media_reference.target_url for c in linked.find_clips()] == [
        c.media_reference.target_url for c in plain.find_clips()
    ]
    assert load_project(project.path).timeline.name == project.timeline.name
