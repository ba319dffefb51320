"""The layering of docs/architecture.md, read from the code's own import statements (every one,
including those inside functions): no import from a lower layer to a higher one, and no cycle
between the parts of the package."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "exporter"

BASE = {"exporter", "errors", "sql", "money", "textout", "console", "progress", "allocator"}
BELOW = {
    "store": BASE,
    "sources": BASE | {"store"},
    "pionex": BASE | {"store"},
    "simulator": BASE | {"store", "pionex"},
    "normalize": BASE | {"store", "sources", "pionex"},
    "reports": BASE | {"store", "sources", "pionex", "normalize"},
    "outputs": BASE | {"store", "sources", "pionex", "normalize", "reports"},
}
BELOW["app"] = set().union(*BELOW.values()) | set(BELOW)
BELOW["cli"] = BELOW["app"] | {"app"}


def _part(module: str) -> str:
    """The part of the package a dotted module name belongs to: its subpackage, or for a
    top-level module its own name ('exporter' for the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "exporter"


def _imports(path: Path) -> set[str]:
    """Every `exporter...` module the file imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "exporter"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "exporter":
                continue
            if node.module == "exporter":  # `from exporter import progress`
                found |= {f"exporter.{a.name}" for a in node.names if a.name != "__version__"}
                found |= {"exporter"} if any(a.name == "__version__" for a in node.names) else set()
            else:
                found.add(node.module)
    return found


def _edges(package: Path = PACKAGE) -> dict[tuple[str, str], list[str]]:
    """(importing part, imported part) -> the files that make that edge."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        source = _part(module.removesuffix(".__init__"))
        for target in map(_part, _imports(path)):
            if target != source:
                edges.setdefault((source, target), []).append(str(path.relative_to(package)))
    return edges


def _upward(edges: dict[tuple[str, str], list[str]]) -> list[str]:
    return [
        f"{source} -> {target} ({', '.join(files)})"
        for (source, target), files in sorted(edges.items())
        if not (source in BASE and target in BASE) and target not in BELOW.get(source, set())
    ]


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {_part(".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
                   .removesuffix(".__init__")) for p in PACKAGE.rglob("*.py")}  # fmt: skip
    assert parts <= BASE | set(BELOW), f"add {sorted(parts - BASE - set(BELOW))} to a layer"


def test_no_import_goes_up_a_layer() -> None:
    upward = _upward(_edges())
    assert upward == [], "imports against docs/architecture.md's layers:\n" + "\n".join(upward)


def test_no_import_cycle_between_parts() -> None:
    graph: dict[str, set[str]] = {}
    for source, target in _edges():
        graph.setdefault(source, set()).add(target)

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    return [*path, start]
                if nxt not in path:
                    stack.append((nxt, [*path, nxt]))
        return None

    cycles = [c for part in sorted(graph) if (c := cycle_from(part))]
    assert cycles == [], " ; ".join(" -> ".join(c) for c in cycles)


def test_the_checker_sees_an_upward_import_inside_a_function(tmp_path: Path) -> None:
    """An import hidden in a function body, from a reader to the deriving layer, is reported."""
    reader = tmp_path / "exporter" / "sources" / "reader.py"
    reader.parent.mkdir(parents=True)
    (tmp_path / "exporter" / "__init__.py").write_text("")
    reader.write_text("def f():\n    from exporter.normalize.pipeline import rebuild\n")
    assert _upward(_edges(tmp_path / "exporter")) == ["sources -> normalize (sources/reader.py)"]
