"""Variations, the way FramePack users make them: a new take is a new seed, and a chosen take sticks.

* ``plan_variations`` queues one job per seed for a clip (new random seeds unless the same seed is
  asked for; a carried clip that continued its upstream's noise gets noise of its own, or the seed
  would not show).  Each job carries its own recipe and hash; ``apply_take`` makes that recipe the clip's
  when its take lands, so the clip shows the newest variation as rendered.
* ``choose_take`` switches the active take *and* makes the clip's recipe the recipe that take was
  made from: an older variation stays chosen (not stale, and not re-rolled by the next render).
"""

from __future__ import annotations

import copy
import dataclasses
import random
from typing import Any

from fp_timeline.engine.planner import PlannedJob, plan_render
from fp_timeline.project.document import Project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import SEED_MAX, NoiseMode, Recipe
from fp_timeline.project.takes import take_recipe, takes_of, use_take


def new_seeds(count: int, avoid: set[int] | None = None, rng: random.Random | None = None) -> list[int]:
    """``count`` distinct random seeds, none of them in ``avoid`` (seeds the clip's takes already used)."""
    rng = rng or random.SystemRandom()
    taken = set(avoid or ())
    seeds: list[int] = []
    while len(seeds) < count:
        seed = rng.randint(0, SEED_MAX)
        if seed not in taken:
            taken.add(seed)
            seeds.append(seed)
    return seeds


def variation_seeds(project: Project, clip: str, count: int, same_seed: bool = False) -> list[int]:
    """The seeds for ``count`` new takes of ``clip``: its own seed repeated, or fresh ones it never used."""
    target = project.clip(clip)
    if same_seed:
        return [project.recipe(target).seed] * count
    used = {t.seed for t in takes_of(target) if t.seed is not None} | {project.recipe(target).seed}
    return new_seeds(count, avoid=used)


def plan_variations(
    project: Project,
    clip: str,
    seeds: list[int],
    chain: bool = False,
    options: dict[str, Any] | None = None,
) -> list[PlannedJob]:
    """One job per seed for ``clip`` (after any upstream it needs); with ``chain`` (one seed only) the clips
    carried from it follow, planned for the new take.  Does not modify the project."""
    if count_error := _count_problem(len(seeds), chain):
        raise ProjectError(Problem(count_error, file=project.path, clip=clip, field="variations"))
    jobs: list[PlannedJob] = []
    for index, seed in enumerate(seeds):
        trial = Project(path=project.path, timeline=copy.deepcopy(project.timeline))
        target = trial.clip(clip)
        trial.set_recipe(target, with_seed(trial.recipe(target), seed))
        for job in plan_render(trial, [clip], chain=chain, options=options):
            if job.clip == clip:
                reason = "new seed" if len(seeds) == 1 else f"variation {index + 1}/{len(seeds)}"
                jobs.append(dataclasses.replace(job, reason=f"{reason} {seed}", variation=True))
            elif index == 0:  # upstreams it needs, once; carried clips after it (chain, one seed)
                jobs.append(job)
    return jobs


def with_seed(recipe: Recipe, seed: int) -> Recipe:
    """``recipe`` with a new seed that shows: a carried clip that continued its upstream's noise ignores its
    own seed, so a new seed also gives it noise of its own (the same seed keeps it as it was)."""
    if seed == recipe.seed:
        return recipe
    noise = NoiseMode.OWN if recipe.carries else recipe.noise
    return recipe.replace(seed=seed, noise=noise)


def _count_problem(count: int, chain: bool) -> str | None:
    if count < 1:
        return f"the number of variations must be at least 1, got {count}"
    if chain and count > 1:
        return "--chain continues one new take; render variations without --chain, choose one, then --chain"
    return None


def choose_take(project: Project, clip_name: str, key: str) -> Recipe:
    """Show take ``key`` and make its recipe the clip's; returns the clip's recipe now."""
    clip = project.clip(clip_name)
    try:
        use_take(clip, key)
    except KeyError as err:
        raise ProjectError(Problem(err.args[0], file=project.path, clip=clip_name)) from None
    take = next((t for t in takes_of(clip) if t.key == key), None)
    recipe = take_recipe(project, clip, take) if take is not None else None
    if recipe is not None and recipe != project.recipe(clip):
        project.set_recipe(clip, recipe)
    return project.recipe(clip)
