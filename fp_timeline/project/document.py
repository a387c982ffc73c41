"""A project: one ``.otio`` file plus its folder of renders.  Load, validate, save atomically.

Paths inside the project (start images, takes, contexts) are stored relative to the project file,
so a moved project folder keeps working; they are resolved against ``Project.folder`` on use.
Renders live in ``<stem>.fp/renders/<clip>/take_NNN.mp4`` beside the project file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import opentimelineio as otio

from fp_timeline.project.atomic import write_text_atomic
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.lock import project_lock
from fp_timeline.project.media_fields import MediaFieldsOf, image_only
from fp_timeline.project.numbers import is_int, is_number
from fp_timeline.project.paths import readable_take_file, resolve_stored, stored_path
from fp_timeline.project.rebase import rebased_timeline
from fp_timeline.project.recipe import METADATA_KEY, ContextMode, Recipe
from fp_timeline.project.shape import shape_problems
from fp_timeline.project.takes import GENERATOR_KEY
from fp_timeline.project.text import clip_name_problems
from fp_timeline.project.upstream import clips_with_upstream

PROJECT_SCHEMA = 1  # timeline.metadata["fp_timeline"]["project_schema"] this version writes and understands
MIN_RATE, MAX_RATE = 1.0, 240.0


@dataclass
class Project:
    """An open project: the OTIO timeline and where it lives on disk."""

    path: Path
    timeline: otio.schema.Timeline
    # What the file held when this project was read or last saved by it: a save refuses to overwrite a
    # file someone else changed since (a CLI ``add`` while the window is open).  None: not checked.
    disk_digest: str | None = field(default=None, compare=False, repr=False)

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
        """``<stem>.fp/renders/<clip>/``; refuses a name that would lead anywhere else."""
        problems = clip_name_problems(clip_name)
        if problems:
            raise ProjectError([_with_file(p, self.path) for p in problems])
        return self.data_dir / "renders" / clip_name

    def inside(self, path: Path) -> bool:
        """Whether ``path`` (resolved, links followed) lies inside ``<stem>.fp/``."""
        return Path(path).resolve().is_relative_to(self.data_dir.resolve())

    def resolve(self, stored: str) -> Path:
        """An absolute path for a path stored in the project (relative ones are project-relative)."""
        return resolve_stored(self.folder, stored)

    def take_file(self, stored: str | None) -> Path | None:
        """The file a take's stored media/context path names, or None: unset, or somewhere a take is never
        read from (outside the project folder; see ``paths.readable_take_file``)."""
        if not stored:
            return None
        path = self.resolve(stored.removeprefix("file://"))
        return path if readable_take_file(self.folder, path) else None

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
    problem = rate_problem(rate, path)
    if problem is not None:
        raise ProjectError(problem)
    timeline = otio.schema.Timeline(name=name or path.stem)
    timeline.global_start_time = otio.opentime.RationalTime(0, rate)
    timeline.tracks.append(otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video))
    timeline.metadata[METADATA_KEY] = {"project_schema": PROJECT_SCHEMA}
    return Project(path=path, timeline=timeline)


def read_timeline(path: Path) -> tuple[otio.schema.Timeline, bytes]:
    """The one reader of a project file (the project, an autosave): an OTIO Timeline of a sound shape, and
    the bytes read.  Read through otio_json explicitly: reading a project never runs a plugin or hook.
    No recipe checks (``load_project`` adds them)."""
    path = Path(path).resolve()
    if not path.exists():
        raise ProjectError(Problem("project file does not exist", file=path))
    if not path.is_file():
        raise ProjectError(Problem("not a file (a project is one .otio file)", file=path))
    try:
        data = path.read_bytes()
        timeline = otio.adapters.read_from_string(data.decode("utf-8"), adapter_name="otio_json")
    except Exception as err:  # OTIO raises several exception types for bad JSON/schemas
        raise ProjectError(Problem(f"not a readable OTIO file: {err}", file=path)) from None
    if not isinstance(timeline, otio.schema.Timeline):
        raise ProjectError(Problem(f"expected a Timeline, found {type(timeline).__name__}", file=path))
    problems = [_with_file(p, path) for p in shape_problems(timeline)]
    if problems:
        raise ProjectError(problems)
    return timeline, data


def load_project(path: Path, kind: type[Project] = Project) -> Project:
    """Read a ``.otio`` project (ours or one written by plain OTIO code) and check its recipes.

    ``kind``: a ``Project`` subclass to build (the window's remembers the recipes this check parses).
    """
    project, missing_images = open_project(path, kind)
    if missing_images:
        raise ProjectError(missing_images)
    return project


def open_project(path: Path, kind: type[Project] = Project) -> tuple[Project, list[Problem]]:
    """``load_project`` for an editor: the project and its start-image problems, which do not stop it
    (the editor is where they get fixed); any other problem raises ``ProjectError`` with all of them."""
    path = Path(path).resolve()
    timeline, data = read_timeline(path)
    project = kind(path=path, timeline=timeline, disk_digest=_digest(data))
    problems = structural_problems(project)
    if any(p.field != "image" for p in problems):
        raise ProjectError(problems)
    return project, problems


def rate_problem(rate: object, path: Path | None = None) -> Problem | None:
    """Why ``rate`` cannot be a timeline rate (0, negative, NaN, absurd), or None."""
    if not is_number(rate) or not MIN_RATE <= rate <= MAX_RATE:
        message = f"the timeline rate must be {MIN_RATE:g}..{MAX_RATE:g} fps, got {rate!r}"
        return Problem(message, file=path, field="rate")
    return None


def schema_problem(project: Project) -> Problem | None:
    """A project written by a newer fp-timeline: readable perhaps, but never rewritten by this one."""
    meta = project.timeline.metadata.get(METADATA_KEY)
    schema = meta.get("project_schema", PROJECT_SCHEMA) if hasattr(meta, "get") else PROJECT_SCHEMA
    if is_int(schema) and schema <= PROJECT_SCHEMA:
        return None
    return Problem(
        f"written by a newer fp-timeline (project schema {schema!r}; this version understands {PROJECT_SCHEMA}); "
        "it is not rewritten, so nothing it holds is lost",
        file=project.path,
        field="project_schema",
    )


def arrangement_problems(project: Project) -> list[Problem]:
    """What an edit to the timeline's order can break: unique clip names, no carried clip first.

    Reads only the stored ``context`` field (no recipe parsing, no disk), so the window can run it on
    every edit of a large project.  An imported clip counts as a predecessor: a clip may carry it.
    """
    problems: list[Problem] = []
    seen: set[str] = set()
    for track in project.tracks():
        for item, upstream in clips_with_upstream(track):
            if METADATA_KEY not in item.metadata:
                continue
            problems.extend(_with_file(p, project.path) for p in clip_name_problems(item.name))
            if item.name in seen:
                problems.append(Problem("clip names must be unique in a project", file=project.path, clip=item.name))
            seen.add(item.name)
            if upstream is None and item.metadata[METADATA_KEY].get("context") == ContextMode.CARRY.value:
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
    start = project.timeline.global_start_time
    if start is not None and (rate := rate_problem(start.rate, project.path)) is not None:
        problems.append(rate)
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
    schema = schema_problem(project)
    if schema is not None:
        raise ProjectError(schema)
    timeline = project.timeline
    if target.parent != project.folder:
        timeline = rebased_timeline(timeline, project.folder, target.parent, media_of)
    text = otio.adapters.write_to_string(timeline, adapter_name="otio_json")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with project_lock(target):  # re-entrant: a writer already holding it saves at once
            in_place = target == project.path
            if in_place:
                _refuse_if_changed_on_disk(project)
            write_text_atomic(target, text)
            if in_place:
                project.disk_digest = _digest(text.encode("utf-8"))
    except UnicodeEncodeError as err:
        raise ProjectError(Problem(f"holds text that is not valid UTF-8: {err.reason}", file=target)) from None
    except OSError as err:
        raise ProjectError(Problem(f"cannot save: {err.strerror or err}", file=target)) from None
    return target


def save_project_as(project: Project, path: Path, media_of: MediaFieldsOf = image_only) -> Project:
    """Save under a new name (maybe another folder) and return the project as it now lives there."""
    target = Path(path).resolve()
    moved = Project(path=target, timeline=rebased_timeline(project.timeline, project.folder, target.parent, media_of))
    save_project(moved)
    return moved


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _refuse_if_changed_on_disk(project: Project) -> None:
    if project.disk_digest is None:
        return
    try:
        current = _digest(project.path.read_bytes())
    except FileNotFoundError:
        return  # deleted meanwhile: writing it again loses nothing
    if current != project.disk_digest:
        raise ProjectError(
            Problem(
                "was changed on disk since it was opened (another fp-timeline or program saved it); "
                "nothing was overwritten: open it again, or save under another name",
                file=project.path,
            )
        )


def _with_file(problem: Problem, path: Path) -> Problem:
    return Problem(problem.message, file=path, clip=problem.clip, field=problem.field)
