"""Checks for beam_search: results worked out by hand on small table scorers
(beam beats greedy; the length penalty changes the winner; all candidates are
ranked together), beam_size = 1 is greedy, unfinished beams at max_len, and a
beam wide enough to keep everything finds the exhaustive optimum.

The scorer runs with your code and records every prefix it is asked about: a
wrong result is traced to the first step whose beams (the prefixes of that
length your code asked about) differ from the ones worked out by hand.
"""

import itertools

import numpy as np

from tinygrad_tx.grading.checks import check, hint
from tinygrad_tx.grading.expect import (
    Mistake,
    beams,
    expect_close,
    expect_equal,
    expect_steps,
    expect_tuple,
    expect_type,
)
from tinygrad_tx.grading.expr import random_scorer, student, table_scorer
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.scorers import RandomScorer

PAD, BOS, EOS, A, B, C = range(6)
DEFAULT = [0.01, 0.01, 0.02, 0.30, 0.32, 0.34]  # p(pad, bos, eos, a, b, c)

# Greedy writes "a a" (0.5 · 0.32 · 0.6 = 0.096); beam 2 also keeps "b" (0.4),
# and "b </s>" = 0.4 · 0.9 = 0.36 finishes at step 2. Step 3 extends [a a] and
# [a b]; [a a </s>] = 0.096 finishes second, and the search stops.
# Winner [b]: log 0.36 / 2 = -0.5108 (α = 1).
BEAM_BEATS_GREEDY = {
    (): [0.005, 0.005, 0.04, 0.50, 0.40, 0.05],
    (A,): [0.005, 0.005, 0.09, 0.32, 0.30, 0.28],
    (B,): [0.005, 0.005, 0.90, 0.04, 0.03, 0.02],
    (A, A): [0.005, 0.005, 0.60, 0.20, 0.10, 0.09],
}
BEAMS_1 = [[[BOS]], [[BOS, A], [BOS, B]], [[BOS, A, A], [BOS, A, B]]]

# Two hypotheses finish: [c] with p = 0.30 · 0.99 = 0.297 (length 2), and
# [a b c] with p = 0.65 · 0.7 · 0.7 · 0.68 = 0.216580 (length 4).
# α = 0: log 0.297 = -1.2140 beats log 0.21658 = -1.5298, the short one wins.
# α = 1: -1.2140 / 2 = -0.6070 loses to -1.5298 / 4 = -0.3824, the long one wins.
LENGTH_MATTERS = {
    (): [0.008, 0.012, 0.014, 0.65, 0.016, 0.30],
    (A,): [0.02, 0.02, 0.04, 0.10, 0.70, 0.12],
    (A, B): [0.02, 0.02, 0.04, 0.10, 0.12, 0.70],
    (A, B, C): [0.02, 0.02, 0.68, 0.08, 0.09, 0.11],
    (C,): [0.002, 0.002, 0.99, 0.002, 0.003, 0.001],
}

# Step 2 candidates: [a a] 0.30, [b c] 0.27, [a b] 0.24: the best two beams come
# from different parents. Then [b c </s>] = 0.267 beats [a a </s>] = 0.15.
# A search that keeps each beam's own best tokens ([a a], [a b]) misses [b c].
TOGETHER = {
    (): [0.04, 0.02, 0.02, 0.60, 0.30, 0.02],
    (A,): [0.02, 0.02, 0.02, 0.50, 0.40, 0.04],
    (B,): [0.02, 0.02, 0.02, 0.02, 0.02, 0.90],
    (A, A): [0.02, 0.02, 0.50, 0.20, 0.16, 0.10],
    (A, B): [0.02, 0.02, 0.50, 0.20, 0.16, 0.10],
    (B, C): [0.002, 0.002, 0.99, 0.002, 0.002, 0.002],
}
BEAMS_3 = [[[BOS]], [[BOS, A], [BOS, B]], [[BOS, A, A], [BOS, B, C]]]

