"""Tables that are never cut: folded to the terminal's width, or printed whole when piped."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from fp_timeline.cli.app import console


def print_table(table: Table) -> None:
    """On a terminal the table folds to its width; piped or redirected, nothing is cut (prompts in full)."""
    if console.is_terminal:
        console.print(table)
        return
    wide = Console(file=console.file, width=100_000, highlight=False, no_color=True)
    wide.print(table, crop=False)
