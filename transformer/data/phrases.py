"""Noun phrases of the toy grammar, written out in English and Portuguese.

A noun phrase is a determiner, up to two adjectives and a noun. English puts
the adjectives before the noun, Portuguese after it, in the mirror order:

    the big red ball       a bola vermelha grande
    my old cats            os meus gatos velhos
    his new book           o livro novo dele
    books                  livros
    the <unk>              o <unk>        (a word the vocabulary lacks)

Two noun phrases joined by "and" are a `Both`: "the cat and the dog" -> "o
gato e o cachorro"; a preposition is repeated before each of them, contracted
with its article: "no gato e no cachorro", "de livros e de maçãs".
"""

from __future__ import annotations

from dataclasses import dataclass

from .function_words import (
    AND,
    UNKNOWN,
    is_possessive,
    is_role_noun,
    possessive,
    pronoun,
    role_noun,
)
from .lexicon import adjective, noun
from .morphology import (
    indefinite_article,
    portuguese_adjective,
    portuguese_article,
    portuguese_noun,
    portuguese_possessive,
    with_preposition,
)

# The gender given to a word the vocabulary does not know: the masculine, the
# form Portuguese uses when it does not know better.
UNKNOWN_GENDER = "m"


@dataclass(frozen=True)
class NounPhrase:
    """determiner (adjectives) noun, named by English words.

    noun       a lexicon noun, "friend" (after "to be" only), or UNKNOWN
    det        "the", "a", "" (no determiner: a bare plural "books", a mass
               noun "water", a name), or a possessive: my your his her our
               their. "an" only before UNKNOWN: the word it hides decides
    plural     the plural noun ("the cats")
    adjective  None, one adjective ("big"), or two in English order
               (("big", "red")): the second a colour
    """

    noun: str
    det: str = "the"
    plural: bool = False
    adjective: str | tuple[str, ...] | None = None

    @property
    def adjectives(self) -> tuple[str, ...]:
        """The adjectives in English order, () for none."""
        if self.adjective is None:
            return ()
        return (self.adjective,) if isinstance(self.adjective, str) else self.adjective


@dataclass(frozen=True)
class Both:
    """Two noun phrases joined by "and": plural, whatever their numbers."""

    first: NounPhrase
    second: NounPhrase

    @property
    def phrases(self) -> tuple[NounPhrase, NounPhrase]:
        return self.first, self.second


Subject = str | NounPhrase | Both  # a pronoun ("i"), a noun phrase, or two


# ---------------------------------------------------------------- person and gender


def person_of(subject: Subject) -> str:
    """The person the verb agrees with: a pronoun's own, 3sg for a singular
    noun phrase, 3pl for a plural one and for two joined by "and"."""
    if isinstance(subject, str):
        return pronoun(subject).person
    if isinstance(subject, Both) or subject.plural:
        return "3pl"
    return "3sg"


def gender_of(subject: Subject) -> str | None:
    """The Portuguese gender an adjective after "to be" agrees with: the noun's
    or the pronoun's; two nouns joined by "and" are feminine when both are;
    None when nothing says it (i, you, we, an unknown word)."""
    if isinstance(subject, str):
        return pronoun(subject).gender
    if isinstance(subject, Both):
        genders = {gender_of(p) for p in subject.phrases}
        return None if None in genders else ("f" if genders == {"f"} else "m")
    if subject.noun == UNKNOWN:
        return None
    return noun(subject.noun).gender


def _noun_gender(phrase: NounPhrase) -> str:
    return UNKNOWN_GENDER if phrase.noun == UNKNOWN else noun(phrase.noun).gender


# ---------------------------------------------------------------- English


def english_np(phrase: NounPhrase | Both) -> list[str]:
    """(determiner) (adjectives) noun; two phrases joined by "and"."""
    if isinstance(phrase, Both):
        return [*english_np(phrase.first), AND[0], *english_np(phrase.second)]
    words = [adjective(a).en for a in phrase.adjectives]
    words.append(_english_noun(phrase))
    if phrase.det == "a" or (phrase.det == "an" and phrase.adjectives):
        return [indefinite_article(words[0]), *words]
    return [phrase.det, *words] if phrase.det else words


def _english_noun(phrase: NounPhrase) -> str:
    if phrase.noun == UNKNOWN:
        return UNKNOWN
    if is_role_noun(phrase.noun):
        role = role_noun(phrase.noun)
        return role.en_plural if phrase.plural else role.en
    n = noun(phrase.noun)
    return n.en_plural if phrase.plural else n.en


# ---------------------------------------------------------------- Portuguese


def portuguese_np(
    phrase: NounPhrase | Both,
    preposition: str | None = None,
    predicate_gender: str | None = None,
    their: str = "deles",
) -> list[str]:
    """[preposition + article] [possessive] noun [adjectives] [dele/dela/deles].

    The article, a possessive before the noun and the adjectives agree with
    the noun in gender and number. After "ser" (`predicate_gender` given: the
    subject's gender, which "friend" takes) a possessive has no article.
    `their` is the word for "their": "delas" after a feminine plural subject."""
    if isinstance(phrase, Both):
        first = portuguese_np(phrase.first, preposition, predicate_gender, their)
        second = portuguese_np(phrase.second, preposition, predicate_gender, their)
        return [*first, AND[1], *second]
    gender = predicate_gender or _noun_gender(phrase)
    owner = possessive(phrase.det) if is_possessive(phrase.det) else None
    article = _article(phrase, gender, owner, predicate_gender is not None)
    words = with_preposition(preposition, article)
    if owner is not None and not owner.after:
        words.append(portuguese_possessive(owner, gender, phrase.plural))
    words.append(_portuguese_noun(phrase, gender))
    for en in reversed(phrase.adjectives):  # mirror order: the colour first
        words.append(portuguese_adjective(adjective(en), gender, phrase.plural))
    if owner is not None and owner.after:
        words.append(their if owner.en == "their" else owner.pt[0])
    return words


def _article(phrase: NounPhrase, gender: str, owner, predicate: bool) -> str | None:
    """o/a/os/as for "the" and for a possessive (not after "ser"); um/uma for
    "a" and "an"; none for a bare noun."""
    det = "the" if owner is not None and not predicate else phrase.det
    if det not in ("the", "a", "an"):
        return None
    return portuguese_article(gender, "a" if det == "an" else det, phrase.plural)


def _portuguese_noun(phrase: NounPhrase, gender: str) -> str:
    if phrase.noun == UNKNOWN:
        return UNKNOWN
    if is_role_noun(phrase.noun):
        return role_noun(phrase.noun).pt[2 * phrase.plural + (gender == "f")]
    return portuguese_noun(noun(phrase.noun), phrase.plural)
