"""The word tables of the toy English -> Portuguese grammar (Brazilian Portuguese).

Every form is written out by hand, irregular or not, so that a teacher can read
the tables and check them: a noun with its gender and both plurals, an adjective
with its four Portuguese forms, a verb with its four present-tense forms. The
rules that choose among the forms (articles, contractions, agreement) live in
`morphology.py`; the sentence patterns in `grammar.py`.

Choices made once for the whole corpus (so that every English sentence has
exactly one translation):
  - "in", "on" and "at" a place are all "em" (contracted: no, na, nos, nas);
  - "in a" / "on a" is "em um" / "em uma", "of a" / "from a" is "de um" / "de uma"
    (the written standard; "num", "dum" are colloquial);
  - "go to" is "ir para" (never the contraction "ao", "à");
  - "dog" is "cachorro" and "mouse" is "rato", as in Brazil;
  - two adjectives: the second is a colour and the first a size, an age or
    an opinion ("the big red ball", "a beautiful white flower"), the order
    English requires. Portuguese puts both after the noun in the mirror
    order, the colour next to the noun: "a bola vermelha grande", "uma flor
    branca bonita". "good" never takes a second adjective: "bom" goes before
    the noun when another adjective follows ("um bom livro novo").
function_words.py holds the pronouns, possessives, "to be" (ser or estar) and
the choices that come with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .function_words import PRONOUNS, Pronoun, pronoun
from .word_table import WordTable

__all__ = [  # the pronouns are function words, kept importable from here
    "ADJECTIVES", "NOUNS", "PRONOUNS", "VERBS", "Adjective", "Noun", "Pronoun",
    "Verb", "adjective", "noun", "pronoun", "selects", "verb",
]  # fmt: skip

# ---------------------------------------------------------------- the entries


@dataclass(frozen=True)
class Noun:
    """A noun in both languages.

    kind     the meaning class that verbs and adjectives select (person, animal,
             thing, furniture, vehicle, food, drink, place, time)
    gender   "m" or "f", the Portuguese grammatical gender
    mass     True for uncountable nouns (water): singular only, no "a", and a
             bare singular object ("she drinks water" -> "ela bebe água")
    has_a    False where English has no "a ..." (paper is "the paper", "papers")
    at       the English preposition for being at this place ("on the mat",
             "in the house", "at the school"); all of them are "em"
    """

    en: str
    en_plural: str
    pt: str
    pt_plural: str
    gender: str
    kind: str
    mass: bool = False
    has_a: bool = True
    at: str | None = None


@dataclass(frozen=True)
class Adjective:
    """An adjective: English before the noun, Portuguese after it, agreeing.

    pt        the four forms (masculine singular, feminine singular, masculine
              plural, feminine plural)
    describes the nouns it can describe (see `selects`)
    order     its place among two adjectives: "opinion", "size", "age",
              "colour" (the second of two), or "state" (always alone)
    be        the Portuguese "to be" before it: "ser" for a quality the noun
              has, "estar" for a state it is in; None: never after "to be"
    be_with   the nouns it describes after "to be", if fewer than `describes`
    """

    en: str
    pt: tuple[str, str, str, str]
    describes: str
    order: str
    be: str | None
    be_with: str | None = None

    @property
    def invariable(self) -> bool:
        """One form for both genders (feliz, grande): fit for "i", "you", "we"."""
        return self.pt[0] == self.pt[1] and self.pt[2] == self.pt[3]


@dataclass(frozen=True)
class Verb:
    """A verb in the present tense.

    en        the English base form, several words where English needs them
              ("be afraid"); the first word is conjugated (is afraid, am afraid)
    en_prep   the English word before the complement ("about", "of", "to")
    pt        Portuguese forms for (eu, você/ele/ela, nós, eles)
    pt_prep   the Portuguese preposition before the complement: "de" and "em"
              contract with the article (do, na), "para" does not
    frame     "object": subject verb noun phrase ("i love books");
              "place": subject verb preposition place ("the cat sleeps on the
              mat"), the preposition taken from the place (`Noun.at`) unless
              the verb brings its own (go to, come from)
    subjects  which nouns can be the subject (pronouns are persons)
    objects   which nouns can be the object or the place
    alone     True if the verb can end the sentence ("the cat sleeps")
    """

    en: str
    en_prep: str | None
    pt: tuple[str, str, str, str]
    pt_prep: str | None
    frame: str
    subjects: str
    objects: str
    alone: bool = False


def selects(selector: str, noun: Noun) -> bool:
    """Does `selector` take `noun`? A selector is a few words: a plain word names
    a kind ("thing food"), "+word" adds one noun ("+horse"), "-word" removes one
    ("-letter"). So "thing food -letter +horse" means: every thing and every food
    except "letter", and also "horse"."""
    words = selector.split()
    if f"-{noun.en}" in words:
        return False
    return noun.kind in words or f"+{noun.en}" in words


# ---------------------------------------------------------------- nouns

_N = Noun
NOUNS = (
    # people: only nouns whose Portuguese gender English fixes (no "teacher")
    _N("man", "men", "homem", "homens", "m", "person"),
    _N("woman", "women", "mulher", "mulheres", "f", "person"),
    _N("boy", "boys", "menino", "meninos", "m", "person"),
    _N("girl", "girls", "menina", "meninas", "f", "person"),
    _N("child", "children", "criança", "crianças", "f", "person"),
    # animals
    _N("cat", "cats", "gato", "gatos", "m", "animal"),
    _N("dog", "dogs", "cachorro", "cachorros", "m", "animal"),
    _N("bird", "birds", "pássaro", "pássaros", "m", "animal"),
    _N("mouse", "mice", "rato", "ratos", "m", "animal"),
    _N("cow", "cows", "vaca", "vacas", "f", "animal"),
    _N("lion", "lions", "leão", "leões", "m", "animal"),
    _N("wolf", "wolves", "lobo", "lobos", "m", "animal"),
    _N("animal", "animals", "animal", "animais", "m", "animal"),
    # things that can be carried
    _N("book", "books", "livro", "livros", "m", "thing"),
    _N("ball", "balls", "bola", "bolas", "f", "thing"),
    _N("key", "keys", "chave", "chaves", "f", "thing"),
    _N("ring", "rings", "anel", "anéis", "m", "thing"),
    _N("pencil", "pencils", "lápis", "lápis", "m", "thing"),
    _N("box", "boxes", "caixa", "caixas", "f", "thing", at="in"),
    _N("flower", "flowers", "flor", "flores", "f", "thing"),
    _N("letter", "letters", "carta", "cartas", "f", "thing"),
    _N("paper", "papers", "papel", "papéis", "m", "thing", has_a=False),
    _N("hat", "hats", "chapéu", "chapéus", "m", "thing"),
    # furniture and fittings
    _N("door", "doors", "porta", "portas", "f", "furniture"),
    _N("table", "tables", "mesa", "mesas", "f", "furniture", at="on"),
    _N("bed", "beds", "cama", "camas", "f", "furniture", at="on"),
    _N("mat", "mats", "tapete", "tapetes", "m", "furniture", at="on"),
    _N("bus", "buses", "ônibus", "ônibus", "m", "vehicle", at="on"),
    # food
    _N("apple", "apples", "maçã", "maçãs", "f", "food"),
    _N("egg", "eggs", "ovo", "ovos", "m", "food"),
    _N("loaf", "loaves", "pão", "pães", "m", "food"),
    _N("cake", "cakes", "bolo", "bolos", "m", "food"),
    # drinks: uncountable, so no plural is ever used (the plural column is unused)
    _N("water", "water", "água", "água", "f", "drink", mass=True, at="in"),
    _N("milk", "milk", "leite", "leite", "m", "drink", mass=True),
    # places
    _N("house", "houses", "casa", "casas", "f", "place", at="in"),
    _N("garden", "gardens", "jardim", "jardins", "m", "place", at="in"),
    _N("park", "parks", "parque", "parques", "m", "place", at="in"),
    _N("school", "schools", "escola", "escolas", "f", "place", at="at"),
    _N("city", "cities", "cidade", "cidades", "f", "place", at="in"),
    _N("country", "countries", "país", "países", "m", "place", at="in"),
    _N("lake", "lakes", "lago", "lagos", "m", "place", at="in"),
    _N("hotel", "hotels", "hotel", "hotéis", "m", "place", at="at"),
    # time
    _N("month", "months", "mês", "meses", "m", "time"),
)

# ---------------------------------------------------------------- adjectives

_LIVING = "person animal"
_ADULTS = "+man +woman"  # "old" and "young" do not describe a child
_OBJECTS = "thing furniture vehicle"
_BUILDINGS = "+house +school +hotel"
_A = Adjective
# fmt: off
ADJECTIVES = (
    # English, Portuguese (masculine singular, feminine singular, masculine plural,
    # feminine plural); the nouns it describes; its order among two; "to be"
    _A("big",       ("grande", "grande", "grandes", "grandes"),
       f"{_LIVING} {_OBJECTS} food place", "size", "ser"),
    _A("small",     ("pequeno", "pequena", "pequenos", "pequenas"),
       f"{_LIVING} {_OBJECTS} food place", "size", "ser"),
    _A("old",       ("velho", "velha", "velhos", "velhas"),
       f"animal {_ADULTS} {_OBJECTS} {_BUILDINGS}", "age", "ser"),
    _A("new",       ("novo", "nova", "novos", "novas"),
       f"{_OBJECTS} {_BUILDINGS}", "age", "ser"),
    _A("young",     ("jovem", "jovem", "jovens", "jovens"),
       f"animal {_ADULTS}", "age", "ser"),
    _A("happy",     ("feliz", "feliz", "felizes", "felizes"),
       _LIVING, "state", "estar"),
    _A("sad",       ("triste", "triste", "tristes", "tristes"),
       _LIVING, "state", "estar"),
    _A("tired",     ("cansado", "cansada", "cansados", "cansadas"),
       _LIVING, "state", "estar"),
    _A("red",       ("vermelho", "vermelha", "vermelhos", "vermelhas"),
       f"{_OBJECTS} +apple", "colour", "ser"),
    _A("blue",      ("azul", "azul", "azuis", "azuis"),
       _OBJECTS, "colour", "ser"),
    _A("green",     ("verde", "verde", "verdes", "verdes"),
       f"{_OBJECTS} +apple", "colour", "ser"),
    _A("white",     ("branco", "branca", "brancos", "brancas"),
       f"{_OBJECTS} animal", "colour", "ser"),
    _A("black",     ("preto", "preta", "pretos", "pretas"),
       f"{_OBJECTS} animal", "colour", "ser"),
    _A("brown",     ("marrom", "marrom", "marrons", "marrons"),
       "thing furniture animal", "colour", "ser"),
    _A("beautiful", ("bonito", "bonita", "bonitos", "bonitas"),
       f"{_LIVING} {_OBJECTS} place", "opinion", "ser"),
    # a price that changes (food) is "estar": after "to be", things only
    _A("cheap",     ("barato", "barata", "baratos", "baratas"),
       "thing furniture food +hotel", "opinion", "ser", "thing furniture +hotel"),
    _A("clean",     ("limpo", "limpa", "limpos", "limpas"),
       f"{_OBJECTS} place +water", "state", "estar"),
    # "the month is cold" is weather, not the month: after "to be", food and drink
    _A("cold",      ("frio", "fria", "frios", "frias"),
       "food drink place time", "state", "estar", "food drink"),
    # "é bom" or "está bom" depends on what is meant: never after "to be"
    _A("good",      ("bom", "boa", "bons", "boas"),
       f"{_LIVING} thing food drink place time", "opinion", None),
    _A("simple",    ("simples", "simples", "simples", "simples"),
       "thing furniture +house +cake", "opinion", "ser"),
)
# fmt: on

# ---------------------------------------------------------------- verbs

_V = Verb
_ANYTHING = "person animal thing furniture vehicle food drink place"
# fmt: off
VERBS = (
    # English, English preposition, Portuguese (eu, você/ele/ela, nós, eles),
    # Portuguese preposition; then frame, subjects, objects (or places)

    # subject verb object ("i love books" -> "eu amo livros")
    _V("love",      None,    ("amo", "ama", "amamos", "amam"),                    None,
       "object", "person", "person animal thing food drink place"),
    _V("see",       None,    ("vejo", "vê", "vemos", "veem"),                     None,
       "object", _LIVING, _ANYTHING),
    _V("read",      None,    ("leio", "lê", "lemos", "leem"),                     None,
       "object", "person", "+book +letter +paper", alone=True),
    _V("have",      None,    ("tenho", "tem", "temos", "têm"),                    None,
       "object", _LIVING, "thing animal food furniture +house +garden"),
    _V("want",      None,    ("quero", "quer", "queremos", "querem"),             None,
       "object", _LIVING, "thing animal food drink furniture"),
    _V("make",      None,    ("faço", "faz", "fazemos", "fazem"),                 None,
       "object", "person", "+cake +box +table +hat +ball"),
    _V("eat",       None,    ("como", "come", "comemos", "comem"),                None,
       "object", _LIVING, "food", alone=True),
    _V("drink",     None,    ("bebo", "bebe", "bebemos", "bebem"),                None,
       "object", _LIVING, "drink"),
    _V("buy",       None,    ("compro", "compra", "compramos", "compram"),        None,
       "object", "person", "thing food drink furniture -letter +cow"),
    _V("open",      None,    ("abro", "abre", "abrimos", "abrem"),                None,
       "object", "person", "+door +box +book +letter"),
    _V("hear",      None,    ("ouço", "ouve", "ouvimos", "ouvem"),                None,
       "object", _LIVING, "person animal vehicle"),
    _V("lose",      None,    ("perco", "perde", "perdemos", "perdem"),            None,
       "object", _LIVING, "thing"),
    _V("bring",     None,    ("trago", "traz", "trazemos", "trazem"),             None,
       "object", _LIVING, "thing food drink"),
    _V("wash",      None,    ("lavo", "lava", "lavamos", "lavam"),                None,
       "object", "person", "thing furniture vehicle food +cat +dog +cow"
       " -book -letter -paper -loaf -cake"),
    # the Portuguese verb takes a preposition that contracts with the article
    _V("like",      None,    ("gosto", "gosta", "gostamos", "gostam"),            "de",
       "object", _LIVING, _ANYTHING),
    _V("need",      None,    ("preciso", "precisa", "precisamos", "precisam"),    "de",
       "object", _LIVING, "thing furniture food drink time"),
    _V("think",     "about", ("penso", "pensa", "pensamos", "pensam"),            "em",
       "object", "person", "person animal thing food drink place time"),
    _V("be afraid", "of",    ("tenho medo", "tem medo", "temos medo", "têm medo"), "de",
       "object", _LIVING, "person animal vehicle +water"),
    # subject verb preposition place ("the cat sleeps on the mat"); alone: "the cat sleeps"
    _V("sleep",     None,    ("durmo", "dorme", "dormimos", "dormem"),            "em",
       "place", _LIVING, "+mat +bed +table +box +bus +house +hotel +garden +park", alone=True),
    _V("live",      None,    ("moro", "mora", "moramos", "moram"),                "em",
       "place", _LIVING, "+house +city +country +hotel"),
    _V("play",      None,    ("brinco", "brinca", "brincamos", "brincam"),        "em",
       "place", _LIVING, "+garden +park +house +school +water", alone=True),
    _V("go",        "to",    ("vou", "vai", "vamos", "vão"),                      "para",
       "place", _LIVING, "place"),
    _V("come",      "from",  ("venho", "vem", "vimos", "vêm"),                    "de",
       "place", _LIVING, "place"),
)
# fmt: on


_NOUN = WordTable("noun", NOUNS)
_ADJECTIVE = WordTable("adjective", ADJECTIVES)
_VERB = WordTable("verb", VERBS)


def noun(en: str) -> Noun:
    """The noun whose English singular is `en`."""
    return _NOUN[en]


def adjective(en: str) -> Adjective:
    """The adjective whose English form is `en`."""
    return _ADJECTIVE[en]


def verb(en: str) -> Verb:
    """The verb whose English base form is `en` ("be afraid", "think")."""
    return _VERB[en]
