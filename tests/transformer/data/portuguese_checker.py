"""The Portuguese checker of toy_checkers.py: every reading of a sentence and
what breaks the rules of Brazilian Portuguese in it."""

from __future__ import annotations

from transformer.data.lexicon import ADJECTIVES, NOUNS, VERBS

UNK = "<unk>"
ENDS = {".", "!", "?"}

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
    """Every (problems, prep, (gender, number), noun, adjectives, next) of a
    noun phrase at w[i]: [preposition] [article] [possessive] noun
    [adjectives] [dele ...]; `predicate`: after ser/estar."""
    problems, prep, article = [], None, None
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
    word = w[i]
    slot = _pt_noun_agreement(word, article, owner, predicate, problems)
    adjs, i = _pt_adjectives(w, i + 1, word, slot, problems)
    after = w[i] if i < len(w) and w[i] in PT_OWNERS_AFTER else None
    if after and article is None and not predicate:
        problems.append(f"{word!r} {after!r} without an article")
    yield problems, prep, slot, word, adjs, i + bool(after)


def _pt_noun_agreement(word, article, owner, predicate, problems):
    """The (gender, number) of the noun, after checking that its article and
    possessive agree with it and that it may stand without an article."""
    readings = {PT_ROLE[word]} if word in PT_ROLE else set(PT_NOUNS[word])
    for fixed, what in ((article, "article"), (owner and PT_POSSESSIVES[owner], owner)):
        if fixed is not None:
            if fixed not in readings:
                problems.append(f"{what} does not agree with {word!r}")
            readings = {fixed}
    bare = article is None and owner is None and word not in MASS_PT and word != UNK
    if bare and not predicate and not {r for r in readings if r[1] == "pl"}:
        problems.append(f"singular {word!r} without an article")
    if owner and article is None and not predicate:
        problems.append(f"{owner!r} without an article outside a predicate")
    return sorted(readings)[0]


def _pt_adjectives(w, i, word, slot, problems):
    """Up to two adjectives from w[i], each agreeing with the noun."""
    adjs = []
    while i < len(w) and w[i] in PT_ADJECTIVES and len(adjs) < 2:
        adjs.append(w[i])
        if slot not in PT_ADJECTIVES[w[i]][0] or not _ending_agrees(w[i], *slot):
            problems.append(f"{w[i]!r} does not agree with {word!r}")
        i += 1
    return adjs, i


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
