"""Layers only point down: no module imports one of a higher layer, and there is no cycle.

Checked on the source with the standard library's ``ast``, imports inside functions included (a
lazy import is still a dependency)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "jobmap"

#: Each unit and its layer: a module may import its own unit and any lower layer, never a higher
#: one. data -> texts -> answers, embeddings -> families -> methods -> engines -> pipeline ->
#: evaluation, report, review -> runs (the application layer) -> the page -> CLI. The package
#: itself ("jobmap") is its own __init__ only: a new package must be given a layer here.
LAYERS: dict[str, int] = {
    "jobmap._version": 0,
    "jobmap.errors": 0,
    "jobmap._atomic": 0,
    "jobmap._csv": 0,
    "jobmap._cached": 1,
    "jobmap.outputs": 1,
    "jobmap.metrics": 1,
    "jobmap.config": 1,
    "jobmap.data": 2,
    "jobmap.texts": 3,
    "jobmap.answers": 4,
    "jobmap.embeddings": 4,
    "jobmap.families": 5,
    "jobmap.knowledge": 5,
    "jobmap.methods": 6,
    "jobmap.engines": 7,
    "jobmap.pipeline": 8,
    "jobmap.evaluation": 9,
    "jobmap.report": 9,
    "jobmap.review": 9,
    "jobmap.runs": 10,
    "jobmap.web": 11,
    "jobmap.cli": 12,
    "jobmap._clidocs": 13,
    "jobmap.__main__": 13,
    "jobmap": 13,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _unit(module: str) -> str:
    """The unit a module belongs to: the longest listed name it is or lies under; "jobmap" is
    the package's own __init__ alone (an unlisted package is no unit: "")."""
    found = [u for u in LAYERS if module == u or (u != "jobmap" and module.startswith(u + "."))]
    return max(found, key=len) if found else ""


def _imports(path: Path) -> set[str]:
    """The jobmap modules a file imports, by their full names."""
    tree = ast.parse(path.read_text(), filename=str(path))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "jobmap"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "jobmap":
                continue
            for alias in node.names:  # `from jobmap.methods import base` imports a module
                candidate = f"{node.module}.{alias.name}"
                is_module = (SRC.parent / candidate.replace(".", "/")).with_suffix(".py").is_file()
                out.add(candidate if is_module else node.module)
    return out


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in SRC.rglob("*.py")}


def test_every_module_has_a_layer() -> None:
    missing = [module for module in _graph() if _unit(module) not in LAYERS]
    assert missing == [], f"give these a layer in LAYERS: {missing}"


def test_an_unlisted_package_has_no_layer() -> None:
    """The check above can fail: a new package does not fall back to the top layer."""
    assert _unit("jobmap.somewhere_new.module") == ""
    assert _unit("jobmap") == "jobmap" and _unit("jobmap.runs.find") == "jobmap.runs"


def test_no_import_points_up() -> None:
    wrong = []
    for module, imported in _graph().items():
        unit = _unit(module)
        for target in imported:
            other = _unit(target)
            if other != unit and LAYERS[other] >= LAYERS[unit]:
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_no_import_cycle() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The checks above can fail: an import of the CLI from the data layer is found."""
    f = tmp_path / "bad.py"
    f.write_text("def f():\n    from jobmap.cli import main\n")
    assert _imports(f) == {"jobmap.cli"}
    assert LAYERS[_unit("jobmap.cli")] > LAYERS[_unit("jobmap.data.bad")]
