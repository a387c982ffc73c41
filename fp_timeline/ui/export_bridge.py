"""The OTIO adapters package (``fp_timeline_otio``) as the window needs it: is it there, which
formats, what stops an export, and the export itself.

The adapters are another layer's work, so they are feature-detected by name (the way OTIO detects
adapter functions): without them the Export action stays disabled with a tooltip saying why.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from fp_timeline.project.document import Project


@dataclass(frozen=True)
class ExportChoice:
    name: str  # the adapters' format name (``fp-timeline export --to NAME``)
    description: str
    suffix: str

    @property
    def file_filter(self) -> str:
        return f"{self.name}: {self.description} (*{self.suffix})"


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def exporter_available() -> bool:
    export = _module("fp_timeline_otio.export")
    return export is not None and callable(getattr(export, "export_project", None))


def export_choices() -> list[ExportChoice]:
    formats = getattr(_module("fp_timeline_otio.formats"), "FORMATS", None) or {}
    return [
        ExportChoice(name, str(getattr(fmt, "description", name)), str(getattr(fmt, "suffix", "")))
        for name, fmt in formats.items()
    ]


def export_problems(project: Project) -> list[str]:
    """Why the project cannot be exported yet (e.g. clips with no take); empty when it can."""
    readiness = _module("fp_timeline_otio.readiness")
    check = getattr(readiness, "export_problems", None)
    return [str(p) for p in check(project)] if callable(check) else []


def export(project: Project, choice: ExportChoice, out: Path) -> Path:
    module = _module("fp_timeline_otio.export")
    if module is None:
        raise RuntimeError("the OTIO adapters package (fp_timeline_otio) is not installed")
    if choice.suffix and Path(out).suffix.lower() != choice.suffix:
        out = Path(out).with_suffix(choice.suffix)
    return module.export_project(project, choice.name, Path(out))
