"""The rings of DESIGN.md, checked on the source: the core imports no feature (README "Code layout")."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "tracker"

# the core: the models of the core, the rules, the read model and its scope, permissions, hooks, use cases
CORE = ("models", "workflow", "readmodel", "scope", "permissions", "hooks", "services", "extensions", "clock",
        "labels", "formatting", "paging")
# the features: one package each, built on the core (README "Code layout")
FEATURES = ("reminders", "reports", "charts", "calendar", "imports", "subcells", "campaigns", "edits", "tokens",
            "signin", "ops", "privacy", "api", "web")


def _imports(path: Path) -> set[str]:
    """Every tracker module a file imports, at the top or inside a function, as a dotted name."""
    package = list(path.relative_to(ROOT.parent).with_suffix("").parts[:-1])
    if path.name == "__init__.py":
        package = list(path.relative_to(ROOT.parent).parts[:-1])
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            out.add(module)
            if not node.module:  # from . import x: x is a module of the package
                out |= {f"{module}.{a.name}" for a in node.names}
    return {m for m in out if m.startswith("tracker.")}


def _core_files() -> list[Path]:
    files = []
    for name in CORE:
        path = ROOT / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
    return [f for f in files if f.exists()]


def test_the_core_imports_no_feature():
    leaks = {f"{path.relative_to(ROOT.parent)} imports {module}"
             for path in _core_files() for module in _imports(path)
             if module.split(".")[1] in FEATURES}
    assert not leaks, "\n".join(sorted(leaks))


def test_the_scan_sees_what_it_checks():
    """The scan itself: it finds the core's files and their imports, relative ones included."""
    files = {str(p.relative_to(ROOT.parent)) for p in _core_files()}
    assert {"tracker/readmodel.py", "tracker/scope.py", "tracker/services/stages.py"} <= files
    assert "tracker.hooks" in _imports(ROOT / "services" / "stages.py")
    assert "tracker.workflow.gates" in _imports(ROOT / "services" / "stages.py")
