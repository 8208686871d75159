"""The word tables against spelling rules written here a second time, by hand.

Every Portuguese plural, feminine and verb form of the lexicon must follow the
rule of its ending or be in the lists of irregular forms below, which were
written independently of the tables: a typo in either shows up as a mismatch.
"""

import pytest

from transformer.data.lexicon import ADJECTIVES, NOUNS, PRONOUNS, VERBS, selects

# ---------------------------------------------------------------- Portuguese plurals

# -ão has three plurals (-ões, -ães, -ãos) that only the dictionary decides;
# oxytones in -s add -es and may gain or lose an accent.
PT_PLURAL_BY_WORD = {"leão": "leões", "pão": "pães", "mês": "meses", "país": "países"}
PT_UNSTRESSED_S = {"lápis", "ônibus", "simples"}  # plural = singular
PT_STRESSED_EL = {"anel": "anéis", "papel": "papéis", "hotel": "hotéis"}


def pt_plural(word: str) -> str:
    """The plural by the rules of Portuguese spelling."""
    if word in PT_PLURAL_BY_WORD:
        return PT_PLURAL_BY_WORD[word]
    if word in PT_UNSTRESSED_S:
        return word
    if word in PT_STRESSED_EL:
        return PT_STRESSED_EL[word]
    if word.endswith("m"):
        return word[:-1] + "ns"  # homem -> homens, jardim -> jardins, marrom -> marrons
    if word.endswith(("al", "ol", "ul")):
        return word[:-1] + "is"  # animal -> animais, azul -> azuis
    if word.endswith("il"):
        return word[:-1] + "s"  # gentil -> gentis (stressed -il)
    if word.endswith(("r", "z")):
        return word + "es"  # flor -> flores, feliz -> felizes
    return word + "s"  # a vowel: gato -> gatos, maçã -> maçãs, chapéu -> chapéus


@pytest.mark.parametrize("noun", [n for n in NOUNS if not n.mass], ids=lambda n: n.en)
def test_portuguese_noun_plural_follows_the_rules(noun):
    assert noun.pt_plural == pt_plural(noun.pt)


def test_the_irregular_plurals_asked_for_are_there():
    plurals = {n.pt: n.pt_plural for n in NOUNS}
    assert plurals["animal"] == "animais"
    assert plurals["pão"] == "pães"
    assert plurals["flor"] == "flores"
    assert plurals["papel"] == "papéis"
    assert plurals["homem"] == "homens"
    assert plurals["mês"] == "meses"
    assert plurals["leão"] == "leões"
    assert plurals["lápis"] == "lápis"


@pytest.mark.parametrize("adjective", ADJECTIVES, ids=lambda a: a.en)
def test_portuguese_adjective_forms_follow_the_rules(adjective):
    ms = adjective.pt[0]
    if ms == "bom":
        fs = "boa"
    elif ms.endswith("o"):
        fs = ms[:-1] + "a"  # vermelho -> vermelha
    else:
        fs = ms  # grande, feliz, azul, marrom, jovem, gentil, simples: one form
    assert adjective.pt == (ms, fs, pt_plural(ms), pt_plural(fs))


def test_invariable_adjectives_asked_for():
    forms = {a.en: a.pt for a in ADJECTIVES}
    assert forms["big"] == ("grande", "grande", "grandes", "grandes")
    assert forms["happy"] == ("feliz", "feliz", "felizes", "felizes")
    assert forms["blue"] == ("azul", "azul", "azuis", "azuis")


# ---------------------------------------------------------------- Portuguese verbs

INFINITIVE = {
    "love": "amar", "see": "ver", "read": "ler", "have": "ter", "want": "querer",
    "make": "fazer", "eat": "comer", "drink": "beber", "buy": "comprar",
    "open": "abrir", "hear": "ouvir", "lose": "perder", "bring": "trazer",
    "wash": "lavar", "like": "gostar", "need": "precisar", "think": "pensar",
    "be afraid": "ter medo", "sleep": "dormir", "live": "morar", "play": "brincar",
    "go": "ir", "come": "vir",
}  # fmt: skip

