"""``parse``: classify and parse saved registry pages, one JSON line per file (no HTTP, no dlt)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from ttb_cola.parsers import parse_page
from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.warnings import PARSE_WARNINGS
from ttb_cola.records import build_record
from ttb_cola.registry.pages import PageKind, classify
from ttb_cola.runs.exit_codes import EXIT_OK, EXIT_USAGE


def parse_file(path: Path) -> dict[str, Any]:
    """Classify and parse one saved page into ``{"file", "kind", "record"}`` (and ``warnings``: the
    values that did not parse, null in the record)."""
    body = path.read_bytes()
    kind = classify(body)
    result: dict[str, Any] = {"file": str(path), "kind": str(kind), "record": None}
    try:
        parsed = parse_page(kind, body)
    except ParseError as exc:
        result.update(kind=str(PageKind.UNKNOWN), error=str(exc))
        return result
    if kind in (PageKind.DETAIL, PageKind.FORM) and parsed is not None:
        if parsed.get(PARSE_WARNINGS):  # values that did not parse: null in the record
            result["warnings"] = parsed[PARSE_WARNINGS]
        parsed = build_record(parsed)
    result["record"] = parsed
    return result


def parse_files(names: list[str]) -> int:
    """Print one JSON line per file; a missing or unreadable file is a one-line error (exit 2).

    A reader that stops reading (``| head``) stops the command quietly, as Unix tools do."""
    status = EXIT_OK
    try:
        for name in names:
            try:
                line = parse_file(Path(name))
            except OSError as exc:
                print(f"ttb-cola parse: {name}: {exc.strerror or exc}", file=sys.stderr)
                status = EXIT_USAGE
                continue
            print(json.dumps(line, ensure_ascii=False))
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return status
