"""The recipe model: round trip through OTIO metadata and validation errors that name the field."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fp_timeline.project.errors import ProjectError
from fp_timeline.project.recipe import SEED_MAX, ContextMode, NoiseMode, Recipe


def valid(**changes):
    data = {
        "schema": 1,
        "prompt": "the girl dances gracefully",
        "seed": 7,
        "frames": 73,
        "width": 640,
        "height": 480,
        "fps": 30,
        "image": "images/girl.png",
        "generator": "framepack_f1",
        "params": {"steps": 25},
        "context": "fresh",
    }
    data.update(changes)
    return data


def test_round_trip_through_metadata():
    recipe = Recipe.from_metadata(valid(context="carry", noise="continue", image=None))
    assert recipe.context is ContextMode.CARRY and recipe.noise is NoiseMode.CONTINUE
    assert Recipe.from_metadata(recipe.to_metadata()) == recipe


PROMPTS = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), min_size=1).filter(str.strip)


@given(seed=st.integers(0, SEED_MAX), frames=st.integers(1, 10_000), prompt=PROMPTS)  # NUL is refused at input
def test_any_valid_recipe_round_trips(seed, frames, prompt):
    recipe = Recipe.from_metadata(valid(seed=seed, frames=frames, prompt=prompt))
    assert (recipe.seed, recipe.frames, recipe.prompt) == (seed, frames, prompt)
    assert Recipe.from_metadata(recipe.to_metadata()) == recipe


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"seed": -1}, "seed"),
        ({"seed": SEED_MAX + 1}, "seed"),
        ({"seed": True}, "seed"),
        ({"frames": -5}, "frames"),
        ({"frames": 0}, "frames"),
        ({"prompt": "  "}, "prompt"),
        ({"width": 100}, "width"),
        ({"context": "sideways"}, "context"),
        ({"noise": "loud"}, "noise"),
        ({"image": None}, "image"),  # a fresh clip needs its start image
        ({"fps": 0}, "fps"),
        ({"params": [1, 2]}, "params"),
    ],
)
def test_bad_field_is_named(changes, field):
    with pytest.raises(ProjectError) as err:
        Recipe.from_metadata(valid(**changes), clip="shot_010")
    problem = err.value.problems[0]
    assert problem.field == field and problem.clip == "shot_010"
    assert f"field {field!r}" in str(err.value) and "shot_010" in str(err.value)


def test_every_bad_field_is_reported_at_once():
    with pytest.raises(ProjectError) as err:
        Recipe.from_metadata(valid(seed=-1, frames=0, prompt=""))
    assert {p.field for p in err.value.problems} == {"seed", "frames", "prompt"}


def test_unsupported_schema_is_refused():
    with pytest.raises(ProjectError, match="unsupported schema version 99"):
        Recipe.from_metadata(valid(schema=99))


def test_params_with_a_key_otio_cannot_read_back_are_a_named_problem():
    """OTIO cuts a key at a NUL, so its mapping cannot even list itself (found by the mutated-document property)."""
    import opentimelineio as otio

    clip = otio.schema.Clip(name="shot_010")
    clip.metadata["fp_timeline"] = valid(params={"a\x00b": 1})
    with pytest.raises(ProjectError) as err:
        Recipe.from_metadata(clip.metadata["fp_timeline"], clip="shot_010")
    assert [p.field for p in err.value.problems] == ["params"] and "NUL" in str(err.value)
