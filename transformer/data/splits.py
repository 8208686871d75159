"""Train / validation / test splits that test generalisation, not memory.

The toy corpus holds whole combinations out of training: for every noun one
adjective it never meets in training ("red" with "ball", say), and for every
subject one verb it never does ("she" with "read"). Each of those words is
still trained in other company: "red" with other nouns, "ball" with other
adjectives, "she" with other verbs. Validation and test sentences each contain
at least one held-out combination; training sentences contain none. So a model
scores well on the test only if it has learnt to combine what it knows:
"the red ball" -> "a bola vermelha" from "the red box", "the blue ball".

Real sentence pairs (a TSV file) are split at random instead, by source
sentence, so that no English sentence is in two splits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .grammar import (
    Clause,
    NounPhrase,
    adjectives_for,
    nouns_for,
    sample_clause,
    translate,
)
from .lexicon import NOUNS, PRONOUNS, VERBS

Pair = tuple[str, str]

# The two sentences of the course slides: always in training, never held out.
SLIDE_SENTENCES = (
    Clause("i", "love", NounPhrase("book", det="", plural=True)),
    Clause(NounPhrase("cat"), "sleep", NounPhrase("mat")),
)


@dataclass(frozen=True)
class HeldOut:
    """The combinations that no training sentence contains."""

    noun_adjective: frozenset[tuple[str, str]]
    subject_verb: frozenset[tuple[str, str]]

    def found_in(self, clause: Clause) -> bool:
        """Does the clause contain at least one held-out combination?"""
        return clause.subject_verb_pair() in self.subject_verb or any(
            pair in self.noun_adjective for pair in clause.noun_adjective_pairs()
        )

    def describe(self) -> str:
        noun, adj = sorted(self.noun_adjective)[0]
        subject, verb = sorted(self.subject_verb)[0]
        return (
            f"held out of training: {len(self.noun_adjective)} noun-adjective pairs "
            f'(one adjective per noun, e.g. "{adj} {noun}") and '
            f"{len(self.subject_verb)} subject-verb pairs (one verb per subject, "
            f'e.g. "{subject}" with "{verb}"); every validation and test sentence '
            "contains at least one of them, no training sentence does"
        )


@dataclass(frozen=True)
class Splits:
    """Sentence pairs (source, target) for training, validation and test, and
    the rule that made them. Sentences are lower-case words joined by spaces."""

    train: list[Pair]
    valid: list[Pair]
    test: list[Pair]
    rule: str
    held_out: HeldOut | None = field(default=None, repr=False)

    def sizes(self) -> dict[str, int]:
        return {
            "train": len(self.train),
            "valid": len(self.valid),
            "test": len(self.test),
        }

    def describe(self) -> str:
        """Two lines for the start of training: the sizes and the rule."""
        sizes = ", ".join(f"{name} {n}" for name, n in self.sizes().items())
        return f"pairs: {sizes}\nsplit: {self.rule}"


# ---------------------------------------------------------------- the toy corpus


def choose_held_out(rng: random.Random) -> HeldOut:
    """One adjective per noun and one verb per subject (pronoun or noun), drawn
    at random, never a combination of the slide sentences."""
    protected = {c.subject_verb_pair() for c in SLIDE_SENTENCES}
    protected |= {p for c in SLIDE_SENTENCES for p in c.noun_adjective_pairs()}
    noun_adjective = set()
    for n in NOUNS:
        options = [
            (n.en, a) for a in adjectives_for(n.en) if (n.en, a) not in protected
        ]
        if len(options) >= 2:  # the noun must keep an adjective for training
            noun_adjective.add(rng.choice(options))
    subject_verb = set()
    for subject, verbs in _verbs_by_subject().items():
        options = [(subject, v) for v in verbs if (subject, v) not in protected]
        if len(options) >= 2:
            subject_verb.add(rng.choice(options))
    return HeldOut(frozenset(noun_adjective), frozenset(subject_verb))


def make_toy_splits(
    seed: int = 0, n_train: int = 60_000, n_valid: int = 500, n_test: int = 1_000
) -> Splits:
    """The toy corpus, split so that the test needs generalisation.

    1) choose the held-out combinations; 2) sample clauses until `n_train`
    distinct sentences without any of them are found (the slide sentences
    first); 3) keep sampling until `n_valid + n_test` distinct sentences that
    contain one and use only words seen in training are found. Deterministic:
    the same seed gives the same splits.
    """
    for name, value in (("n_train", n_train), ("n_valid", n_valid), ("n_test", n_test)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(
                f"make_toy_splits: {name} must be a positive integer, got {value!r}"
            )
    rng = random.Random(seed)
    held_out = choose_held_out(rng)
    seen: dict[str, str] = {}  # every source sentence drawn so far -> its translation
    train = [translate(c) for c in SLIDE_SENTENCES]
    seen.update(train)
    budget = 50 * (n_train + n_valid + n_test)  # random draws before giving up
    clauses = _fresh_clauses(rng, seen, budget)
    pool = []
    for clause, pair in clauses:
        if len(train) >= n_train:
            break
        (pool if held_out.found_in(clause) else train).append(pair)
    src_words, tgt_words = _words(train)
    evaluation = [p for p in pool if _covered(p, src_words, tgt_words)]
    for clause, pair in clauses:
        if len(evaluation) >= n_valid + n_test:
            break
        if held_out.found_in(clause) and _covered(pair, src_words, tgt_words):
            evaluation.append(pair)
    if len(train) < n_train or len(evaluation) < n_valid + n_test:
        raise ValueError(
            f"make_toy_splits: the grammar gave only {len(train)} training and "
            f"{len(evaluation)} held-out sentences in {budget} draws; ask for fewer"
        )
    valid, test = evaluation[:n_valid], evaluation[n_valid : n_valid + n_test]
    return Splits(
        train[:n_train],
        valid,
        test,
        f"toy corpus, seed {seed}; {held_out.describe()}",
        held_out,
    )


def _fresh_clauses(rng: random.Random, seen: dict[str, str], budget: int):
    """(clause, (english, portuguese)) for random clauses whose English sentence
    has not been drawn before, in at most `budget` draws. One English sentence
    must have one translation: a second one is a bug in the grammar."""
    for _ in range(budget):
        clause = sample_clause(rng)
        en, pt = translate(clause)
        if en in seen:
            if seen[en] != pt:
                raise RuntimeError(
                    f"ambiguous grammar: {en!r} -> {seen[en]!r} and {pt!r}"
                )
            continue
        seen[en] = pt
        yield clause, (en, pt)


def _verbs_by_subject() -> dict[str, list[str]]:
    """Every possible subject (pronouns, then nouns) -> the verbs it can take."""
    table = {
        p.en: [v.en for v in VERBS if "person" in v.subjects.split()] for p in PRONOUNS
    }
    for v in VERBS:
        for n in nouns_for(v.subjects):
            table.setdefault(n.en, []).append(v.en)
    return table


def _words(pairs: list[Pair]) -> tuple[set[str], set[str]]:
    src = {w for s, _ in pairs for w in s.split()}
    tgt = {w for _, t in pairs for w in t.split()}
    return src, tgt


def _covered(pair: Pair, src_words: set[str], tgt_words: set[str]) -> bool:
    return set(pair[0].split()) <= src_words and set(pair[1].split()) <= tgt_words


# ---------------------------------------------------------------- real pairs


def split_pairs(
    pairs: list[Pair],
    seed: int = 0,
    valid_fraction: float = 0.05,
    test_fraction: float = 0.05,
) -> Splits:
    """A random split of real pairs, by source sentence: all the translations of
    one English sentence go to the same split. Duplicate pairs are dropped.
    Validation and test get at least one sentence each."""
    for name, frac in (
        ("valid_fraction", valid_fraction),
        ("test_fraction", test_fraction),
    ):
        if not 0.0 < frac < 1.0:
            raise ValueError(f"split_pairs: {name} must be between 0 and 1, got {frac}")
    groups: dict[str, list[Pair]] = {}
    for pair in dict.fromkeys(pairs):  # drops duplicates, keeps the order
        groups.setdefault(pair[0], []).append(pair)
    sources = list(groups)
    n_valid = max(1, round(valid_fraction * len(sources)))
    n_test = max(1, round(test_fraction * len(sources)))
    if len(sources) < n_valid + n_test + 1:
        raise ValueError(
            f"split_pairs: {len(sources)} distinct source sentences are too few to "
            f"split into train, validation ({n_valid}) and test ({n_test})"
        )
    random.Random(seed).shuffle(sources)
    test, valid = sources[:n_test], sources[n_test : n_test + n_valid]
    train = sources[n_test + n_valid :]

    def gather(chosen):
        return [pair for source in chosen for pair in groups[source]]

    rule = (
        f"random split by source sentence (seed {seed}): "
        f"{valid_fraction:.0%} validation, {test_fraction:.0%} test"
    )
    return Splits(gather(train), gather(valid), gather(test), rule)
