"""The English checker of toy_checkers.py: every reading of a sentence, its
clauses and combinations, and what breaks the rules of English in it."""

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
