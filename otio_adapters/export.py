"""Export a project for an NLE, and read an export (or the NLE's edit of it) back.

``export_project`` = flatten (``flatten.py``) then one OTIO adapter (``formats.py``), written
atomically; ``read_timeline`` picks the adapter from the file suffix, the same ones the export used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import opentimelineio as otio

from fp_timeline.project.atomic import write_text_atomic
from fp_timeline.project.document import Project
from fp_timeline_otio.bundle import read_bundle, write_bundle
from fp_timeline_otio.fcp_comments_hook import ASK_KEY
from fp_timeline_otio.flatten import flatten_for_export
from fp_timeline_otio.formats import BUNDLE_SUFFIX, ExportFormat, format_named
from fp_timeline_otio.handles import TransitionPolicy

READ_ADAPTERS = {".otio": "otio_json", ".xml": "fcp_xml", ".edl": "fp_edl"}


def export_project(
    project: Project,
    format_name: str,
    out: Path,
    bundle: bool = False,
    start_timecode: str | None = None,
    transitions: TransitionPolicy = TransitionPolicy.OVERLAP,
    processed: bool = True,
) -> Path:
    """Write the project's cut to ``out`` for ``format_name``; ``bundle`` writes a ``.otioz`` with media.

    ``processed=False`` exports the unprocessed takes with their effects described (OTIO ``Effect``s).
    """
    fmt = format_named(format_name)
    timeline = flatten_for_export(project, fmt.url_style, start_timecode, transitions, processed)
    out = Path(out)
    if bundle:
        if fmt.adapter != "otio_json":
            raise ValueError(f"a bundle holds an .otio cut; {fmt.name!r} is {fmt.adapter}")
        return write_bundle(timeline, out if out.suffix == BUNDLE_SUFFIX else out.with_suffix(BUNDLE_SUFFIX))
    text = timeline_text(timeline, fmt)  # before touching the disk: a failed write leaves nothing behind
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, text)
    return out


def timeline_text(timeline: otio.schema.Timeline, fmt: ExportFormat) -> str:
    """The file contents ``fmt`` gets for an already flattened timeline."""
    args: dict[str, Any] = {}
    if fmt.otio_release is not None:
        args["target_schema_versions"] = otio.versioning.fetch_map("OTIO_CORE", fmt.otio_release)
    return otio.adapters.write_to_string(
        timeline,
        adapter_name=fmt.adapter,
        # The comments hook only acts when asked (or for .xml files): OTIO runs it for every write.
        hook_function_argument_map={ASK_KEY: fmt.adapter == "fcp_xml"},
        **args,
    )


def read_timeline(path: Path, rate: float | None = None, extract_to: Path | None = None) -> otio.schema.Timeline:
    """Read an export or an NLE's edit: ``.otio``, ``.xml`` (FCP 7), ``.edl`` (needs ``rate``), ``.otioz``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == BUNDLE_SUFFIX:
        if extract_to is None:
            raise ValueError("reading a bundle needs a folder to unpack its media into")
        return read_bundle(path, extract_to)
    adapter = READ_ADAPTERS.get(suffix)
    if adapter is None:
        raise ValueError(f"cannot read {path.name}: expected one of {', '.join([*READ_ADAPTERS, BUNDLE_SUFFIX])}")
    args: dict[str, Any] = {}
    if adapter == "fp_edl":
        if rate is None:
            raise ValueError("an EDL does not say its frame rate: give it (e.g. 24, 23.976, 29.97)")
        args["rate"] = rate
    result = otio.adapters.read_from_file(str(path), adapter_name=adapter, **args)
    if isinstance(result, otio.schema.SerializableCollection):  # FCP 7 XML with several sequences
        timelines = [t for t in result.find_children(descended_from_type=otio.schema.Timeline)]
        if len(timelines) != 1:
            raise ValueError(f"{path.name} holds {len(timelines)} sequences; export just the one to import")
        result = timelines[0]
    return result