RAW_SCORES = hint(
    "unnormalised_scores",
    en="the finished hypotheses were compared by their raw log-probabilities, "
    "which only fall as a sentence grows: divide each by length**length_penalty "
    "before comparing",
    pt="as hipóteses terminadas foram comparadas pelas log-probabilidades brutas, "
    "que só caem quando a frase cresce: divida cada uma por "
    "length**length_penalty antes de comparar",
)
LENGTH_WITHOUT_EOS = hint(
    "length_without_eos",
    en="length is the number of tokens after BOS, EOS included: [a b c </s>] has "
    "length 4",
    pt="o comprimento é o número de tokens depois do BOS, incluindo o EOS: "
    "[a b c </s>] tem comprimento 4",
)
EACH_BEAM_APART = hint(
    "each_beam_apart",
    en="the candidates of all beams are ranked together: the best two may both "
    "come from one beam, or, as here, one from each. Stack the totals in a (K, V) "
    "array and sort them all at once",
    pt="os candidatos de todos os feixes são ordenados juntos: os dois melhores "
    "podem vir do mesmo feixe ou, como aqui, um de cada. Empilhe os totais num "
    "array (K, V) e ordene todos de uma vez",
)
EOS_OUTSIDE_BEAM = hint(
    "eos_outside_beam",
    en="only an EOS ranked among the first beam_size candidates finishes a "
    "hypothesis; lower EOS candidates are dropped",
    pt="só um EOS entre os beam_size primeiros candidatos termina uma hipótese; "
    "os EOS mais abaixo são descartados",
)


def search(run, scorer, max_len, beam_size, alpha):
    """(tokens, score, beams per step) from the student's beam_search."""
    outcome = run.call(student.beam_search(scorer, BOS, EOS, max_len, beam_size, alpha))
    tokens, score = expect_tuple(
        outcome.value,
        2,
        Text("beam_search's (tokens, score)", "o (tokens, score) de beam_search"),
    )
    expect_type(tokens, list, Text("the tokens", "os tokens"))
    for t in tokens:
        expect_type(t, int | np.integer, Text("each token id", "cada id de token"))
    expect_type(score, float | np.floating, Text("the score", "o score"))
    return [int(t) for t in tokens], float(score), beams(outcome.scorers[0])


@check(
    points=3,
    hint=Text(
        "keep beam_size beams; an EOS among the top beam_size candidates finishes one",
        "mantenha beam_size feixes; um EOS entre os beam_size melhores candidatos "
        "termina uma hipótese",
    ),
)
def beats_greedy(run):
    tokens, score, steps = search(
        run, table_scorer(BEAM_BEATS_GREEDY, DEFAULT), 10, 2, 1.0
    )
    expect_steps(steps, BEAMS_1)
    expect_equal(
        tokens,
        [B],
        Text(
            "beam_search(beam_size=2) on table 1",
            "beam_search(beam_size=2) na tabela 1",
        ),
    )
    expect_close(
        score,
        np.log(0.36) / 2,
        Text("its score log(0.36) / 2", "o score dele, log(0.36) / 2"),
    )


@check(
    points=3,
    hint=Text(
        "score = total / length**α, length = the tokens after BOS, EOS included",
        "score = total / length**α, com length = os tokens depois do BOS, incluindo o EOS",
    ),
)
def length_penalty(run):
    scorer = table_scorer(LENGTH_MATTERS, DEFAULT)
    tokens, score, _ = search(run, scorer, 10, 2, 0.0)
    expect_equal(tokens, [C], Text("the winner with α = 0", "o vencedor com α = 0"))
    expect_close(
        score, np.log(0.297), Text("its score log(0.297)", "o score dele, log(0.297)")
    )
    tokens, score, _ = search(run, scorer, 10, 2, 1.0)
    short = np.log(0.297)
    wrong = [
        Mistake(RAW_SCORES, when=lambda t: t == [C] and np.isclose(score, short)),
        Mistake(
            EOS_OUTSIDE_BEAM, when=lambda t: t == [C] and np.isclose(score, short / 2)
        ),
    ]
    expect_equal(
        tokens,
        [A, B, C],
        Text("the winner with α = 1", "o vencedor com α = 1"),
        mistakes=wrong,
    )
    no_eos = [Mistake(LENGTH_WITHOUT_EOS, value=np.log(0.65 * 0.7 * 0.7 * 0.68) / 3)]
    expect_close(
        score,
        np.log(0.65 * 0.7 * 0.7 * 0.68) / 4,
        Text("its score", "o score dele"),
        mistakes=no_eos,
    )


