"""The toy grammar: translations checked by hand, and every generated sentence
checked by the independent rules of toy_checkers.py."""

import random

import pytest
from toy_checkers import check_english, check_portuguese

from transformer.data.grammar import BE, Clause, translate
from transformer.data.lexicon import verb
from transformer.data.morphology import english_verb, third_person
from transformer.data.phrases import Both, NounPhrase
from transformer.data.sampling import sample_sentence

NP = NounPhrase
BOOKS = NP("book", "", True)


def test_the_two_slide_sentences():
    assert translate(Clause("i", "love", NP("book", det="", plural=True))) == (
        "i love books",
        "eu amo livros",
    )
    assert translate(Clause(NP("cat"), "sleep", NP("mat"))) == (
        "the cat sleeps on the mat",
        "o gato dorme no tapete",
    )


# (clause, English, Portuguese), each written out and checked by hand
# fmt: off
AGREEMENT = [
    # feminine plural adjectives: -a + s, invariable in gender, -l -> -is, -m -> -ns
    (Clause(NP("girl", "the", True, "happy"), "read", NP("letter", "a", False, "red")),
     "the happy girls read a red letter", "as meninas felizes leem uma carta vermelha"),
    (Clause(NP("cow", "the", True, "white"), "eat", NP("apple", "the", True, "green")),
     "the white cows eat the green apples", "as vacas brancas comem as maçãs verdes"),
    (Clause("we", "love", NP("house", "the", True, "old")),
     "we love the old houses", "nós amamos as casas velhas"),
    (Clause("she", "buy", NP("box", "", True, "blue")),
     "she buys blue boxes", "ela compra caixas azuis"),
    (Clause(NP("dog", "the", True, "brown"), "sleep", NP("bed")),
     "the brown dogs sleep on the bed", "os cachorros marrons dormem na cama"),
    (Clause("they", "eat", NP("cake", "a", False, "good")),
     "they eat a good cake", "eles comem um bolo bom"),
    (Clause("i", "want", NP("apple", "", True, "good")),
     "i want good apples", "eu quero maçãs boas"),
    (Clause(NP("woman", "a", False, "young"), "live", NP("city")),
     "a young woman lives in the city", "uma mulher jovem mora na cidade"),
    (Clause(NP("man", "the", True, "sad"), "see", NP("child", "the", True, "happy")),
     "the sad men see the happy children", "os homens tristes veem as crianças felizes"),
    (Clause("he", "make", NP("hat", "", True, "simple")),
     "he makes simple hats", "ele faz chapéus simples"),
    (Clause(NP("cat"), "drink", NP("milk", "", False, "cold")),
     "the cat drinks cold milk", "o gato bebe leite frio"),
    (Clause(NP("man", "a", False, "old"), "see", NP("animal", "a")),
     "an old man sees an animal", "um homem velho vê um animal"),
    (Clause("i", "eat", NP("apple", "a", False, "red")),
     "i eat a red apple", "eu como uma maçã vermelha"),
    (Clause(NP("girl"), "read", NP("book", "a", False, "new")),
     "the girl reads a new book", "a menina lê um livro novo"),
]
CONTRACTIONS = [
    (Clause("i", "live", NP("house")), "i live in the house", "eu moro na casa"),
    (Clause("you", "think", NP("cat", "the", True)),
     "you think about the cats", "você pensa nos gatos"),
    (Clause("they", "think", NP("flower", "the", True, "white")),
     "they think about the white flowers", "eles pensam nas flores brancas"),
    (Clause("she", "think", NP("month", "the", False, "cold")),
     "she thinks about the cold month", "ela pensa no mês frio"),
    (Clause(NP("mouse"), "be afraid", NP("cat")),
     "the mouse is afraid of the cat", "o rato tem medo do gato"),
    (Clause("we", "come", NP("school")), "we come from the school", "nós vimos da escola"),
    (Clause(NP("boy", "the", True), "like", NP("wolf", "the", True)),
     "the boys like the wolves", "os meninos gostam dos lobos"),
    (Clause("i", "need", NP("key", "the", True)), "i need the keys", "eu preciso das chaves"),
    (Clause(NP("dog", "a"), "sleep", NP("box", "a")),
     "a dog sleeps in a box", "um cachorro dorme em uma caixa"),
    (Clause("he", "come", NP("city", "a")), "he comes from a city", "ele vem de uma cidade"),
    (Clause("i", "like", NP("book", "", True)), "i like books", "eu gosto de livros"),
    (Clause("she", "go", NP("park")), "she goes to the park", "ela vai para o parque"),
    (Clause(NP("dog"), "play", NP("water")),
     "the dog plays in the water", "o cachorro brinca na água"),
    (Clause(NP("boy", "the", True), "play", NP("school")),
     "the boys play at the school", "os meninos brincam na escola"),
]
IRREGULAR_PLURALS = [
    (Clause(NP("man", "the", True), "see", NP("lion", "the", True)),
     "the men see the lions", "os homens veem os leões"),
    (Clause(NP("woman", "the", True), "have", NP("animal", "", True)),
     "the women have animals", "as mulheres têm animais"),
    (Clause("she", "lose", NP("paper", "the", True)),
     "she loses the papers", "ela perde os papéis"),
    (Clause(NP("child", "the", True), "buy", NP("flower", "", True)),
     "the children buy flowers", "as crianças compram flores"),
    (Clause("we", "need", NP("month", "", True)), "we need months", "nós precisamos de meses"),
    (Clause(NP("mouse", "the", True), "eat", NP("loaf", "the", True)),
     "the mice eat the loaves", "os ratos comem os pães"),
    (Clause("i", "see", NP("bus", "the", True)), "i see the buses", "eu vejo os ônibus"),
    (Clause("he", "lose", NP("pencil", "a")), "he loses a pencil", "ele perde um lápis"),
    (Clause("you", "have", NP("ring", "", True, "cheap")),
     "you have cheap rings", "você tem anéis baratos"),
    (Clause(NP("man"), "like", NP("hotel", "the", True, "cheap")),
     "the man likes the cheap hotels", "o homem gosta dos hotéis baratos"),
    (Clause("they", "think", NP("country", "the", True)),
     "they think about the countries", "eles pensam nos países"),
    (Clause("we", "love", NP("garden", "", True, "beautiful")),
     "we love beautiful gardens", "nós amamos jardins bonitos"),
    (Clause(NP("wolf", "the", True), "sleep"), "the wolves sleep", "os lobos dormem"),
]
# fmt: on
HAND_CHECKED = AGREEMENT + CONTRACTIONS + IRREGULAR_PLURALS


