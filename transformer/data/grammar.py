"""Sentence patterns of the toy grammar, written out in English and Portuguese.

A `Clause` is a subject (a pronoun, a noun phrase, or two joined by "and"), a
verb, and the verb's complement: an object or a place. The verb may be "to
be", whose complement is an adjective, a place or "friend". A clause may be
negative or a yes/no question. A `Sentence` is one clause, or two statements
joined by "and", with its final punctuation:

    i love books                          eu amo livros
    the cat sleeps on the mat.            o gato dorme no tapete.
    i do not love books                   eu não amo livros
    does the cat sleep on the mat?        o gato dorme no tapete?
    the cat and the dog sleep             o gato e o cachorro dormem
    the cat is happy!                     o gato está feliz!
    she is my friend                      ela é minha amiga
    where is the cat?                     onde está o gato?
    the cat sleeps, and the dog eats.     o gato dorme, e o cachorro come.

English "do"/"does" carries negation and questions ("the cat does not
sleep"); Portuguese puts "não" before the verb and asks with the statement's
own words and a "?", which it always writes, even when the English question
has none. Each English sentence has exactly one translation.
"""

from __future__ import annotations

from dataclasses import dataclass

from .function_words import (
    AND,
    NOT,
    THEIR_FEMININE,
    UNKNOWN,
    WHERE,
    is_possessive,
    is_role_noun,
    pronoun,
)
from .lexicon import adjective, noun, verb
from .morphology import (
    english_be,
    english_do,
    english_verb,
    portuguese_copula,
    portuguese_verb,
)
from .phrases import (
    Both,
    NounPhrase,
    Subject,
    english_np,
    gender_of,
    person_of,
    portuguese_np,
)

BE = "be"  # the verb "to be" in a Clause: ser or estar, chosen by its complement
ENDS = ("", ".", "!", "?")  # final punctuation; "" is none


@dataclass(frozen=True)
class Clause:
    """subject verb [complement], named by English words.

    verb        a lexicon verb ("love", "be afraid") or BE, "to be"
    complement  a lexicon verb's object or place (a NounPhrase, or a Both for
                an object), None when the verb stands alone ("the cat
                sleeps"); for BE: an adjective ("happy"), a place
                (NounPhrase("mat")), "friend" (NounPhrase("friend", "my")),
                or "where" (a where-question)
    negative    "does not", "is not": Portuguese "não"
    question    a yes/no question: "does the cat sleep", "is the cat happy"
    """

    subject: Subject
    verb: str
    complement: NounPhrase | Both | str | None = None
    negative: bool = False
    question: bool = False


@dataclass(frozen=True)
class Sentence:
    """One clause, or two statements joined by "and" (with a comma before it
    if `comma`), ended by `end`: "", ".", "!" or "?"."""

    clauses: tuple[Clause, ...]
    end: str = ""
    comma: bool = False

    @property
    def question(self) -> bool:
        return any(c.question for c in self.clauses)


# ---------------------------------------------------------------- writing it out


def translate(sentence: Sentence | Clause) -> tuple[str, str]:
    """The sentence in English and in Portuguese, lower-case tokens joined by
    spaces (punctuation is a token: "o gato dorme ."). A Clause is a sentence
    of one clause without punctuation.

    >>> translate(Clause("i", "love", NounPhrase("book", det="", plural=True)))
    ('i love books', 'eu amo livros')
    """
    if isinstance(sentence, Clause):
        sentence = Sentence((sentence,))
    check_sentence(sentence)
    english, portuguese = sentence_words(sentence)
    return " ".join(english), " ".join(portuguese)


def sentence_words(sentence: Sentence) -> tuple[list[str], list[str]]:
    """(English words, Portuguese words): the clauses joined by "and", then the
    final punctuation, which a Portuguese question always has."""
    english, portuguese = [], []
    for i, clause in enumerate(sentence.clauses):
        if i:
            english += [","] * sentence.comma + [AND[0]]
            portuguese += [","] * sentence.comma + [AND[1]]
        english += english_words(clause)
        portuguese += portuguese_words(clause)
    end = "?" if sentence.question else sentence.end
    return english + ([sentence.end] if sentence.end else []), portuguese + (
        [end] if end else []
    )


def english_words(clause: Clause) -> list[str]:
    """subject verb complement; "do"/"does" before the verb for a negation
    ("does not sleep") and before the subject for a question ("does the cat
    sleep"); "to be" needs no helper ("is not afraid", "is the cat happy")."""
    person = person_of(clause.subject)
    subject = _english_subject(clause.subject)
    if clause.verb == BE:
        be = english_be(person)
        if clause.complement == "where":
            return [WHERE[0], be, *subject]
        rest = _english_predicate(clause.complement)
    else:
        v = verb(clause.verb)
        head, *rest = v.en.split()  # "be afraid" -> be, [afraid]
        rest += _english_complement(v, clause.complement)
        if head == BE:
            be = english_be(person)
        elif clause.question or clause.negative:
            be, rest = english_do(person), [head, *rest]  # does ... sleep
        else:
            return subject + english_verb(v, person).split() + rest
    if clause.question:
        return [be, *subject, *rest]
    return [*subject, be, *[NOT[0]] * clause.negative, *rest]


