"""The apps' imports follow the layers of the design: dependencies point down, never up or sideways.

Run as a script (`python tests/test_layers.py`) it prints the import graph between the apps, a line
per pair with its number of import statements, then every import that breaks the rules; as a
test it fails with the list of such imports, each with its file and line.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "smartregion"

# Lower number = lower floor. An app imports only from strictly lower floors; `site` and `api` sit
# on top and may use every app's services and queries. Reference: DESIGN.md, "Architecture".
FLOORS: dict[str, int] = {
    "core": 0,
    "territory": 1,
    "accounts": 2,
    "opendata": 2,
    "instruments": 3,
    "diagnostic": 4,
    "barometer": 4,
    "observatory": 5,
    "projects": 5,
    "knowledge": 6,
    "calls": 7,
    "ecosystem": 8,
    "api": 9,
    "site": 9,
}
TOP = {"site", "api"}
# Modules that belong to the app that owns them: another app reaches its pages by URL name only.
PRIVATE = ("views", "forms", "urls")


def _imports(path: Path) -> list[tuple[int, str, str]]:
    """(line, target app, target module) for every import of another smartregion module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "smartregion":
                names = [f"smartregion.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "smartregion" and len(parts) > 1:
                found.append((node.lineno, parts[1], parts[2] if len(parts) > 2 else ""))
    return found


def _app_files() -> list[tuple[str, Path]]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if len(parts) >= 2 and "migrations" not in parts:
            files.append((parts[0], path))
    return files


def edges() -> Counter[tuple[str, str]]:
    graph: Counter[tuple[str, str]] = Counter()
    for source, path in _app_files():
        for _, target, _ in _imports(path):
            if target != source:
                graph[(source, target)] += 1
    return graph


def breaches() -> list[str]:
    found = []
    for source, path in _app_files():
        for line, target, module in _imports(path):
            if target == source:
                continue
            where = f"{path.relative_to(ROOT.parent)}:{line} {source} -> {target}"
            if module.split("_")[0] in PRIVATE and source != "site":
                found.append(f"{where}.{module}: another app's {module}")
            elif source not in FLOORS or target not in FLOORS:
                found.append(f"{where}: an app missing from the floors of DESIGN.md")
            elif source not in TOP and FLOORS[target] >= FLOORS[source]:
                found.append(f"{where}: floor {FLOORS[source]} importing floor {FLOORS[target]}")
    return found


def test_every_app_is_on_a_floor():
    apps = {path.name for path in ROOT.iterdir() if (path / "apps.py").exists()}
    assert sorted(apps - FLOORS.keys()) == []


def test_imports_point_down_the_layers():
    assert breaches() == []


if __name__ == "__main__":
    graph = sorted(edges().items(), key=lambda edge: (-FLOORS.get(edge[0][0], 99), edge))
    for (source, target), count in graph:
        print(f"{source:12} -> {target:12} {count}")
    problems = breaches()
    print(f"\n{len(problems)} import(s) against the layers")
    print("\n".join(problems))
    sys.exit(1 if problems else 0)
