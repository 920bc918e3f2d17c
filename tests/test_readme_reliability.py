"""The README's reliability section names real tests: every ``file::test`` it cites exists, so a guarantee
never points at a test that was renamed or removed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: `path/to/test_x.py::test_name`, or `::test_name` continuing the last file named.
CITATION = re.compile(r"`(?:([\w/]+\.py))?::(test_\w+)`|`([\w/]+\.py)` \(all")


def _section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## Reliability")
    return text[start:text.index("\n## ", start + 1)]


def _citations() -> list[tuple[str, str | None]]:
    cited: list[tuple[str, str | None]] = []
    current = None
    for line in _section().splitlines():
        for match in CITATION.finditer(line):
            if match.group(3):
                cited.append((match.group(3), None))
                continue
            current = match.group(1) or current
            assert current, f"a test cited without its file: {match.group(0)}"
            cited.append((current, match.group(2)))
    return cited


def test_every_test_the_reliability_section_cites_exists() -> None:
    cited = _citations()
    assert len(cited) >= 30
    for path, name in cited:
        source = ROOT / "tests" / path
        assert source.is_file(), f"README cites {path}, which is not in tests/"
        if name is None:
            continue
        defined = {node.name for node in ast.walk(ast.parse(source.read_text()))
                   if isinstance(node, ast.FunctionDef)}
        assert name in defined, f"README cites {path}::{name}, which is not defined there"
