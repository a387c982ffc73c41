"""``--ray [ADDRESS]``: render on a Ray cluster instead of in this process.

``--ray`` alone starts Ray on this machine (or joins the one ``ray start --head`` started here);
``--ray ADDRESS`` joins a cluster (``auto``, ``host:6379``, ``ray://host:10001``).  Click options
cannot take an optional value, so ``optional_ray_value`` fills in ``local`` for a bare ``--ray``
before the command line is parsed.
"""

from __future__ import annotations

import re
from typing import Annotated

import typer

from fp_timeline.engine.executor import Executor
from fp_timeline.engine.optional_ray import ray_executor

FLAG = "--ray"
LOCAL = "local"
_ADDRESS = re.compile(r"^(auto|local|[\w.-]+:\d+|\w+://\S+)$")

RayOpt = Annotated[
    str | None,
    typer.Option(
        FLAG,
        metavar="[ADDRESS]",
        help="Render on Ray: alone, a cluster on this machine; or a cluster's address (auto, host:6379, "
        'ray://host:10001).  Needs pip install "fp-timeline\\[ray]".',  # \\[: not rich markup
    ),
]


def optional_ray_value(args: list[str]) -> list[str]:
    """``--ray`` not followed by an address gets ``local``, so the project path is never taken for one."""
    out: list[str] = []
    for index, arg in enumerate(args):
        out.append(arg)
        if arg == FLAG:
            following = args[index + 1] if index + 1 < len(args) else ""
            if not _ADDRESS.match(following):
                out.append(LOCAL)
    return out


def executor_for(ray: str | None) -> Executor | None:
    """None (render here) without ``--ray``; a Ray executor for its address, or a clear install hint."""
    if ray is None:
        return None
    return ray_executor(None if ray == LOCAL else ray)
