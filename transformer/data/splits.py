"""Train / validation / test splits that test generalisation, not memory.

The toy corpus has three test splits, each asking something else of a model:

  1. combinations ("test"): sentences holding a combination that no training
     sentence contains (a noun with one of its adjectives, a subject with one
     of its verbs, see held_out.py); validation is drawn the same way;
  2. length ("length"): sentences longer than any training sentence (most are
     two clauses joined by "and"), built of combinations that are trained;
  3. typed ("typed"): the course slides' sentences and sentences a person would
     type, with capitals, punctuation and contractions (typed.py).

No test sentence is dropped without a word: `Splits.details` says how many
held-out combinations and sentences each split really tests.

Real sentence pairs (a TSV file) are split at random instead, by source
sentence, so that no English sentence is in two splits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .grammar import Clause, Sentence, translate
from .held_out import HeldOut, choose_held_out, combinations
from .phrases import NounPhrase
from .sampling import sample_sentence
from .tokenizer import tokenize
from .typed import SLIDES, TYPED

Pair = tuple[str, str]

# The two sentences of the course slides: always in training, never held out.
SLIDE_SENTENCES = (
    Clause("i", "love", NounPhrase("book", det="", plural=True)),
    Clause(NounPhrase("cat"), "sleep", NounPhrase("mat")),
)
MAX_TRAIN_WORDS = 16  # training and splits 1 and 3 have at most this many tokens
P_UNKNOWN = 0.03  # a training noun phrase is <unk> this often (sampling.py)
TEST_SPLITS = ("test", "length", "typed")  # combinations, length, typed


@dataclass(frozen=True)
class Splits:
    """Sentence pairs (source, target) for training, validation and the test
    splits, and the rule that made them. Sentences are lower-case tokens joined
    by spaces. `details` says what each test split really tests."""

    train: list[Pair]
    valid: list[Pair]
    test: list[Pair]
    rule: str
    held_out: HeldOut | None = field(default=None, repr=False)
    length: list[Pair] = field(default_factory=list)
    typed: list[Pair] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)

    def sizes(self) -> dict[str, int]:
        """Pairs per split; the toy corpus's length and typed splits included."""
        sizes = {"train": len(self.train), "valid": len(self.valid)}
        sizes["test"] = len(self.test)
        sizes.update({name: len(getattr(self, name)) for name in ("length", "typed")
                      if getattr(self, name)})  # fmt: skip
        return sizes

    def parts(self) -> dict[str, list[Pair]]:
        """Every split that has sentences, by name: train, valid, test, and for
        the toy corpus length and typed (what `evaluate --split` offers)."""
        return {name: getattr(self, name) for name in self.sizes()}

    def part(self, name: str) -> list[Pair]:
        """The split called `name`, or a ValueError naming the ones there are."""
        parts = self.parts()
        if name not in parts:
            raise ValueError(
                f"no {name!r} split in this data; it has {', '.join(parts)} (length"
                " and typed exist for the toy corpus only)"
            )
        return parts[name]

    def describe(self) -> str:
        """Lines for the start of training: the sizes, the rule, the details."""
        sizes = ", ".join(f"{name} {n}" for name, n in self.sizes().items())
        lines = [f"pairs: {sizes}", f"split: {self.rule}"]
        return "\n".join(
            lines
            + [
                f"  {name}: {self.details[name]}"
                for name in TEST_SPLITS
                if name in self.details
            ]
        )


# ---------------------------------------------------------------- the toy corpus


