"""The student's side: load their file, follow the grader's recipes, send back data.

This module runs in the student's process (see `sandbox`). It knows nothing of
checks, expected values or points: a request names what to call, the answer is
what came out (arrays, numbers, the type of anything else) or the exception the
student's code raised. Before the student's file is loaded, the process lowers
its own limits for good (CPU time, memory, file size, no new processes) and
installs an audit hook (`guard`) that refuses new processes, signals, sockets,
ctypes calls, writes outside its scratch folder and reads outside the Python
installation and the submission.

Requests (one JSON frame each, answered by one frame):

    {"op": "load"}                                  execute the file afresh
    {"op": "eval", "expr": node}                    follow a recipe (`expr`)
    {"op": "grads", "expr": node, "upstream": a, "wrt": [ids]}
    {"op": "function", "name": "Softmax", "arrays": [...], "grad_out": a,
     "options": {...}}                              a Function by hand
"""

from __future__ import annotations

import io
import itertools
import os
import sys
import traceback
from pathlib import Path

import numpy as np

from . import guard, wire
from .expr import State, evaluate

_names = itertools.count()


class Handler:
    """Answers requests about one student's file (in any process)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.module = None
        self._code = None

    def handle(self, request: dict) -> dict:
        op = request.get("op")
        try:
            if op == "load":
                return self.load()
            if self.module is None:
                return {"error": {"type": "not loaded", "message": ""}}
            state = State()
            if op == "eval":
                return self._eval(request, state)
            if op == "grads":
                return self._grads(request, state)
            if op == "function":
                return self._function(request)
        except (Exception, SystemExit) as exc:
            return {"error": describe(exc, self.path)}
        return {"error": {"type": "bad request", "message": str(op)[:50]}}

    def load(self) -> dict:
        """Execute the student's file as a fresh module (a new one every time, so
        no check sees what an earlier one did to it)."""
        import types

        self.module = None
        if self._code is None:
            source = self.path.read_bytes()
            self._code = compile(source, str(self.path), "exec", dont_inherit=True)
        name = f"_student_{self.path.stem}_{next(_names)}"
        module = types.ModuleType(name)
        module.__file__ = str(self.path)
        sys.modules[name] = module  # dataclasses look their module up here
        try:
            exec(self._code, module.__dict__)
        finally:
            sys.modules.pop(name, None)
        self.module = module
        return {"ok": True}

    def _eval(self, request, state: State) -> dict:
        value = evaluate(request["expr"], self.module, state)
        return {
            "value": wire.encode(value),
            "scorers": [s.prefixes[:10_000] for s in state.scorers],
            "after": {str(k): wire.encode(a) for k, a in state.watched.items()},
        }

    def _grads(self, request, state: State) -> dict:
        from ..tensor import Tensor

        out = evaluate(request["expr"], self.module, state)
        upstream = wire.decode(request["upstream"])
        answer = {"value": wire.encode(out), "grads": None}
        if isinstance(out, Tensor) and out.shape == upstream.shape:
            if out.requires_grad:
                out.backward(upstream)
            grads = [state.tensors[i].grad for i in request["wrt"]]
            answer["grads"] = wire.encode(grads)
        return answer

    def _function(self, request) -> dict:
        arrays = [wire.decode(a) for a in request["arrays"]]
        grad_out = wire.decode(request["grad_out"])
        options = {k: wire.decode(v) for k, v in request["options"].items()}
        fn = getattr(self.module, request["name"])()
        fn.needs_input_grad = (True,) * len(arrays)
        y = fn.forward(*arrays, **options)
        answer = {"value": wire.encode(y), "grads": None}
        if isinstance(y, np.ndarray) and y.shape == grad_out.shape:
            sent = grad_out.copy()
            answer["grads"] = wire.encode(fn.backward(sent))
            answer["grad_out_after"] = wire.encode(sent)
        return answer


def describe(exc: BaseException, path: Path) -> dict:
    """The exception as data: its type, message, and the line of the student's
    file it came from (the innermost one on the stack)."""
    info = {"type": type(exc).__name__[:100], "message": str(exc)[:2000]}
    if isinstance(exc, SyntaxError) and exc.filename == str(path):
        info.update(line=exc.lineno or 0, syntax=True, message=str(exc.msg)[:500])
        return info
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if f.filename == str(path)]
    if mine:
        frame = mine[-1]
        info.update(
            file=path.name,
            line=frame.lineno,
            function=frame.name,
            code=(frame.line or "")[:300],
        )
    return info


# ------------------------------------------------------------------ the process


def main() -> None:
    """Entry point in the sandboxed process: stdin brings requests; the answers go
    out on the original stdout, while the student's prints (fd 1 and 2) go to
    the capture file the grader gave as stderr."""
    answers = os.dup(1)
    os.dup2(2, 1)
    stream = open(1, "wb", closefd=False)  # noqa: SIM115 (for the process's life)
    sys.stdout = io.TextIOWrapper(stream, line_buffering=True)
    config = wire.read_frame(0)
    handler = Handler(config["file"])
    refused = _lower_limits(config["limits"])
    _install_guard(config)
    wire.write_frame(answers, {"ready": True, "limits_refused": refused})
    while True:
        try:
            request = wire.read_frame(0)
        except EOFError:
            break
        answer = {**handler.handle(request), "id": request.get("id")}
        sys.stdout.flush()
        try:
            wire.write_frame(answers, answer)
        except wire.WireError:
            too_large = {"type": "answer too large"}
            wire.write_frame(answers, {"error": too_large, "id": request.get("id")})
    os._exit(0)


def _lower_limits(limits: dict) -> list[str]:
    """Set each limit for good (soft and hard); return those this system refused
    (macOS, for one, does not enforce an address-space limit)."""
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # too big a file: an OSError
    refused = []
    for name, value in limits.items():
        kind = getattr(resource, f"RLIMIT_{name.upper()}", None)
        try:
            resource.setrlimit(kind, (value, value))
        except (TypeError, ValueError, OSError):
            refused.append(name)
    return refused


def _install_guard(config: dict) -> None:
    """The audit hook (see `guard`), with the folders resolved now, before any
    of the student's code has run."""
    scratch = os.path.realpath(config["scratch"])
    readable = [os.path.realpath(p) for p in config["read_roots"]] + [scratch]
    deny = [os.path.realpath(p) for p in config.get("deny", [])]
    guard.install(scratch, readable, deny)
