import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff not installed (pip install -e '.[test]')")
    result = subprocess.run([ruff, "check", "pipeline", "tests", "dags", "bench", "scripts"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_and_ci_use_the_same_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = next(line for line in ci.splitlines() if "pytest" in line and not line.startswith("#"))
    assert command.rstrip(" \\").strip() in readme


def _project_imports():
    """(module, imported project module, at module level?) for every import in pipeline/, relative imports
    resolved; `from . import name` counts as importing the package (its __init__) unless name is a module."""
    import ast

    package = ROOT / "pipeline"
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
               for p in package.rglob("*.py")}
    found = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        top_level = {id(node) for node in tree.body}
        # a package's PEP 562 `__getattr__` imports its lazy exports on first use: they count as module level
        lazy = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
                and path.name == "__init__.py"]
        top_level |= {id(node) for function in lazy for node in ast.walk(function)}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = here
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                target = f"{base}.{node.module}" if node.module else base
                targets = [f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target for a in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline"):
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("pipeline")]
            else:
                continue
            for target in targets:
                if target in modules and target != name:
                    found.append((name, target, id(node) in top_level))
    return modules, found


def test_no_import_cycles_and_no_project_imports_inside_functions():
    modules, imports = _project_imports()
    # the CLI imports the run machinery only for the command that needs it (start-up time of `stats`, `explain`)
    local = sorted({(a, b) for a, b, top in imports if not top and a != "pipeline.cli"})
    assert local == []
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for a, b, _ in imports:
        graph[a].add(b)
    # a cycle shows as a strongly connected component of more than one module (Tarjan's algorithm)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert cycles == []


def test_every_package_is_installed():
    """pyproject lists the packages explicitly: a new subpackage left out would be missing from the wheel."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "pipeline").rglob("__init__.py")}
    assert found | {"pipeline.lexicons"} == listed