@check(
    points=2,
    hint=Text(
        "at each step, keep the beam_size best of all the candidates (every beam "
        "times every token), compared by their scores",
        "a cada passo, fique com os beam_size melhores de todos os candidatos (cada "
        "feixe vezes cada token), comparados pelos scores",
    ),
)
def ranks_all_candidates_together(run):
    tokens, score, steps = search(run, table_scorer(TOGETHER, DEFAULT), 10, 2, 1.0)
    apart = [
        Mistake(EACH_BEAM_APART, when=lambda s: len(s) > 2 and [BOS, A, B] in s[2])
    ]
    expect_steps(steps, BEAMS_3, apart)
    expect_equal(
        tokens, [B, C], Text("the winner on table 3", "o vencedor na tabela 3")
    )
    expect_close(
        score,
        np.log(0.3 * 0.9 * 0.99) / 3,
        Text("its score log(0.267) / 3", "o score dele, log(0.267) / 3"),
    )


@check(
    points=2,
    hint=Text(
        "with beam_size = 1 only the best candidate survives each step",
        "com beam_size = 1 só o melhor candidato sobrevive a cada passo",
    ),
)
def beam_one_is_greedy(run):
    tokens, _, _ = search(run, table_scorer(BEAM_BEATS_GREEDY, DEFAULT), 10, 1, 1.0)
    expect_equal(
        tokens,
        [A, A],
        Text(
            "beam_size = 1 on table 1 (greedy writes [a, a])",
            "beam_size = 1 na tabela 1 (a decodificação gulosa escreve [a, a])",
        ),
    )


@check(
    points=2,
    hint=Text(
        "at max_len, the beams still open count as finished, with length = their tokens",
        "em max_len, os feixes ainda abertos contam como terminados, com length = "
        "os tokens deles",
    ),
)
def unfinished_at_max_len(run):
    # No prefix ever prefers EOS (0.02): after 3 steps the best beam is [c c c],
    # p = 0.34³, and it competes with length 3.
    tokens, score, _ = search(run, table_scorer({}, DEFAULT), 3, 2, 1.0)
    expect_equal(
        tokens,
        [C, C, C],
        Text(
            "the result when nothing finishes by max_len = 3",
            "o resultado quando nada termina até max_len = 3",
        ),
    )
    expect_close(
        score,
        np.log(0.34**3) / 3,
        Text("its score log(0.34³) / 3", "o score dele, log(0.34³) / 3"),
    )


@check(
    points=2,
    hint=Text(
        "with a beam wider than every sequence, nothing may be pruned",
        "com um feixe mais largo que todas as sequências, nada pode ser podado",
    ),
)
def wide_beam_is_exhaustive(run):
    """With a beam wider than the number of sequences, nothing is pruned, so the
    answer is the best of all sequences, found here by listing them all."""
    for seed, alpha in ((0, 0.0), (1, 1.0), (2, 0.7)):
        want_tokens, want_score = best_of_all(seed, max_len=3, alpha=alpha)
        tokens, score, _ = search(run, random_scorer(4, seed, 0.5), 3, 100, alpha)
        expect_equal(
            tokens,
            want_tokens,
            Text(
                f"the best sequence (seed {seed}, α={alpha})",
                f"a melhor sequência (semente {seed}, α={alpha})",
            ),
        )
        expect_close(score, want_score, Text("its score", "o score dele"))


def best_of_all(seed, max_len, alpha):
    """Every sequence that ends with EOS within max_len tokens, and every one of
    max_len tokens without EOS: the best by total / length**alpha."""
    scorer = RandomScorer(vocab_size=4, seed=seed, temperature=0.5)
    best = (-np.inf, None)
    words = [w for w in range(scorer.vocab_size) if w != EOS]
    for n in range(max_len + 1):
        for body in itertools.product(words, repeat=n):
            prefix, total = [BOS], 0.0
            for w in body:
                total += scorer(prefix)[w]
                prefix.append(w)
            if n < max_len:
                score = (total + scorer(prefix)[EOS]) / (n + 1) ** alpha
            else:
                score = total / n**alpha
            best = max(best, (score, list(body)), key=lambda pair: pair[0])
    return best[1], best[0]
