"""The combinations held out of training, so that a test needs generalisation.

For every noun one adjective it never meets in training ("red" with "ball",
said as "the red ball" or "the ball is red"), for every subject one verb
("she" with "read"), for every noun one owns one possessive ("my" with
"cat"), for every first adjective of two one colour ("big red"), and a few
verbs never negated and a few never asked about in training. Each word of a
held-out combination is still trained in other company, so a model can get it
right only by combining what it knows: "the red ball" -> "a bola vermelha"
from "the red box" and "the blue ball".

One rule keeps the test honest: a combination is held out only if every
Portuguese word it needs also comes with other combinations. ("i", "read")
never is: "leio" is said by "i" only, so a model could not know it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, fields

from .function_words import POSSESSIVES, PRONOUNS, UNKNOWN, is_possessive, is_role_noun
from .grammar import BE, Clause, Sentence
from .lexicon import NOUNS, VERBS, adjective, noun, selects
from .phrases import Both, NounPhrase, person_of
from .sampling import POSSESSED, adjective_pairs_for, adjectives_for, nouns_for

N_VERBS_HELD = 3  # verbs never negated in training, and as many never questioned
_SLOT = {"1sg": 0, "2sg": 1, "3sg": 1, "1pl": 2, "3pl": 3}  # the lexicon's forms
_NAMES = {  # field -> how describe() names its combinations
    "noun_adjective": "noun-adjective pairs",
    "subject_verb": "subject-verb pairs",
    "possessive_noun": "possessive-noun pairs",
    "adjective_pairs": "adjective pairs",
    "negated_verbs": "verbs never negated",
    "questioned_verbs": "verbs never in a question",
}


@dataclass(frozen=True)
class HeldOut:
    """The combinations that no training sentence contains, by kind."""

    noun_adjective: frozenset[tuple[str, str]]  # (noun, adjective)
    subject_verb: frozenset[tuple[str, str]]  # (pronoun or noun, verb)
    possessive_noun: frozenset[tuple[str, str]] = frozenset()  # (my, noun)
    adjective_pairs: frozenset[tuple[str, str]] = frozenset()  # (big, red)
    negated_verbs: frozenset[str] = frozenset()
    questioned_verbs: frozenset[str] = frozenset()

    def found(self, sentence: Sentence | Clause) -> dict[str, set]:
        """The held-out combinations in the sentence, by kind (empty sets too)."""
        present = combinations(sentence)
        return {f.name: present[f.name] & getattr(self, f.name) for f in fields(self)}

    def found_in(self, sentence: Sentence | Clause) -> bool:
        """Does the sentence contain at least one held-out combination?"""
        return any(self.found(sentence).values())

    def describe(self) -> str:
        counts = ", ".join(
            f"{len(getattr(self, name))} {what}" for name, what in _NAMES.items()
        )
        noun_, adj = sorted(self.noun_adjective)[0]
        subject, verb_ = sorted(self.subject_verb)[0]
        return (
            f'held out of training: {counts} (e.g. "{adj} {noun_}", "{subject}" '
            f'with "{verb_}"); every validation and combination-test sentence '
            "contains at least one of them, no training sentence does"
        )

    def tested_by(self, sentences: Iterable[Sentence]) -> str:
        """How many of the held-out combinations the sentences really contain:
        "43 of 43 noun-adjective pairs, 17 of 17 subject-verb pairs, ..."."""
        seen = {f.name: set() for f in fields(self)}
        for sentence in sentences:
            for name, found in self.found(sentence).items():
                seen[name] |= found
        return ", ".join(
            f"{len(seen[name])} of {len(getattr(self, name))} {what}"
            for name, what in _NAMES.items()
        )


# ---------------------------------------------------------------- reading a sentence


def combinations(sentence: Sentence | Clause) -> dict[str, set]:
    """Every combination of each kind the sentence contains (unknown words and
    "friend" take part in none)."""
    found = {f.name: set() for f in fields(HeldOut)}
    clauses = sentence.clauses if isinstance(sentence, Sentence) else (sentence,)
    for clause in clauses:
        subjects = _phrases(clause.subject)
        for phrase in subjects + _phrases(clause.complement):
            adjectives = phrase.adjectives
            found["noun_adjective"] |= {(phrase.noun, a) for a in adjectives}
            if len(adjectives) == 2:
                found["adjective_pairs"].add(adjectives)
            if is_possessive(phrase.det):
                found["possessive_noun"].add((phrase.det, phrase.noun))
        if clause.verb == BE:
            if isinstance(clause.complement, str) and clause.complement != "where":
                found["noun_adjective"] |= {
                    (p.noun, clause.complement) for p in subjects
                }
            continue
        heads = [clause.subject] if isinstance(clause.subject, str) else subjects
        found["subject_verb"] |= {(_head(h), clause.verb) for h in heads}
        if clause.negative:
            found["negated_verbs"].add(clause.verb)
        if clause.question:
            found["questioned_verbs"].add(clause.verb)
    return found


def _phrases(part) -> list[NounPhrase]:
    """The noun phrases of a subject or a complement that hold a lexicon noun."""
    phrases = part.phrases if isinstance(part, Both) else (part,)
    return [
        p for p in phrases
        if isinstance(p, NounPhrase) and p.noun != UNKNOWN and not is_role_noun(p.noun)
    ]  # fmt: skip


def _head(subject) -> str:
    return subject if isinstance(subject, str) else subject.noun


# ---------------------------------------------------------------- choosing them


def choose_held_out(rng: random.Random, protected: dict[str, set]) -> HeldOut:
    """One adjective per noun, one verb per subject, one possessive per owned
    noun, one colour per first adjective, and N_VERBS_HELD verbs twice over,
    drawn at random, never a `protected` combination (those of the sentences
    that must be trained or tested as they are) and never one whose
    Portuguese forms no other combination says."""
    held = {f.name: set() for f in fields(HeldOut)}
    for n in NOUNS:
        _hold_one(rng, held, protected, "noun_adjective",
                  [(n.en, a) for a in adjectives_for(n.en)])  # fmt: skip
        if selects(POSSESSED, n):
            _hold_one(rng, held, protected, "possessive_noun",
                      [(p.en, n.en) for p in POSSESSIVES])  # fmt: skip
    for subject, verbs in verbs_by_subject().items():
        _hold_one(rng, held, protected, "subject_verb", [(subject, v) for v in verbs])
    for first in sorted({a for n in NOUNS for a, _ in adjective_pairs_for(n.en)}):
        pairs = {p for n in NOUNS for p in adjective_pairs_for(n.en) if p[0] == first}
        _hold_one(rng, held, protected, "adjective_pairs", sorted(pairs))
    verbs = [v.en for v in VERBS]
    rng.shuffle(verbs)
    for name in ("negated_verbs", "questioned_verbs"):
        chosen = [v for v in verbs if v not in protected[name]][:N_VERBS_HELD]
        held[name] = set(chosen)
        verbs = [v for v in verbs if v not in chosen]
    return HeldOut(**{name: frozenset(found) for name, found in held.items()})


def _hold_one(rng, held, protected, name: str, options: list) -> None:
    """Hold out one of `options` for kind `name`: one that is not protected
    and whose forms other combinations still say, if at least one other option
    stays in training."""
    allowed = [o for o in options if o not in protected[name]]
    allowed = [o for o in allowed if _said_elsewhere(name, o, held[name] | {o})]
    if allowed and len(options) >= 2:
        held[name].add(rng.choice(allowed))


def _said_elsewhere(name: str, combination, held: set) -> bool:
    """Does every Portuguese form that `combination` needs also come with a
    combination that is not in `held`? Three kinds need forms of their own: a
    verb's form for its subject ("leio" for "i"), and an adjective's or a
    possessive's form for the noun's gender and number ("minhas")."""
    if name == "subject_verb":
        subject, v = combination
        others = [s for s, verbs in verbs_by_subject().items()
                  if v in verbs and (s, v) not in held]  # fmt: skip
        return all(any(slot in _slots(s) for s in others) for slot in _slots(subject))
    if name == "noun_adjective":
        noun_en, word = combination
        others = [(m, (m.en, word)) for m in nouns_for(adjective(word).describes)]
    elif name == "possessive_noun":
        word, noun_en = combination
        others = [(m, (word, m.en)) for m in nouns_for(POSSESSED)]
    else:
        return True  # adjective pairs and verbs use forms said elsewhere anyway
    n = noun(noun_en)  # a countable noun needs a countable one: both numbers
    return any(
        m.gender == n.gender and (n.mass or not m.mass) and other not in held
        for m, other in others
    )


def _slots(subject: str) -> set[int]:
    """The verb forms a subject needs: a pronoun's one; a noun's singular
    and plural."""
    if subject in {p.en for p in PRONOUNS}:
        return {_SLOT[person_of(subject)]}
    return {1} if noun(subject).mass else {1, 3}


def verbs_by_subject() -> dict[str, list[str]]:
    """Every possible subject (pronouns, then nouns) -> the verbs it can take."""
    table = {
        p.en: [v.en for v in VERBS if "person" in v.subjects.split()] for p in PRONOUNS
    }
    for v in VERBS:
        for n in nouns_for(v.subjects):
            table.setdefault(n.en, []).append(v.en)
    return table