@pytest.mark.parametrize(
    "clause, english, portuguese",
    HAND_CHECKED,
    ids=[english for _, english, _ in HAND_CHECKED],
)
def test_hand_checked_translation(clause, english, portuguese):
    assert translate(clause) == (english, portuguese)
    assert check_portuguese(portuguese) == []
    assert check_english(english) == []


# eu, você, ele, ela, nós, eles, with the English of the same six persons
PRONOUNS = ("i", "you", "he", "she", "we", "they")
PT_PRONOUNS = ("eu", "você", "ele", "ela", "nós", "eles")
CONJUGATIONS = {
    "read": (("read", "read", "reads", "reads", "read", "read"),
             ("leio", "lê", "lê", "lê", "lemos", "leem")),
    "see": (("see", "see", "sees", "sees", "see", "see"),
            ("vejo", "vê", "vê", "vê", "vemos", "veem")),
    "have": (("have", "have", "has", "has", "have", "have"),
             ("tenho", "tem", "tem", "tem", "temos", "têm")),
    "want": (("want", "want", "wants", "wants", "want", "want"),
             ("quero", "quer", "quer", "quer", "queremos", "querem")),
    "make": (("make", "make", "makes", "makes", "make", "make"),
             ("faço", "faz", "faz", "faz", "fazemos", "fazem")),
    "sleep": (("sleep", "sleep", "sleeps", "sleeps", "sleep", "sleep"),
              ("durmo", "dorme", "dorme", "dorme", "dormimos", "dormem")),
    "go": (("go to", "go to", "goes to", "goes to", "go to", "go to"),
           ("vou", "vai", "vai", "vai", "vamos", "vão")),
    "come": (("come from", "come from", "comes from", "comes from", "come from", "come from"),
             ("venho", "vem", "vem", "vem", "vimos", "vêm")),
    "hear": (("hear", "hear", "hears", "hears", "hear", "hear"),
             ("ouço", "ouve", "ouve", "ouve", "ouvimos", "ouvem")),
    "bring": (("bring", "bring", "brings", "brings", "bring", "bring"),
              ("trago", "traz", "traz", "traz", "trazemos", "trazem")),
    "lose": (("lose", "lose", "loses", "loses", "lose", "lose"),
             ("perco", "perde", "perde", "perde", "perdemos", "perdem")),
    "wash": (("wash", "wash", "washes", "washes", "wash", "wash"),
             ("lavo", "lava", "lava", "lava", "lavamos", "lavam")),
    "be afraid": (("am afraid of", "are afraid of", "is afraid of", "is afraid of",
                   "are afraid of", "are afraid of"),
                  ("tenho medo", "tem medo", "tem medo", "tem medo", "temos medo", "têm medo")),
}  # fmt: skip
# the object or place each verb is tried with (the same for all six persons)
COMPLEMENT = {"sleep": "house", "go": "park", "come": "park", "read": "book", "see": "dog",
              "hear": "dog", "be afraid": "dog"}  # fmt: skip


@pytest.mark.parametrize("verb_en", CONJUGATIONS)
@pytest.mark.parametrize("person", range(6), ids=PRONOUNS)
def test_every_person_of_the_present_tense(verb_en, person):
    obj = NP(COMPLEMENT.get(verb_en, "box"))
    english, portuguese = translate(Clause(PRONOUNS[person], verb_en, obj))
    en_forms, pt_forms = CONJUGATIONS[verb_en]
    assert english.startswith(f"{PRONOUNS[person]} {en_forms[person]} ")
    assert portuguese.startswith(f"{PT_PRONOUNS[person]} {pt_forms[person]} ")


