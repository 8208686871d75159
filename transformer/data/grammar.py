"""Sentence patterns of the toy grammar, written out in English and Portuguese.

A sentence is a `Clause`: a subject (a pronoun or a noun phrase), a verb, and
the verb's complement, which is an object or a place:

    i love books                       eu amo livros
    the cat sleeps on the mat          o gato dorme no tapete
    the happy girls read a new book    as meninas felizes leem um livro novo
    we are afraid of the big dogs      nós temos medo dos cachorros grandes

English puts the adjective before the noun, Portuguese after it; everything
else keeps its order, so each English sentence has exactly one translation.
`sample_clause` draws a random sensible clause: a verb's subject and object
come from the kinds of nouns the lexicon allows it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from .lexicon import (
    ADJECTIVES,
    NOUNS,
    PRONOUNS,
    VERBS,
    Noun,
    adjective,
    noun,
    pronoun,
    selects,
    verb,
)
from .morphology import (
    english_verb,
    indefinite_article,
    portuguese_adjective,
    portuguese_article,
    portuguese_noun,
    portuguese_verb,
    with_preposition,
)


@dataclass(frozen=True)
class NounPhrase:
    """determiner (adjective) noun, named by English words.

    det is "the", "a", or "" for no determiner: a bare plural ("books") or a
    mass noun ("water").
    """

    noun: str
    det: str = "the"
    plural: bool = False
    adjective: str | None = None


@dataclass(frozen=True)
class Clause:
    """subject verb [complement]: the subject is a pronoun ("i") or a noun
    phrase, the complement the verb's object or its place (None: "the cat
    sleeps")."""

    subject: str | NounPhrase
    verb: str
    complement: NounPhrase | None = None

    def noun_adjective_pairs(self) -> list[tuple[str, str]]:
        """(noun, adjective) for every noun phrase with an adjective."""
        phrases = (self.subject, self.complement)
        return [
            (p.noun, p.adjective)
            for p in phrases
            if isinstance(p, NounPhrase) and p.adjective is not None
        ]

    def subject_verb_pair(self) -> tuple[str, str]:
        """(subject, verb): the pronoun or the subject's noun, and the verb."""
        head = (
            self.subject.noun if isinstance(self.subject, NounPhrase) else self.subject
        )
        return head, self.verb


# ---------------------------------------------------------------- writing a clause out


def translate(clause: Clause) -> tuple[str, str]:
    """The clause in English and in Portuguese, lower-case words joined by spaces.

    >>> translate(Clause("i", "love", NounPhrase("book", det="", plural=True)))
    ('i love books', 'eu amo livros')
    """
    _check_clause(clause)
    return " ".join(english_words(clause)), " ".join(portuguese_words(clause))


def english_words(clause: Clause) -> list[str]:
    """subject, verb agreeing with it, [preposition] complement."""
    v = verb(clause.verb)
    person = _person(clause.subject)
    words = _english_subject(clause.subject) + english_verb(v, person).split()
    if clause.complement is not None:
        prep = v.en_prep  # "think about", "go to"; else a place brings its own
        if prep is None and v.frame == "place":
            prep = _at(clause.complement)  # "on the mat", "at the school"
        words += ([prep] if prep else []) + _english_np(clause.complement)
    return words


def portuguese_words(clause: Clause) -> list[str]:
    """subject, verb agreeing with it, complement after its preposition
    (contracted with the article: "no tapete", "das chaves")."""
    v = verb(clause.verb)
    words = _portuguese_subject(clause.subject)
    words += portuguese_verb(v, _person(clause.subject)).split()
    if clause.complement is not None:
        words += _portuguese_np(clause.complement, v.pt_prep)
    return words


def _english_subject(subject: str | NounPhrase) -> list[str]:
    return _english_np(subject) if isinstance(subject, NounPhrase) else [subject]


def _portuguese_subject(subject: str | NounPhrase) -> list[str]:
    if isinstance(subject, NounPhrase):
        return _portuguese_np(subject, None)
    return [pronoun(subject).pt]


def _english_np(phrase: NounPhrase) -> list[str]:
    """(the | a | an) (adjective) noun-or-plural; adjective before the noun."""
    n = noun(phrase.noun)
    words = [adjective(phrase.adjective).en] if phrase.adjective else []
    words.append(n.en_plural if phrase.plural else n.en)
    if phrase.det == "a":
        return [indefinite_article(words[0]), *words]
    return [phrase.det, *words] if phrase.det else words


def _portuguese_np(phrase: NounPhrase, preposition: str | None) -> list[str]:
    """(preposition + article, contracted) noun (adjective); the article and the
    adjective agree with the noun in gender and number."""
    n = noun(phrase.noun)
    article = portuguese_article(n, phrase.det, phrase.plural)
    words = with_preposition(preposition, article)
    words.append(portuguese_noun(n, phrase.plural))
    if phrase.adjective:
        words.append(
            portuguese_adjective(adjective(phrase.adjective), n.gender, phrase.plural)
        )
    return words


