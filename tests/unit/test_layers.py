"""The house's layers: ``app/core`` is the ground floor and imports no feature."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "app" / "core"


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, at any depth (function-level imports too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append((node.lineno, "." * node.level + (node.module or "")))
    return found


def is_feature(module: str) -> bool:
    """``app.<feature>`` or ``app`` itself, or a relative import reaching out
    of ``app/core``."""
    if module.startswith(".."):
        return True
    in_app = module == "app" or module.startswith("app.")
    return in_app and not (module == "app.core" or module.startswith("app.core."))


def test_core_imports_no_feature() -> None:
    files = sorted(CORE.glob("*.py"))
    assert len(files) > 10
    reaching_up = [
        f"{path.name}:{line} imports {module}"
        for path in files
        for line, module in imported_modules(path)
        if is_feature(module)
    ]
    assert reaching_up == []


def test_the_check_sees_a_feature_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from app.evidence import services\n")
    assert imported_modules(sample) == [(2, "app.evidence")]
    assert is_feature("app.evidence") and is_feature("app") and is_feature("..x")
    assert not is_feature("app.core.db") and not is_feature("apple")
