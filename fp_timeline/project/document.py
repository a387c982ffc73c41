"""A project: one ``.otio`` file plus its folder of renders.  Load, validate, save atomically.

Paths inside the project (start images, takes, contexts) are stored relative to the project file,
so a moved project folder keeps working; they are resolved against ``Project.folder`` on use.
Renders live in ``<stem>.fp/renders/<clip>/take_NNN.mp4`` beside the project file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from fp_timeline.project.atomic import write_text_atomic
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.media_fields import MediaFieldsOf, image_only
from fp_timeline.project.paths import resolve_stored, stored_path
from fp_timeline.project.rebase import rebased_timeline
from fp_timeline.project.recipe import METADATA_KEY, ContextMode, Recipe
from fp_timeline.project.takes import GENERATOR_KEY


@dataclass
class Project:
    """An open project: the OTIO timeline and where it lives on disk."""

    path: Path
    timeline: otio.schema.Timeline

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def data_dir(self) -> Path:
        """``<stem>.fp/`` beside the project file: renders, takes, contexts, checkpoints."""
        return self.folder / f"{self.path.stem}.fp"

    @property
    def rate(self) -> float:
        start = self.timeline.global_start_time
        return float(start.rate) if start is not None else 30.0

    def render_dir(self, clip_name: str) -> Path:
        return self.data_dir / "renders" / clip_name

    def resolve(self, stored: str) -> Path:
        """An absolute path for a path stored in the project (relative ones are project-relative)."""
        return resolve_stored(self.folder, stored)

    def relative(self, path: Path) -> str:
        """How to store ``path``: relative to the project folder when possible, POSIX separators."""
        return stored_path(self.folder, path)

    def tracks(self) -> list[otio.schema.Track]:
        return [t for t in self.timeline.tracks if t.kind == otio.schema.TrackKind.Video]

    def generated_clips(self) -> Iterator[otio.schema.Clip]:
        """Every clip with a recipe, track by track, in timeline order."""
        for track in self.tracks():
            for item in track:
                if isinstance(item, otio.schema.Clip) and METADATA_KEY in item.metadata:
                    yield item

    def clip(self, name: str) -> otio.schema.Clip:
        for clip in self.generated_clips():
            if clip.name == name:
                return clip
        names = ", ".join(c.name for c in self.generated_clips()) or "none"
        raise ProjectError(Problem(f"no clip named {name!r} (clips: {names})", file=self.path))

    def recipe(self, clip: otio.schema.Clip) -> Recipe:
        try:
            return Recipe.from_metadata(clip.metadata[METADATA_KEY], clip=clip.name)
        except ProjectError as err:
            raise ProjectError([_with_file(p, self.path) for p in err.problems]) from None

    def set_recipe(self, clip: otio.schema.Clip, recipe: Recipe) -> None:
        """Store a recipe on a clip, keeping the generator reference in step with it."""
        clip.metadata[METADATA_KEY] = recipe.to_metadata()
        refs = dict(clip.media_references())
        refs[GENERATOR_KEY] = generator_reference(recipe)
        active = clip.active_media_reference_key
        clip.set_media_references(refs, active if active in refs else GENERATOR_KEY)


def generator_reference(recipe: Recipe) -> otio.schema.GeneratorReference:
    """OTIO's own word for media that is generated: kind + parameters (the recipe's settings)."""
    ref = otio.schema.GeneratorReference(
        generator_kind=f"fp_timeline.{recipe.generator}",
        parameters=recipe.to_metadata(),
        available_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, recipe.fps), otio.opentime.RationalTime(recipe.frames, recipe.fps)
        ),
    )
    ref.name = GENERATOR_KEY
    return ref


def new_project(path: Path, name: str | None = None, rate: float = 30.0) -> Project:
    """An empty project with one video track, not yet saved."""
    path = Path(path).resolve()
    timeline = otio.schema.Timeline(name=name or path.stem)
    timeline.global_start_time = otio.opentime.RationalTime(0, rate)
    timeline.tracks.append(otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video))
    timeline.metadata[METADATA_KEY] = {"project_schema": 1}
    return Project(path=path, timeline=timeline)


def load_project(path: Path) -> Project:
    """Read a ``.otio`` project (ours or one written by plain OTIO code) and check its recipes."""
    path = Path(path).resolve()
    if not path.exists():
        raise ProjectError(Problem("project file does not exist", file=path))
    try:
        # Read through otio_json explicitly: loading a project never runs a plugin or hook.
        timeline = otio.adapters.read_from_file(str(path), adapter_name="otio_json")
    except Exception as err:  # OTIO raises several exception types for bad JSON/schemas
        raise ProjectError(Problem(f"not a readable OTIO file: {err}", file=path)) from None
    if not isinstance(timeline, otio.schema.Timeline):
        raise ProjectError(Problem(f"expected a Timeline, found {type(timeline).__name__}", file=path))
    project = Project(path=path, timeline=timeline)
    problems = structural_problems(project)
    if problems:
        raise ProjectError(problems)
    return project


def arrangement_problems(project: Project) -> list[Problem]:
    """What an edit to the timeline's order can break: unique clip names, no carried clip first.

    Reads only the stored ``context`` field (no recipe parsing, no disk), so the window can run it on
    every edit of a large project.  An imported clip counts as a predecessor: a clip may carry it.
    """
    problems: list[Problem] = []
    seen: set[str] = set()
    for track in project.tracks():
        clips = [item for item in track if isinstance(item, otio.schema.Clip)]
        for position, item in enumerate(clips):
            if METADATA_KEY not in item.metadata:
                continue
            if item.name in seen:
                problems.append(Problem("clip names must be unique in a project", file=project.path, clip=item.name))
            seen.add(item.name)
            if position == 0 and item.metadata[METADATA_KEY].get("context") == ContextMode.CARRY.value:
                problems.append(
                    Problem(
                        f"carries context but is the first clip on track {track.name!r}",
                        file=project.path,
                        clip=item.name,
                        field="context",
                    )
                )
    return problems


def structural_problems(project: Project) -> list[Problem]:
    """Arrangement, recipe fields and start images present: what any generator needs."""
    problems = arrangement_problems(project)
    for item in project.generated_clips():
        try:
            recipe = project.recipe(item)
        except ProjectError as err:
            problems.extend(err.problems)
            continue
        image = project.resolve(recipe.image) if recipe.image is not None else None
        if image is not None and not image.is_file():
            problems.append(
                Problem(f"start image not found: {image}", file=project.path, clip=item.name, field="image")
            )
    return problems


def save_project(project: Project, path: Path | None = None, media_of: MediaFieldsOf = image_only) -> Path:
    """Write the project atomically (temp file, fsync, rename).

    ``path`` writes a copy elsewhere, its relative paths re-pointed so they still find the same files;
    ``project`` itself is left as it is (see ``save_project_as`` to move it).  ``media_of`` names each
    generator's media fields (``engine.registry.media_fields``), all of which are re-pointed.
    """
    target = Path(path).resolve() if path is not None else project.path
    timeline = project.timeline
    if target.parent != project.folder:
        timeline = rebased_timeline(timeline, project.folder, target.parent, media_of)
    text = otio.adapters.write_to_string(timeline, adapter_name="otio_json")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(target, text)
    return target


def save_project_as(project: Project, path: Path, media_of: MediaFieldsOf = image_only) -> Project:
    """Save under a new name (maybe another folder) and return the project as it now lives there."""
    target = Path(path).resolve()
    moved = Project(path=target, timeline=rebased_timeline(project.timeline, project.folder, target.parent, media_of))
    save_project(moved)
    return moved


def _with_file(problem: Problem, path: Path) -> Problem:
    return Problem(problem.message, file=path, clip=problem.clip, field=problem.field)
