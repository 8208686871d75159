"""Suspected copies: submissions that are the same program under other names.

A file is reduced to a fingerprint: its syntax tree without docstrings and
comments (the parser drops those, and whitespace), with every name the file defines
(variables, arguments, attributes it assigns, functions) replaced by its order
of first appearance; library names such as np.exp keep their spelling.
Two files with the same fingerprint differ only in layout, comments and names.
A fingerprint equal to the answer key's, or shared by several students, is
flagged (never zeroed: the teacher decides). The unchanged stub is not a copy.
"""

from __future__ import annotations

import ast
import functools
import hashlib
from collections import defaultdict
from pathlib import Path


def _defined(tree: ast.AST) -> set[str]:
    """The names the file itself defines: variables, arguments, functions,
    classes, import aliases and attributes it assigns (self.y = ...). Library
    names (np.exp, math.sqrt) are not among them and keep their spelling."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
    return names


class _Renamer(ast.NodeTransformer):
    """Each defined name becomes n0, n1, ... in order of first appearance."""

    def __init__(self, defined: set[str]):
        self.defined = defined
        self.names: dict[str, str] = {}

    def _canonical(self, name: str) -> str:
        if name not in self.defined:
            return name
        return self.names.setdefault(name, f"n{len(self.names)}")

    def visit_Name(self, node):
        node.id = self._canonical(node.id)
        return node

    def visit_arg(self, node):
        node.arg = self._canonical(node.arg)
        node.annotation = None
        return node

    def visit_Attribute(self, node):
        self.generic_visit(node)
        node.attr = self._canonical(node.attr)
        return node

    def visit_alias(self, node):
        if node.asname:
            node.asname = self._canonical(node.asname)
        return node

    def _definition(self, node):
        node.name = self._canonical(node.name)
        node.body = _without_docstring(node.body)
        if hasattr(node, "returns"):
            node.returns = None
        self.generic_visit(node)
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _definition


def _without_docstring(body: list) -> list:
    first = body[0] if body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return body[1:] or [ast.Pass()]
    return body


def fingerprint(source: str) -> str | None:
    """A hash of the normalised program, or None if it does not parse."""
    try:
        tree = ast.parse(source)
        tree.body = _without_docstring(tree.body)
        tree = _Renamer(_defined(tree)).visit(tree)
        dump = ast.dump(tree, annotate_fields=False, include_attributes=False)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # not Python, or nested deeper than the parser's stack
    return hashlib.sha256(dump.encode()).hexdigest()


def _fingerprint_file(path: Path) -> str | None:
    """The file's fingerprint (None: unreadable, not a file, or over the size
    the grader runs). Computed once per version of the file: the class's
    copies are compared again after each student is graded."""
    from .runner import MAX_FILE_BYTES

    try:
        if path.is_symlink() or not path.is_file():
            return None
        stat = path.stat()
    except OSError:
        return None
    if stat.st_size > MAX_FILE_BYTES:
        return None
    return _fingerprint_version(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4096)
def _fingerprint_version(path: str, mtime_ns: int, size: int) -> str | None:
    try:
        return fingerprint(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def suspected_copies(files: dict[str, Path], key: Path, stub: str) -> dict[str, str]:
    """For one exercise: {student: reason} for each file that matches the answer
    key or another student's. files maps students to their file."""
    key_print = _fingerprint_file(key)
    stub_print = fingerprint(stub)
    groups: dict[str, list[str]] = defaultdict(list)
    for student, path in files.items():
        mark = _fingerprint_file(path) if path.is_file() else None
        if mark is not None and mark != stub_print:
            groups[mark].append(student)
    flags = {}
    for mark, students in groups.items():
        for student in students:
            others = [s for s in students if s != student]
            reasons = ["identical to the answer key"] if mark == key_print else []
            if others:
                reasons.append(f"identical to {', '.join(others)}")
            if reasons:
                flags[student] = ", ".join(reasons)
    return flags
