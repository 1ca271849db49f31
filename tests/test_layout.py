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


REQUEST_STATE = {"request", "session", "g", "has_request_context"}


def test_the_core_reads_no_request():
    """The campaign (and everything else a request says) reaches the core as a parameter: no core module imports
    Flask's request, session or g (the edge, campaigns.scope, reads `?campaign=` and the session once)."""
    reads = set()
    for path in _core_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask_login"):
                names = {a.name for a in node.names} & (REQUEST_STATE | {"current_user"})
                reads |= {f"{path.relative_to(ROOT.parent)} imports {n}" for n in names}
    assert not reads, "\n".join(sorted(reads))


def test_the_readme_layout_matches_the_tree():
    """README "Code layout" names every package and module under tracker/, and nothing that is not there."""
    text = (ROOT.parent / "README.md").read_text(encoding="utf-8")
    section = text.split("## Code layout", 1)[1].split("\n## ", 1)[0]
    listed = set()
    for line in section.splitlines():
        if line.startswith("      ") and not line.startswith("       "):
            first = line.strip().split("  ")[0]
            listed |= {name.strip().rstrip("/") for name in first.split(",")}
    actual = {p.name.removesuffix(".py") for p in ROOT.iterdir()
              if (p.is_dir() and not p.name.startswith("__")) or (p.suffix == ".py" and p.name != "__init__.py")}
    listed = {name.removesuffix(".py") for name in listed}
    assert listed == actual, (sorted(actual - listed), sorted(listed - actual))
