"""Unknown words copied into the translation where the attention points.

A word the vocabulary lacks (a name, "pizza") reaches the model as <unk>, and
a model that has never seen <unk> in training replaces it with some word it
knows: "i love pizza" -> "eu amo chaves". The toy corpus therefore has
sentences with <unk> on both sides ("i love <unk>" -> "eu amo <unk>"), so the
model learns to write <unk> where the source has one. After decoding, each
<unk> the model wrote is replaced by an unknown source word: the one the
cross-attention of the last decoder layer (the mean of its heads) weighs most
while that <unk> is written. This is the unknown-word replacement of Luong et
al. (2015, "Addressing the Rare Word Problem in Neural Machine Translation"),
with the alignment read from attention instead of a separate aligner.

The copy keeps the word as the user typed it ("Maria") and is marked in the
output, "eu amo [pizza]", so the reader sees it was copied, not translated.
An unknown word for which the model wrote no <unk> has no place in the
translation; the warning says so.

    copy = copy_unknown_words(model, src_ids, out_ids, typed_words, tgt_vocab)
    copy.marked   # ['eu', 'amo', '[pizza]']
"""

from __future__ import annotations

from dataclasses import dataclass

import click
import numpy as np

from tinygrad_tx.cli_errors import clear_errors

from .data.vocab import UNK_ID
from .decode import cross_attention

MARK = "[{}]"  # how a copied word is shown: "eu amo [pizza]"


@dataclass(frozen=True)
class Copy:
    """The output tokens after copying, and what was copied."""

    words: list[str]  # the translation with the copied words, unmarked
    marked: list[str]  # the same with each copied word marked: [pizza]
    copied: list[str]  # the source words copied, in output order
    missing: list[str]  # unknown source words the model wrote no <unk> for


def align_unknown(weights: np.ndarray, src_ids, out_ids) -> list[tuple[int, int]]:
    """(output position, source position) for every <unk> in out_ids: the
    unknown source word with the largest attention weight, mean over heads.

    weights: (H, T', S) cross-attention, row t while out_ids[t] was written
    (T' >= len(out_ids): cross_attention adds the row of </s>)."""
    mean = np.asarray(weights).mean(axis=0)  # (T', S)
    unknown = [j for j, i in enumerate(src_ids) if int(i) == UNK_ID]
    if not unknown:
        return []
    return [
        (t, max(unknown, key=lambda j: mean[t, j]))
        for t, i in enumerate(out_ids)
        if int(i) == UNK_ID
    ]


def copy_unknown_words(model, src_ids, out_ids, source_words, tgt_vocab) -> Copy:
    """Replace each <unk> of the translation out_ids by the unknown source word
    the attention aligns it with (see the module docstring).

    src_ids: the source ids, (S,); source_words: the S source tokens as typed
    (tokenize(sentence, lower=False)), the words that are copied."""
    src_ids, out_ids = [int(i) for i in src_ids], [int(i) for i in out_ids]
    if len(source_words) != len(src_ids):
        raise ValueError(
            f"copy_unknown_words: {len(source_words)} source words for "
            f"{len(src_ids)} source ids; give the tokens of the same sentence"
        )
    words = tgt_vocab.decode_tokens(out_ids)
    if UNK_ID not in src_ids or UNK_ID not in out_ids:  # nothing to align
        return Copy(words, list(words), [], _unknown(src_ids, source_words, set()))
    weights = cross_attention(model, src_ids, out_ids)  # (H, len(out) + 1, S)
    marked, copied, used = list(words), [], set()
    for t, j in align_unknown(weights, src_ids, out_ids):
        words[t], marked[t] = source_words[j], MARK.format(source_words[j])
        copied.append(source_words[j])
        used.add(j)
    return Copy(words, marked, copied, _unknown(src_ids, source_words, used))


def _unknown(src_ids, source_words, used: set[int]) -> list[str]:
    """The unknown source words not copied, each once, in source order."""
    return list(
        dict.fromkeys(
            source_words[j]
            for j, i in enumerate(src_ids)
            if i == UNK_ID and j not in used
        )
    )


def unknown_warning(source: str, unknown, copied, missing, vocab_size: int) -> str:
    """One warning naming the unknown words of a sentence and what became of
    each: copied into the translation, or without a place in it."""
    names = ", ".join(repr(w) for w in unknown)
    parts = [
        f"warning: unknown word(s) {names} in {source!r} were translated as "
        f"<unk>: the model knows only the {vocab_size} tokens of its training "
        "data (see vocab.json)"
    ]
    if copied:
        shown = ", ".join(repr(w) for w in dict.fromkeys(copied))
        parts.append(
            f"copied {shown} where the cross-attention points, marked "
            f"{MARK.format('like this')}"
        )
    if missing:
        shown = ", ".join(repr(w) for w in missing)
        parts.append(f"{shown}: no place in the translation (no <unk> written)")
    return "; ".join(parts)


def copy_rate(translator, cases) -> tuple[int, list[str]]:
    """How many of `cases` (sentence, expected output words) come out with every
    unknown word copied to its expected place: (count, lines to print)."""
    right, lines = 0, []
    for sentence, expected in cases:
        translation = translator.translate([sentence])[0]
        ok = translation.words == expected.split()
        right += ok
        lines.append(f"{'✓' if ok else '✗'} {sentence}  ->  {translation.output}")
    return right, lines


# Ten typical sentences with a name or a noun the toy vocabulary lacks, and the
# expected output: the copied word in its place, the rest translated as usual.
TYPICAL = (
    ("I love pizza.", "eu amo pizza ."),
    ("Maria sleeps on the mat.", "Maria dorme no tapete ."),
    ("The cat sees Pedro.", "o gato vê Pedro ."),
    ("We live in Brasília.", "nós moramos em Brasília ."),
    ("Do you like chocolate?", "você gosta de chocolate ?"),
    ("I don't want coffee.", "eu não quero coffee ."),
    ("She goes to Recife.", "ela vai para Recife ."),
    ("Ana reads a book.", "Ana lê um livro ."),
    ("The dog is afraid of Pedro!", "o cachorro tem medo de Pedro !"),
    ("He eats pizza.", "ele come pizza ."),
)


@click.command()
@click.argument("checkpoint", default="runs/toy-translation")
def main(checkpoint):
    """Translate the ten TYPICAL sentences with the model in CHECKPOINT and count
    those whose unknown word is copied to its place (python -m
    transformer.unknown_words runs/toy-translation)."""
    from .translator import Translator

    with clear_errors():
        right, lines = copy_rate(Translator.load(checkpoint), TYPICAL)
    click.echo("\n".join(lines))
    click.echo(
        f"unknown words copied to their place in {right} of {len(TYPICAL)} "
        "typical sentences"
    )


if __name__ == "__main__":
    main()