# eu, você/ele/ela, nós, eles: irregular verbs, from a conjugation table
IRREGULAR = {
    "ver": ("vejo", "vê", "vemos", "veem"),
    "ler": ("leio", "lê", "lemos", "leem"),
    "ter": ("tenho", "tem", "temos", "têm"),
    "ter medo": ("tenho medo", "tem medo", "temos medo", "têm medo"),
    "querer": ("quero", "quer", "queremos", "querem"),
    "fazer": ("faço", "faz", "fazemos", "fazem"),
    "ouvir": ("ouço", "ouve", "ouvimos", "ouvem"),
    "perder": ("perco", "perde", "perdemos", "perdem"),
    "trazer": ("trago", "traz", "trazemos", "trazem"),
    "dormir": ("durmo", "dorme", "dormimos", "dormem"),
    "ir": ("vou", "vai", "vamos", "vão"),
    "vir": ("venho", "vem", "vimos", "vêm"),
}
REGULAR_ENDINGS = {
    "ar": ("o", "a", "amos", "am"),
    "er": ("o", "e", "emos", "em"),
    "ir": ("o", "e", "imos", "em"),
}


def pt_present(infinitive: str) -> tuple[str, str, str, str]:
    if infinitive in IRREGULAR:
        return IRREGULAR[infinitive]
    stem, ending = infinitive[:-2], infinitive[-2:]
    return tuple(stem + e for e in REGULAR_ENDINGS[ending])


def test_every_verb_has_an_infinitive_here():
    assert set(INFINITIVE) == {v.en for v in VERBS}


@pytest.mark.parametrize("verb", VERBS, ids=lambda v: v.en)
def test_portuguese_verb_forms_follow_the_conjugation(verb):
    assert verb.pt == pt_present(INFINITIVE[verb.en])


# ---------------------------------------------------------------- English

EN_IRREGULAR_PLURAL = {
    "man": "men", "woman": "women", "child": "children", "mouse": "mice",
    "wolf": "wolves", "loaf": "loaves",
}  # fmt: skip


def en_plural(word: str) -> str:
    if word in EN_IRREGULAR_PLURAL:
        return EN_IRREGULAR_PLURAL[word]
    if word.endswith(("s", "sh", "ch", "x", "z", "o")):
        return word + "es"  # bus -> buses, potato -> potatoes
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"  # city -> cities (but key -> keys)
    return word + "s"


@pytest.mark.parametrize("noun", [n for n in NOUNS if not n.mass], ids=lambda n: n.en)
def test_english_noun_plural_follows_the_rules(noun):
    assert noun.en_plural == en_plural(noun.en)


def test_words_starting_with_a_vowel_letter_also_start_with_a_vowel_sound():
    # "a"/"an" goes by the first letter; a new word where letter and sound
    # disagree ("a university", "an hour") must be noticed, so the lists are fixed
    words = [n.en for n in NOUNS] + [a.en for a in ADJECTIVES]
    vowel_initial = sorted(w for w in words if w[0] in "aeiou")
    assert vowel_initial == ["animal", "apple", "egg", "old"]
    h_initial = sorted(w for w in words if w[0] == "h")  # all with a sounded h
    assert h_initial == ["happy", "hat", "hotel", "house"]


# ---------------------------------------------------------------- the tables as a whole


def test_the_lexicon_is_as_large_as_asked():
    assert len(NOUNS) >= 40
    assert len(ADJECTIVES) >= 20
    assert len(VERBS) >= 20
    assert [p.pt for p in PRONOUNS] == ["eu", "você", "ele", "ela", "nós", "eles"]


def test_genders_of_some_nouns_by_hand():
    gender = {n.pt: n.gender for n in NOUNS}
    masculine = ["gato", "tapete", "ônibus", "lápis", "leite", "mês", "pão"]
    feminine = ["flor", "criança", "chave", "água", "maçã", "cidade", "mulher"]
    assert [gender[w] for w in masculine] == ["m"] * len(masculine)
    assert [gender[w] for w in feminine] == ["f"] * len(feminine)


def test_english_and_portuguese_words_are_unique():
    for column in ("en", "pt"):
        words = [getattr(n, column) for n in NOUNS]
        assert len(words) == len(set(words)), column
    assert len({a.en for a in ADJECTIVES}) == len(ADJECTIVES)
    assert len({v.en for v in VERBS}) == len(VERBS)


