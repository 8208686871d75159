"""A Gradescope autograder for the exercises: setup.sh, run_autograder, the code.

Gradescope builds an image from the zip (it runs setup.sh once, as root) and
then, for every submission, runs run_autograder with the student's files in
/autograder/submission; run_autograder must leave /autograder/results/results.json
(see `exports.gradescope_results` for its fields). Ours grades the submission
as a class of one with `exercise grade-all --format gradescope`.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, while building the autograder image.
set -euo pipefail
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet /autograder/source
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade it, write results.json.
set -euo pipefail
cd /autograder/source
rm -rf /tmp/class /tmp/grades
mkdir -p /tmp/class/submission /autograder/results
cp -r /autograder/submission/. /tmp/class/submission/
/autograder/venv/bin/python cli.py exercise grade-all /tmp/class \\
    --format gradescope --out /tmp/grades --jobs 1 --lang {lang}
cp /tmp/grades/gradescope/submission/results.json /autograder/results/results.json
"""

# cli.py imports the lesson commands (lessons/cli.py) and the answer key lives in
# lessons/exercises: the whole lessons package goes in.
_SOURCES = (
    "tinygrad_tx",
    "transformer",
    "lessons",
    "cli.py",
    "pyproject.toml",
    "README.md",
)


def write_package(to: Path, force: bool = False, lang: str = "en") -> Path:
    """Write setup.sh, run_autograder and the code into `to`, and `to`/autograder.zip
    holding all of them at its root (Gradescope wants no enclosing folder)."""
    to = Path(to)
    if to.exists() and any(to.iterdir()) and not force:
        raise FileExistsError(
            f"gradescope-package: {to} is not empty; pass --force to replace it"
        )
    repo = Path(__file__).resolve().parents[2]
    files = {
        "setup.sh": SETUP.encode(),
        "run_autograder": RUN.format(lang=lang).encode(),
    }
    for name in _SOURCES:
        files.update(_tree(repo / name, repo))
    to.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = to / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for script in ("setup.sh", "run_autograder"):
        (to / script).chmod(0o755)
    return _zip(to / "autograder.zip", files)


def _tree(path: Path, repo: Path) -> dict[str, bytes]:
    if path.is_file():
        return {path.relative_to(repo).as_posix(): path.read_bytes()}
    found = {}
    for file in sorted(path.rglob("*")):
        if file.is_file() and not (
            {"__pycache__", ".ipynb_checkpoints"} & set(file.parts)
        ):
            found[file.relative_to(repo).as_posix()] = file.read_bytes()
    return found


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    temporary = path.with_suffix(".zip.part")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            mode = 0o755 if name in ("setup.sh", "run_autograder") else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    shutil.move(temporary, path)
    return path