def _person(subject: str | NounPhrase) -> str:
    if isinstance(subject, NounPhrase):
        return "3pl" if subject.plural else "3sg"
    return pronoun(subject).person


def _at(phrase: NounPhrase) -> str:
    """The English preposition for being at a place: on the mat, at the school."""
    at = noun(phrase.noun).at
    if at is None:
        raise ValueError(
            f"{phrase.noun!r} is not a place: it has no 'in/on/at' in the lexicon"
        )
    return at


def _check_clause(clause: Clause) -> None:
    """Grammar errors in a hand-built clause, named (meaning is not checked)."""
    v = verb(clause.verb)
    if clause.complement is None and not v.alone:
        raise ValueError(f"verb {v.en!r} needs a complement (an object or a place)")
    for phrase in (clause.subject, clause.complement):
        if isinstance(phrase, NounPhrase):
            _check_noun_phrase(phrase)
    if isinstance(clause.subject, NounPhrase) and clause.subject.det == "":
        raise ValueError("a subject needs a determiner ('the cats', not 'cats')")


def _check_noun_phrase(phrase: NounPhrase) -> None:
    n = noun(phrase.noun)
    if phrase.det not in ("the", "a", ""):
        raise ValueError(f"determiner {phrase.det!r}: expected 'the', 'a' or ''")
    if n.mass and (phrase.plural or phrase.det == "a"):
        raise ValueError(f"{n.en!r} is uncountable: no plural and no 'a'")
    if phrase.det == "a" and (phrase.plural or not n.has_a):
        raise ValueError(f"'a' needs a singular countable noun, not {phrase}")
    if phrase.det == "" and not (phrase.plural or n.mass):
        raise ValueError(f"a bare singular {n.en!r} needs 'the' or 'a'")


# ---------------------------------------------------------------- random clauses

# How often each choice is made when sampling. Bare nouns (no determiner) are
# objects only; a place is singular; an uncountable noun has no "a" and no plural.
P_PRONOUN_SUBJECT = 0.4
P_ADJECTIVE = 0.3
P_VERB_ALONE = 0.25  # "the cat sleeps", when the verb allows it
DETERMINERS = {  # role -> {(determiner, plural): probability}
    "subject": {("the", False): 0.45, ("a", False): 0.2, ("the", True): 0.35},
    "object": {
        ("the", False): 0.35,
        ("a", False): 0.25,
        ("the", True): 0.2,
        ("", True): 0.2,
    },
    "place": {("the", False): 0.8, ("a", False): 0.2},
}
MASS_DETERMINERS = {
    "subject": {("the", False): 1.0},
    "object": {("the", False): 0.5, ("", False): 0.5},
    "place": {("the", False): 1.0},
}


@cache
def nouns_for(selector: str) -> tuple[Noun, ...]:
    """The nouns a selector takes, in lexicon order."""
    return tuple(n for n in NOUNS if selects(selector, n))


@cache
def adjectives_for(noun_en: str) -> tuple[str, ...]:
    """The adjectives that can describe the noun, in lexicon order."""
    n = noun(noun_en)
    return tuple(a.en for a in ADJECTIVES if selects(a.describes, n))


def sample_clause(rng: random.Random) -> Clause:
    """A random clause: 1) a verb, 2) a subject it allows, 3) its object or
    place, or none ("the cat sleeps")."""
    v = rng.choice(VERBS)
    use_pronoun = "person" in v.subjects.split() and rng.random() < P_PRONOUN_SUBJECT
    if use_pronoun:
        subject = rng.choice(PRONOUNS).en
    else:
        subject = _sample_np(rng, nouns_for(v.subjects), "subject")
    if v.alone and not use_pronoun and rng.random() < P_VERB_ALONE:
        return Clause(subject, v.en)  # at least three words: "the cat sleeps"
    role = "place" if v.frame == "place" else "object"
    return Clause(subject, v.en, _sample_np(rng, nouns_for(v.objects), role))


def _sample_np(rng: random.Random, candidates, role: str) -> NounPhrase:
    """A noun from `candidates` with a determiner for its role (subject, object,
    place) and, sometimes, an adjective that can describe it."""
    n = rng.choice(candidates)
    determiners = MASS_DETERMINERS[role] if n.mass else DETERMINERS[role]
    if not n.has_a:
        determiners = {k: p for k, p in determiners.items() if k[0] != "a"}
    choices = list(determiners)
    det, plural = rng.choices(choices, weights=[determiners[c] for c in choices])[0]
    adjectives = adjectives_for(n.en)
    adj = rng.choice(adjectives) if adjectives and rng.random() < P_ADJECTIVE else None
    return NounPhrase(n.en, det, plural, adj)
