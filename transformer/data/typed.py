"""Test split 3: the course slides' sentences and sentences a person would type.

Written as people write: capitals, a final ".", "!" or "?", commas,
contractions ("don't", "isn't"). Each comes with the sentence of the grammar it
says, so a test can check that the tokenizer turns the text into exactly that
sentence's English. None of them is ever a training sentence (the two slide
sentences are trained without their final "."), and no combination in them is
held out, so a model that has learnt the grammar translates every one.
"""

from __future__ import annotations

from .grammar import BE, Clause, Sentence
from .phrases import Both, NounPhrase

NP = NounPhrase


def _s(end: str, *clauses: Clause, comma: bool = False) -> Sentence:
    return Sentence(tuple(clauses), end, comma)


BOOKS = NP("book", "", True)
# fmt: off
SLIDES = (  # "Eu amo livros", "O gato dorme no tapete", "O gato <?> feliz", "Ela é a minha amiga"
    ("I love books.", _s(".", Clause("i", "love", BOOKS))),
    ("The cat sleeps on the mat.", _s(".", Clause(NP("cat"), "sleep", NP("mat")))),
    ("The cat is happy.", _s(".", Clause(NP("cat"), BE, "happy"))),
    ("She is my friend.", _s(".", Clause("she", BE, NP("friend", "my")))),
)
TYPED = (
    # the sentences of issue 14 that went wrong before the grammar grew
    ("The cat sleeps on the mat!", _s("!", Clause(NP("cat"), "sleep", NP("mat")))),
    ("The cat sleeps on the mat?", _s("?", Clause(NP("cat"), "sleep", NP("mat")))),
    ("i don't love books", _s("", Clause("i", "love", BOOKS, negative=True))),
    ("The cat sleeps and the dog eats.",
     _s(".", Clause(NP("cat"), "sleep"), Clause(NP("dog"), "eat"))),
    ("I love books and apples.",
     _s(".", Clause("i", "love", Both(BOOKS, NP("apple", "", True))))),
    ("Does the cat sleep?", _s("?", Clause(NP("cat"), "sleep", question=True))),
    ("Where is the cat?", _s("?", Clause(NP("cat"), BE, "where", question=True))),
    # and what a person tries next
    ("I do not love books.", _s(".", Clause("i", "love", BOOKS, negative=True))),
    ("Do you love books?", _s("?", Clause("you", "love", BOOKS, question=True))),
    ("Does the cat sleep on the mat?",
     _s("?", Clause(NP("cat"), "sleep", NP("mat"), question=True))),
    ("The cat doesn't sleep.", _s(".", Clause(NP("cat"), "sleep", negative=True))),
    ("The cat isn't happy.", _s(".", Clause(NP("cat"), BE, "happy", negative=True))),
    ("The dogs aren't tired!",
     _s("!", Clause(NP("dog", "the", True), BE, "tired", negative=True))),
    ("The cat and the dog sleep.", _s(".", Clause(Both(NP("cat"), NP("dog")), "sleep"))),
    ("I see the big red ball.",
     _s(".", Clause("i", "see", NP("ball", "the", False, ("big", "red"))))),
    ("My cat sleeps on my bed.", _s(".", Clause(NP("cat", "my"), "sleep", NP("bed", "my")))),
    ("Her dog is in the garden.", _s(".", Clause(NP("dog", "her"), BE, NP("garden")))),
    ("We live in a big city.", _s(".", Clause("we", "live", NP("city", "a", False, "big")))),
    ("Are you happy?", _s("?", Clause("you", BE, "happy", question=True))),
    ("They are my friends.", _s(".", Clause("they", BE, NP("friend", "my", True)))),
    ("He is her friend.", _s(".", Clause("he", BE, NP("friend", "her")))),
    ("The girls are happy!", _s("!", Clause(NP("girl", "the", True), BE, "happy"))),
    ("The book is on the table.", _s(".", Clause(NP("book"), BE, NP("table")))),
    ("Where are my keys?",
     _s("?", Clause(NP("key", "my", True), BE, "where", question=True))),
    ("I like cats, and you like dogs.",
     _s(".", Clause("i", "like", NP("cat", "", True)),
        Clause("you", "like", NP("dog", "", True)), comma=True)),
    ("She reads a new book.", _s(".", Clause("she", "read", NP("book", "a", False, "new")))),
    ("The house is old.", _s(".", Clause(NP("house"), BE, "old"))),
    ("The water is cold.", _s(".", Clause(NP("water"), BE, "cold"))),
    ("Is the milk cold?", _s("?", Clause(NP("milk"), BE, "cold", question=True))),
    ("Our house is beautiful.", _s(".", Clause(NP("house", "our"), BE, "beautiful"))),
    ("I am happy.", _s(".", Clause("i", BE, "happy"))),
    ("We aren't sad.", _s(".", Clause("we", BE, "sad", negative=True))),
    ("The children play in the park.",
     _s(".", Clause(NP("child", "the", True), "play", NP("park")))),
    ("Does she have a black cat?",
     _s("?", Clause("she", "have", NP("cat", "a", False, "black"), question=True))),
    ("I need the keys.", _s(".", Clause("i", "need", NP("key", "the", True)))),
    ("The mouse is afraid of the cat.",
     _s(".", Clause(NP("mouse"), "be afraid", NP("cat")))),
    ("Is the mouse afraid of the cats?",
     _s("?", Clause(NP("mouse"), "be afraid", NP("cat", "the", True), question=True))),
    ("Their cat is black.", _s(".", Clause(NP("cat", "their"), BE, "black"))),
    ("You don't need the big blue box.",
     _s(".", Clause("you", "need", NP("box", "the", False, ("big", "blue")),
                    negative=True))),
    ("Do the children want apples?",
     _s("?", Clause(NP("child", "the", True), "want", NP("apple", "", True),
                    question=True))),
    ("She drinks water.", _s(".", Clause("she", "drink", NP("water", "")))),
    ("Where is the red ball?",
     _s("?", Clause(NP("ball", "the", False, "red"), BE, "where", question=True))),
    ("He goes to the school.", _s(".", Clause("he", "go", NP("school")))),
)
# fmt: on
