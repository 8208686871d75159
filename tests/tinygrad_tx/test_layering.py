"""The engine's layering, checked on the source: the core has no import
circles, ops know nothing of tensors or devices, and the transformer uses
only the engine's public modules."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_tx import backend

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "tinygrad_tx"
CORE = [
    "autograd.py",
    "function.py",
    "tensor.py",
    "tensor_math.py",
    *(f"ops/{p.name}" for p in (ENGINE / "ops").glob("*.py")),
]


def _imports(path: Path) -> list[tuple[str, list[str], bool]]:
    """(module, names imported from it, inside a function?) for each import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_functions = {
        id(node)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef)
        for node in ast.walk(function)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found.append(
                (module, [a.name for a in node.names], id(node) in in_functions)
            )
        elif isinstance(node, ast.Import):
            found += [(a.name, [], id(node) in in_functions) for a in node.names]
    return found


def test_autograd_imports_nothing_from_the_package():
    modules = [m for m, _, _ in _imports(ENGINE / "autograd.py")]
    assert not [m for m in modules if m.startswith(".") or m.startswith("tinygrad_tx")]


@pytest.mark.parametrize("name", CORE)
def test_the_core_imports_at_the_top_of_each_file(name):
    path = ENGINE / name
    assert [m for m, _, inside in _imports(path) if inside] == [], (
        "an import inside a function"
    )
    body = ast.parse(path.read_text(encoding="utf-8")).body
    is_import = [isinstance(n, ast.Import | ast.ImportFrom) for n in body]
    first_code = next(
        (
            i
            for i, n in enumerate(body)
            if not is_import[i] and not isinstance(n, ast.Expr)
        ),
        len(body),
    )
    late = [
        n for n, imported in zip(body[first_code:], is_import[first_code:]) if imported
    ]
    assert late == [], "an import below the code (a bottom-of-file import)"


@pytest.mark.parametrize("name", [n for n in CORE if n.startswith("ops/")])
def test_ops_import_no_tensor_no_numpy_and_choose_no_device(name):
    source = (ENGINE / name).read_text(encoding="utf-8")
    modules = {m for m, _, _ in _imports(ENGINE / name)}
    assert not modules & {"..tensor", "numpy", "..random"}
    assert "__name__ ==" not in source and "Generator" not in source


@pytest.mark.parametrize(
    "module", ["tinygrad_tx.ops.attention", "tinygrad_tx.function", "tinygrad_tx.tensor",
               "tinygrad_tx.autograd", "tinygrad_tx.functional", "tinygrad_tx.composed"]
)  # fmt: skip
def test_each_core_module_imports_first_without_a_circle(module):
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, cwd=ROOT)


# The engine's public modules; of `backend`, only its device API (`__all__`).
PUBLIC = {"functional", "composed", "nn", "optim", "io", "viz", "backend", "gradcheck",
          "memory", "cli_errors", "grading", "bench", "files"}  # fmt: skip


def _private_use(module: str, names: list[str]) -> bool:
    import tinygrad_tx

    parts = module.split(".")
    if parts[0] != "tinygrad_tx":
        return False
    if len(parts) == 1:  # from tinygrad_tx import X: a public name or module
        return bool(set(names) - set(tinygrad_tx.__all__) - PUBLIC)
    if parts[1] == "backend":
        return bool(set(names) - set(backend.__all__))
    return parts[1] not in PUBLIC


def test_the_transformer_imports_only_public_engine_modules():
    private = [
        f"{path.relative_to(ROOT)}: {module} {names}"
        for path in sorted((ROOT / "transformer").rglob("*.py"))
        for module, names, _ in _imports(path)
        if _private_use(module, names)
    ]
    assert private == []


def test_the_ops_package_docstring_lists_every_op_file():
    doc = (ENGINE / "ops" / "__init__.py").read_text(encoding="utf-8")
    files = [p.stem for p in (ENGINE / "ops").glob("*.py") if p.stem != "__init__"]
    assert [f for f in files if not re.search(rf"^{f}\b", doc, re.M)] == []
