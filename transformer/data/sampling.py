"""Random sentences of the toy grammar that make sense.

A verb's subject and object come from the kinds of nouns the lexicon allows it
(cats sleep, people read books), an adjective describes only the nouns it
selects, and "to be" is followed by an adjective the subject can have, a place
it can be in, or "friend". The probabilities below say how often each choice
is made; `sample_sentence` draws a whole sentence, `sample_clause` one clause.

With `p_unknown` > 0 a noun phrase is now and then a word the vocabulary does
not know, written <unk> on both sides ("i love <unk>" -> "eu amo <unk>"): a
name or a noun, so that the model learns to put <unk> where the source has
one and the translator can copy the word there (see transformer/unknown_words.py).
"""

from __future__ import annotations

import random
from dataclasses import replace
from functools import cache

from .function_words import PRONOUNS, UNKNOWN, pronoun
from .grammar import BE, Clause, Sentence, ambiguous_join
from .lexicon import ADJECTIVES, NOUNS, VERBS, Noun, adjective, noun, selects
from .phrases import Both, NounPhrase, Subject

# ---------------------------------------------------------------- how often

P_TWO_CLAUSES = 0.2  # "the cat sleeps and the dog eats"
P_COMMA = 0.3  # "the cat sleeps, and the dog eats"
P_QUESTION = 0.15  # "does the cat sleep?" (a sentence of one clause)
P_WHERE = 0.03  # "where is the cat?"
P_NEGATIVE = 0.2  # "the cat does not sleep"
P_BE = 0.25  # "to be" rather than a lexicon verb
BE_COMPLEMENTS = {"adjective": 0.5, "place": 0.3, "friend": 0.2}
STATEMENT_ENDS = {"": 0.4, ".": 0.45, "!": 0.1, "?": 0.05}  # "?": said as a question
QUESTION_ENDS = {"?": 0.85, "": 0.15}
P_PRONOUN_SUBJECT = 0.35
P_BOTH = 0.1  # two noun phrases joined by "and", as a subject or an object
P_VERB_ALONE = 0.25  # "the cat sleeps", when the verb allows it
P_ADJECTIVE = 0.3
P_TWO_ADJECTIVES = 0.25  # of the noun phrases with an adjective, when two fit
P_POSSESSIVE = 0.15  # "my cat", for the nouns one owns (POSSESSED)
# Bare nouns (no determiner) are objects only; a place is singular; an
# uncountable noun has no "a" and no plural.
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
UNKNOWN_DETERMINERS = {  # "" is a name: "maria sleeps", "i live in brasília"
    "subject": {"": 0.6, "the": 0.3, "a": 0.05, "an": 0.05},
    "object": {"": 0.5, "the": 0.3, "a": 0.1, "an": 0.1},
    "place": {"": 0.8, "the": 0.2},
}
POSSESSED = "animal thing furniture food drink +house +garden +school +city " \
    "+country +child -lion -wolf -animal"  # fmt: skip
PLACES = " ".join(f"+{n.en}" for n in NOUNS if n.at)  # where "to be" puts things
BEINGS = "person animal thing furniture food"  # what can be somewhere, or "where"
FRIENDS = "person animal"  # what can be a friend


@cache
def nouns_for(selector: str) -> tuple[Noun, ...]:
    """The nouns a selector takes, in lexicon order."""
    return tuple(n for n in NOUNS if selects(selector, n))


@cache
def adjectives_for(noun_en: str) -> tuple[str, ...]:
    """The adjectives that can describe the noun, in lexicon order."""
    n = noun(noun_en)
    return tuple(a.en for a in ADJECTIVES if selects(a.describes, n))


@cache
def adjective_pairs_for(noun_en: str) -> tuple[tuple[str, str], ...]:
    """The two-adjective sequences that can describe the noun ("big", "red")."""
    fit = [adjective(a) for a in adjectives_for(noun_en)]
    return tuple(
        (a.en, b.en)
        for a in fit
        for b in fit
        if a.order in ("size", "age", "opinion") and a.en != "good"
        and b.order == "colour"
    )  # fmt: skip


