"""The OTIO adapters package (``fp_timeline_otio``) as the window needs it: which formats, what stops
an export, and the export itself.  The adapters ship in the same distribution (as the CLI's export
imports them), so they are always there."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fp_timeline.project.document import Project
from fp_timeline_otio.export import export_project
from fp_timeline_otio.formats import FORMATS
from fp_timeline_otio.readiness import export_problems as readiness_problems


@dataclass(frozen=True)
class ExportChoice:
    name: str  # the adapters' format name (``fp-timeline export --to NAME``)
    description: str
    suffix: str

    @property
    def file_filter(self) -> str:
        return f"{self.name}: {self.description} (*{self.suffix})"


def export_choices() -> list[ExportChoice]:
    return [ExportChoice(name, fmt.description, fmt.suffix) for name, fmt in FORMATS.items()]


def export_problems(project: Project) -> list[str]:
    """Why the project cannot be exported yet (e.g. clips with no take); empty when it can."""
    return [str(p) for p in readiness_problems(project)]


def export(project: Project, choice: ExportChoice, out: Path) -> Path:
    if choice.suffix and Path(out).suffix.lower() != choice.suffix:
        out = Path(out).with_suffix(choice.suffix)
    return export_project(project, choice.name, Path(out))
