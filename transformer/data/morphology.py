"""Word forms: which form of a word a sentence needs, in English and Portuguese.

English: the third person singular adds -s ("he reads", "she watches", "it
carries"), "to be" has am / are / is, and "a" becomes "an" before a vowel.
Portuguese: the article agrees with its noun in gender and number (o, a, os, as,
um, uma), the adjective too (gato preto, gatas pretas), the verb with its subject
(eu durmo, nós dormimos), and "em" and "de" fuse with a following definite
article (em + o = no, de + as = das).

Persons are named 1sg (I), 2sg (you), 3sg (he, she, the cat), 1pl (we) and
3pl (they, the cats).
"""

from __future__ import annotations

from .function_words import BE_ENGLISH, COPULAS, DO, Possessive
from .lexicon import Adjective, Noun, Verb

PERSONS = ("1sg", "2sg", "3sg", "1pl", "3pl")

# ---------------------------------------------------------------- English

_ES_ENDINGS = ("s", "sh", "ch", "x", "z", "o")  # wash -> washes, go -> goes
_VOWELS = "aeiou"


def third_person(base: str) -> str:
    """The he/she form of an English verb, conjugating the first word only:
    read -> reads, watch -> watches, carry -> carries, have -> has, be -> is,
    "be afraid" -> "is afraid"."""
    head, *rest = base.split()
    if head == "have":
        head = "has"
    elif head == "be":
        head = "is"
    elif head.endswith(_ES_ENDINGS):
        head = head + "es"
    elif head.endswith("y") and head[-2] not in _VOWELS:
        head = head[:-1] + "ies"  # carry -> carries, but play -> plays
    else:
        head = head + "s"
    return " ".join([head, *rest])


def english_verb(verb: Verb, person: str) -> str:
    """The English present tense of `verb` for `person` (without its
    preposition): "love" -> "loves" (3sg); "be afraid" -> "am afraid" (1sg),
    "are afraid" (2sg, 1pl, 3pl)."""
    _check_person(person)
    if person == "3sg":
        return third_person(verb.en)
    head, *rest = verb.en.split()
    if head == "be":
        head = "am" if person == "1sg" else "are"
    return " ".join([head, *rest])


def english_be(person: str) -> str:
    """am (I), is (he, she, a singular noun), are (you, we, they, plurals)."""
    _check_person(person)
    return BE_ENGLISH[person]


def english_do(person: str) -> str:
    """The helper verb of negation and questions: "does" for he/she, else
    "do" ("the cat does not sleep", "do you love books")."""
    _check_person(person)
    return DO.get(person, "do")


def indefinite_article(next_word: str) -> str:
    """ "an" before a vowel, "a" before a consonant. English goes by sound, not
    spelling ("a university", "an hour"); the lexicon has no word where the two
    disagree, and a test keeps it so."""
    return "an" if next_word[0] in _VOWELS else "a"


# ---------------------------------------------------------------- Portuguese

DEFINITE = {("m", False): "o", ("f", False): "a", ("m", True): "os", ("f", True): "as"}
INDEFINITE = {("m", False): "um", ("f", False): "uma"}  # plural: a bare noun instead

# em + article and de + article are always written as one word (with the
# definite article only; "em um", "de uma" stay apart in the written standard).
CONTRACTIONS = {
    ("em", "o"): "no",
    ("em", "a"): "na",
    ("em", "os"): "nos",
    ("em", "as"): "nas",
    ("de", "o"): "do",
    ("de", "a"): "da",
    ("de", "os"): "dos",
    ("de", "as"): "das",
}

# The four verb forms of the lexicon are for eu, você/ele/ela, nós, eles.
_PT_VERB_SLOT = {"1sg": 0, "2sg": 1, "3sg": 1, "1pl": 2, "3pl": 3}


def portuguese_article(gender: str, determiner: str, plural: bool) -> str | None:
    """The article that agrees with a noun of `gender` ("m" or "f"): "the" ->
    o/a/os/as, "a" -> um/uma, "" (a bare plural or mass noun) -> None."""
    if determiner == "the":
        return DEFINITE[gender, plural]
    if determiner == "a":
        return INDEFINITE[gender, plural]
    return None


def with_preposition(preposition: str | None, article: str | None) -> list[str]:
    """The words for preposition + article, contracted where Portuguese fuses
    them: ("em", "o") -> ["no"], ("de", "uma") -> ["de", "uma"],
    ("para", "a") -> ["para", "a"], (None, "os") -> ["os"]."""
    if (preposition, article) in CONTRACTIONS:
        return [CONTRACTIONS[preposition, article]]
    return [word for word in (preposition, article) if word is not None]


def portuguese_noun(noun: Noun, plural: bool) -> str:
    return noun.pt_plural if plural else noun.pt


def portuguese_adjective(adjective: Adjective, gender: str, plural: bool) -> str:
    """The form agreeing with a noun of `gender` ("m" or "f") and number:
    (ms, fs, mp, fp) -> index 2 * plural + feminine."""
    return adjective.pt[2 * plural + (gender == "f")]


def portuguese_verb(verb: Verb, person: str) -> str:
    """The present-tense form for `person`; "you" (você) takes the he/she form."""
    _check_person(person)
    return verb.pt[_PT_VERB_SLOT[person]]


def portuguese_copula(copula: str, person: str) -> str:
    """The present tense of "ser" or "estar" for `person`: (ser, 3pl) -> são."""
    _check_person(person)
    return COPULAS[copula][_PT_VERB_SLOT[person]]


def portuguese_possessive(owner: Possessive, gender: str, plural: bool) -> str:
    """The form agreeing with the possessed noun: (my, "f", True) -> minhas;
    dele, dela and deles have one form."""
    return owner.pt[2 * plural + (gender == "f")]


def _check_person(person: str) -> None:
    if person not in PERSONS:
        raise ValueError(f"unknown person {person!r}; expected one of {PERSONS}")
