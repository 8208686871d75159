"""Checks for greedy_decode: outputs worked out by hand on small table scorers,
the length limit, and how many times the model is asked."""

from tinygrad_tx.grading.checks import check, expect_equal, expect_type, fail
from tinygrad_tx.grading.scorers import RandomScorer, TableScorer

PAD, BOS, EOS, A, B, C = range(6)
DEFAULT = [0.01, 0.01, 0.02, 0.30, 0.32, 0.34]  # p(pad, bos, eos, a, b, c)


def _decode(ex, scorer, max_len=10):
    tokens = ex.greedy_decode(scorer, BOS, EOS, max_len)
    expect_type(tokens, list, "greedy_decode's result")
    for t in tokens:
        if not isinstance(t, int):
            fail(
                f"greedy_decode should return a list of int ids, got {type(t).__name__}"
            )
    return tokens


def _two_step_scorer():
    # By hand: after <s> "a" (0.5) beats "b" (0.4); after "a", "a" (0.32) is the
    # best; after "a a", </s> (0.6). Greedy writes [a, a] and stops.
    return TableScorer(
        {
            (): [0.005, 0.005, 0.04, 0.50, 0.40, 0.05],
            (A,): [0.005, 0.005, 0.09, 0.32, 0.30, 0.28],
            (B,): [0.005, 0.005, 0.90, 0.04, 0.03, 0.02],
            (A, A): [0.005, 0.005, 0.60, 0.20, 0.10, 0.09],
        },
        DEFAULT,
    )


@check(points=3, hint="take the argmax at each step; leave BOS and EOS out")
def hand_worked_table(ex):
    expect_equal(_decode(ex, _two_step_scorer()), [A, A], "greedy_decode on table 1")


@check(points=2, hint="stop as soon as the argmax is EOS: do not ask the model again")
def stops_at_eos(ex):
    scorer = _two_step_scorer()
    _decode(ex, scorer)
    expect_equal(scorer.calls, 3, "the number of calls to step_fn (a, a, then EOS)")


@check(points=2, hint="max_len counts generated tokens; the default row never ends")
def respects_max_len(ex):
    # Every prefix not in the table prefers "c" (0.34): greedy never sees EOS.
    scorer = TableScorer({}, DEFAULT)
    expect_equal(_decode(ex, scorer, max_len=4), [C, C, C, C], "with max_len = 4")
    expect_equal(scorer.calls, 4, "the number of calls to step_fn with max_len = 4")


@check(points=2, hint="pass the whole prefix, BOS first, to step_fn at every step")
def each_token_is_the_argmax(ex):
    """On a scorer with a different random distribution for every prefix: each
    output token is the argmax given the tokens before it, and the output ends
    where EOS is the argmax (or at max_len)."""
    for seed, max_len in ((3, 6), (4, 12), (5, 3)):
        scorer = RandomScorer(vocab_size=5, seed=seed)
        tokens = _decode(ex, RandomScorer(vocab_size=5, seed=seed), max_len)
        for i, token in enumerate(tokens):
            best = int(scorer([BOS, *tokens[:i]]).argmax())
            if token != best:
                fail(
                    f"seed {seed}: token {i} is {token}, but the argmax after "
                    f"{[BOS, *tokens[:i]]} is {best}"
                )
        if len(tokens) < max_len and int(scorer([BOS, *tokens]).argmax()) != EOS:
            fail(
                f"seed {seed}: the output {tokens} stops before max_len = {max_len} "
                "although EOS is not the argmax after it"
            )