def portuguese_words(clause: Clause) -> list[str]:
    """subject [não] verb complement; a question has the same words. A
    where-question is "onde" + estar + the subject."""
    person = person_of(clause.subject)
    subject = _portuguese_subject(clause.subject)
    negation = [NOT[1]] * clause.negative
    feminine_plural = person == "3pl" and gender_of(clause.subject) == "f"
    their = THEIR_FEMININE if feminine_plural else "deles"  # "their": the subject's
    if clause.verb == BE:
        if clause.complement == "where":
            return [WHERE[1], portuguese_copula("estar", person), *subject]
        copula, predicate = _portuguese_predicate(clause, their)
        return [*subject, *negation, portuguese_copula(copula, person), *predicate]
    v = verb(clause.verb)
    words = [*subject, *negation, *portuguese_verb(v, person).split()]
    if clause.complement is not None:
        words += portuguese_np(clause.complement, v.pt_prep, their=their)
    return words


def _english_subject(subject: Subject) -> list[str]:
    return [subject] if isinstance(subject, str) else english_np(subject)


def _portuguese_subject(subject: Subject) -> list[str]:
    if isinstance(subject, str):
        return [pronoun(subject).pt]
    return portuguese_np(subject)


def _english_complement(v, complement) -> list[str]:
    """[preposition] object-or-place: "on the mat", "about the cats"."""
    if complement is None:
        return []
    prep = v.en_prep  # "think about", "go to"; else a place brings its own
    if prep is None and v.frame == "place":
        prep = _at(complement)  # "on the mat", "at the school"
    return ([prep] if prep else []) + english_np(complement)


def _english_predicate(complement) -> list[str]:
    """After "to be": an adjective, "friend", or a place with its preposition."""
    if isinstance(complement, str):
        return [adjective(complement).en]
    if is_role_noun(complement.noun):
        return english_np(complement)
    return [_at(complement), *english_np(complement)]


def _portuguese_predicate(clause: Clause, their: str) -> tuple[str, list[str]]:
    """("ser" or "estar", the words after it): estar + em for a place, ser for
    "friend", the adjective's own verb for an adjective; both agree with the
    subject."""
    complement, gender = clause.complement, gender_of(clause.subject)
    plural = person_of(clause.subject) in ("1pl", "3pl")
    if isinstance(complement, str):
        a = adjective(complement)
        slot = 2 * plural + (gender == "f")  # an invariable one if gender is None
        return a.be, [a.pt[slot]]
    if is_role_noun(complement.noun):  # "their friend" is never the subject's own
        return "ser", portuguese_np(complement, predicate_gender=gender)
    return "estar", portuguese_np(complement, "em", their=their)


def _at(phrase: NounPhrase) -> str:
    """The English preposition for being at a place: on the mat, at the school."""
    if isinstance(phrase, Both):
        raise ValueError("a place is one noun phrase, not two joined by 'and'")
    if phrase.noun == UNKNOWN:
        return "in"  # the name of a place: "in Brasília"
    at = noun(phrase.noun).at
    if at is None:
        raise ValueError(
            f"{phrase.noun!r} is not a place: it has no 'in/on/at' in the lexicon"
        )
    return at


# ---------------------------------------------------------------- checking


def check_sentence(sentence: Sentence) -> None:
    """Grammar errors in a hand-built sentence, named (meaning is not checked)."""
    n = len(sentence.clauses)
    if n not in (1, 2):
        raise ValueError(f"a sentence has one clause or two joined by 'and', not {n}")
    if sentence.end not in ENDS:
        raise ValueError(f"final punctuation {sentence.end!r}: expected one of {ENDS}")
    if sentence.comma and n == 1:
        raise ValueError("the comma goes before the 'and' of two clauses; there is one")
    if sentence.question and (n == 2 or sentence.end not in ("", "?")):
        raise ValueError("a question is one clause, ended by '?' or nothing")
    if n == 2 and not sentence.comma and ambiguous_join(*sentence.clauses):
        raise ValueError(
            "two clauses whose 'and' could also join two noun phrases ('i see the "
            "cat and the dog and the bird sleep'): write a comma before it"
        )
    for clause in sentence.clauses:
        check_clause(clause)


def ambiguous_join(first: Clause, second: Clause) -> bool:
    """Could the "and" between the clauses be read as joining noun phrases?
    It could when the first ends with a noun phrase, the second starts with
    one, and one of them is already two joined by "and": "i see [the cat and
    the dog] and [the bird sleeps]" or "i see [the cat] and [the dog and the
    bird sleep]". A comma before "and" settles it."""
    ends_with_np = isinstance(first.complement, NounPhrase | Both)
    return (
        ends_with_np
        and not isinstance(second.subject, str)
        and (isinstance(first.complement, Both) or isinstance(second.subject, Both))
    )


