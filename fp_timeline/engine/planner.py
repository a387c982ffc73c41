"""Render planning: which clips to render, in which order, and from which incoming context.

A clip in ``carry`` mode depends on the previous generated clip on its track, so every track is a
chain and timeline order is dependency order.  A clip *needs rendering* when none of its takes was
made from its current recipe hash (the hash includes the upstream hash, so editing clip k makes
every clip that carries from it stale by construction).

Decisions (documented here because the CLI and GUI both rely on them):

* ``targets=None``: render every clip without a take (whose file exists) for its current hash.  A clip that has such a
  take but shows another one gets a *reuse* job: the matching take is switched back on, nothing is
  generated (e.g. after undoing an edit).
* ``targets=[...]``: the user asked for those clips, so each gets a **new take even when a take for
  its hash exists** (a re-roll on a non-deterministic GPU, or simply "again"); old takes are kept.
* Downstream carried clips of a target are rendered (as new takes, so they continue the new take's
  context) only with ``chain=True``; otherwise they keep their takes and show as stale if the
  target's hash changed.
* A carried clip needs its upstream clip's context for the upstream's current hash.  When no take
  provides it, the upstream clip is added to the plan first (recursively), reason ``"needed by X"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import opentimelineio as otio

from fp_timeline.engine import capabilities, registry
from fp_timeline.engine.generator import ContextBlob, RuntimeIdentity
from fp_timeline.engine.identity import runtime_identity, versions_for
from fp_timeline.engine.store import imported_context
from fp_timeline.project.document import Project
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.hashing import HashedClip, hashed_clips
from fp_timeline.project.recipe import METADATA_KEY, Recipe
from fp_timeline.project.takes import Take, active_take, takes_of


@dataclass(frozen=True)
class PlannedJob:
    """One clip to render (or, with ``reuse``, an existing take to switch back on)."""

    clip: str
    track: str
    recipe: Recipe
    recipe_hash: str
    upstream: str | None  # the clip whose outgoing context this one continues (carry mode)
    upstream_hash: str | None
    reason: str  # "unrendered", "stale", "requested", "chain", "needed by shot_020"
    reuse: str | None = None  # a take key already made from ``recipe_hash``: nothing to generate
    identity: RuntimeIdentity | None = None  # the model the hash was planned for (``render_job`` checks it)
    variation: bool = False  # a new seed (``engine.variations``): its recipe becomes the clip's with the take
    frames_from: tuple[str, ...] = ()  # neighbours whose takes' frames it starts/ends on (rendered before it)


def plan_render(
    project: Project,
    targets: list[str] | None = None,
    chain: bool = False,
    options: dict[str, Any] | None = None,
) -> list[PlannedJob]:
    """The jobs to run, in dependency order, for the model that ``options`` choose.  Does not modify the project."""
    nodes = _graph(project, options)
    chosen: dict[str, str] = {}  # clip -> reason
    reuse: dict[str, str] = {}
    if targets is None:
        for name, node in nodes.items():
            matching = matching_take(project, node.clip, node.hash)
            if matching is None:
                chosen[name] = _why(node)
            elif matching.key != node.clip.active_media_reference_key:
                reuse[name] = matching.key
    else:
        for target in targets:
            project.clip(target)  # raises a ProjectError naming the known clips
            chosen.setdefault(target, "requested")
        if chain:
            for name in _downstream(nodes, set(chosen)):
                chosen.setdefault(name, "chain")
    _add_missing_neighbours(project, nodes, chosen)
    _add_missing_upstreams(project, nodes, chosen)
    jobs = []
    for name, node in nodes.items():  # timeline order is dependency order
        if name not in chosen and name not in reuse:
            continue
        jobs.append(
            PlannedJob(
                clip=name,
                track=node.track,
                recipe=node.recipe,
                recipe_hash=node.hash,
                upstream=node.upstream,
                upstream_hash=node.upstream_hash,
                reason=chosen.get(name, "matching take"),
                reuse=reuse.get(name) if name not in chosen else None,
                identity=runtime_identity(node.recipe.generator, options),
                frames_from=node.frames_from,
            )
        )
    return _after_neighbours(jobs)


def _after_neighbours(jobs: list[PlannedJob]) -> list[PlannedJob]:
    """Timeline order, except that a clip taking a neighbour's frames waits for that neighbour's job."""
    planned = {job.clip for job in jobs}
    ordered: list[PlannedJob] = []
    waiting = list(jobs)
    while waiting:
        done = {job.clip for job in ordered}
        ready = next(
            (
                job
                for job in waiting
                if all(n in done or n not in planned for n in job.frames_from)
                and (job.upstream in done or job.upstream not in planned)
            ),
            waiting[0],  # a cycle (validate refuses it): keep timeline order rather than hang
        )
        waiting.remove(ready)
        ordered.append(ready)
    return ordered


def _add_missing_neighbours(project: Project, nodes: dict[str, HashedClip], chosen: dict[str, str]) -> None:
    """A clip that takes a neighbour's frames needs that neighbour rendered for its current recipe."""
    for name in list(chosen):
        for neighbour in nodes[name].frames_from if name in nodes else ():
            node = nodes.get(neighbour)
            if node is not None and neighbour not in chosen and matching_take(project, node.clip, node.hash) is None:
                chosen[neighbour] = f"needed by {name}"