def test_english_third_person_spelling():
    assert [third_person(w) for w in ("love", "wash", "catch", "go", "carry", "play", "have")] == [
        "loves", "washes", "catches", "goes", "carries", "plays", "has",
    ]  # fmt: skip
    assert english_verb(verb("be afraid"), "1sg") == "am afraid"


@pytest.mark.parametrize(
    "clause, message",
    [
        (
            Clause("i", "love", BOOKS, negative=True, question=True),
            "negative questions",
        ),
        (Clause("i", BE, "tired"), "cansado or cansada"),
        (Clause("you", BE, NP("friend", "my")), "amigo or amiga"),
        (Clause("she", BE, NP("friend", "my", True)), "agrees in number"),
        (Clause("she", BE, NP("friend", "the")), "takes 'a' or a possessive"),
        (Clause(NP("cat"), BE, "good"), "not used after 'to be'"),
        (Clause(NP("cat"), BE, "where"), "'where' asks"),
        (Clause("he", BE, "where", question=True), "'where' asks"),
        (Clause(NP("cat"), BE, NP("book")), "not a place"),
        (Clause("i", "love", NP("friend", "my")), "only follows 'to be'"),
        (Clause("i", "love", "happy"), "takes a noun phrase"),
        (Clause(NP("cat"), "sleep", Both(NP("mat"), NP("bed"))), "one place"),
        (
            Clause("i", "see", NP("ball", "the", False, ("red", "big"))),
            "two adjectives",
        ),
        (
            Clause("i", "see", NP("ball", "the", False, ("good", "red"))),
            "'good' takes no",
        ),
        (
            Clause("i", "see", NP("ball", "the", False, ("big", "new", "red"))),
            "at most two",
        ),
        (Clause("i", "see", NP("ball", "an")), "'an' is written by the grammar"),
        (Clause("i", "see", NP("<unk>", "the", True)), "unknown word is singular"),
        (Clause("i", "love"), "needs a complement"),
        (Clause("i", "love", NP("book", "a", True)), "singular countable"),
        (Clause("i", "love", NP("book", "")), "bare singular"),
        (Clause("i", "drink", NP("water", "the", True)), "uncountable"),
        (Clause(NP("cat", "", True), "sleep"), "subject needs a determiner"),
        (Clause("i", "love", NP("book", "some")), "determiner 'some'"),
        (Clause("i", "fly"), "unknown verb 'fly'"),
        (Clause("i", "love", NP("unicorn")), "unknown noun 'unicorn'"),
        (Clause(NP("cat"), "sleep", NP("book")), "not a place"),
    ],
)
def test_a_wrong_clause_is_named(clause, message):
    with pytest.raises(ValueError, match=message):
        translate(clause)


@pytest.mark.parametrize(
    "wrong",
    [
        "o gatos dorme",  # article number
        "a gato dorme",  # article gender
        "o gato dormem",  # verb number
        "eu dorme no tapete",  # verb person
        "o gato dorme em o tapete",  # missing contraction
        "eu gosto de os livros",  # missing contraction
        "eu vejo as casas velhos",  # adjective gender
        "eu vejo as casas velha",  # adjective number
        "eu amo livro",  # bare singular
        "eu vejo um ônibus azuis",  # invariable noun, adjective number
        "o gato é feliz",  # a state takes estar
        "o gato está vermelho",  # a colour takes ser
        "o gato é no tapete",  # a place takes estar
        "ela está minha amiga",  # amiga takes ser
        "ela é minha amigo",  # amiga agrees with ela
        "eu estou cansado",  # eu does not say its gender
        "meu gato dorme",  # a possessive subject has its article
        "eu vejo o gato dele pretos",  # dele comes last
        "o gato e o cachorro dorme",  # two nouns are plural
        "eu penso no gato e o cachorro",  # the preposition is repeated
        "onde estão o gato",  # where-question: estar agrees
        "eu amo não livros",  # não before the verb
    ],
)
def test_the_portuguese_checker_finds_each_broken_rule(wrong):
    assert check_portuguese(wrong) != []


@pytest.mark.parametrize(
    "wrong",
    ["a animal sees the cat", "an dog sees the cat", "he see the cat", "i loves books",
     "the cats sleeps", "i is afraid of dogs", "you am afraid of dogs", "i see a cats",
     "does you love books", "do the cat sleep", "the cat do not sleep", "is you happy",
     "the cat and the dog sleeps", "the cat are happy", "she is my friends",
     "they are my friend", "i do not loves books", "where is he"],
)  # fmt: skip
def test_the_english_checker_finds_each_broken_rule(wrong):
    assert check_english(wrong) != []


def test_random_sentences_obey_both_checkers_and_have_one_translation():
    rng = random.Random(1)
    seen = {}
    for _ in range(3000):
        english, portuguese = translate(sample_sentence(rng, p_unknown=0.05))
        assert check_english(english) == [], english
        assert check_portuguese(portuguese) == [], (english, portuguese)
        assert 2 <= len(english.split()) <= 30, english
        assert seen.setdefault(english, portuguese) == portuguese
