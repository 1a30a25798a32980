"""The structure the project keeps: one importer of `jira`, data-only mappings, dependencies one way,
rooms reached only through their packages, modules of a readable size.

The import contracts between packages are import-linter's (`[tool.importlinter]` in pyproject.toml,
run by `make lint`); these tests check what it cannot express.
"""

import ast
import re
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SYNC = ROOT / "sync"
ROOMS = sorted(p.name for p in SYNC.iterdir() if (p / "__init__.py").is_file())
MAX_LINES = 400


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, absolute module, names taken from it) for every import of ``path``, nested ones included."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            found.append((node.lineno, module, [alias.name for alias in node.names]))
    return found


def _room_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "sync" and parts[1] in ROOMS else None


def _sync_modules() -> list[Path]:
    return sorted(SYNC.rglob("*.py"))


def _exports(room: str) -> set[str]:
    tree = ast.parse((SYNC / room / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def test_the_rooms_are_the_packages_of_sync():
    assert ROOMS == ["app", "cli", "jira", "mapping", "store"]


def test_the_layers_contract_places_every_room_and_top_level_module_of_sync():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers" and c["layers"][0] == "sync.cli"]
    placed = {name for layer in layers for name in re.split(r"\s*[|:]\s*", layer)}
    tops = {f"sync.{p.stem}" for p in SYNC.glob("*.py") if p.name != "__init__.py"}
    assert placed == {f"sync.{room}" for room in ROOMS} | tops


def test_another_room_is_reached_only_through_its_package():
    offenders = []
    for path in _sync_modules():
        own = _room_of(_module_name(path))
        for line, module, names in _imported_modules(path):
            room = _room_of(module)
            if room is None or room == own:
                continue
            submodules = [n for n in names if (SYNC / room / f"{n}.py").is_file() or (SYNC / room / n).is_dir()]
            if module != f"sync.{room}" or submodules:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module} {submodules or ''}")
    assert offenders == []


def test_a_room_exports_exactly_what_other_rooms_import():
    used: dict[str, set[str]] = defaultdict(set)
    for path in _sync_modules():
        own = _room_of(_module_name(path))
        for _, module, names in _imported_modules(path):
            room = _room_of(module)
            if room is not None and room != own and module == f"sync.{room}":
                used[room].update(names)
    mismatches = {
        room: {"unused": sorted(_exports(room) - used[room]), "missing": sorted(used[room] - _exports(room))}
        for room in ROOMS
        if _exports(room) != used[room]
    }
    assert mismatches == {}


def test_no_module_is_longer_than_400_lines():
    modules = [p for package in ("sync", "kpiokr", "jira_sandbox") for p in (ROOT / package).rglob("*.py")]
    lengths = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in modules}
    assert {path: n for path, n in lengths.items() if n > MAX_LINES} == {}


def test_only_the_gateway_imports_the_jira_package():
    importers = sorted(str(p.relative_to(ROOT)) for p in _sync_modules() if "jira" in _imports(p))
    assert importers == ["sync/jira/gateway.py"]


def test_the_domain_never_imports_the_daemon_or_the_sandbox():
    offenders = [p for p in (ROOT / "kpiokr").rglob("*.py") if _imports(p) & {"sync", "jira_sandbox", "tests"}]
    assert offenders == []


def test_the_command_line_loads_the_sandbox_only_for_the_demo():
    probe = "import sys, sync.cli.main; print(sorted(m for m in sys.modules if m.split('.')[0] == 'jira_sandbox'))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=ROOT)
    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr


def test_mappings_hold_data_only():
    kinds = {p.suffix for p in (ROOT / "mappings").rglob("*") if p.is_file()}
    assert kinds == {".toml", ".json", ".md"}