def matching_take(project: Project, clip: otio.schema.Clip, recipe_hash: str) -> Take | None:
    """A take made from ``recipe_hash`` whose file exists: the active one if it matches, else the newest."""
    matches = [t for t in takes_of(clip) if t.recipe_hash == recipe_hash and _is_file(project.take_file(t.media))]
    active = [t for t in matches if t.key == clip.active_media_reference_key]
    return (active or matches[-1:] or [None])[0]


def _why(node: HashedClip) -> str:
    takes = takes_of(node.clip)
    if not takes:
        return "unrendered"
    if any(t.recipe_hash == node.hash for t in takes):
        return "take file missing"  # deleted or moved outside fp-timeline: render it anew
    return "stale"


def incoming_context(project: Project, job: PlannedJob, options: dict[str, Any] | None = None) -> ContextBlob | None:
    """The upstream clip's saved outgoing context for the upstream's current hash, if there is one.

    For an imported upstream, or one another generator made, that is the context encoded from its last
    frames (``store.imported_context``).
    """
    if job.upstream is None or job.upstream_hash is None:
        return None
    upstream = find_clip(project, job.upstream)
    if is_foreign(project, upstream, job.recipe.generator):
        path = imported_context(project, job.upstream, job.upstream_hash, job.recipe.generator, options)
        return ContextBlob(path=path, hash=job.upstream_hash) if path.is_file() else None
    take = _take_with_context(project, upstream, job.upstream_hash)
    if take is None:
        return None
    return ContextBlob(path=project.take_file(take.context), hash=job.upstream_hash, metadata={"take": take.key})


def is_foreign(project: Project, upstream: otio.schema.Clip, generator_id: str) -> bool:
    """Whether ``generator_id`` continues ``upstream`` from its frames rather than its own context:
    an imported video, or a clip made by a generator whose contexts it does not read (its
    ``accepts_contexts``; an animatic before an F1 clip, a Wan clip before an F1 carry clip)."""
    if METADATA_KEY not in upstream.metadata:
        return True
    source = project.recipe(upstream).generator
    try:
        accepts = capabilities.accepts_contexts(registry.load_generator(generator_id))
    except ProjectError:
        return source != generator_id
    return source not in accepts


def find_clip(project: Project, name: str) -> otio.schema.Clip:
    """Any clip by name, generated or imported (``Project.clip`` knows only generated ones)."""
    for track in project.tracks():
        for item in track:
            if isinstance(item, otio.schema.Clip) and item.name == name:
                return item
    return project.clip(name)  # raises, naming the generated clips


def _take_with_context(project: Project, clip: otio.schema.Clip, recipe_hash: str) -> Take | None:
    active = active_take(clip)
    candidates = [t for t in takes_of(clip) if t.recipe_hash == recipe_hash and t.context]
    # Prefer the take the editor shows, so the carried clip continues what the viewer sees.
    candidates.sort(key=lambda t: (active is not None and t.key == active.key, t.number))
    for take in reversed(candidates):
        if _is_file(project.take_file(take.context)):
            return take
    return None


def _graph(project: Project, options: dict[str, Any] | None) -> dict[str, HashedClip]:
    return {hashed.clip.name: hashed for hashed in hashed_clips(project, versions_for(options))}


def _downstream(nodes: dict[str, HashedClip], roots: set[str]) -> list[str]:
    """Clips that carry (directly or through a chain) from any of ``roots``, or take their frames."""
    found: list[str] = []
    reached = set(roots)
    grew = True
    while grew:  # a bridge comes before the clip whose first frame it ends on: walk until nothing new
        grew = False
        for name, node in nodes.items():
            depends = node.upstream in reached or any(n in reached for n in node.frames_from)
            if depends and name not in reached:
                found.append(name)
                reached.add(name)
                grew = True
    return found


def _add_missing_upstreams(project: Project, nodes: dict[str, HashedClip], chosen: dict[str, str]) -> None:
    # Walk backwards so a newly added upstream is itself checked for its own upstream.
    for name in reversed(list(nodes)):
        node = nodes[name]
        if name not in chosen or node.upstream not in nodes or node.upstream in chosen:
            continue  # imported upstreams are encoded when the job runs; nothing to render
        up = nodes[node.upstream]
        if _take_with_context(project, up.clip, up.hash) is None:
            chosen[node.upstream] = f"needed by {name}"


def _is_file(path) -> bool:
    return path is not None and path.is_file()
