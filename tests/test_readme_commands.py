"""What a new user reads first works as written (issue 15): how to get uv, one
way to run the commands, PyTorch's CPU build, and an example TSV that exists."""

import re
import warnings
from pathlib import Path

import pytest

from transformer.data import load_pairs

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_says_how_to_get_uv_before_the_two_commands():
    first_command = README.index("uv run python cli.py train-toy-translation")
    assert README.index("pip install uv") < first_command
    assert README.index("uv run pytest") > first_command


def test_readme_runs_the_cli_with_uv_everywhere_but_in_the_pip_recipe():
    recipe = README.index("Without uv")
    recipe_end = README.index("```", README.index("```bash", recipe) + 7)
    outside = README[:recipe] + README[recipe_end:]
    uv_run = re.compile(r"uv run (--group \w+ )?$")  # the text right before
    bare = [
        m.start()
        for m in re.finditer(r"python (cli\.py|-m (tinygrad_tx|transformer))", outside)
        if not uv_run.search(outside[max(0, m.start() - 30) : m.start()])
    ]
    assert not bare, [outside[i - 30 : i + 30] for i in bare]


def test_readme_gives_the_cpu_build_of_pytorch():
    assert (
        "pip install torch --index-url https://download.pytorch.org/whl/cpu" in README
    )


def test_readme_trains_on_the_example_tsv_that_ships():
    assert "--data examples/en-pt.tsv" in README
    assert "pairs.tsv" not in README
    assert (ROOT / "examples" / "en-pt.tsv").is_file()


def test_the_example_tsv_is_clean_real_sentences():
    path = ROOT / "examples" / "en-pt.tsv"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not one malformed or over-long line
        pairs = load_pairs(path, max_tokens=64)
    assert len(pairs) >= 300
    assert len({source for source, _ in pairs}) == len(pairs)  # one split each
    lines = path.read_text(encoding="utf-8").splitlines()
    targets = [line.split("\t")[1] for line in lines]
    # written sentences, not the toy grammar's lower-case output
    assert all(t[0].isupper() or t[0] in "¿¡" for t in targets)
    assert all(t[-1] in ".!?" for t in targets)
    assert sum(bool(re.search(r"[ãõáéíóúâêôçà]", t)) for t in targets) > 150


@pytest.mark.parametrize(
    "readme", ["lessons/README.md", "lessons/exercises/README.md", "examples/README.md"]
)
def test_the_other_readmes_command_blocks_run_with_uv(readme):
    """A uv user pastes these lines as they are: `python cli.py` alone fails
    there (the project's packages are in uv's environment, not the system's)."""
    text = (ROOT / readme).read_text(encoding="utf-8")
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", text, re.M | re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    bare = [line for line in lines if re.match(r"python (cli\.py|lessons/)", line)]
    assert bare == []
