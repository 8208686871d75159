"""The closed-class words of the toy grammar: pronouns, possessives, the verb
"to be" (ser and estar), and the noun that only follows it ("friend").

Choices made once for the whole corpus (lexicon.py lists the others), so that
every English sentence has exactly one Brazilian Portuguese translation:
  - "you" is always "você" (3rd-person verb form), "they" always "eles";
  - possessives: my -> meu, minha, meus, minhas; your -> seu, sua, seus, suas
    (the possessive of "você"); our -> nosso, nossa, nossos, nossas: before the
    noun, agreeing with it (not with the owner). his -> dele, her -> dela,
    their -> deles: after the noun and its adjectives, "his red ball" -> "a
    bola vermelha dele". "their" in an object or a place is read as the
    subject's when the subject is feminine plural, as a Brazilian reads it:
    "as meninas amam os gatos delas"; everywhere else (also "their friends",
    who are someone else's) it is "deles", as "they" is "eles";
  - the article before a possessive, which Brazilian Portuguese may use or
    leave out, is always used in a subject, an object and after a preposition
    ("o meu gato dorme na minha cama"), and never after "ser" ("ela é minha
    amiga", "ele é amigo dela"): there the article would single one friend
    out among several;
  - "to be" is ser for what the subject is (a noun: "ela é minha amiga") and
    for qualities it has in itself: size, age, colour, beauty, price ("a
    bola é vermelha"); it is estar for a state the subject is in: happy, sad,
    tired, clean, cold ("o gato está feliz"), and for where it is ("o gato
    está no tapete"). Each adjective names its verb in the lexicon;
  - after "to be" the adjective and "friend" agree with the subject. "I",
    "you" and "we" do not say whether they are a man or a woman, so they take
    only adjectives with one form for both (feliz, triste, grande, jovem ...)
    and are never "friends" (amigo or amiga?). Two nouns joined by "and" are
    feminine if both are, else masculine: "o gato e a menina estão cansados".
"""

from __future__ import annotations

from dataclasses import dataclass

from .word_table import WordTable

# ---------------------------------------------------------------- pronouns


@dataclass(frozen=True)
class Pronoun:
    """A subject pronoun; `person` is one of 1sg 2sg 3sg 1pl 3pl; `gender` is
    "m" or "f" when the pronoun says it (he, she; they by convention), else
    None."""

    en: str
    pt: str
    person: str
    gender: str | None = None


PRONOUNS = (
    Pronoun("i", "eu", "1sg"),
    Pronoun("you", "você", "2sg"),  # by choice: never "tu", never plural "vocês"
    Pronoun("he", "ele", "3sg", "m"),
    Pronoun("she", "ela", "3sg", "f"),
    Pronoun("we", "nós", "1pl"),
    Pronoun("they", "eles", "3pl", "m"),  # by choice: never "elas"
)

# ---------------------------------------------------------------- possessives


@dataclass(frozen=True)
class Possessive:
    """A possessive determiner. `pt` holds the forms agreeing with the noun
    (masculine singular, feminine singular, masculine plural, feminine plural)
    when the possessive comes before it, or one form for all when it comes
    after the noun (`after`): "o livro dele"."""

    en: str
    pt: tuple[str, str, str, str]
    after: bool = False


POSSESSIVES = (
    Possessive("my", ("meu", "minha", "meus", "minhas")),
    Possessive("your", ("seu", "sua", "seus", "suas")),
    Possessive("his", ("dele",) * 4, after=True),
    Possessive("her", ("dela",) * 4, after=True),
    Possessive("our", ("nosso", "nossa", "nossos", "nossas")),
    Possessive("their", ("deles",) * 4, after=True),  # delas: see THEIR_FEMININE
)
THEIR_FEMININE = "delas"  # "their" after a feminine plural subject

# ---------------------------------------------------------------- "to be"

# English: am (I), is (he, she, it, a singular noun), are (the others)
BE_ENGLISH = {"1sg": "am", "2sg": "are", "3sg": "is", "1pl": "are", "3pl": "are"}
# Portuguese forms for (eu, você/ele/ela, nós, eles), as the lexicon's verbs
COPULAS = {
    "ser": ("sou", "é", "somos", "são"),
    "estar": ("estou", "está", "estamos", "estão"),
}

# ---------------------------------------------------------------- "friend"


@dataclass(frozen=True)
class RoleNoun:
    """A noun that says what the subject is, after "to be": its gender is the
    subject's, so it has four forms like an adjective."""

    en: str
    en_plural: str
    pt: tuple[str, str, str, str]


ROLE_NOUNS = (RoleNoun("friend", "friends", ("amigo", "amiga", "amigos", "amigas")),)

# ---------------------------------------------------------------- small words

NOT = ("not", "não")
AND = ("and", "e")
WHERE = ("where", "onde")
DO = {"3sg": "does"}  # the English helper of negation and questions; else "do"
UNKNOWN = "<unk>"  # a word the vocabulary does not know (a name, "pizza")


_PRONOUN = WordTable("pronoun", PRONOUNS)
_POSSESSIVE = WordTable("possessive", POSSESSIVES)
_ROLE_NOUN = WordTable("role noun", ROLE_NOUNS)


def pronoun(en: str) -> Pronoun:
    """The subject pronoun `en` (i, you, he, she, we, they)."""
    return _PRONOUN[en]


def possessive(en: str) -> Possessive:
    """The possessive `en` (my, your, his, her, our, their)."""
    return _POSSESSIVE[en]


def role_noun(en: str) -> RoleNoun:
    """The noun `en` that only follows "to be" (friend)."""
    return _ROLE_NOUN[en]


def is_possessive(word: str) -> bool:
    return word in _POSSESSIVE


def is_role_noun(word: str) -> bool:
    return word in _ROLE_NOUN
