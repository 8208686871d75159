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

from english_checker import Reading, check_english, parse_english, read_english
from portuguese_checker import check_portuguese, read_portuguese

__all__ = [
    "Reading",
    "check_english",
    "check_portuguese",
    "parse_english",
    "read_english",
    "read_portuguese",
]
