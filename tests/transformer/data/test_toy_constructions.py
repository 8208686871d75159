"""The constructions of issue 14 (negation, questions, "and", possessives,
"to be", two adjectives, punctuation, unknown words): translations checked by
hand and by the independent rules of toy_checkers.py, and sentences the
grammar refuses, named."""

import random

import pytest
from toy_checkers import check_english, check_portuguese

from transformer.data.grammar import BE, Clause, Sentence, translate
from transformer.data.phrases import Both, NounPhrase
from transformer.data.sampling import sample_clause, sample_sentence

NP = NounPhrase
BOOKS = NP("book", "", True)

# fmt: off
# each checked by hand
NEGATION = [
    (Clause("i", "love", BOOKS, negative=True), "i do not love books", "eu não amo livros"),
    (Clause(NP("cat"), "sleep", negative=True), "the cat does not sleep", "o gato não dorme"),
    (Clause(NP("mouse"), "be afraid", NP("cat"), negative=True),
     "the mouse is not afraid of the cat", "o rato não tem medo do gato"),
    (Clause(NP("cat"), BE, "happy", negative=True),
     "the cat is not happy", "o gato não está feliz"),
    (Clause("they", BE, "tired", negative=True),
     "they are not tired", "eles não estão cansados"),
    (Clause("i", BE, NP("house"), negative=True), "i am not in the house", "eu não estou na casa"),
]
QUESTIONS = [
    (Clause("you", "love", BOOKS, question=True), "do you love books", "você ama livros ?"),
    (Clause(NP("cat"), "sleep", NP("mat"), question=True),
     "does the cat sleep on the mat", "o gato dorme no tapete ?"),
    (Clause(NP("girl", "the", True), "read", question=True),
     "do the girls read", "as meninas leem ?"),
    (Clause(NP("mouse"), "be afraid", NP("dog", "", True), question=True),
     "is the mouse afraid of dogs", "o rato tem medo de cachorros ?"),
    (Clause("she", BE, NP("friend", "your"), question=True),
     "is she your friend", "ela é sua amiga ?"),
    (Clause(NP("cat"), BE, "where", question=True), "where is the cat", "onde está o gato ?"),
    (Clause(Both(NP("key", "my", True), NP("ring", "the")), BE, "where", question=True),
     "where are my keys and the ring", "onde estão as minhas chaves e o anel ?"),
]
AND = [
    (Clause(Both(NP("cat"), NP("dog")), "sleep"),
     "the cat and the dog sleep", "o gato e o cachorro dormem"),
    (Clause("i", "love", Both(BOOKS, NP("apple", "", True))),
     "i love books and apples", "eu amo livros e maçãs"),
    (Clause("we", "think", Both(NP("cat"), NP("dog", "the", True))),
     "we think about the cat and the dogs", "nós pensamos no gato e nos cachorros"),
    (Clause("i", "like", Both(BOOKS, NP("cake", "a"))),
     "i like books and a cake", "eu gosto de livros e de um bolo"),
    (Clause(Both(NP("cat"), NP("girl")), BE, "tired"),
     "the cat and the girl are tired", "o gato e a menina estão cansados"),
    (Clause(Both(NP("woman"), NP("girl", "a")), BE, "tired"),
     "the woman and a girl are tired", "a mulher e uma menina estão cansadas"),
]
POSSESSIVES = [
    (Clause(NP("cat", "my"), "sleep", NP("bed", "my")),
     "my cat sleeps on my bed", "o meu gato dorme na minha cama"),
    (Clause("you", "love", NP("key", "your", True)), "you love your keys",
     "você ama as suas chaves"),
    (Clause("she", "see", NP("cat", "his", True, "black")),
     "she sees his black cats", "ela vê os gatos pretos dele"),
    (Clause("i", "need", NP("box", "her")), "i need her box", "eu preciso da caixa dela"),
    (Clause("we", "go", NP("house", "our")), "we go to our house", "nós vamos para a nossa casa"),
    (Clause("they", "love", NP("cat", "their", True)),
     "they love their cats", "eles amam os gatos deles"),
    (Clause(NP("girl", "the", True), "love", NP("cat", "their", True)),
     "the girls love their cats", "as meninas amam os gatos delas"),
    (Clause(NP("cat", "their"), BE, "black"), "their cat is black", "o gato deles é preto"),
]
TO_BE = [
    (Clause(NP("cat"), BE, "happy"), "the cat is happy", "o gato está feliz"),
    (Clause("she", BE, NP("friend", "my")), "she is my friend", "ela é minha amiga"),
    (Clause("he", BE, NP("friend", "her")), "he is her friend", "ele é amigo dela"),
    (Clause(NP("girl", "the", True), BE, NP("friend", "our", True)),
     "the girls are our friends", "as meninas são nossas amigas"),
    (Clause("she", BE, NP("friend", "a")), "she is a friend", "ela é uma amiga"),
    (Clause("they", BE, NP("friend", "", True)), "they are friends", "eles são amigos"),
    (Clause(NP("ball"), BE, "red"), "the ball is red", "a bola é vermelha"),
    (Clause(NP("house", "the", True), BE, "old"), "the houses are old", "as casas são velhas"),
    (Clause(NP("water"), BE, "clean"), "the water is clean", "a água está limpa"),
    (Clause(NP("milk"), BE, "cold"), "the milk is cold", "o leite está frio"),
    (Clause("i", BE, "happy"), "i am happy", "eu estou feliz"),
    (Clause("we", BE, "young"), "we are young", "nós somos jovens"),
    (Clause("she", BE, "tired"), "she is tired", "ela está cansada"),
    (Clause(NP("book"), BE, NP("table")), "the book is on the table", "o livro está na mesa"),
    (Clause(NP("dog", "the", True), BE, NP("park", "a")),
     "the dogs are in a park", "os cachorros estão em um parque"),
    (Clause("you", BE, NP("school")), "you are at the school", "você está na escola"),
]
TWO_ADJECTIVES = [
    (Clause("i", "see", NP("ball", "the", False, ("big", "red"))),
     "i see the big red ball", "eu vejo a bola vermelha grande"),
    (Clause("she", "buy", NP("flower", "a", False, ("beautiful", "white"))),
     "she buys a beautiful white flower", "ela compra uma flor branca bonita"),
    (Clause(NP("cat", "the", True, ("old", "black")), "sleep"),
     "the old black cats sleep", "os gatos pretos velhos dormem"),
    (Clause("he", "want", NP("hat", "", True, ("cheap", "blue"))),
     "he wants cheap blue hats", "ele quer chapéus azuis baratos"),
    (Clause("we", "need", NP("box", "our", False, ("new", "green"))),
     "we need our new green box", "nós precisamos da nossa caixa verde nova"),
]
UNKNOWN_WORDS = [  # <unk> stands for a name or a noun the vocabulary lacks
    (Clause("i", "love", NP("<unk>", "")), "i love <unk>", "eu amo <unk>"),
    (Clause(NP("<unk>", ""), "sleep", NP("mat")),
     "<unk> sleeps on the mat", "<unk> dorme no tapete"),
    (Clause("we", "live", NP("<unk>", "")), "we live in <unk>", "nós moramos em <unk>"),
    (Clause(NP("cat"), "eat", NP("<unk>", "the")), "the cat eats the <unk>", "o gato come o <unk>"),
    (Clause("i", "see", NP("<unk>", "an")), "i see an <unk>", "eu vejo um <unk>"),
]
# fmt: on
CONSTRUCTIONS = (
    NEGATION + QUESTIONS + AND + POSSESSIVES + TO_BE + TWO_ADJECTIVES + UNKNOWN_WORDS
)


