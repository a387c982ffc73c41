"""Find the export function of the OTIO adapters package (``fp_timeline_otio``), if it is there.

The adapters are another layer's work; the window only needs "is there an exporter, and which
formats".  Feature-detected by name, the way OTIO detects adapter functions.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

CANDIDATES = (
    ("fp_timeline_otio.export", "export_project"),
    ("fp_timeline_otio", "export_project"),
    ("fp_timeline_otio.export", "export_timeline"),
)


def find_exporter() -> Callable | None:
    for module_name, function in CANDIDATES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        exporter = getattr(module, function, None)
        if callable(exporter):
            return exporter
    return None


def export_formats() -> dict[str, str]:
    """File-dialog filters by format name; the adapters may publish their own ``FORMATS``."""
    for module_name, _ in CANDIDATES:
        try:
            formats = getattr(importlib.import_module(module_name), "FORMATS", None)
        except ImportError:
            continue
        if isinstance(formats, dict) and formats:
            return {str(k): str(v) for k, v in formats.items()}
    return {"otio": "OpenTimelineIO (*.otio)", "fcp_xml": "Final Cut Pro 7 XML (*.xml)"}
