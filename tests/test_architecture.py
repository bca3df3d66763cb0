"""The import graph of src/channelkit, read from the modules' own import statements.

channelkit's layers (see docs/architecture.rst):

0. ``errors``;
1. private helpers (``_validation``, ``_csv``, ``_render``, ...): import only
   ``errors`` and each other;
2. the population model: ``partners`` (and ``history``);
3. topic modules (``segmentation``, ``tiers``, ``balancing``, ...);
4. edges (``io``, ``datasets``, ``plotting``, ``cli``, and ``_scenario``,
   the CLI's scenario reader);
5. the package ``__init__``.

A module imports only from its own layer or below, never in a circle, and
never another non-helper module's private (underscore) names. Imports under
``if TYPE_CHECKING:`` are left out: they never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "channelkit"

#: Private modules that sit at the edge (they read files for the CLI), not below partners.
EDGE_HELPERS = {"_scenario"}
EDGES = {"io", "datasets", "datasets._generate", "plotting", "cli", "__main__", *EDGE_HELPERS}
MODEL = {"partners", "history"}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(name: str) -> int:
    if name == "__init__":
        return 5
    if name == "errors":
        return 0
    if name in EDGES or name.split(".")[0] in EDGES:
        return 4
    if name in MODEL:
        return 2
    if name.split(".")[-1].startswith("_") and name not in ("_version",):
        return 1
    if name == "_version":
        return 0
    return 3


def is_helper(name: str) -> bool:
    """A private helper module: its public names are for the whole package."""
    return layer(name) == 1 or name in EDGE_HELPERS or name == "_version"


def _type_checking_blocks(tree: ast.AST) -> set[int]:
    """Line numbers of statements inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", "")
            if name == "TYPE_CHECKING":
                for stmt in node.body:
                    for sub in ast.walk(stmt):
                        if hasattr(sub, "lineno"):
                            lines.add(sub.lineno)
    return lines


def imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported channelkit module, names taken from it, line) for each import in ``path``."""
    if path not in _CACHE:
        _CACHE[path] = list(_imports(name, path))
    return _CACHE[path]


_CACHE: dict[Path, list[tuple[str, list[str], int]]] = {}


def _imports(name: str, path: Path) -> Iterator[tuple[str, list[str], int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_blocks(tree)
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    if name == "__init__":
        package = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module and node.module.startswith("channelkit."):
                    base = node.module.removeprefix("channelkit.")
                else:
                    continue
            else:
                up = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                base = ".".join([*up, *([node.module] if node.module else [])])
            names = [a.name for a in node.names]
            if not base:  # "from . import x": each x is a module
                for n in names:
                    yield n, [], node.lineno
            elif f"{base}.{names[0]}" in MODULES:
                for n in names:
                    yield f"{base}.{n}", [], node.lineno
            else:
                yield base, names, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("channelkit."):
                    yield alias.name.removeprefix("channelkit."), [], node.lineno


MODULES = modules()


def graph() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for target, _, _ in imports(name, path):
            if target in MODULES and target != name:
                out[name].add(target)
    return out


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_graph_sees_the_known_imports() -> None:
    edges = graph()
    assert "partners" in edges["tiers"]
    assert "errors" in edges["_validation"]
    assert "tiers" in edges["io"]
    assert "_csv" in edges["partners"]


def test_find_cycle_names_the_circle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle() -> None:
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_imports_flow_down_the_layers() -> None:
    bad = [
        f"{name} (layer {layer(name)}) imports {target} (layer {layer(target)}) on line {line}"
        for name, path in MODULES.items()
        for target, _, line in imports(name, path)
        if target in MODULES and layer(target) > layer(name)
    ]
    assert not bad, "imports that go up a layer:\n" + "\n".join(bad)


def test_no_private_names_borrowed_from_other_modules() -> None:
    bad = [
        f"{name} line {line}: imports {n!r} from {target}"
        for name, path in MODULES.items()
        for target, names, line in imports(name, path)
        if target in MODULES and target != name and not is_helper(target)
        for n in names
        if n.startswith("_") and not n.startswith("__")
    ]
    assert not bad, "private names imported across modules:\n" + "\n".join(bad)


@pytest.mark.parametrize("helper", sorted(n for n in MODULES if layer(n) == 1))
def test_private_helpers_sit_below_the_model(helper: str) -> None:
    ups = sorted(t for t in graph()[helper] if layer(t) > 1)
    assert not ups, f"{helper} imports {ups}; private helpers import only errors and helpers"