@pytest.mark.parametrize(
    "clause, english, portuguese", CONSTRUCTIONS, ids=[e for _, e, _ in CONSTRUCTIONS]
)
def test_hand_checked_translation(clause, english, portuguese):
    assert translate(clause) == (english, portuguese)
    assert check_portuguese(portuguese) == []
    assert check_english(english) == []


CAT_SLEEPS = Clause(NP("cat"), "sleep", NP("mat"))
DOG_EATS = Clause(NP("dog"), "eat")
SENTENCES = [
    (Sentence((CAT_SLEEPS,), "."), "the cat sleeps on the mat .", "o gato dorme no tapete ."),
    (Sentence((CAT_SLEEPS,), "!"), "the cat sleeps on the mat !", "o gato dorme no tapete !"),
    (Sentence((CAT_SLEEPS,), "?"), "the cat sleeps on the mat ?", "o gato dorme no tapete ?"),
    (Sentence((Clause(NP("cat"), "sleep", question=True),), "?"),
     "does the cat sleep ?", "o gato dorme ?"),
    (Sentence((Clause(NP("cat"), "sleep"), DOG_EATS)),
     "the cat sleeps and the dog eats", "o gato dorme e o cachorro come"),
    (Sentence((CAT_SLEEPS, Clause(NP("dog"), "eat", negative=True)), ".", comma=True),
     "the cat sleeps on the mat , and the dog does not eat .",
     "o gato dorme no tapete , e o cachorro não come ."),
    (Sentence((Clause("i", "see", Both(NP("cat"), NP("dog"))), DOG_EATS), "", comma=True),
     "i see the cat and the dog , and the dog eats",
     "eu vejo o gato e o cachorro , e o cachorro come"),
]  # fmt: skip


