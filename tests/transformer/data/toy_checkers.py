"""Checkers for generated sentences, written from the rules of the two languages,
not from transformer/data/grammar.py or morphology.py.

Each one parses a sentence back (subject, verb, noun phrases) and lists what is
wrong with it; an empty list means the sentence obeys the rules. They know
the words (from the lexicon tables, whose forms test_toy_lexicon.py checks
against spelling rules) but not how the generator puts them together.

Portuguese rules checked:
  - the article agrees with its noun in gender and number (o gato, as casas);
  - em / de + definite article are contracted (no, na, nos, nas, do, da, dos,
    das): "em o", "de as" are errors;
  - the adjective agrees with the noun (feminine -a, plural -s, table forms);
  - a noun without an article is plural or uncountable ("livros", "leite");
  - the verb agrees with the subject's person and number.
English rules checked: "a" before a consonant and "an" before a vowel, only
with a singular noun; the verb takes -s exactly when the subject is he, she or
a singular noun; am / are / is.
"""

from __future__ import annotations

from transformer.data.lexicon import ADJECTIVES, NOUNS, VERBS

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
PT_PRONOUNS = {
    "eu": "1sg",
    "você": "3sg",
    "ele": "3sg",
    "ela": "3sg",
    "nós": "1pl",
    "eles": "3pl",
}
_SLOTS = ("ms", "fs", "mp", "fp")


def _noun_index() -> dict[str, set[tuple[str, str]]]:
    """Portuguese noun form -> the (gender, number) it can be (lápis: both)."""
    index: dict[str, set[tuple[str, str]]] = {}
    for n in NOUNS:
        index.setdefault(n.pt, set()).add((n.gender, "sg"))
        if not n.mass:
            index.setdefault(n.pt_plural, set()).add((n.gender, "pl"))
    return index


def _adjective_index() -> dict[str, set[tuple[str, str]]]:
    index: dict[str, set[tuple[str, str]]] = {}
    for a in ADJECTIVES:
        for slot, form in zip(_SLOTS, a.pt):
            index.setdefault(form, set()).add(
                (slot[0], "sg" if slot[1] == "s" else "pl")
            )
    return index


def _verb_index() -> dict[tuple[str, ...], str]:
    """Portuguese verb form (as words) -> the person it agrees with."""
    persons = ("1sg", "3sg", "1pl", "3pl")
    return {tuple(f.split()): p for v in VERBS for f, p in zip(v.pt, persons)}


PT_NOUNS, PT_ADJECTIVES, PT_VERBS = _noun_index(), _adjective_index(), _verb_index()
MASS_PT = {n.pt for n in NOUNS if n.mass}


def check_portuguese(sentence: str) -> list[str]:
    """What breaks the rules in `sentence`; [] when nothing does."""
    words, problems = sentence.split(), []
    if words and words[0] in PT_PRONOUNS:
        person, i = PT_PRONOUNS[words[0]], 1
    else:
        phrase, i = _pt_noun_phrase(words, 0, problems)
        if phrase is None:
            return problems or [f"no subject in {sentence!r}"]
        if phrase["article"] is None or phrase["prep"] is not None:
            problems.append(f"subject without its own article: {sentence!r}")
        person = "3sg" if phrase["number"] == "sg" else "3pl"
    verb = next(
        (f for f in ((*words[i : i + 2],), (*words[i : i + 1],)) if f in PT_VERBS), None
    )
    if verb is None:
        return [*problems, f"no verb after the subject in {sentence!r}"]
    if PT_VERBS[verb] != person:
        problems.append(
            f"verb {' '.join(verb)!r} is {PT_VERBS[verb]}, subject is {person}"
        )
    i += len(verb)
    while i < len(words) and not problems:
        phrase, i = _pt_noun_phrase(words, i, problems)
    return problems