def test_every_selector_names_existing_kinds_and_nouns():
    kinds = {n.kind for n in NOUNS}
    nouns = {n.en for n in NOUNS}
    selectors = [a.describes for a in ADJECTIVES]
    selectors += [s for v in VERBS for s in (v.subjects, v.objects)]
    for selector in selectors:
        for word in selector.split():
            name = word.lstrip("+-")
            assert (name in nouns) if word[0] in "+-" else (name in kinds), (
                word,
                selector,
            )


def test_every_noun_can_be_used_and_described_by_two_adjectives_or_more():
    for n in NOUNS:
        assert any(selects(v.subjects, n) or selects(v.objects, n) for v in VERBS), n.en
        assert sum(selects(a.describes, n) for a in ADJECTIVES) >= 2, n.en


def test_places_have_an_english_preposition():
    places = {
        n.en
        for v in VERBS
        if v.frame == "place"
        for n in NOUNS
        if selects(v.objects, n)
    }
    assert all(n.at in ("in", "on", "at") for n in NOUNS if n.en in places)
    assert {n.en: n.at for n in NOUNS if n.en in ("mat", "house", "school")} == {
        "mat": "on",
        "house": "in",
        "school": "at",
    }


# ---------------------------------------------------------------- issue 14's words


def test_ser_for_qualities_estar_for_states():
    states = {"happy", "sad", "tired", "clean", "cold"}  # written here, by hand
    for a in ADJECTIVES:
        if a.en == "good":
            assert a.be is None  # é bom / está bom: the meaning decides
        else:
            assert a.be == ("estar" if a.en in states else "ser"), a.en


def test_adjective_orders_and_what_they_describe_after_to_be():
    orders = {a.en: a.order for a in ADJECTIVES}
    assert {orders[c] for c in ("red", "blue", "green", "white", "black", "brown")} == {
        "colour"
    }
    assert orders["big"] == orders["small"] == "size"
    assert orders["old"] == orders["new"] == orders["young"] == "age"
    assert set(orders.values()) == {"opinion", "size", "age", "colour", "state"}
    for a in ADJECTIVES:
        if a.be_with is not None:  # fewer nouns after "to be", never more
            assert all(selects(a.describes, n) for n in NOUNS if selects(a.be_with, n))


def test_invariable_adjectives_are_the_ones_with_one_form_for_both_genders():
    invariable = sorted(a.en for a in ADJECTIVES if a.invariable)
    assert invariable == ["big", "blue", "brown", "green", "happy", "sad", "simple",
                          "young"]  # fmt: skip


def test_possessives_and_to_be_against_a_grammar_book():
    from transformer.data.function_words import COPULAS, POSSESSIVES, ROLE_NOUNS

    forms = {p.en: p.pt for p in POSSESSIVES}
    assert forms["my"] == ("meu", "minha", "meus", "minhas")
    assert forms["your"] == ("seu", "sua", "seus", "suas")
    assert forms["our"] == ("nosso", "nossa", "nossos", "nossas")
    assert {p.en for p in POSSESSIVES if p.after} == {"his", "her", "their"}
    assert COPULAS == {
        "ser": ("sou", "é", "somos", "são"),
        "estar": ("estou", "está", "estamos", "estão"),
    }
    assert ROLE_NOUNS[0].pt == ("amigo", "amiga", "amigos", "amigas")


def test_every_word_class_is_looked_up_by_its_english_form():
    from transformer.data import function_words as fw
    from transformer.data import lexicon

    for find, table, what in [
        (lexicon.noun, NOUNS, "noun"),
        (lexicon.adjective, ADJECTIVES, "adjective"),
        (lexicon.verb, VERBS, "verb"),
        (fw.pronoun, fw.PRONOUNS, "pronoun"),
        (fw.possessive, fw.POSSESSIVES, "possessive"),
        (fw.role_noun, fw.ROLE_NOUNS, "role noun"),
    ]:
        assert [find(entry.en) for entry in table] == list(table)
        every = ", ".join(entry.en for entry in table)
        with pytest.raises(ValueError) as error:
            find("zorb")
        assert str(error.value) == f"unknown {what} 'zorb'; the lexicon has: {every}"
    assert fw.is_possessive("their") and not fw.is_possessive("the")
    assert fw.is_role_noun("friend") and not fw.is_role_noun("cat")