# ---------------------------------------------------------------- sentences


def sample_sentence(rng: random.Random, p_unknown: float = 0.0) -> Sentence:
    """A statement of one or two clauses, a yes/no question, or a where-question,
    with its final punctuation."""
    r = rng.random()
    if r < P_TWO_CLAUSES:
        first, comma = sample_clause(rng, p_unknown=p_unknown), rng.random() < P_COMMA
        second = sample_clause(rng, p_unknown=p_unknown)
        while second.subject == first.subject or (  # "eu ... e eu ...": say it once
            not comma and ambiguous_join(first, second)
        ):
            second = sample_clause(rng, p_unknown=p_unknown)
        return Sentence((first, second), _choose(rng, STATEMENT_ENDS), comma)
    if r < P_TWO_CLAUSES + P_QUESTION:
        clause = sample_clause(rng, question=True, p_unknown=p_unknown)
        return Sentence((clause,), _choose(rng, QUESTION_ENDS))
    if r < P_TWO_CLAUSES + P_QUESTION + P_WHERE:  # "where is the cat", not "a cat"
        subject = _sample_subject(rng, BEINGS, p_unknown, pronouns=False)
        clause = Clause(_definite(subject), BE, "where", question=True)
        return Sentence((clause,), _choose(rng, QUESTION_ENDS))
    return Sentence((sample_clause(rng, p_unknown=p_unknown),),
                    _choose(rng, STATEMENT_ENDS))  # fmt: skip


def sample_clause(
    rng: random.Random, question: bool = False, p_unknown: float = 0.0
) -> Clause:
    """A random clause: "to be" or a lexicon verb with a subject it allows and
    its complement; a statement is sometimes negative."""
    negative = not question and rng.random() < P_NEGATIVE
    if rng.random() < P_BE:
        return _sample_be_clause(rng, negative, question, p_unknown)
    return _sample_verb_clause(rng, negative, question, p_unknown)


def _sample_verb_clause(rng, negative, question, p_unknown) -> Clause:
    """1) a verb, 2) a subject it allows, 3) its object or place, or none."""
    v = rng.choice(VERBS)
    subject = _sample_subject(rng, v.subjects, p_unknown)
    if v.alone and rng.random() < P_VERB_ALONE:
        return Clause(subject, v.en, None, negative, question)
    if v.frame == "object" and rng.random() < P_BOTH:
        complement = _sample_both(rng, v.objects, "object", p_unknown)
    else:
        role = "place" if v.frame == "place" else "object"
        complement = _sample_np(rng, v.objects, role, p_unknown)
    return Clause(subject, v.en, complement, negative, question)


def _sample_be_clause(rng, negative, question, p_unknown) -> Clause:
    """To be + an adjective the subject can have (one with a single form when
    the subject does not say its gender), a place, or "friend"."""
    kind = _choose(rng, BE_COMPLEMENTS)
    if kind == "place":
        subject = _sample_subject(rng, BEINGS, p_unknown)
        place = _sample_np(rng, PLACES, "place", p_unknown)
        while isinstance(subject, NounPhrase) and subject.noun == place.noun:
            place = _sample_np(rng, PLACES, "place", p_unknown)
        return Clause(subject, BE, place, negative, question)
    if kind == "friend":
        subject = _sample_subject(rng, FRIENDS, 0.0, gendered=True)
        plural = isinstance(subject, Both) or _plural(subject)
        det = rng.choice(("my", "your", "his", "her", "our", "their", "a"))
        det = "" if det == "a" and plural else det
        return Clause(
            subject, BE, NounPhrase("friend", det, plural), negative, question
        )
    a = rng.choice([a for a in ADJECTIVES if a.be is not None])
    subject = _sample_subject(
        rng, a.be_with or a.describes, p_unknown, gendered=not a.invariable
    )
    # "the old wolf is old", "the red ball is blue": no adjective of its kind
    subject = _without(subject, lambda b: adjective(b).order == a.order)
    return Clause(subject, BE, a.en, negative, question)