@pytest.mark.parametrize(
    "sentence, english, portuguese", SENTENCES, ids=[e for _, e, _ in SENTENCES]
)
def test_hand_checked_sentence(sentence, english, portuguese):
    assert translate(sentence) == (english, portuguese)
    assert check_portuguese(portuguese) == []
    assert check_english(english) == []


@pytest.mark.parametrize(
    "sentence, message",
    [
        (Sentence((CAT_SLEEPS,) * 3), "one clause or two"),
        (Sentence((CAT_SLEEPS,), ";"), "final punctuation ';'"),
        (Sentence((CAT_SLEEPS,), comma=True), "there is one"),
        (Sentence((Clause(NP("cat"), "sleep", question=True), DOG_EATS)), "one clause"),
        (Sentence((Clause(NP("cat"), "sleep", question=True),), "!"), "ended by '?'"),
        (Sentence((Clause("i", "see", Both(NP("cat"), NP("dog"))), DOG_EATS)),
         "write a comma"),
        (Sentence((Clause("i", "see", NP("cat")), Clause(Both(NP("dog"), NP("bird")),
                                                          "sleep"))), "write a comma"),
    ],
)  # fmt: skip
def test_a_wrong_sentence_is_named(sentence, message):
    with pytest.raises(ValueError, match=message):
        translate(sentence)


def test_random_sentences_use_every_construction():
    rng = random.Random(2)
    pairs = [translate(sample_sentence(rng, p_unknown=0.05)) for _ in range(2000)]
    english = " ".join(en for en, _ in pairs).split()
    portuguese = " ".join(pt for _, pt in pairs).split()
    for word in (".", "!", "?", ",", "not", "do", "does", "and", "where", "my", "their",
                 "is", "am", "are", "friend", "<unk>"):  # fmt: skip
        assert word in english, word
    for word in ("não", "e", "onde", "é", "está", "estão", "sou", "estou", "minha",
                 "dela", "delas", "amigos", "<unk>"):  # fmt: skip
        assert word in portuguese, word
    assert any(p.endswith("?") and not e.endswith("?") for e, p in pairs)


def test_sample_clause_makes_statements_and_questions():
    rng = random.Random(3)
    clauses = [sample_clause(rng) for _ in range(300)]
    assert not any(c.question for c in clauses)
    assert any(c.negative for c in clauses) and any(c.verb == BE for c in clauses)
    assert all(sample_clause(rng, question=True).question for _ in range(50))
