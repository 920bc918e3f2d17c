"""Help every command shares: its help line as its description, its exit statuses as its epilog."""

from __future__ import annotations

import argparse
from typing import Any

from ttb_cola.runs.exit_codes import EXIT_INTERRUPTED, exit_codes_epilog

#: ``--pipelines-dir``: by default each destination has its own (:mod:`ttb_cola.destinations.working_folder`).
PIPELINES_DIR_HELP = "dlt pipelines directory (default: one per warehouse file or bucket, under dlt's)"

#: The exit statuses each command can end with (every command: 0, 2 and 130).
COMMAND_EXITS = {
    "ingest": (1, 3, 4, 5, 6, 75), "daily": (1, 3, 4, 5, 6, 75), "backfill": (1, 3, 4, 5, 6, 75),
    "fill": (1, 3, 4, 5, 6, 75), "images": (1, 3, 6), "status": (1, 5, 6), "reparse": (1, 6),
    "lake": (6,), "migrate": (6,), "publish": (1, 6), "digest": (1, 6), "report": (1, 6), "demo": (1,),
}


def described(add_parser: Any) -> Any:
    """``add_parser`` giving each command its help as its description, and its exit statuses as epilog."""

    def add(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("description", kwargs.get("help"))
        if name != "simulate":
            kwargs.setdefault("epilog", exit_codes_epilog((0, 2, *COMMAND_EXITS.get(name, ()), EXIT_INTERRUPTED)))
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        return add_parser(name, **kwargs)

    return add
