"""Positional encoding: table values against the formula at chosen positions,
distinct rows, the rotation property, PositionalEncoding's add-then-dropout,
learned positions, and a sequence longer than max_len."""

import math

import numpy as np
import pytest
from helpers import assert_close, rand

from tinygrad_tx import Tensor
from transformer.positional import PositionalEncoding, sinusoidal_table


@pytest.mark.parametrize(
    ("pos", "feature", "expected"),
    [
        (0, 0, 0.0),  # sin(0)
        (0, 1, 1.0),  # cos(0)
        (1, 0, math.sin(1.0)),  # 0.841471: wavelength 2π
        (1, 1, math.cos(1.0)),  # 0.540302
        (2, 2, math.sin(2 / 10000 ** (2 / 8))),  # sin(0.2) = 0.198669
        (2, 3, math.cos(0.2)),  # 0.980067
        (10, 6, math.sin(0.01)),  # 10 / 10000^(6/8) = 10 / 1000
        (10, 7, math.cos(0.01)),
        (49, 5, math.cos(49 / 10000 ** (4 / 8))),  # cos(0.49)
    ],
)
def test_table_values_at_chosen_positions(pos, feature, expected):
    table = sinusoidal_table(50, 8)
    assert table.shape == (50, 8)
    assert table[pos, feature] == pytest.approx(expected, abs=1e-12)


def test_hand_computed_numbers():
    table = sinusoidal_table(3, 4)
    # pos 1: angles 1 and 1/100; pos 2: angles 2 and 2/100
    np.testing.assert_allclose(
        table[1], [0.841471, 0.540302, 0.010000, 0.999950], atol=1e-6
    )
    np.testing.assert_allclose(
        table[2], [0.909297, -0.416147, 0.019999, 0.999800], atol=1e-6
    )


def test_every_position_has_a_distinct_pattern():
    table = sinusoidal_table(512, 64)
    squared = (table**2).sum(axis=1)
    distance2 = squared[:, None] + squared[None, :] - 2 * table @ table.T
    np.fill_diagonal(distance2, np.inf)
    assert distance2.min() > 0.01  # no two rows coincide (the closest differ by ~0.3)
    np.testing.assert_allclose(
        squared, 32.0
    )  # 32 (sin², cos²) pairs: each row has norm √32


def test_shifting_a_position_is_a_rotation_of_each_sin_cos_pair():
    table = sinusoidal_table(40, 16)
    k = 7
    for i in range(8):
        w = 1 / 10000 ** (2 * i / 16)
        c, s = math.cos(k * w), math.sin(k * w)
        rotation = np.array([[c, -s], [s, c]])  # (sin a, cos a) -> (sin(a+b), cos(a+b))
        pairs = table[:-k, 2 * i : 2 * i + 2]  # (sin, cos) at pos
        shifted = table[k:, 2 * i : 2 * i + 2]  # at pos + k
        np.testing.assert_allclose(pairs @ rotation, shifted, atol=1e-12)


def test_odd_d_model_has_one_more_sine():
    table = sinusoidal_table(5, 5)
    assert table.shape == (5, 5)
    assert table[3, 4] == pytest.approx(math.sin(3 / 10000 ** (4 / 5)))


def test_positional_encoding_adds_the_table(device):
    pe = PositionalEncoding(8, max_len=20, dropout=0.1).to(device)
    pe.eval()  # dropout off
    x = rand((2, 6, 8), dtype=np.float32)
    out = pe(Tensor(x, device=device))
    assert_close(out, x + sinusoidal_table(20, 8)[:6], rtol=1e-6, atol=1e-6)


def test_dropout_comes_after_the_addition():
    pe = PositionalEncoding(8, max_len=20, dropout=0.5)
    x = rand((4, 6, 8), dtype=np.float32)
    out = pe(Tensor(x)).numpy()
    summed = x + sinusoidal_table(20, 8)[:6]
    dropped = out == 0  # after the addition a dropped element is 0, not PE
    assert 0.3 < dropped.mean() < 0.7
    np.testing.assert_allclose(out[~dropped], 2 * summed[~dropped], rtol=1e-6)


def test_the_sinusoidal_table_is_not_a_parameter_but_learned_positions_are():
    assert PositionalEncoding(8, 20).num_parameters() == 0
    learned = PositionalEncoding(8, 20, dropout=0.0, learned=True)
    assert learned.num_parameters() == 20 * 8
    x = Tensor(rand((3, 5, 8)))
    g = rand((3, 5, 8), seed=1)
    learned(x).backward(g)
    expected = np.zeros((20, 8))
    expected[:5] = g.sum(axis=0)  # each row is added to every sequence in the batch
    assert_close(learned.weight.grad, expected, rtol=1e-6)


def test_sequence_longer_than_max_len_is_an_error():
    pe = PositionalEncoding(8, max_len=10)
    with pytest.raises(ValueError, match="length 11 is longer than max_len = 10"):
        pe(Tensor(np.zeros((1, 11, 8), np.float32)))
    with pytest.raises(ValueError, match=r"\(B, L, d_model = 8\), got \(1, 4, 6\)"):
        pe(Tensor(np.zeros((1, 4, 6), np.float32)))
