"""Real sentence pairs from a tab-separated file, to train on instead of the toy corpus.

One pair a line, UTF-8:

    I love books.<TAB>Eu amo livros.<TAB>(anything else is ignored)

as in the English-Portuguese files of manythings.org/anki, made from Tatoeba.
A Tatoeba "sentence pairs" export (id, sentence, id, translation) is read too:
a line of four or more columns whose first and third are numbers gives columns
2 and 4. Blank lines are skipped. Each side is tokenized and lower-cased, so the
pairs come back in the corpus form: words joined by single spaces.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from .tokenizer import tokenize

Pair = tuple[str, str]
_SHOWN = 10  # malformed lines named in a message; the rest are counted


class PairsFileError(ValueError):
    """A pairs file that cannot be used; the message names the file."""


class MalformedLinesWarning(UserWarning):
    """Lines of a pairs file that were skipped. `problems` lists
    (line number, reason), line numbers counted from 1."""

    def __init__(self, path: str, problems: list[tuple[int, str]]):
        self.path = path
        self.problems = problems
        super().__init__(describe_problems(path, problems))


def describe_problems(path: str, problems: list[tuple[int, str]]) -> str:
    """One message naming the file and the first malformed lines."""
    shown = "; ".join(f"line {n}: {why}" for n, why in problems[:_SHOWN])
    more = f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
    lines = "line" if len(problems) == 1 else "lines"
    return (
        f"{path}: {len(problems)} malformed {lines} skipped "
        f"(expected source<TAB>target): {shown}{more}"
    )


def load_pairs(path: str | os.PathLike, strict: bool = False) -> list[Pair]:
    """The (source, target) pairs of a TSV file, in file order.

    Malformed lines (no tab, an empty side, bytes that are not UTF-8) are
    skipped with one MalformedLinesWarning that names them all, or raise a
    PairsFileError if `strict`. A file without a single valid pair is a
    PairsFileError; a missing file, FileNotFoundError. Both name the path.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"pairs file not found: {path}")
    if not path.is_file():
        raise PairsFileError(f"{path} is not a file (expected a TSV of sentence pairs)")
    pairs, problems = [], []
    raw_lines = path.read_bytes().split(b"\n")
    for number, raw in enumerate(raw_lines, start=1):
        pair, why = _parse_line(raw, first=number == 1)
        if pair is not None:
            pairs.append(pair)
        elif why is not None:
            problems.append((number, why))
    if not pairs:
        detail = f"; {describe_problems(str(path), problems)}" if problems else ""
        raise PairsFileError(
            f"{path}: no valid sentence pairs (expected one source<TAB>target "
            f"a line){detail}"
        )
    if problems and strict:
        raise PairsFileError(describe_problems(str(path), problems))
    if problems:
        warnings.warn(MalformedLinesWarning(str(path), problems), stacklevel=2)
    return pairs


def _parse_line(raw: bytes, first: bool) -> tuple[Pair | None, str | None]:
    """(pair, None) for a good line, (None, reason) for a bad one, (None, None)
    for a blank one."""
    try:
        line = raw.decode("utf-8-sig" if first else "utf-8")  # -sig: drop a BOM
    except UnicodeDecodeError as e:
        return None, f"not UTF-8 (byte {e.start + 1})"
    line = line.rstrip("\r")
    if not line.strip():
        return None, None
    columns = line.split("\t")
    if len(columns) < 2:
        return None, "no tab between source and target"
    if (
        len(columns) >= 4
        and columns[0].strip().isdigit()
        and columns[2].strip().isdigit()
    ):
        columns = [columns[1], columns[3]]  # Tatoeba export: id, text, id, text
    source, target = (" ".join(tokenize(side)) for side in columns[:2])
    if not source or not target:
        return None, "empty source" if not source else "empty target"
    return (source, target), None
