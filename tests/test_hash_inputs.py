"""Recipe hashes are computed as ``project/hashing.py`` documents them, from an independent spelling of
the formula: a speed-up that changed what enters a hash (and so made every take stale) fails here."""

from __future__ import annotations

import copy
import hashlib
import json

import opentimelineio as otio
import pytest

from fp_timeline.engine import registry
from fp_timeline.engine.identity import versions_for
from fp_timeline.project.document import Project, load_project, save_project
from fp_timeline.project.edits import make_clip
from fp_timeline.project.hashing import file_digest, hashed_clips, media_digests, recipe_hash
from fp_timeline.project.recipe import METADATA_KEY, ContextMode, Recipe
from tests.project_helpers import chain_project, write_image

LORAS = "params.loras[].path"


def spec_hash(recipe: Recipe, image_digest, version, upstream, digests=None) -> str:
    """The documented formula, spelt out without the code under test."""
    fields = json.loads(json.dumps(recipe.to_metadata()))
    del fields["image"]
    for lora in fields["params"].get("loras", []) if digests else []:
        lora["path"] = "sha256:" + digests[LORAS].get(lora["path"], "missing")
    payload = {
        "recipe": fields,
        "image_sha256": None if recipe.image is None else (image_digest or "missing"),
        "generator": [recipe.generator, version],
        "upstream": upstream if recipe.carries else None,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def lora_recipe(**changes) -> Recipe:
    params = {"loras": [{"path": "loras/a.safetensors", "weight": 0.7}, {"path": "loras/b.safetensors"}], "cfg": [1, 2]}
    base = dict(prompt="walk", seed=3, frames=33, width=64, height=64, image="start.png", generator="framepack_f1")
    return Recipe(**(base | {"params": params} | changes))


@pytest.mark.parametrize("carry", [False, True])
def test_recipe_hash_follows_the_documented_payload(carry):
    context = ContextMode.CARRY if carry else ContextMode.FRESH
    plain = Recipe(
        prompt="p", seed=1, frames=12, width=32, height=32, image="i.png", generator="animatic", context=context
    )
    assert recipe_hash(plain, "abc", "1|x", "up") == spec_hash(plain, "abc", "1|x", "up")
    assert recipe_hash(plain, None, "1", "up") == spec_hash(plain, None, "1", "up")  # a missing image
    # "no other media" is spelt three ways by callers; all hash alike
    assert recipe_hash(plain, "abc", "1", "up", {}) == recipe_hash(plain, "abc", "1", "up", None)
    assert recipe_hash(plain, "abc", "1", "up", {LORAS: {}}) == recipe_hash(plain, "abc", "1", "up")


def test_media_fields_hash_by_content_and_leave_the_recipe_alone():
    recipe = lora_recipe()
    before = copy.deepcopy(recipe.params)
    digests = {LORAS: {"loras/a.safetensors": "aaa"}}  # b is missing
    assert recipe_hash(recipe, "img", "2", None, digests) == spec_hash(recipe, "img", "2", None, digests)
    assert recipe_hash(recipe, "img", "2", None, digests) != recipe_hash(recipe, "img", "2", None)
    assert recipe.params == before  # the recipe's own nested lists were not re-spelt


def test_media_digests_skips_the_start_image_and_reads_declared_fields(tmp_path):
    project = Project(path=tmp_path / "p.otio", timeline=otio.schema.Timeline())
    (tmp_path / "loras").mkdir()
    (tmp_path / "loras" / "a.safetensors").write_bytes(b"weights")
    recipe = lora_recipe()
    assert media_digests(project, recipe, ("image",)) == {}
    found = media_digests(project, recipe, ("image", LORAS))
    assert found == {
        LORAS: {
            "loras/a.safetensors": file_digest(tmp_path / "loras" / "a.safetensors"),
            "loras/b.safetensors": "missing",
        }
    }


def test_hashes_through_versions_for_match_a_fresh_lookup_per_clip(tmp_path):
    """``versions_for`` looks media fields up once per generator; the hashes equal asking every time."""
    write_image(tmp_path / "start.png")
    (tmp_path / "loras").mkdir()
    (tmp_path / "loras" / "a.safetensors").write_bytes(b"weights")
    project = chain_project(tmp_path, clips=3)
    track = project.tracks()[0]
    track.append(make_clip("lora_fresh", lora_recipe()))
    track.append(make_clip("lora_carry", lora_recipe(image=None, seed=4, context=ContextMode.CARRY)))
    save_project(project)
    project = load_project(project.path)
    cached = versions_for()
    every_time = lambda generator: cached(generator)  # noqa: E731  same versions, no memo of the fields
    rows = hashed_clips(project, cached)
    fresh = hashed_clips(project, every_time, registry.media_fields)
    assert [(r.clip.name, r.hash) for r in rows] == [(r.clip.name, r.hash) for r in fresh]
    lora = next(r for r in rows if r.clip.name == "lora_fresh")
    digests = media_digests(project, lora.recipe, registry.media_fields("framepack_f1"))
    assert lora.hash == spec_hash(
        lora.recipe, file_digest(tmp_path / "start.png"), cached("framepack_f1"), None, digests
    )
    assert digests[LORAS]["loras/a.safetensors"] != "missing"


def test_params_read_from_otio_metadata_are_plain_and_still_checked():
    recipe = lora_recipe()
    clip = make_clip("c", recipe)
    parsed = Recipe.from_metadata(clip.metadata[METADATA_KEY])
    assert parsed == recipe and type(parsed.params["loras"]) is list and type(parsed.params["loras"][0]) is dict
    empty = make_clip("e", lora_recipe(params={}))
    assert Recipe.from_metadata(empty.metadata[METADATA_KEY]).params == {}
    clip.metadata[METADATA_KEY]["params"]["loras"][1]["path"] = "a\x00b"  # NUL, nested in OTIO's mapping
    with pytest.raises(Exception, match="cannot store"):
        Recipe.from_metadata(clip.metadata[METADATA_KEY], clip="c")
