"""Checks for greedy_decode: outputs worked out by hand on small table scorers,
the length limit, how many times the model is asked, and the argmax property
on random scorers.

The scorer runs with your code and records every prefix it is asked about; a
wrong output is traced to the first step that disagrees (the prefix your code
passed to the model at that step).
"""

from tinygrad_tx.grading.checks import check, fail, hint
from tinygrad_tx.grading.expect import Mistake, expect_equal, expect_steps, expect_type
from tinygrad_tx.grading.expr import random_scorer, student, table_scorer
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.scorers import RandomScorer

PAD, BOS, EOS, A, B, C = range(6)
DEFAULT = [0.01, 0.01, 0.02, 0.30, 0.32, 0.34]  # p(pad, bos, eos, a, b, c)
# By hand: after <s> "a" (0.5) beats "b" (0.4); after "a", "a" (0.32) is the
# best; after "a a", </s> (0.6). Greedy writes [a, a] and stops.
TWO_STEPS = {
    (): [0.005, 0.005, 0.04, 0.50, 0.40, 0.05],
    (A,): [0.005, 0.005, 0.09, 0.32, 0.30, 0.28],
    (B,): [0.005, 0.005, 0.90, 0.04, 0.03, 0.02],
    (A, A): [0.005, 0.005, 0.60, 0.20, 0.10, 0.09],
}

LAST_TOKEN = hint(
    "last_token_only",
    en="the model was given only the last token: pass it the whole prefix, BOS "
    "first, at every step (it conditions on everything written so far)",
    pt="o modelo recebeu só o último token: passe o prefixo inteiro, começando pelo "
    "BOS, a cada passo (ele condiciona em tudo o que já foi escrito)",
)
WITH_BOS = hint(
    "kept_bos",
    en="the result starts with BOS: return prefix[1:], the generated tokens only",
    pt="o resultado começa com o BOS: devolva prefix[1:], só os tokens gerados",
)
WITH_EOS = hint(
    "kept_eos",
    en="EOS ends the sentence but is not part of it: stop before appending it",
    pt="o EOS encerra a frase, mas não faz parte dela: pare antes de acrescentá-lo",
)
OFF_BY_ONE = hint(
    "max_len_off_by_one",
    en="max_len counts generated tokens: with max_len = 4 the model is asked at "
    "most 4 times and the result has at most 4 ids",
    pt="max_len conta os tokens gerados: com max_len = 4 o modelo é consultado no "
    "máximo 4 vezes e o resultado tem no máximo 4 ids",
)


def decode(run, scorer, max_len=10):
    """(tokens, prefixes the scorer was asked about) from the student's code."""
    outcome = run.call(student.greedy_decode(scorer, BOS, EOS, max_len))
    tokens = expect_type(
        outcome.value,
        list,
        Text("greedy_decode's result", "o resultado de greedy_decode"),
    )
    for t in tokens:
        expect_type(
            t,
            int,
            Text(
                "each id of greedy_decode's result",
                "cada id do resultado de greedy_decode",
            ),
        )
    return tokens, outcome.scorers[0]


def _prefix_mistakes():
    return [
        Mistake(
            LAST_TOKEN,
            when=lambda asked: len(asked) > 1 and all(len(p) == 1 for p in asked),
        )
    ]


def _output_mistakes(want):
    return [
        Mistake(WITH_BOS, value=[BOS, *want]),
        Mistake(WITH_EOS, value=[*want, EOS]),
    ]


@check(
    points=3,
    hint=Text(
        "take the argmax at each step; leave BOS and EOS out",
        "pegue o argmax a cada passo; deixe BOS e EOS de fora",
    ),
)
def hand_worked_table(run):
    tokens, asked = decode(run, table_scorer(TWO_STEPS, DEFAULT))
    expect_steps(asked, [[BOS], [BOS, A], [BOS, A, A]], _prefix_mistakes())
    expect_equal(
        tokens,
        [A, A],
        Text("greedy_decode on table 1", "greedy_decode na tabela 1"),
        mistakes=_output_mistakes([A, A]),
    )


@check(
    points=2,
    hint=Text(
        "stop as soon as the argmax is EOS: do not ask the model again",
        "pare assim que o argmax for EOS: não consulte o modelo de novo",
    ),
)
def stops_at_eos(run):
    _, asked = decode(run, table_scorer(TWO_STEPS, DEFAULT))
    expect_equal(
        len(asked),
        3,
        Text(
            "the number of calls to step_fn (a, a, then EOS)",
            "o número de chamadas a step_fn (a, a, depois EOS)",
        ),
    )


@check(
    points=2,
    hint=Text(
        "without EOS, decoding stops after max_len generated tokens (BOS and EOS "
        "are not among them)",
        "sem EOS, a decodificação para depois de max_len tokens gerados (BOS e EOS "
        "não contam)",
    ),
)
def respects_max_len(run):
    # Every prefix not in the table prefers "c" (0.34): greedy never sees EOS.
    tokens, asked = decode(run, table_scorer({}, DEFAULT), max_len=4)
    # the whole result first: BOS kept at its front is a mistake of its own
    one_off = [Mistake(OFF_BY_ONE, when=lambda t: t in ([C] * 3, [C] * 5))]
    expect_equal(
        tokens,
        [C, C, C, C],
        Text("greedy_decode with max_len = 4", "greedy_decode com max_len = 4"),
        mistakes=[*_output_mistakes([C, C, C, C]), *one_off],
    )
    expect_equal(
        len(asked),
        4,
        Text(
            "the number of calls to step_fn with max_len = 4",
            "o número de chamadas a step_fn com max_len = 4",
        ),
        mistakes=[Mistake(OFF_BY_ONE, when=lambda n: n in (3, 5))],
    )


@check(
    points=2,
    hint=Text(
        "pass the whole prefix, BOS first, to step_fn at every step",
        "passe o prefixo inteiro, começando pelo BOS, para step_fn a cada passo",
    ),
)
def each_token_is_the_argmax(run):
    """With a different random distribution for every prefix: each output token
    is the argmax given the tokens before it, and the output ends where EOS is
    the argmax (or at max_len)."""
    for seed, max_len in ((3, 6), (4, 12), (5, 3)):
        tokens, asked = decode(run, random_scorer(5, seed), max_len)
        reference = RandomScorer(vocab_size=5, seed=seed)
        expect_steps(
            asked, [[BOS, *tokens[:i]] for i in range(len(asked))], _prefix_mistakes()
        )
        for i, token in enumerate(tokens):
            best = int(reference([BOS, *tokens[:i]]).argmax())
            if token != best:
                fail(
                    Text(
                        f"seed {seed}, step {i + 1}: you wrote {token}, but the argmax "
                        f"after {[BOS, *tokens[:i]]} is {best}",
                        f"semente {seed}, passo {i + 1}: você escreveu {token}, mas o "
                        f"argmax depois de {[BOS, *tokens[:i]]} é {best}",
                    ),
                    WITH_EOS if token == EOS else None,
                )
        if len(tokens) < max_len and int(reference([BOS, *tokens]).argmax()) != EOS:
            fail(
                Text(
                    f"seed {seed}: the output {tokens} stops before max_len = {max_len} "
                    "although EOS is not the argmax after it",
                    f"semente {seed}: a saída {tokens} para antes de max_len = {max_len}, "
                    "mas o EOS não é o argmax depois dela",
                )
            )
