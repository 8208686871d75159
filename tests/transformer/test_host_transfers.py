"""The GPU's code path without a GPU: a training step and decoding run on the
"strict" test device (NumPy behind CuPy's rules: no implicit conversion of a
device array to NumPy, every copy to the host counted), give the CPU's numbers,
and copy to the host no more often than stated here.

A copy to the host waits for the GPU to finish its queued work, so a handful
per step is fine and one per parameter or per op is not."""

from types import SimpleNamespace

import numpy as np
import pytest
from helpers import assert_close

import tinygrad_tx
from tinygrad_tx import optim, strict
from transformer.data.batching import make_batch
from transformer.decode import beam_search, greedy_decode
from transformer.model import Transformer
from transformer.train import TrainConfig, train_step

# One training step copies to the host 5 times: the range checks of the
# source ids, the target ids and the target classes (CuPy would wrap an
# out-of-range id around silently), the gradient's global norm (to clip it),
# and the loss (to print it).
TRANSFERS_PER_TRAINING_STEP = 5
# Greedy decoding: the source ids' check, then per word the target ids'
# check and the next word's log-probabilities (to pick the argmax).
TRANSFERS_PER_DECODED_WORD = 2


def _batch(n=8, vocab=32, seed=0):
    rng = np.random.default_rng(seed)

    def sentence():
        return [int(i) for i in rng.integers(4, vocab, size=rng.integers(3, 9))]

    return make_batch([(sentence(), sentence()) for _ in range(n)], list(range(n)))


def _training_step(device: str, dropout: float):
    """(loss, parameters after one step, the transfers it made)."""
    tinygrad_tx.manual_seed(0)
    model = Transformer.from_config("tiny", dropout=dropout).to(device)
    adam = optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98), eps=1e-9)
    run = SimpleNamespace(
        model=model,
        optimizer=adam,
        schedule=optim.NoamSchedule(adam, d_model=32, warmup=10),
        config=TrainConfig(steps=1),
    )
    with strict.counting_transfers() as log:
        loss = train_step(run, _batch())
    return loss, model.state_dict(), log


def test_a_training_step_on_the_strict_device_gives_the_cpu_numbers():
    loss_cpu, params_cpu, log_cpu = _training_step("cpu", dropout=0.0)
    loss, params, _ = _training_step("strict", dropout=0.0)
    assert log_cpu.count == 0  # NumPy arrays are host arrays: nothing to count
    assert loss == pytest.approx(loss_cpu, rel=1e-6)
    for name, value in params_cpu.items():
        assert_close(params[name], value, rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("dropout", [0.0, 0.1])
def test_a_training_step_copies_to_the_host_a_stated_number_of_times(dropout):
    _, _, log = _training_step("strict", dropout)
    assert log.count <= TRANSFERS_PER_TRAINING_STEP, log.summary()


def test_greedy_decoding_copies_a_stated_number_of_times_per_word():
    tinygrad_tx.manual_seed(0)
    model = Transformer.from_config("tiny").eval()
    src = _batch().src
    expected = greedy_decode(model, src, max_len=6)
    model.to("strict")
    with strict.counting_transfers() as log:
        found = greedy_decode(model, src, max_len=6)
    assert found == expected
    words = max(len(out) for out in found) + 1  # the longest, and its </s>
    assert log.count <= 1 + TRANSFERS_PER_DECODED_WORD * words, log.summary()


def test_beam_search_on_the_strict_device_gives_the_cpu_translations():
    tinygrad_tx.manual_seed(0)
    model = Transformer.from_config("tiny").eval()
    src = _batch(n=3).src
    expected = beam_search(model, src, beam=3, max_len=5)
    assert beam_search(model.to("strict"), src, beam=3, max_len=5) == expected
