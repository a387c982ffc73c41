"""Property tests: random and mutated projects, recipes and command lines only ever end in ``ProjectError``.

About 1,100 examples per run in all (counted in ``EXAMPLES``), each a fraction of a millisecond to a few
milliseconds, so the file stays well under a minute on two cores.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from fp_timeline.cli import app
from fp_timeline.engine.status import project_status
from fp_timeline.engine.validation import validate_project
from fp_timeline.project.document import load_project, save_project
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.recipe import Recipe
from tests.project_helpers import chain_project

EXAMPLES = {"mutated_documents": 300, "random_recipes": 600, "recipe_round_trip": 100, "cli_add": 100}
FAST = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]}

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("template")
    project = chain_project(folder)
    return folder, json.loads(project.path.read_text())


def _locations(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _locations(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _locations(value, (*path, index))


def _replaced(node, path, value):
    if not path:
        return value
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[path[0]] = _replaced(node[path[0]], path[1:], value)
    return copy


@settings(max_examples=EXAMPLES["mutated_documents"], **FAST)
@given(data=st.data())
def test_mutated_otio_documents_load_or_fail_with_a_project_error(template, data):
    folder, document = template
    locations = list(_locations(document))
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        where = data.draw(st.sampled_from(locations), label="where")
        document = _replaced(document, where, data.draw(JSON_VALUES, label="value"))
        locations = list(_locations(document))
    path = folder / "mutated.otio"
    path.write_text(json.dumps(document, allow_nan=True))
    try:
        project = load_project(path)
    except ProjectError as err:
        assert err.problems and all(str(p) for p in err.problems)
        return
    try:  # a document that loads is judged, never crashes the judge
        validate_project(project)
        project_status(project)
    except ProjectError:
        pass


RECIPE_FIELDS = {
    "schema": st.just(1) | JSON_VALUES,
    "prompt": st.text(max_size=30) | JSON_VALUES,
    "seed": st.integers(-5, 2**33) | JSON_VALUES,
    "frames": st.integers(-5, 10**9) | JSON_VALUES,
    "width": st.integers(-16, 40000) | JSON_VALUES,
    "height": st.integers(-16, 40000) | JSON_VALUES,
    "fps": st.floats(allow_nan=True) | JSON_VALUES,
    "image": st.text(max_size=20) | st.none(),
    "generator": st.sampled_from(["animatic", "framepack_f1", "nope"]) | JSON_VALUES,
    "params": st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=3) | JSON_VALUES,
    "context": st.sampled_from(["fresh", "carry", "sideways"]) | JSON_VALUES,
    "noise": st.sampled_from(["own", "continue", 3]) | JSON_VALUES,
}


@settings(max_examples=EXAMPLES["random_recipes"], **FAST)
@given(st.fixed_dictionaries({}, optional=RECIPE_FIELDS))
def test_random_recipes_are_accepted_or_refused_with_every_bad_field_named(data):
    try:
        recipe = Recipe.from_metadata(data, clip="c")
    except ProjectError as err:
        assert all(p.clip == "c" for p in err.problems)
        return
    assert recipe.frames > 0 and 0 < recipe.fps <= 240 and not math.isnan(recipe.fps)
    assert Recipe.from_metadata(recipe.to_metadata()) == recipe


STORABLE_TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=30)
VALID_RECIPES = st.builds(
    Recipe,
    prompt=STORABLE_TEXT.filter(str.strip),
    seed=st.integers(0, 2**32 - 1),
    frames=st.integers(1, 3000),
    width=st.integers(1, 64).map(lambda n: 16 * n),
    height=st.integers(1, 64).map(lambda n: 16 * n),
    fps=st.sampled_from([24.0, 25.0, 30.0, 30000 / 1001, 60.0]),
    image=st.just("images/start.png"),
    generator=st.just("animatic"),
    params=st.dictionaries(STORABLE_TEXT, st.integers(-(2**63), 2**63 - 1) | STORABLE_TEXT, max_size=2),
)


@settings(max_examples=EXAMPLES["recipe_round_trip"], **FAST)
@given(recipe=VALID_RECIPES)
def test_valid_recipes_round_trip_save_and_load_unchanged(template, recipe):
    folder, _ = template
    assert Recipe.from_metadata(recipe.to_metadata()) == recipe  # valid by the project's own rules
    project = load_project(folder / "chain.otio")
    clip = next(project.generated_clips())
    project.set_recipe(clip, recipe)
    saved = save_project(project, folder / "round_trip.otio")
    again = load_project(saved)
    assert again.recipe(next(again.generated_clips())) == recipe


CLI_TEXT = st.text(max_size=20) | st.sampled_from(["[/bold]", "[red]x", "\x1b[31m", "nan", "-5", "inf", "../x", "²"])


@settings(max_examples=EXAMPLES["cli_add"], **FAST)
@given(prompt=CLI_TEXT, name=CLI_TEXT, seconds=CLI_TEXT, size=CLI_TEXT, seed=CLI_TEXT)
def test_random_add_arguments_end_in_success_or_a_clear_error(template, prompt, name, seconds, size, seed):
    folder, _ = template
    project = folder / "chain.otio"
    args = ["add", str(project), "-p", prompt, "--name", name, "-s", seconds, "--size", size, "--seed", seed]
    result = CliRunner().invoke(app, [*args, "--generator", "animatic", "--carry"])
    assert result.exit_code in (0, 2), (args, result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        load_project(project)  # what was added loads back
