"""The take record (``take_NNN.json``) has one writer and one reader in the engine (``engine.store``):
renders and cut takes write it, stale reasons and adopting a finished take read it."""

from __future__ import annotations

from fp_timeline.engine.leftovers import adoptable_take
from fp_timeline.engine.split import split_rendered
from fp_timeline.engine.stale import stale_reason
from fp_timeline.engine.store import ENGINE_RECORD_VERSION, read_take_record, take_paths
from fp_timeline.project.document import load_project
from fp_timeline.project.takes import use_take
from tests.engine_helpers import rendered_chain


def test_every_writer_and_reader_agree_and_a_bad_record_reads_as_none(tmp_path):
    project = rendered_chain(tmp_path, lengths=(24, 12, 12), continue_noise=True)
    rendered = read_take_record(project, "shot_020", "take_001")
    clip = project.clip("shot_020")
    assert rendered["engine_record"] == ENGINE_RECORD_VERSION and rendered["clip"] == "shot_020"
    assert rendered["recipe"] == project.recipe(clip).to_metadata()

    # Stale reasons read the recipe the take was made from.
    edited = project.recipe(clip).replace(prompt="something else")
    assert stale_reason(project, clip, edited) == "prompt changed since take_001"

    # A finished take the project does not list is adopted from its record...
    hash_ = rendered["take"]["recipe_hash"]
    saved = load_project(project.path)
    use_take(saved.clip("shot_020"), "GENERATOR")
    refs = dict(saved.clip("shot_020").media_references())
    del refs["take_001"]
    saved.clip("shot_020").set_media_references(refs, "GENERATOR")
    assert adoptable_take(saved, "shot_020", hash_).key == "take_001"
    # ...and a damaged record is no record, for both readers.
    take_paths(project, "shot_020", "take_001").record.write_text("[1, 2")
    assert read_take_record(project, "shot_020", "take_001") is None
    assert stale_reason(project, clip, edited) == ""
    assert adoptable_take(saved, "shot_020", hash_) is None
    take_paths(project, "shot_020", "take_001").record.write_text("[]")  # JSON, but not a record
    assert read_take_record(project, "shot_020", "take_001") is None and stale_reason(project, clip, edited) == ""

    # A cut take's record is written the same way (it carries the same version).
    first, second = split_rendered(project, "shot_010", at_frame=12)
    cut = read_take_record(project, second, "take_001")
    assert cut["engine_record"] == ENGINE_RECORD_VERSION and cut["split_from"] == {
        "clip": "shot_010",
        "take": "take_001",
    }
    assert cut["recipe"] == project.recipe(project.clip(second)).to_metadata()
