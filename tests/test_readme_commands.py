"""Every command block of README.md and transform/README.md runs as written, the simulator standing in
for the registry.

The blocks (fenced ``bash``/``sh``) run in document order, one bash script each (``set -e``), in a copy
of the repository (its own ``data/``, the project's ``.venv`` linked in), with the environment pointing
the registry's base URL at a simulator on loopback. They share the one small warehouse the first blocks
ingest. The only edits are :data:`SUBSTITUTE` (the simulator's URL for the documented local one, a
temporary folder for ``/tmp``); the commands that cannot run in a test are listed in :data:`SKIP` with
the reason, and an entry that matches no command fails the test (the list stays true).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sim_server import running_simulator

from ttb_cola.clock import washington_today

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "transform/README.md")
#: What a reader has done first, per document (transform/README.md: "source .venv/bin/activate puts it on your PATH").
PREAMBLE = {"README.md": "", "transform/README.md": "source .venv/bin/activate"}
#: Commands (by their start) that a test cannot run, and why.
SKIP = {
    "make test ": "the whole suite, this test included (CI runs it)",
    "make simulate ": "serves until stopped; the test's own simulator stands in for it",
    "make docs-serve": "serves until stopped; `make docs` before it generates what it serves",
    "dbt docs serve ": "serves until stopped; the `dbt docs generate` before it runs",
    "make digest TARGET=s3": "needs a lake build in a bucket: tests/report/test_report_and_digest_files.py "
                             "::test_s3_target_reads_the_lake_duckdb_file",
    "export DESTINATION__FILESYSTEM__": "a real bucket's settings: the s3 target runs on moto in "
                                       "tests/transform/test_lake_dbt.py",
    "dbt build --project-dir transform --target s3": "needs a bucket: tests/transform/test_lake_dbt.py",
    "dbt source freshness --project-dir transform --target s3": "needs a bucket: tests/transform/test_lake_dbt.py",
    "curl 'http://127.0.0.1:8000/": "asks a running `make serve`: tests/serve/test_api.py queries every route of a "
                                    "real server process",
}
#: Documented local paths and URLs, and what stands for them here (filled in by the fixture).
SUBSTITUTE = ("http://127.0.0.1:8765/colasonline", "/tmp/dev/")
_FENCE = re.compile(r"^```(bash|sh)\s*$")


def command_blocks(doc: str) -> list[tuple[int, list[str]]]:
    """The fenced bash/sh blocks of ``doc``: (line of the fence, commands with continuations joined)."""
    blocks: list[tuple[int, list[str]]] = []
    lines = (ROOT / doc).read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        if _FENCE.match(lines[i]):
            start, commands, pending = i + 1, [], ""
            i += 1
            while not lines[i].startswith("```"):
                line = lines[i].rstrip()
                pending += line[:-1] + " " if line.endswith("\\") else line
                if not line.endswith("\\"):
                    if pending.strip() and not pending.lstrip().startswith("#"):
                        commands.append(" ".join(pending.split()))
                    pending = ""
                i += 1
            blocks.append((start, commands))
        i += 1
    return blocks


def _skip_reason(command: str) -> str | None:
    return next((reason for start, reason in SKIP.items() if command.startswith(start)), None)


BLOCKS = [(doc, line, commands) for doc in DOCS for line, commands in command_blocks(doc)]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str], dict[str, str]]]:
    """A copy of the repository with the project's .venv, a simulator, and the environment to run blocks in."""
    tmp = tmp_path_factory.mktemp("readme")
    copy = tmp / "repo"
    skipped = shutil.ignore_patterns(".git", ".venv", "target", "logs", "__pycache__", ".pytest_cache", ".ruff_cache",
                                     "*.egg-info")

    def ignore(folder: str, names: list[str]) -> set[str]:  # the repo's own data/ (transform/data links to it)
        return set(skipped(folder, names)) | ({"data"} if Path(folder) == ROOT else set())

    shutil.copytree(ROOT, copy, symlinks=True, ignore=ignore)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    (tmp / "dev").mkdir()
    today = washington_today()
    with running_simulator(seed=3, as_of=today) as sim:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SOURCES__", "DESTINATION__", "TTB_COLA_", "DBT_", "VIRTUAL_ENV"))}
        venv_bin = str(ROOT / ".venv" / "bin")
        env.update(
            PATH=os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin),
            HOME=str(tmp / "home"), DLT_DATA_DIR=str(tmp / "home" / ".dlt"),
            SOURCES__TTB_COLA__BASE_URL=sim.base_url, SOURCES__TTB_COLA__REQUESTS_PER_SECOND="0",
            # TTB's open files (`make permittees`, and `daily`) from the simulator, never www.ttb.gov
            SOURCES__TTB_OPEN_DATA__BASE_URL=sim.base_url.removesuffix("/colasonline"),
            # the copy's pyproject.toml may be newer than the .venv's install stamp: never reinstall from a test
            MAKEFLAGS="-o .venv/.installed",
        )
        substitute = {SUBSTITUTE[0]: sim.base_url, SUBSTITUTE[1]: f"{tmp}/dev/"}
        yield copy, env, substitute


def test_every_skip_entry_names_a_documented_command() -> None:
    commands = [c for _, _, block in BLOCKS for c in block]
    unused = [start for start in SKIP if not any(c.startswith(start) for c in commands)]
    assert not unused, f"SKIP entries that match no command: {unused}"


@pytest.mark.parametrize(("doc", "line", "commands"), BLOCKS, ids=[f"{d}:{n}" for d, n, _ in BLOCKS])
def test_command_block_runs_as_written(repo, doc: str, line: int, commands: list[str]) -> None:
    copy, env, substitute = repo
    script = [PREAMBLE[doc]] if PREAMBLE[doc] else []
    for command in commands:
        if _skip_reason(command) is None:
            for documented, here in substitute.items():
                command = command.replace(documented, here)
            script.append(command)
    if len(script) == len([PREAMBLE[doc]] if PREAMBLE[doc] else []):
        pytest.skip(f"every command of {doc}:{line} is listed in SKIP")
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", "\n".join(script)], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, (f"{doc}:{line} exited {done.returncode}\n" + "\n".join(script)
                                  + f"\n--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}")


@pytest.mark.parametrize(("cwd", "args"), [(".", ["--project-dir", "transform"]), ("transform", [])])
def test_dbt_finds_the_repos_warehouse_from_either_directory(repo, cwd: str, args: list[str]) -> None:
    copy, env, _ = repo
    (copy / "data").mkdir(exist_ok=True)
    done = subprocess.run([str(copy / ".venv" / "bin" / "dbt"), "debug", *args], cwd=copy / cwd, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    [path] = re.findall(r"^\S*\s+path: (\S+)$", done.stdout, flags=re.MULTILINE)
    assert Path(path).resolve() == (copy / "data" / "warehouse.duckdb").resolve(), done.stdout[-3000:]
    assert done.returncode == 0 and "OK connection ok" in done.stdout, done.stdout[-3000:]
