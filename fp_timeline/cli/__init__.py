"""``fp-timeline``: one command, subcommands.  A thin shell over the project model and the engine.

Each module in ``fp_timeline.cli.subcommands`` registers its subcommands on ``app`` when imported.
"""

from __future__ import annotations

import importlib
import pkgutil

from fp_timeline.cli import subcommands
from fp_timeline.cli.app import app

for _module in sorted(pkgutil.iter_modules(subcommands.__path__), key=lambda m: m.name):
    importlib.import_module(f"{subcommands.__name__}.{_module.name}")

__all__ = ["app"]
