"""Checkers for generated sentences, written from the rules of the two languages,
not from transformer/data/grammar.py, phrases.py or morphology.py.

Each one parses a sentence back with a small backtracking parser (every way
the words can be read) and lists what is wrong with it; an empty list means
the sentence has exactly one reading and it obeys the rules. They know the
words (from the lexicon tables, whose forms test_toy_lexicon.py checks against
spelling rules) but not how the generator puts them together.

Portuguese rules checked:
  - the article agrees with its noun in gender and number (o gato, as casas);
  - em / de + definite article are contracted (no, na, do, das): "em o" is wrong;
  - adjectives (one or two) agree with the noun; a possessive before the noun
    agrees with it (minhas chaves) and has an article except after "ser";
  - a noun without an article is plural, uncountable, or <unk>;
  - the verb agrees with the subject's person and number (two nouns joined by
    "e" are plural); "não" comes right before the verb;
  - "ser" before a quality and "amigo", "estar" before a state and a place;
    the adjective or "amigo" after them agrees with the subject;
  - a where-question is "onde" + estar + subject; a sentence ends in . ! ? or
    nothing.
English rules checked: "a" before a consonant and "an" before a vowel, only
with a singular noun; -s on the verb exactly when the subject is he, she or a
singular noun; do/does/am/is/are agree; "not" after the helper; questions
start with the helper.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from transformer.data.lexicon import ADJECTIVES, NOUNS, VERBS

UNK = "<unk>"
ENDS = {".", "!", "?"}

# ---------------------------------------------------------------- English words

EN_PRONOUNS = {"i": "1sg", "you": "2sg", "he": "3sg", "she": "3sg", "we": "1pl",
               "they": "3pl"}  # fmt: skip
EN_POSSESSIVES = {"my", "your", "his", "her", "our", "their"}
EN_NOUNS = {n.en: (n.en, "sg") for n in NOUNS} | {
    n.en_plural: (n.en, "pl") for n in NOUNS if not n.mass
}
EN_NOUNS |= {"friend": ("friend", "sg"), "friends": ("friend", "pl"), UNK: (UNK, "sg")}
EN_MASS = {n.en for n in NOUNS if n.mass}
EN_ADJECTIVES = {a.en for a in ADJECTIVES}
EN_VERB_BASES = {v.en: v for v in VERBS if not v.en.startswith("be ")}
EN_BE = {"am": "1sg", "is": "3sg", "are": "are"}  # "are": 2sg and every plural
EN_PREPOSITIONS = {"about", "of", "to", "from", "in", "on", "at"}


@dataclass
class Reading:
    """One way to read a sentence: its clauses and the combinations in it."""

    clauses: list = field(default_factory=list)  # (subject heads, verb, neg, question)
    noun_adjective: set = field(default_factory=set)
    possessive_noun: set = field(default_factory=set)
    adjective_pairs: set = field(default_factory=set)
    problems: list = field(default_factory=list)

    def merge(self, other: Reading) -> Reading:
        return Reading(
            self.clauses + other.clauses,
            self.noun_adjective | other.noun_adjective,
            self.possessive_noun | other.possessive_noun,
            self.adjective_pairs | other.adjective_pairs,
            self.problems + other.problems,
        )

    def key(self):
        return (repr(self.clauses), repr(sorted(self.noun_adjective)),
                repr(sorted(self.possessive_noun)), repr(sorted(self.adjective_pairs)))  # fmt: skip


def _en_np(w, i):
    """Every (reading, person, noun, next index) of a noun phrase at w[i]."""
    det = w[i] if i < len(w) and w[i] in {"the", "a", "an", *EN_POSSESSIVES} else ""
    j = i + bool(det)
    adjs = []
    while j < len(w) and w[j] in EN_ADJECTIVES and len(adjs) < 2:
        adjs.append(w[j])
        j += 1
    if j >= len(w) or w[j] not in EN_NOUNS:
        return
    noun, number = EN_NOUNS[w[j]]
    r = Reading()
    if det in ("a", "an"):
        following = (adjs or [w[j]])[0]
        if number != "sg" or noun in EN_MASS:
            r.problems.append(f"{det!r} before {w[j]!r}")
        if following != UNK and (det == "an") != (following[0] in "aeiou"):
            r.problems.append(f"{det!r} before {following!r}")
    if det == "" and number == "sg" and noun not in EN_MASS and noun != UNK:
        r.problems.append(f"bare singular {w[j]!r}")
    if noun not in ("friend", UNK):
        r.noun_adjective |= {(noun, a) for a in adjs}
        if det in EN_POSSESSIVES:
            r.possessive_noun.add((det, noun))
    if len(adjs) == 2:
        r.adjective_pairs.add(tuple(adjs))
    yield r, "3sg" if number == "sg" else "3pl", noun, det, j + 1


def _en_subject(w, i):
    """(reading, person, heads, next) of a pronoun, a noun phrase or two."""
    if i < len(w) and w[i] in EN_PRONOUNS:
        yield Reading(), EN_PRONOUNS[w[i]], [w[i]], [], i + 1
        return
    for r, person, noun, det, j in _en_np(w, i):
        if noun == "friend":
            continue
        if det == "" and noun != UNK:
            r.problems.append("a subject without a determiner")
        yield r, person, [noun], [noun], j
        if j < len(w) and w[j] == "and":
            for r2, _, noun2, _det2, k in _en_np(w, j + 1):
                if noun2 != "friend":
                    yield r.merge(r2), "3pl", [noun, noun2], [noun, noun2], k


def _en_objects(w, i):
    """One or two noun phrases (or nothing) after a verb or preposition."""
    yield Reading(), [], i
    for r, _, noun, _, j in _en_np(w, i):
        if noun == "friend":
            continue
        yield r, [noun], j
        if j < len(w) and w[j] == "and":
            for r2, _, noun2, _, k in _en_np(w, j + 1):
                if noun2 != "friend":
                    yield r.merge(r2), [noun, noun2], k


def _en_after_be(w, i, person, subject_nouns):
    """adjective | afraid of NP | preposition place | friend NP."""
    if i < len(w) and w[i] in EN_ADJECTIVES:
        yield Reading(noun_adjective={(n, w[i]) for n in subject_nouns}), "be", i + 1
    if i + 1 < len(w) and w[i : i + 2] == ["afraid", "of"]:
        for r, nouns, j in _en_objects(w, i + 2):
            if nouns:
                yield r, "be afraid", j
    if i < len(w) and w[i] in ("in", "on", "at"):
        for r, _, noun, _, j in _en_np(w, i + 1):
            if noun != "friend":
                yield r, "be", j
    for r, p, noun, _, j in _en_np(w, i):
        if noun == "friend":
            if (p == "3pl") != (person in ("1pl", "3pl")):
                r.problems.append("friend(s) does not agree with the subject")
            yield r, "be", j


def _en_verb_rest(w, i):
    """[preposition] objects after a lexicon verb."""
    if i < len(w) and w[i] in EN_PREPOSITIONS:
        for r, nouns, j in _en_objects(w, i + 1):
            if nouns:
                yield r, j
    else:
        for r, _, j in _en_objects(w, i):
            yield r, j


def _be_agrees(word, person):
    return EN_BE[word] == person or (
        EN_BE[word] == "are" and person in ("2sg", "1pl", "3pl")
    )


def _en_clause(w, i):
    """Every reading of a statement clause from w[i]."""
    for r, person, heads, nouns, j in _en_subject(w, i):
        if j >= len(w):
            continue
        word = w[j]
        if word in EN_BE:
            neg = j + 1 < len(w) and w[j + 1] == "not"
            for r2, verb, k in _en_after_be(w, j + 1 + neg, person, nouns):
                r3 = r.merge(r2)
                if not _be_agrees(word, person):
                    r3.problems.append(f"{word!r} after {heads}")
                r3.clauses.append((heads, verb, neg, False))
                yield r3, k
        helper = word in ("do", "does") and w[j + 1 : j + 2] == ["not"]
        if helper and j + 2 < len(w) and w[j + 2] in EN_VERB_BASES:
            for r2, k in _en_verb_rest(w, j + 3):
                r3 = r.merge(r2)
                if (word == "does") != (person == "3sg"):
                    r3.problems.append(f"{word!r} after {heads}")
                r3.clauses.append((heads, w[j + 2], True, False))
                yield r3, k
        lemma = _english_lemma(word)
        if lemma is not None:
            for r2, k in _en_verb_rest(w, j + 1):
                r3 = r.merge(r2)
                if (word != lemma) != (person == "3sg"):
                    r3.problems.append(f"verb {word!r} does not agree with {heads}")
                r3.clauses.append((heads, lemma, False, False))
                yield r3, k


def _en_question(w):
    """Every reading of a yes/no or where question (the whole of w)."""
    if w[:1] == ["where"] and len(w) > 1 and w[1] in EN_BE:
        for r, person, heads, _, j in _en_subject(w, 2):
            if j == len(w) and heads[0] not in EN_PRONOUNS:
                if not _be_agrees(w[1], person):
                    r.problems.append(f"{w[1]!r} after {heads}")
                r.clauses.append((heads, "be", False, True))
                yield r
    if w and w[0] in ("do", "does"):
        for r, person, heads, _, j in _en_subject(w, 1):
            if j < len(w) and w[j] in EN_VERB_BASES:
                for r2, k in _en_verb_rest(w, j + 1):
                    if k == len(w):
                        r3 = r.merge(r2)
                        if (w[0] == "does") != (person == "3sg"):
                            r3.problems.append(f"{w[0]!r} with {heads}")
                        r3.clauses.append((heads, w[j], False, True))
                        yield r3
    if w and w[0] in EN_BE:
        for r, person, heads, nouns, j in _en_subject(w, 1):
            for r2, verb, k in _en_after_be(w, j, person, nouns):
                if k == len(w):
                    r3 = r.merge(r2)
                    if not _be_agrees(w[0], person):
                        r3.problems.append(f"{w[0]!r} with {heads}")
                    r3.clauses.append((heads, verb, False, True))
                    yield r3


def read_english(sentence: str) -> list[Reading]:
    """Every complete reading of an English sentence of the toy grammar."""
    w = sentence.split()
    if w and w[-1] in ENDS:
        w = w[:-1]
    readings = list(_en_question(w))
    for r, j in _en_clause(w, 0):
        if j == len(w):
            readings.append(r)
        for skip in ((",", "and"), ("and",)):
            if tuple(w[j : j + len(skip)]) == skip:
                for r2, k in _en_clause(w, j + len(skip)):
                    if k == len(w):
                        readings.append(r.merge(r2))
    unique = {r.key(): r for r in readings}
    return list(unique.values())


def parse_english(sentence: str) -> Reading:
    """The one reading of the sentence that breaks no rule, or else a reading
    whose problems say what is wrong (several readings, or none, or errors)."""
    readings = read_english(sentence)
    good = [r for r in readings if not r.problems]
    if len(good) == 1:
        return good[0]
    if len(good) > 1:
        return Reading(problems=[f"{len(good)} readings of {sentence!r}"])
    return readings[0] if readings else Reading(problems=[f"cannot read {sentence!r}"])


def check_english(sentence: str) -> list[str]:
    return parse_english(sentence).problems


def _english_lemma(word: str) -> str | None:
    if word == "has":
        return "have"
    candidates = (word, word[:-1], word[:-2], word[:-3] + "y")  # reads, goes, carries
    return next((c for c in candidates if c in EN_VERB_BASES), None)


# ---------------------------------------------------------------- Portuguese words

# article or contraction -> (preposition inside it, gender, number)
PT_ARTICLES = {
    "o": (None, "m", "sg"), "a": (None, "f", "sg"),
    "os": (None, "m", "pl"), "as": (None, "f", "pl"),
    "um": (None, "m", "sg"), "uma": (None, "f", "sg"),
    "no": ("em", "m", "sg"), "na": ("em", "f", "sg"),
    "nos": ("em", "m", "pl"), "nas": ("em", "f", "pl"),
    "do": ("de", "m", "sg"), "da": ("de", "f", "sg"),
    "dos": ("de", "m", "pl"), "das": ("de", "f", "pl"),
}  # fmt: skip
PT_PREPOSITIONS = {"em", "de", "para"}
PT_PRONOUNS = {"eu": ("1sg", None), "você": ("3sg", None), "ele": ("3sg", "m"),
               "ela": ("3sg", "f"), "nós": ("1pl", None), "eles": ("3pl", "m")}  # fmt: skip
_SLOTS = (("m", "sg"), ("f", "sg"), ("m", "pl"), ("f", "pl"))
PT_POSSESSIVES = {  # before the noun: form -> (gender, number) of the noun
    form: slot
    for forms in (("meu", "minha", "meus", "minhas"), ("seu", "sua", "seus", "suas"),
                  ("nosso", "nossa", "nossos", "nossas"))
    for form, slot in zip(forms, _SLOTS)
}  # fmt: skip
PT_OWNERS_AFTER = {"dele", "dela", "deles", "delas"}
PT_ROLE = dict(zip(("amigo", "amiga", "amigos", "amigas"), _SLOTS))
# the states take "estar", every other adjective "ser" (the rule, written here)
STATES = {"happy", "sad", "tired", "clean", "cold"}
PT_COPULAS = {"sou": ("ser", "1sg"), "é": ("ser", "3sg"), "somos": ("ser", "1pl"),
              "são": ("ser", "3pl"), "estou": ("estar", "1sg"), "está": ("estar", "3sg"),
              "estamos": ("estar", "1pl"), "estão": ("estar", "3pl")}  # fmt: skip


def _noun_index() -> dict[str, set[tuple[str, str]]]:
    """Portuguese noun form -> the (gender, number) it can be (lápis: both)."""
    index: dict[str, set[tuple[str, str]]] = {UNK: {("m", "sg")}}
    for n in NOUNS:
        index.setdefault(n.pt, set()).add((n.gender, "sg"))
        if not n.mass:
            index.setdefault(n.pt_plural, set()).add((n.gender, "pl"))
    return index


def _adjective_index() -> dict[str, tuple[set, str]]:
    """form -> ((gender, number) it agrees with, "ser" or "estar")."""
    index: dict[str, tuple[set, str]] = {}
    for a in ADJECTIVES:
        for slot, form in zip(_SLOTS, a.pt):
            copula = "estar" if a.en in STATES else "ser"
            index.setdefault(form, (set(), copula))[0].add(slot)
    return index


def _verb_index() -> dict[tuple[str, ...], str]:
    """Portuguese verb form (as words) -> the person it agrees with."""
    persons = ("1sg", "3sg", "1pl", "3pl")
    return {tuple(f.split()): p for v in VERBS for f, p in zip(v.pt, persons)}


PT_NOUNS, PT_ADJECTIVES, PT_VERBS = _noun_index(), _adjective_index(), _verb_index()
MASS_PT = {n.pt for n in NOUNS if n.mass}


def _ending_agrees(adjective: str, gender: str, number: str) -> bool:
    """Spelling rules: a plural ends in -s; -o(s) is masculine, -a(s) feminine."""
    if number == "pl" and not adjective.endswith("s"):
        return False
    stem = adjective[:-1] if number == "pl" else adjective
    if stem.endswith("o"):
        return gender == "m"
    if stem.endswith("a"):
        return gender == "f"
    return True


def _pt_np(w, i, predicate=False):
    """Every (problems, prep, (gender, number), next) of a noun phrase at w[i]:
    [preposition] [article] [possessive] noun [adjectives] [dele ...]."""
    start, problems, prep, article = i, [], None, None
    if i < len(w) and w[i] in PT_PREPOSITIONS:
        prep, i = w[i], i + 1
    if i < len(w) and w[i] in PT_ARTICLES:
        inside, gender, number = PT_ARTICLES[w[i]]
        if inside and prep:
            problems.append(f"two prepositions before {w[i]!r}")
        if prep in ("em", "de") and w[i] in ("o", "a", "os", "as"):
            problems.append(f"{prep!r} + {w[i]!r} must be contracted")
        prep, article, i = inside or prep, (gender, number), i + 1
    owner = w[i] if i < len(w) and w[i] in PT_POSSESSIVES else None
    i += owner is not None
    if i >= len(w) or (w[i] not in PT_NOUNS and w[i] not in PT_ROLE):
        return
    word, i = w[i], i + 1
    readings = {PT_ROLE[word]} if word in PT_ROLE else set(PT_NOUNS[word])
    for fixed, what in ((article, "article"), (owner and PT_POSSESSIVES[owner], owner)):
        if fixed is not None:
            if fixed not in readings:
                problems.append(f"{what} {w[start:i]} does not agree with {word!r}")
            readings = {fixed}
    bare = article is None and owner is None and word not in MASS_PT and word != UNK
    if bare and not predicate and not {r for r in readings if r[1] == "pl"}:
        problems.append(f"singular {word!r} without an article")
    if owner and article is None and not predicate:
        problems.append(f"{owner!r} without an article outside a predicate")
    gender, number = sorted(readings)[0]
    adjs = []
    while i < len(w) and w[i] in PT_ADJECTIVES and len(adjs) < 2:
        adjs.append(w[i])
        slots = PT_ADJECTIVES[w[i]][0]
        if (gender, number) not in slots or not _ending_agrees(w[i], gender, number):
            problems.append(f"{w[i]!r} does not agree with {word!r}")
        i += 1
    after = w[i] if i < len(w) and w[i] in PT_OWNERS_AFTER else None
    if after and article is None and not predicate:
        problems.append(f"{word!r} {after!r} without an article")
    yield problems, prep, (gender, number), word, adjs, i + bool(after)


def _pt_subject(w, i):
    """(problems, person, gender, next) of a pronoun, a noun phrase or two."""
    if i < len(w) and w[i] in PT_PRONOUNS:
        person, gender = PT_PRONOUNS[w[i]]
        yield [], person, gender, i + 1
        return
    for problems, prep, (g, n), word, _, j in _pt_np(w, i):
        if prep is not None or word in PT_ROLE:
            continue
        person = "3sg" if n == "sg" else "3pl"
        yield problems, person, None if word == UNK else g, j
        if j < len(w) and w[j] == "e":
            for p2, prep2, (g2, _), word2, _, k in _pt_np(w, j + 1):
                if prep2 is None and word2 not in PT_ROLE:
                    genders = {g, g2} if UNK not in (word, word2) else {None}
                    both = (
                        None if None in genders else ("f" if genders == {"f"} else "m")
                    )
                    yield problems + p2, "3pl", both, k


def _pt_objects(w, i):
    """Nothing, or one or two noun phrases with the same preposition."""
    yield [], i
    for problems, prep, _, word, _, j in _pt_np(w, i):
        if word in PT_ROLE:
            continue
        yield problems, j
        if j < len(w) and w[j] == "e":
            for p2, prep2, _, word2, _, k in _pt_np(w, j + 1):
                if word2 not in PT_ROLE:
                    same = [] if prep2 == prep else [f"{prep!r} not repeated after 'e'"]
                    yield problems + p2 + same, k


def _pt_predicate(w, i, copula, person, gender):
    """What follows ser/estar: an adjective, a place (em), or amigo."""
    number = "pl" if person in ("1pl", "3pl") else "sg"
    if i < len(w) and w[i] in PT_ADJECTIVES:
        slots, wanted = PT_ADJECTIVES[w[i]]
        genders = [gender] if gender else ["m", "f"]  # no gender: one form for both
        ok = all((g, number) in slots and _ending_agrees(w[i], g, number)
                 for g in genders)  # fmt: skip
        yield (
            ([] if ok else [f"{w[i]!r} does not agree with the subject"])
            + ([] if copula == wanted else [f"{copula!r} before {w[i]!r}"]),
            i + 1,
        )
    for problems, prep, slot, word, _, j in _pt_np(w, i, predicate=True):
        if word in PT_ROLE:
            bad = slot != (gender, number) or prep is not None or copula != "ser"
            yield problems + ([f"{word!r} after {copula}"] if bad else []), j
        elif prep == "em":
            yield problems + ([] if copula == "estar" else ["a place takes estar"]), j


def _pt_clause(w, i):
    """Every (problems, next) of a statement clause from w[i]."""
    for problems, person, gender, j in _pt_subject(w, i):
        neg = j < len(w) and w[j] == "não"
        j += neg
        if j < len(w) and w[j] in PT_COPULAS:
            copula, agrees = PT_COPULAS[w[j]]
            for p2, k in _pt_predicate(w, j + 1, copula, person, gender):
                yield problems + p2 + _person_problem(w[j], agrees, person), k
        for size in (2, 1):
            form = tuple(w[j : j + size])
            if len(form) == size and form in PT_VERBS:
                for p2, k in _pt_objects(w, j + size):
                    yield (
                        problems + p2 + _person_problem(form, PT_VERBS[form], person),
                        k,
                    )


def _person_problem(form, agrees, person):
    same = agrees == person or (agrees == "3sg" and person == "2sg")
    return [] if same else [f"verb {form} is {agrees}, the subject {person}"]


def read_portuguese(sentence: str) -> list[list[str]]:
    """The problems of every complete reading of a Portuguese sentence."""
    w = sentence.split()
    if w and w[-1] in ENDS:
        w = w[:-1]
    readings = []
    if w[:1] == ["onde"] and len(w) > 1 and w[1] in PT_COPULAS:
        for problems, person, _, j in _pt_subject(w, 2):
            if j == len(w):
                readings.append(problems + _person_problem(w[1], PT_COPULAS[w[1]][1],
                                                           person))  # fmt: skip
    for problems, j in _pt_clause(w, 0):
        if j == len(w):
            readings.append(problems)
        for skip in ((",", "e"), ("e",)):
            if tuple(w[j : j + len(skip)]) == skip:
                readings += [problems + p2 for p2, k in _pt_clause(w, j + len(skip))
                             if k == len(w)]  # fmt: skip
    return readings


def check_portuguese(sentence: str) -> list[str]:
    """What breaks the rules in `sentence`; [] when it has one reading and
    nothing does. (Two readings that both break rules count as one problem.)"""
    readings = read_portuguese(sentence)
    good = [r for r in readings if not r]
    if len(good) == 1:
        return []
    if len(good) > 1:
        return [f"{len(good)} readings of {sentence!r}"]
    return readings[0] if readings else [f"cannot read {sentence!r}"]
