"""The stages run one way (issue 36): data -> train -> export -> evaluate -> site -> dist.

Every import in train/, export/, evaluate/, bench/, webapp/, site/py/, build.py and toolchain.py is read
with `ast` (nothing is imported or run) and checked against the flow:

- train/ (data loaders, models, training, and the shared code the page runs) imports only train/;
- export/ (the ONNX files and their cards) imports train/;
- evaluate/ (what scores the exported files) and bench/ (benchmarks of the built page) import the
  stages before them, and toolchain.py and webapp/ to find Chromium and serve dist/;
- webapp/ and toolchain.py are the build's tools, standard library only (build.py imports them before
  the virtual environment exists): they import no stage;
- build.py, the entry point, imports only its tools: it runs evaluate/ and bench/ as `python -m`;
- site/py/ (the page's Python) imports the shared modules that build.py copies beside it, by the
  top-level names the page gives them, and those modules import only numpy, the standard library and
  each other (so that the same file runs in training and in the page: `from .segment_rules import` in
  the train package, `from segment_rules import` in the page).

No package may import build.py, and there is no cycle between top-level packages. Tests may import
anything, so tests/ is not walked. An import under `if __name__ == "__main__":` is not one: it is how a
command keeps the name the README gives it (`python -m train.validate` runs evaluate/validate.py), and
importing the module never runs it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WALKED = ["train", "export", "evaluate", "bench", "webapp", "site/py", "build.py", "toolchain.py"]
STAGES = ["train", "export", "evaluate", "bench", "webapp", "toolchain", "build"]  # the project's top-level names
TOOLS = {"toolchain", "webapp"}
MAY_IMPORT = {  # top-level package -> the project's packages it may import (besides itself)
    "train": set(),
    "export": {"train"},
    "evaluate": {"train", "export"} | TOOLS,
    "bench": {"train", "export", "evaluate"} | TOOLS,
    "webapp": set(),
    "toolchain": set(),
    "build": TOOLS,
}
SHARED = [
    "preprocess",
    "segment",
    "segment_geometry",
    "segment_rules",
    "segment_split",
    "memory",
    "contract",
]  # train/<name>.py, copied by build.py into dist/py/ (SHARED_PYTHON)
PAGE_MODULES = {p.stem for p in (ROOT / "site" / "py").glob("*.py")}
PAGE_RUNTIME = {"js", "pyodide", "polyscript", "numpy"}  # what Pyodide and PyScript give the page's Python


def python_files() -> list[Path]:
    files = []
    for name in WALKED:
        path = ROOT / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.is_file() else []
    return files


def package_of(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return "site/py" if rel.parts[:2] == ("site", "py") else rel.parts[0].removesuffix(".py")


def is_main_guard(node: ast.AST) -> bool:
    """`if __name__ == "__main__":`"""
    test = getattr(node, "test", None)
    return (
        isinstance(node, ast.If)
        and isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and [type(op) for op in test.ops] == [ast.Eq]
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def nodes(tree: ast.AST):
    """Every node of the module but those under a top-level `if __name__ == "__main__":`."""
    for child in ast.iter_child_nodes(tree):
        if not is_main_guard(child):
            yield from ast.walk(child)


def imports(path: Path) -> list[tuple[int, str, str]]:
    """(line, the module imported, the statement as written) for every import in the file, at any depth
    (but those of a command's entry at its old name, under `if __name__ == "__main__":`)."""
    found = []
    for node in nodes(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, f"import {alias.name}") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # a relative import: resolve it to the package it names
                base = path.relative_to(ROOT).parent.parts
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names = ", ".join(alias.name for alias in node.names)
            found.append((node.lineno, module, f"from {'.' * node.level}{node.module or ''} import {names}"))
    return found


def where(path: Path, line: int, statement: str) -> str:
    return f"{path.relative_to(ROOT)}:{line}: {statement}"


def project_imports() -> list[tuple[Path, int, str, str, str]]:
    """(file, line, importing package, imported package, statement) for each import of another of the
    project's top-level packages."""
    found = []
    for path in python_files():
        source = package_of(path)
        for line, module, statement in imports(path):
            target = module.split(".")[0]
            if target in STAGES and target != source:
                found.append((path, line, source, target, statement))
    return found


def test_every_file_is_walked():
    packages = {package_of(p) for p in python_files()}
    assert {"train", "export", "bench", "webapp", "site/py", "build", "toolchain"} <= packages
    assert packages <= set(MAY_IMPORT) | {"site/py"}, "a walked folder without a rule in MAY_IMPORT"


def test_imports_go_with_the_flow():
    against = [
        f"{where(path, line, statement)}\n    {source} imports {target}, against the flow: {source} may import "
        f"{', '.join(sorted(MAY_IMPORT[source])) or 'none of the project'}"
        for path, line, source, target, statement in project_imports()
        if source != "site/py" and target not in MAY_IMPORT[source]
    ]
    assert not against, "imports against the flow (tests/test_imports.py says which way it runs):\n" + "\n".join(
        against
    )


def test_no_cycle_between_top_level_packages():
    graph: dict[str, set[str]] = {}
    for _, _, source, target, _ in project_imports():
        graph.setdefault(source, set()).add(target)
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for following in sorted(graph.get(node, ())):
            if state.get(following) == "open":
                cycles.append(" -> ".join([*path[path.index(following) :], following]))
            elif following not in state:
                visit(following, [*path, following])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles between top-level packages:\n" + "\n".join(cycles)


def test_the_pages_python_imports_only_what_the_build_puts_beside_it():
    allowed = set(SHARED) | PAGE_MODULES | PAGE_RUNTIME | set(sys.stdlib_module_names)
    wrong = [
        f"{where(path, line, statement)}\n    the page has only the standard library, "
        f"{', '.join(sorted(PAGE_RUNTIME))}, site/py/ and the shared modules ({', '.join(SHARED)})"
        for path in sorted((ROOT / "site" / "py").glob("*.py"))
        for line, module, statement in imports(path)
        if module.split(".")[0] not in allowed
    ]
    assert not wrong, "\n".join(wrong)


def test_the_shared_modules_are_the_ones_the_build_copies_and_need_only_numpy():
    build = ast.parse((ROOT / "build.py").read_text())
    copied = {
        node.value
        for node in ast.walk(build)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.endswith(".py")
    }
    assert {f"{name}.py" for name in SHARED} <= copied, "build.py no longer copies a shared module by that name"
    allowed = {"numpy", *sys.stdlib_module_names}
    siblings = {*SHARED, *(f"train.{name}" for name in SHARED)}  # another shared module, by either name
    wrong = [
        f"{where(path, line, statement)}\n    the page runs {path.name}: numpy, the standard library and the "
        f"shared modules only"
        for path in (ROOT / "train" / f"{name}.py" for name in SHARED)
        for line, module, statement in imports(path)
        if module.split(".")[0] not in allowed and module not in siblings
    ]
    assert not wrong, "\n".join(wrong)


def test_the_pages_worker_is_given_every_shared_module():
    """runtime.js pythonConfig() puts each module that build.py copies into dist/py/ beside the worker."""
    runtime = (ROOT / "site" / "js" / "element" / "runtime.js").read_text()
    missing = [name for name in SHARED if f'siteUrl("py/{name}.py")]: "./{name}.py"' not in runtime]
    assert not missing, f"runtime.js pythonConfig() files lack: {', '.join(missing)}"