def _pt_noun_phrase(words, i, problems):
    """[preposition] [article] noun [adjective] from words[i]; checks agreement."""
    start, prep, article = i, None, None
    if i < len(words) and words[i] in PT_PREPOSITIONS:
        prep, i = words[i], i + 1
    if i < len(words) and words[i] in PT_ARTICLES:
        inside, gender, number = PT_ARTICLES[words[i]]
        if inside and prep:
            problems.append(f"two prepositions before {words[i]!r}")
        if prep in ("em", "de") and words[i] in ("o", "a", "os", "as"):
            problems.append(f"{prep!r} + {words[i]!r} must be contracted")
        prep, article, i = inside or prep, (gender, number), i + 1
    if i >= len(words) or words[i] not in PT_NOUNS:
        problems.append(f"expected a noun at {' '.join(words[start:]) or 'the end'!r}")
        return None, len(words)
    noun, i = words[i], i + 1
    readings = PT_NOUNS[noun]
    if article is not None:
        if article not in readings:
            problems.append(f"article {words[i - 2]!r} does not agree with {noun!r}")
        readings = {article}
    elif noun not in MASS_PT:
        readings = {r for r in readings if r[1] == "pl"}
        if not readings:
            problems.append(f"singular {noun!r} without an article")
            return None, len(words)
    gender, number = sorted(readings)[0]
    if i < len(words) and words[i] in PT_ADJECTIVES:
        adj, i = words[i], i + 1
        if (gender, number) not in PT_ADJECTIVES[adj] or not _ending_agrees(
            adj, gender, number
        ):
            problems.append(
                f"adjective {adj!r} does not agree with {noun!r} ({gender}, {number})"
            )
    return {"prep": prep, "article": article, "number": number}, i


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


# ---------------------------------------------------------------- English

EN_PRONOUNS = {
    "i": "1sg",
    "you": "2sg",
    "he": "3sg",
    "she": "3sg",
    "we": "1pl",
    "they": "3pl",
}
EN_NOUNS = {n.en: (n.en, "sg") for n in NOUNS} | {
    n.en_plural: (n.en, "pl") for n in NOUNS if not n.mass
}
EN_ADJECTIVES = {a.en for a in ADJECTIVES}
EN_VERB_BASES = {v.en.split()[0]: v.en for v in VERBS}  # "be" -> "be afraid"


def parse_english(sentence: str):
    """(subject, verb, noun-adjective pairs, problems) of an English sentence;
    subject and verb as lexicon keys ("cat", "be afraid")."""
    words, problems, pairs = sentence.split(), [], []
    for k, word in enumerate(words):
        if word in EN_ADJECTIVES and k + 1 < len(words) and words[k + 1] in EN_NOUNS:
            pairs.append((EN_NOUNS[words[k + 1]][0], word))
        if word in ("a", "an"):
            following = words[k + 1] if k + 1 < len(words) else ""
            if (word == "an") != (following[:1] in tuple("aeiou")):
                problems.append(f"{word!r} before {following!r}")
            noun = words[k + 2] if following in EN_ADJECTIVES else following
            if EN_NOUNS.get(noun, (None, "pl"))[1] != "sg":
                problems.append(f"{word!r} before {noun!r}, not a singular noun")
    if words[0] in EN_PRONOUNS:
        subject, person, i = words[0], EN_PRONOUNS[words[0]], 1
    else:
        i = 1 + (words[1] in EN_ADJECTIVES)
        subject, number = EN_NOUNS[words[i]]
        person, i = ("3sg" if number == "sg" else "3pl"), i + 1
    verb_word = words[i]
    lemma = _english_lemma(verb_word)
    if lemma is None:
        return subject, None, pairs, [*problems, f"no verb in {sentence!r}"]
    third = verb_word.endswith("s")  # loves, watches, carries, has, is
    if third != (person == "3sg") or (verb_word == "am") != (
        person == "1sg" and lemma == "be"
    ):
        problems.append(f"verb {verb_word!r} does not agree with subject {subject!r}")
    return subject, EN_VERB_BASES[lemma], pairs, problems


def _english_lemma(word: str) -> str | None:
    if word in ("am", "are", "is"):
        return "be"
    if word == "has":
        return "have"
    candidates = (word, word[:-1], word[:-2], word[:-3] + "y")  # reads, goes, carries
    return next((c for c in candidates if c in EN_VERB_BASES), None)


def check_english(sentence: str) -> list[str]:
    return parse_english(sentence)[3]