# ---------------------------------------------------------------- noun phrases


def _sample_subject(
    rng, selector: str, p_unknown: float, pronouns=True, gendered=False
) -> Subject:
    """A pronoun (if the selector takes persons), two noun phrases joined by
    "and", or one. `gendered`: only subjects whose gender is known."""
    people = [p.en for p in PRONOUNS if not gendered or p.gender is not None]
    if pronouns and "person" in selector.split() and rng.random() < P_PRONOUN_SUBJECT:
        return rng.choice(people)
    if gendered:
        p_unknown = 0.0  # an unknown word says no gender
    if rng.random() < P_BOTH:
        return _sample_both(rng, selector, "subject", p_unknown)
    return _sample_np(rng, selector, "subject", p_unknown)


def _sample_both(rng, selector: str, role: str, p_unknown: float) -> Both:
    """Two noun phrases with different nouns, joined by "and"."""
    first = _sample_np(rng, selector, role, p_unknown)
    second = _sample_np(rng, selector, role, p_unknown)
    while second.noun == first.noun:
        second = _sample_np(rng, selector, role, p_unknown)
    return Both(first, second)


def _sample_np(rng, selector: str, role: str, p_unknown: float = 0.0) -> NounPhrase:
    """A noun the selector takes, with a determiner for its role (subject,
    object, place), sometimes a possessive, and sometimes one or two
    adjectives that can describe it."""
    if rng.random() < p_unknown:
        return _sample_unknown(rng, role)
    n = rng.choice(nouns_for(selector))
    determiners = MASS_DETERMINERS[role] if n.mass else DETERMINERS[role]
    if not n.has_a:
        determiners = {k: p for k, p in determiners.items() if k[0] != "a"}
    det, plural = _choose(rng, determiners)
    if role != "place" and selects(POSSESSED, n) and rng.random() < P_POSSESSIVE:
        det = rng.choice(("my", "your", "his", "her", "our", "their"))
    return NounPhrase(n.en, det, plural, _sample_adjectives(rng, n.en))


def _sample_adjectives(rng, noun_en: str) -> str | tuple[str, str] | None:
    single, pairs = adjectives_for(noun_en), adjective_pairs_for(noun_en)
    if not single or rng.random() >= P_ADJECTIVE:
        return None
    if pairs and rng.random() < P_TWO_ADJECTIVES:
        return rng.choice(pairs)
    return rng.choice(single)


def _sample_unknown(rng, role: str) -> NounPhrase:
    """A word the vocabulary lacks: a name (no determiner) or a noun."""
    return NounPhrase(UNKNOWN, _choose(rng, UNKNOWN_DETERMINERS[role]))


def _definite(subject: Subject) -> Subject:
    """The subject with "the" for "a"."""
    if isinstance(subject, Both):
        return Both(_definite(subject.first), _definite(subject.second))
    if isinstance(subject, NounPhrase) and subject.det in ("a", "an"):
        return replace(subject, det="the")
    return subject


def _without(subject: Subject, drop) -> Subject:
    """The subject without the adjectives for which drop(adjective) is true."""
    if isinstance(subject, Both):
        return Both(_without(subject.first, drop), _without(subject.second, drop))
    if not isinstance(subject, NounPhrase) or not subject.adjectives:
        return subject
    kept = tuple(a for a in subject.adjectives if not drop(a))
    kept = None if not kept else kept[0] if len(kept) == 1 else kept
    return replace(subject, adjective=kept)


def _plural(subject: Subject) -> bool:
    if isinstance(subject, str):
        return pronoun(subject).person in ("1pl", "3pl")
    return isinstance(subject, Both) or subject.plural


def _choose(rng, weights: dict):
    """One key of `weights`, drawn with its probability."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]