def check_clause(clause: Clause) -> None:
    if clause.negative and clause.question:
        raise ValueError("negative questions ('does the cat not sleep?') are not here")
    if isinstance(clause.subject, str):
        pronoun(clause.subject)
    for phrase in _phrases(clause.subject):
        _check_noun_phrase(phrase)
        if phrase.det == "" and phrase.noun != UNKNOWN:  # a name needs none
            raise ValueError("a subject needs a determiner ('the cats', not 'cats')")
    if clause.verb == BE:
        _check_be(clause)
    else:
        _check_verb(clause)


def _check_verb(clause: Clause) -> None:
    v, complement = verb(clause.verb), clause.complement
    if complement is None:
        if not v.alone:
            raise ValueError(f"verb {v.en!r} needs a complement (an object or a place)")
        return
    if isinstance(complement, str):
        raise ValueError(f"verb {v.en!r} takes a noun phrase, not {complement!r}")
    if isinstance(complement, Both) and v.frame != "object":
        raise ValueError(f"verb {v.en!r} takes one place, not two joined by 'and'")
    for phrase in _phrases(complement):
        _check_noun_phrase(phrase)
    if v.frame == "place" and v.en_prep is None:
        _at(complement)  # a place: the mat, not the book


def _check_be(clause: Clause) -> None:
    """To be + adjective, place, "friend" or "where" (see function_words.py)."""
    complement, subject = clause.complement, clause.subject
    if complement == "where":
        if not clause.question or isinstance(subject, str):
            raise ValueError("'where' asks where a noun phrase is: 'where is the cat?'")
    elif isinstance(complement, str):
        a = adjective(complement)
        if a.be is None:
            raise ValueError(f"{a.en!r} is not used after 'to be' (see the lexicon)")
        if gender_of(subject) is None and not a.invariable:
            raise ValueError(
                f"{a.en!r} after {subject!r}: {a.pt[0]} or {a.pt[1]}? The English "
                "does not say; these subjects take adjectives with one form"
            )
    elif not isinstance(complement, NounPhrase):
        raise ValueError("'to be' needs an adjective, a place or 'friend'")
    elif is_role_noun(complement.noun):
        _check_role(complement, subject)
    else:
        _check_noun_phrase(complement)
        _at(complement)


def _check_role(phrase: NounPhrase, subject: Subject) -> None:
    """ "she is my friend": a gender to agree with, the subject's number, and
    "a", a possessive or (plural) nothing before it."""
    if gender_of(subject) is None:
        raise ValueError(
            f"{phrase.noun!r} after {subject!r}: amigo or amiga? The English does not"
            " say; use he, she, they or a noun"
        )
    if phrase.plural != (person_of(subject) in ("1pl", "3pl")):
        raise ValueError(f"{phrase.noun!r} agrees in number with the subject")
    det_ok = is_possessive(phrase.det) or phrase.det == ("" if phrase.plural else "a")
    if not det_ok or phrase.adjectives:
        raise ValueError(f"after 'to be', {phrase.noun!r} takes 'a' or a possessive")


def _check_noun_phrase(phrase: NounPhrase) -> None:
    det = phrase.det
    if is_role_noun(phrase.noun):
        raise ValueError(f"{phrase.noun!r} only follows 'to be' ('she is my friend')")
    if det not in ("the", "a", "", "an") and not is_possessive(det):
        raise ValueError(f"determiner {det!r}: expected 'the', 'a', '' or a possessive")
    _check_adjectives(phrase)
    if phrase.noun == UNKNOWN:
        if phrase.plural:
            raise ValueError("an unknown word is singular here")
        return
    n = noun(phrase.noun)
    if det == "an":
        raise ValueError(f"'an' is written by the grammar ('a' + {n.en!r})")
    if n.mass and (phrase.plural or det == "a"):
        raise ValueError(f"{n.en!r} is uncountable: no plural and no 'a'")
    if det == "a" and (phrase.plural or not n.has_a):
        raise ValueError(f"'a' needs a singular countable noun, not {phrase}")
    if det == "" and not (phrase.plural or n.mass):
        raise ValueError(f"a bare singular {n.en!r} needs 'the' or 'a'")


def _check_adjectives(phrase: NounPhrase) -> None:
    """At most two; of two, the second a colour and the first a size, an age or
    an opinion other than "good" (see the lexicon's conventions)."""
    found = [adjective(a) for a in phrase.adjectives]
    if len(found) > 2:
        raise ValueError(f"at most two adjectives, not {len(found)}: {phrase}")
    if len(found) == 2:
        first, second = found
        if second.order != "colour" or first.order not in ("size", "age", "opinion"):
            raise ValueError(
                f"two adjectives: a size, age or opinion, then a colour ('big red'),"
                f" not {first.en!r} {second.en!r}"
            )
        if first.en == "good":
            raise ValueError("'good' takes no second adjective (bom goes first)")


def _phrases(part) -> tuple[NounPhrase, ...]:
    """The noun phrases of a subject or complement (none for a pronoun or an
    adjective)."""
    if isinstance(part, Both):
        return part.phrases
    return (part,) if isinstance(part, NounPhrase) else ()
