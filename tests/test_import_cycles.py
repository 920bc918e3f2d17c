"""The imports run one way: no module of ``ttb_cola`` or ``ttb_cola_sim`` reaches itself through its imports.

The graph is built from the source with :mod:`ast` (every ``import`` statement, also those inside
functions and under ``TYPE_CHECKING``), so a cycle shows whether or not it bites at import time.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ingestion" / "ttb_cola"
SIMULATOR = PACKAGE.parent / "ttb_cola_sim"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the modules of its own package it imports (a package import counts as its ``__init__``)."""
    modules = {module_name(path): path for path in root.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base]) if base else ".".join(anchor)
                targets = [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                # the longest known module the name starts with: `from a.b import c` is module a.b.c, else a.b
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_graph_is_read_from_the_source() -> None:
    graph = import_graph()
    assert "ttb_cola.parsers.form" in graph["ttb_cola.parsers"]
    assert "ttb_cola.text" in graph["ttb_cola.parsers.form"]


def test_cycles_are_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_the_package() -> None:
    assert cycles(import_graph()) == []


def test_simulator_graph_is_read_from_the_source() -> None:
    graph = import_graph(SIMULATOR)
    assert "ttb_cola_sim.skeletons" in graph["ttb_cola_sim.registry"]
    assert "ttb_cola_sim.routes" in graph["ttb_cola_sim.server"]


def test_no_import_cycle_in_the_simulator() -> None:
    assert cycles(import_graph(SIMULATOR)) == []


#: Lower layers, the higher ones they never import, and whether that holds through other modules too.
#: A name is a module or a package with everything in it.
LAYERS: tuple[tuple[tuple[str, ...], tuple[str, ...], bool], ...] = (
    (
        ("ttb_cola.parsers", "ttb_cola.registry", "ttb_cola.destinations", "ttb_cola.archive",
         "ttb_cola.archive_batches", "ttb_cola.archive_source", "ttb_cola.heap", "ttb_cola.fetch"),
        ("ttb_cola.runs", "ttb_cola.cli", "ttb_cola.serve", "ttb_cola.scheduler", "ttb_cola.source"),
        True,
    ),
    # The label images come in through the fetch's form hook, passed in by whoever builds the run
    # (directly: ``fill/command.py`` is the ``ttb-cola fill`` command and runs a crawl, images and all).
    (
        ("ttb_cola.fetch", "ttb_cola.probe", "ttb_cola.search", "ttb_cola.fill", "ttb_cola.parked"),
        ("ttb_cola.images",),
        False,
    ),
)


def within(module: str, names: tuple[str, ...]) -> bool:
    """Whether ``module`` is one of ``names`` or inside one of those packages."""
    return any(module == name or module.startswith(f"{name}.") for name in names)


def upward_imports(
    graph: dict[str, set[str]], lower: tuple[str, ...], higher: tuple[str, ...], through: bool
) -> list[list[str]]:
    """Each chain of imports from a module of ``lower`` to one of ``higher`` (only direct imports unless
    ``through``): the shortest per pair, as the list of modules along it."""
    chains: list[list[str]] = []
    for start in sorted(name for name in graph if within(name, lower)):
        paths = {start: [start]}
        frontier = [start]
        while frontier:
            reached = []
            for node in frontier:
                for target in sorted(graph[node]):
                    if target in paths or within(target, lower) and not through:
                        continue
                    paths[target] = [*paths[node], target]
                    if within(target, higher):
                        chains.append(paths[target])
                    elif through:
                        reached.append(target)
            frontier = reached
    return chains


def test_upward_imports_are_found() -> None:
    graph = {"low.a": {"mid"}, "mid": {"high.b"}, "high.b": set(), "low.c": {"high.b"}}
    assert upward_imports(graph, ("low",), ("high",), through=False) == [["low.c", "high.b"]]
    assert upward_imports(graph, ("low",), ("high",), through=True) == [
        ["low.a", "mid", "high.b"], ["low.c", "high.b"]]


def test_lower_layers_do_not_import_higher_ones() -> None:
    graph = import_graph()
    for lower, _, _ in LAYERS:
        assert all(any(within(module, (name,)) for module in graph) for name in lower), lower
    assert [chain for lower, higher, through in LAYERS
            for chain in upward_imports(graph, lower, higher, through)] == []
