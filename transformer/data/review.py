"""Random pairs of each construction of the toy grammar, for a reader to check.

    python -m transformer.data.review            # 50 pairs per construction
    python -m transformer.data.review --n 20 --seed 3 negation

A native speaker reads every pair: is the Portuguese what a Brazilian teacher
would write for the English? Each construction is found by what the sentence
contains, so the pairs are drawn exactly as the corpus draws them.
"""

from __future__ import annotations

import random

import click

from .function_words import is_possessive
from .grammar import BE, Sentence, translate
from .phrases import Both, NounPhrase
from .sampling import sample_sentence


def _phrases(sentence: Sentence) -> list[NounPhrase]:
    found = []
    for clause in sentence.clauses:
        for part in (clause.subject, clause.complement):
            parts = part.phrases if isinstance(part, Both) else (part,)
            found += [p for p in parts if isinstance(p, NounPhrase)]
    return found


def _be(sentence: Sentence, kind) -> bool:
    return any(c.verb == BE and kind(c.complement) for c in sentence.clauses)


CONSTRUCTIONS = {  # name -> does the sentence show it?
    "punctuation": lambda s: s.end != "" or s.comma,
    "negation": lambda s: any(c.negative for c in s.clauses),
    "yes/no question": lambda s: s.question and s.clauses[0].complement != "where",
    "where": lambda s: s.clauses[0].complement == "where",
    "and: subject": lambda s: any(isinstance(c.subject, Both) for c in s.clauses),
    "and: object": lambda s: any(isinstance(c.complement, Both) for c in s.clauses),
    "and: clauses": lambda s: len(s.clauses) == 2,
    "possessive": lambda s: any(is_possessive(p.det) for p in _phrases(s)),
    "to be + adjective": lambda s: _be(
        s, lambda c: isinstance(c, str) and c != "where"
    ),
    "to be + place": lambda s: _be(
        s, lambda c: isinstance(c, NounPhrase) and c.noun != "friend"
    ),
    "to be + friend": lambda s: _be(
        s, lambda c: isinstance(c, NounPhrase) and c.noun == "friend"
    ),
    "two adjectives": lambda s: any(len(p.adjectives) == 2 for p in _phrases(s)),
    "unknown word": lambda s: any(p.noun == "<unk>" for p in _phrases(s)),
}


def review_pairs(name: str, n: int, seed: int) -> list[tuple[str, str]]:
    """`n` distinct random pairs of the construction `name`."""
    if name not in CONSTRUCTIONS:
        raise ValueError(
            f"unknown construction {name!r}; choose from {', '.join(CONSTRUCTIONS)}"
        )
    rng, pairs = random.Random(seed), {}
    for _ in range(200_000):
        sentence = sample_sentence(rng, p_unknown=0.05)
        if CONSTRUCTIONS[name](sentence):
            english, portuguese = translate(sentence)
            pairs[english] = portuguese
            if len(pairs) == n:
                break
    return list(pairs.items())


@click.command()
@click.argument("names", nargs=-1)
@click.option("--n", default=50, show_default=True, help="Pairs per construction.")
@click.option("--seed", default=0, show_default=True, help="Random seed.")
def main(names, n, seed):
    """Print N random pairs of each construction NAMES (all by default)."""
    for name in names or CONSTRUCTIONS:
        click.echo(f"== {name}")
        for english, portuguese in review_pairs(name, n, seed):
            click.echo(f"  {english}\n    {portuguese}")


if __name__ == "__main__":
    main()