def make_toy_splits(
    seed: int = 0,
    n_train: int = 60_000,
    n_valid: int = 500,
    n_test: int = 1_000,
    n_length: int | None = None,
) -> Splits:
    """The toy corpus, split so that each test split needs generalisation.

    1) choose the held-out combinations, never one of the slides' or the typed
    sentences'; 2) sample sentences: a short one without a held-out
    combination is for training (until there are `n_train`, the slide sentences
    first), one with is for validation and split 1, a longer one without is for
    split 2 (`n_length` of them, n_test // 2 by default); 3) keep for
    validation and split 1 only sentences whose words training has, and count
    those set aside. Deterministic: the same seed gives the same splits.
    """
    n_length = max(1, n_test // 2) if n_length is None else n_length
    _check_sizes(n_train=n_train, n_valid=n_valid, n_test=n_test, n_length=n_length)
    rng = random.Random(seed)
    typed = [(" ".join(tokenize(text)), sentence) for text, sentence in SLIDES + TYPED]
    held_out = choose_held_out(rng, _protected(typed))
    budget = 50 * (n_train + n_valid + n_test + n_length)  # draws before giving up
    train, held, length = _draw(rng, held_out, typed, budget,
                                (n_train, n_valid + n_test, n_length))  # fmt: skip
    evaluation, set_aside = _with_trained_words(held, train, n_valid + n_test)
    if (
        len(evaluation) < n_valid + n_test
        or len(train) < n_train
        or len(length) < n_length
    ):
        short_of_words = len(evaluation) < n_valid + n_test and set_aside
        raise ValueError(
            f"make_toy_splits: the grammar gave only {len(train)} training, "
            f"{len(evaluation)} held-out and {len(length)} long sentences in "
            f"{budget} draws; "
            + (
                f"{set_aside} held-out sentences use words that no training "
                "sentence has: ask for more training pairs or fewer test pairs"
                if short_of_words
                else "ask for fewer"
            )
        )
    valid, test = evaluation[:n_valid], evaluation[n_valid:]
    return Splits(
        train,
        [pair for _, pair in valid],
        [pair for _, pair in test],
        f"toy corpus, seed {seed}; {held_out.describe()}",
        held_out,
        [pair for _, pair in length],
        [translate(sentence) for _, sentence in typed],
        _details(held_out, test, length, typed, set_aside, train),
    )


def _draw(rng, held_out: HeldOut, typed, budget: int, sizes: tuple[int, int, int]):
    """(training pairs, (sentence, pair) for split 1, the same for split 2):
    fresh random sentences, never a typed one, the slide sentences trained."""
    seen = {}  # every source sentence drawn or reserved -> its translation
    train = [translate(c) for c in SLIDE_SENTENCES]
    seen.update(train)
    seen.update(translate(sentence) for _, sentence in typed)
    pools = _fill(_fresh_sentences(rng, seen, budget), held_out, *sizes, train)
    return train, pools["held"], pools["length"]


def _with_trained_words(held, train, n: int):
    """The first `n` held-out sentences whose words all occur in training, and
    how many were set aside before them because one of their words does not."""
    words, chosen, set_aside = _words(train), [], 0
    for sentence, pair in held:
        if len(chosen) == n:
            break
        if _covered(pair, *words):
            chosen.append((sentence, pair))
        else:
            set_aside += 1
    return chosen, set_aside


def _fill(draws, held_out: HeldOut, n_train: int, n_held: int, n_length: int, train):
    """Sort fresh sentences into training and the pools of split 1 (`held`) and
    split 2 (`length`) until each has enough. Sentences with <unk> are for
    training only; a long one with a held-out combination is no use."""
    held, length = [], []
    for sentence, pair in draws:
        long = len(pair[0].split()) > MAX_TRAIN_WORDS
        has_held = held_out.found_in(sentence)
        if "<unk>" in pair[0]:
            if not long and not has_held and len(train) < n_train:
                train.append(pair)
        elif long:
            if not has_held and len(length) < n_length:
                length.append((sentence, pair))
        elif has_held:
            if len(held) < 2 * n_held:  # some may lack a training word
                held.append((sentence, pair))
        elif len(train) < n_train:
            train.append(pair)
        if (
            len(train) >= n_train
            and len(held) >= 2 * n_held
            and len(length) >= n_length
        ):
            break
    return {"held": held, "length": length}


def _details(held_out, test, length, typed, set_aside: int, train) -> dict[str, str]:
    """One line per test split: what it really tests. Split 2 and 3 sentences
    are kept even when a word of theirs is in no training sentence; the line
    says how many there are (none, unless training is very small)."""
    sizes = [len(p[0].split()) for _, p in length] or [0]
    n_slides = len(SLIDES)
    aside = (
        f"; {set_aside} held-out sentences set aside: a word of theirs is in no "
        "training sentence"
        if set_aside
        else "; none set aside"
    )
    return {
        "test": f"{len(test)} sentences with held-out combinations; they test "
        f"{held_out.tested_by(s for s, _ in test)}{aside}",
        "length": f"{len(length)} sentences of {min(sizes)} to {max(sizes)} tokens; "
        f"training has at most {MAX_TRAIN_WORDS}{_untrained(length, train)}",
        "typed": f"{len(typed)} sentences: {n_slides} from the course slides and "
        f"{len(typed) - n_slides} typed as a person would{_untrained(typed, train)}",
    }


def _untrained(part, train) -> str:
    """ "; 3 have a word no training sentence has" (nothing when none has)."""
    words = _words(train)
    pairs = [translate(p) if isinstance(p, Sentence) else p for _, p in part]
    n = sum(not _covered(pair, *words) for pair in pairs)
    return f"; {n} have a word no training sentence has" if n else ""


def _protected(typed) -> dict[str, set]:
    """The combinations of the slide and typed sentences: never held out."""
    protected: dict[str, set] = {}
    for sentence in [*SLIDE_SENTENCES, *(s for _, s in typed)]:
        for name, found in combinations(sentence).items():
            protected.setdefault(name, set()).update(found)
    return protected


def _check_sizes(**sizes) -> None:
    for name, value in sizes.items():
        if not isinstance(value, int) or value < 1:
            raise ValueError(
                f"make_toy_splits: {name} must be a positive integer, got {value!r}"
            )


def _fresh_sentences(rng: random.Random, seen: dict[str, str], budget: int):
    """(sentence, (english, portuguese)) for random sentences whose English has
    not been drawn before, in at most `budget` draws. One English sentence
    must have one translation: a second one is a bug in the grammar."""
    for _ in range(budget):
        sentence = sample_sentence(rng, P_UNKNOWN)
        en, pt = translate(sentence)
        if en in seen:
            if seen[en] != pt:
                raise RuntimeError(
                    f"ambiguous grammar: {en!r} -> {seen[en]!r} and {pt!r}"
                )
            continue
        seen[en] = pt
        yield sentence, (en, pt)


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
        are = "sentence is" if len(sources) == 1 else "sentences are"
        raise ValueError(
            f"split_pairs: {len(sources)} distinct source {are} too few to split "
            f"into train, validation ({n_valid}) and test ({n_test}): give at least "
            f"{n_valid + n_test + 1}"
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
