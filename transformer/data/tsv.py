"""Real sentence pairs from a tab-separated file, to train on instead of the toy corpus.

One pair a line, UTF-8:

    I love books.<TAB>Eu amo livros.<TAB>(anything else is ignored)

as in the English-Portuguese files of manythings.org/anki, made from Tatoeba.
A Tatoeba "sentence pairs" export (id, sentence, id, translation) is read too:
a line of four or more columns whose first and third are numbers gives columns
2 and 4. Blank lines are skipped. Each side is tokenized and lower-cased, so the
pairs come back in the corpus form: words joined by single spaces.

A file in another encoding is named, not read as garbage: UTF-16 (what some
spreadsheet programs save as "Unicode text"), Latin-1 or Windows-1252 (older
editors; more than a tenth of the lines not UTF-8) and old Mac line endings (CR only,
which would make the whole file one line) are refused with the fix. Pairs too
long for the model (`max_tokens`) are skipped with the other malformed lines.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from .tokenizer import tokenize

Pair = tuple[str, str]
_SHOWN = 10  # malformed lines named in a message; the rest are counted
_NOT_UTF8 = "not UTF-8"  # the reason _parse_line gives for such a line


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


def load_pairs(
    path: str | os.PathLike, strict: bool = False, max_tokens: int | None = None
) -> list[Pair]:
    """The (source, target) pairs of a TSV file, in file order.

    Malformed lines (no tab, an empty side, bytes that are not UTF-8, a NUL
    byte, and with `max_tokens` a source of more than max_tokens tokens or a
    target of more than max_tokens - 1, the decoder's <s> taking one position)
    are skipped with one MalformedLinesWarning that names them all, or raise a
    PairsFileError if `strict`. A file without a single valid pair, or in
    UTF-16, or with CR-only line endings, is a PairsFileError; a missing file,
    FileNotFoundError. Both name the path.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"pairs file not found: {path}")
    if not path.is_file():
        raise PairsFileError(f"{path} is not a file (expected a TSV of sentence pairs)")
    data = path.read_bytes()
    _check_encoding(path, data)
    pairs, problems = _parse(data, max_tokens)
    _check_utf8(path, problems, lines=len(pairs) + len(problems))
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


def _parse(data: bytes, max_tokens: int | None) -> tuple[list[Pair], list]:
    """(pairs, [(line number, why skipped)]) of a file's bytes."""
    pairs, problems = [], []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        pair, why = _parse_line(raw, first=number == 1)
        if pair is not None and max_tokens is not None:
            pair, why = _check_length(pair, max_tokens)
        if pair is not None:
            pairs.append(pair)
        elif why is not None:
            problems.append((number, why))
    return pairs, problems


def _check_encoding(path: Path, data: bytes) -> None:
    """Refuse UTF-16 text, binary files and CR-only line endings, saying how
    to convert. UTF-16 is told by its byte-order mark,
    or, without one, by NUL bytes in every other position (the high bytes of
    Latin letters)."""
    head = data[:4096]
    nuls = [i % 2 for i, byte in enumerate(head) if byte == 0]
    one_side = len(nuls) > len(head) // 4 and abs(
        2 * sum(nuls) - len(nuls)
    ) > 0.9 * len(nuls)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or one_side:
        raise PairsFileError(
            f"{path} is UTF-16 text, not UTF-8: save it as UTF-8, e.g. "
            f"`iconv -f UTF-16 -t UTF-8 {path} > pairs-utf8.tsv`"
        )
    if len(nuls) > max(8, len(head) // 100):  # a few stray NULs: bad lines
        raise PairsFileError(
            f"{path} is not a text file (it holds NUL bytes): give a TSV of sentence "
            "pairs, UTF-8, one source<TAB>target a line"
        )
    if b"\n" not in data and b"\r" in data.strip():
        raise PairsFileError(
            f"{path} ends its lines with CR only (old Mac style), so it reads as one "
            f"line: convert it with `tr '\\r' '\\n' < {path} > pairs-unix.tsv`"
        )


def _check_utf8(path: Path, problems: list, lines: int) -> None:
    """Refuse a file in another 8-bit encoding (Latin-1, Windows-1252: what
    older editors save): two or more of its `lines` (not blank), and more than a
    tenth of them, were not UTF-8 (`problems`, from _parse). A stray bad line in
    a UTF-8 file is only skipped, with a warning."""
    bad = [number for number, why in problems if why.startswith(_NOT_UTF8)]
    if len(bad) >= 2 and len(bad) * 10 > lines:
        raise PairsFileError(
            f"{path} is not UTF-8 ({len(bad)} of {lines} lines, the first line "
            f"{bad[0]}): it is probably Latin-1 or Windows-1252; save it as UTF-8, "
            f"e.g. `iconv -f WINDOWS-1252 -t UTF-8 {path} > pairs-utf8.tsv`"
        )


def _check_length(pair: Pair, max_tokens: int) -> tuple[Pair | None, str | None]:
    """The pair, or why it is too long for a model of max_len = max_tokens."""
    n_src, n_tgt = (len(side.split()) for side in pair)
    if n_src <= max_tokens and n_tgt < max_tokens:
        return pair, None
    side, n, limit = ("source", n_src, max_tokens) if n_src > max_tokens else (
        "target", n_tgt, max_tokens - 1)  # fmt: skip
    return None, f"{side} has {n} tokens, more than {limit} (raise --max-len)"


def _parse_line(raw: bytes, first: bool) -> tuple[Pair | None, str | None]:
    """(pair, None) for a good line, (None, reason) for a bad one, (None, None)
    for a blank one."""
    try:
        line = raw.decode("utf-8-sig" if first else "utf-8")  # -sig: drop a BOM
    except UnicodeDecodeError as e:
        return None, f"{_NOT_UTF8} (byte {e.start + 1})"
    line = line.rstrip("\r")
    if not line.strip():
        return None, None
    if "\0" in line:
        return None, "a NUL byte (binary data?)"
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
