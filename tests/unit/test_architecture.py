"""The structure the project keeps: one importer of `jira`, data-only mappings, dependencies one way."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_gateway_imports_the_jira_package():
    importers = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "sync").rglob("*.py") if "jira" in _imports(p))
    assert importers == ["sync/jira/gateway.py"]


def test_the_domain_never_imports_the_daemon_or_the_sandbox():
    offenders = [p for p in (ROOT / "kpiokr").rglob("*.py") if _imports(p) & {"sync", "jira_sandbox", "tests"}]
    assert offenders == []


def test_mappings_hold_data_only():
    kinds = {p.suffix for p in (ROOT / "mappings").rglob("*") if p.is_file()}
    assert kinds == {".toml", ".json", ".md"}
