"""The README's code is the code that runs: its PyTorch loader is
transformer/torch_loader.py word for word, and its engine example prints the
numbers its comments claim."""

import contextlib
import io
import math
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _python_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)


def test_readme_loader_is_torch_loader_py():
    source = (ROOT / "transformer" / "torch_loader.py").read_text(encoding="utf-8")
    code = source.split('"""', 2)[2].strip()
    blocks = [b.strip() for b in _python_blocks() if "class Seq2Seq" in b]
    assert blocks == [code], "README's loader differs from transformer/torch_loader.py"


def test_readme_engine_example_prints_what_its_comments_say():
    (block,) = [b for b in _python_blocks() if "loss.backward()" in b]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(block, {})
    loss_line, grad_line = printed.getvalue().splitlines()
    assert math.isclose(float(loss_line), math.tanh(-0.9), rel_tol=1e-6)
    grads = [float(v) for v in grad_line.strip("[]").split()]
    slope = 1 - math.tanh(-0.9) ** 2
    assert all(
        math.isclose(g, slope * x, rel_tol=1e-6) for g, x in zip(grads, (1, 2, 3))
    )
    assert "-0.7163" in block and "[0.4869 0.9738 1.4608]" in block
