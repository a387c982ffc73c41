"""Runtime options every command that judges or renders takes shares: which weights, which device.

Clip states depend on them (a take made by the tiny preset is stale for the real model), so ``info``,
``takes`` and ``export`` take the same ``--preset`` as ``render``, with the same default.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from fp_timeline.cli.app import EXIT_PROBLEM, print_error

PRESETS = ("auto", "toy", "tiny", "real")
DEFAULT_PRESET = "auto"

PresetOpt = Annotated[
    str,
    typer.Option(help="Model weights: auto (real if in the local HF cache, else toy), toy, tiny, or real."),
]
DeviceOpt = Annotated[str | None, typer.Option(help="Torch device for the generator, e.g. cpu, cuda, cuda:1.")]


def runtime_options(
    preset: str = DEFAULT_PRESET, device: str | None = None, offload: str | None = None, threads: int | None = None
) -> dict[str, Any]:
    """The engine's runtime options (only those given); exits with a clear message on a bad preset."""
    if preset not in PRESETS:
        print_error(f"--preset must be auto, toy, tiny or real, got {preset!r}")
        raise typer.Exit(EXIT_PROBLEM)
    given = {"device": device or None, "offload": offload, "threads": threads}
    return {"preset": preset} | {key: value for key, value in given.items() if value is not None}
