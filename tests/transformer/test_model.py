"""The whole Transformer: parameter counts against the closed form, embeddings,
causality, padding, tied weights, initialisation, bad input, and learning to
copy and to reverse sequences."""

import math

import numpy as np
import pytest
from attention_oracle import module_gradcheck
from helpers import assert_close

import tinygrad_tx
from tinygrad_tx import Tensor, no_grad, optim
from tinygrad_tx import functional as F
from tinygrad_tx.nn import Module
from transformer import PRESETS, Transformer, TransformerConfig, make_masks
from transformer.masks import causal_mask
from transformer.positional import sinusoidal_table

PAD = 0


def _tiny(**overrides):
    tinygrad_tx.manual_seed(0)
    return Transformer.from_config("tiny", **overrides)


def _ids(shape, vocab, seed=0, low=1):
    return np.random.default_rng(seed).integers(low, vocab, size=shape)


# ---------------------------------------------------------------- size


def test_base_model_has_the_closed_form_count_near_the_papers_65_million():
    config = TransformerConfig.preset("base")  # shared 37,000-token vocabulary
    v, d, d_ff, n = 37_000, 512, 2048, 6
    attention = 4 * (d * d + d)  # W_q, W_k, W_v, W_o with biases: 1,050,624
    ffn = d * d_ff + d_ff + d_ff * d + d  # 2,099,712
    norm = 2 * d  # scale and shift
    encoder = n * (attention + ffn + 2 * norm)  # 18,914,304
    decoder = n * (2 * attention + ffn + 3 * norm)  # 25,224,192
    embedding = v * d  # one matrix for source, target and output: 18,944,000
    output_bias = v
    expected = embedding + encoder + decoder + output_bias
    assert expected == 63_119_496
    assert config.num_parameters() == expected
    model = Transformer.from_config(config)
    assert model.num_parameters() == expected
    assert abs(expected - 65e6) / 65e6 < 0.03  # the paper reports 65 × 10⁶


@pytest.mark.parametrize("name", ["tiny", "toy"])
@pytest.mark.parametrize(
    "variant",
    [{}, {"share_embeddings": True}, {"norm_first": True}, {"learned_positions": True}],
    ids=["plain", "shared", "pre-norm", "learned-positions"],
)
def test_closed_form_count_equals_the_built_model(name, variant):
    config = TransformerConfig.preset(name, **variant)
    assert Transformer.from_config(config).num_parameters() == config.num_parameters()


def test_presets_and_config_round_trip():
    assert set(PRESETS) == {"tiny", "toy", "small", "base", "big"}
    toy = TransformerConfig.preset("toy", src_vocab=120)
    assert (toy.d_model, toy.n_heads, toy.n_layers, toy.d_ff, toy.src_vocab) == (
        128,
        4,
        2,
        512,
        120,
    )
    assert TransformerConfig.from_dict(toy.to_dict()) == toy
    big = TransformerConfig.preset("big")
    assert 205e6 < big.num_parameters() < 220e6  # the paper reports 213 × 10⁶
    with pytest.raises(
        ValueError, match="unknown model config 'huge'; choose one of tiny"
    ):
        TransformerConfig.preset("huge")
    with pytest.raises(ValueError, match="unknown field"):
        TransformerConfig.from_dict({"d_modle": 4})


# ---------------------------------------------------------------- structure


class _Identity(Module):
    def forward(self, x, *args):
        return x


def test_encoder_input_is_scaled_embedding_plus_positions():
    model = _tiny()
    model.eval()
    model.encoder = _Identity()  # expose what the encoder receives
    src = _ids((2, 7), 32)
    x = model.encode(Tensor(src))
    table = model.src_embed.weight.numpy()
    expected = table[src] * math.sqrt(32) + sinusoidal_table(64, 32)[:7]
    assert_close(x, expected, rtol=1e-5, atol=1e-5)


def test_shared_embeddings_are_one_matrix_and_logits_use_it():
    model = _tiny(share_embeddings=True)
    weight = model.src_embed.weight
    assert model.tgt_embed.weight is weight and model.out_proj.weight is weight
    model.decoder = _Identity()
    src, tgt = Tensor(_ids((2, 5), 32)), Tensor(_ids((2, 4), 32, seed=1))
    memory = model.encode(src)
    hidden = model.tgt_pos(model.tgt_embed(tgt) * math.sqrt(32)).numpy()
    logits = model.decode(memory, None, tgt)
    expected = hidden @ weight.numpy().T + model.out_proj.bias.numpy()
    assert_close(logits, expected, rtol=1e-5, atol=1e-5)


def test_matrices_start_xavier_uniform_and_vectors_keep_their_init():
    model = Transformer.from_config("toy")
    for name, p in model.named_parameters():
        w = p.numpy()
        if p.ndim > 1:
            fan_out, fan_in = p.shape
            bound = math.sqrt(6 / (fan_in + fan_out))
            assert np.abs(w).max() <= bound, name
            assert np.abs(w).max() > 0.95 * bound, name  # it is spread over the range
            assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.1), name
        elif "norm" in name:
            assert (w == (1 if name.endswith("weight") else 0)).all(), name


def test_tiny_model_gradcheck_through_every_parameter():
    tinygrad_tx.manual_seed(1)
    model = Transformer(7, 6, d_model=4, n_heads=2, n_layers=1, d_ff=6, dropout=0.0)
    model.double()
    src = Tensor(np.array([[1, 2, 3], [4, 5, 0]]))
    tgt = Tensor(np.array([[1, 2], [3, 0]]))
    src_mask, tgt_mask = make_masks(src, tgt, PAD)
    report = module_gradcheck(model, lambda: model(src, tgt, src_mask, tgt_mask), [])
    assert report.ok, report.message


# ---------------------------------------------------------------- masks at work


def test_changing_target_token_t_changes_no_output_before_t(device):
    model = _tiny().to(device)
    model.eval()
    src = Tensor(_ids((2, 6), 32), device=device)
    tgt = _ids((2, 8), 32, seed=1)
    t = 4
    with no_grad():
        before = model(src, tgt).numpy()
        tgt[:, t] = (tgt[:, t] + 5) % 31 + 1
        after = model(src, tgt).numpy()
    assert_close(after[:, :t], before[:, :t], rtol=1e-6, atol=1e-6)
    assert not np.allclose(after[:, t], before[:, t], atol=1e-3)


def test_padded_source_tokens_change_nothing_and_get_zero_weight(device):
    model = _tiny().to(device)
    model.eval()
    src = _ids((2, 7), 32)
    src[0, 4:] = PAD  # the first sentence has 4 tokens and 3 pads
    tgt = Tensor(_ids((2, 5), 32, seed=1), device=device)
    src_mask, tgt_mask = make_masks(Tensor(src, device=device), tgt, PAD)
    outputs = []
    for pad_value in (PAD, 17):  # what sits in the padded slots must not matter
        src[0, 4:] = pad_value
        with no_grad():
            memory = model.encode(src, src_mask)
            logits = model.decode(memory, src_mask, tgt, tgt_mask)
        outputs.append((memory.numpy()[0, :4], logits.numpy()))
        attentions = [layer.self_attn for layer in model.encoder.layers]
        attentions += [layer.cross_attn for layer in model.decoder.layers]
        for attn in attentions:
            assert (attn.attn_weights.numpy()[0, :, :, 4:] == 0.0).all()
    (memory_a, logits_a), (memory_b, logits_b) = outputs
    assert_close(memory_a, memory_b, rtol=1e-6, atol=1e-6)
    assert_close(logits_a, logits_b, rtol=1e-6, atol=1e-6)


def test_decode_without_tgt_mask_is_causal(device):
    model = _tiny().to(device)
    src, tgt = _ids((2, 5), 32), _ids((2, 6), 32, seed=2)
    model.eval()
    memory = model.encode(src)
    assert_close(
        model.decode(memory, None, tgt),
        model.decode(memory, None, tgt, causal_mask(6, device)),
    )


def test_make_masks_method_and_eval_is_deterministic(device):
    model = _tiny(dropout=0.3).to(device)
    src, tgt = _ids((3, 5), 32), _ids((3, 4), 32, seed=1)
    src_mask, tgt_mask = model.make_masks(src, tgt, PAD)
    assert src_mask.shape == (3, 1, 1, 5) and tgt_mask.shape == (3, 1, 4, 4)
    train_a, train_b = model(src, tgt).numpy(), model(src, tgt).numpy()
    assert not np.allclose(train_a, train_b)  # dropout draws new masks
    model.eval()
    assert_close(model(src, tgt), model(src, tgt))


def test_model_runs_on_the_device(device):
    model = _tiny()
    model.eval()
    src, tgt = _ids((2, 5), 32), _ids((2, 4), 32, seed=1)
    with no_grad():
        expected = model(src, tgt).numpy()
        model.to(device)
        out = model(Tensor(src, device=device), Tensor(tgt, device=device))
    assert out.device == device
    assert_close(out, expected, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- bad input


def test_bad_input_gets_clear_errors(device):
    model = _tiny().to(device)
    src, tgt = _ids((2, 5), 32), _ids((2, 4), 32)
    with pytest.raises(
        IndexError,
        match=r"embedding: token id 40 is out of range for a table of 32 rows "
        r"\(valid: 0..31\), in module src_embed",
    ):
        model(np.where(src == src[0, 0], 40, src), tgt)
    with pytest.raises(
        IndexError, match=r"token id -\d+ is out of range.*in module tgt_embed"
    ):
        model(src, tgt - 5)
    with pytest.raises(ValueError, match="src has length 70 but max_len = 64"):
        model(_ids((2, 70), 32), tgt)
    with pytest.raises(ValueError, match="src has batch size 2 but tgt has 3"):
        model(src, _ids((3, 4), 32))
    with pytest.raises(ValueError, match="memory has batch size 2 but tgt has 1"):
        model.decode(model.encode(src), None, tgt[:1])
    with pytest.raises(
        ValueError, match=r"mask of shape \(2, 1, 1, 6\) cannot broadcast"
    ):
        model(src, tgt, src_mask=Tensor(np.ones((2, 1, 1, 6), bool), device=device))
    with pytest.raises(ValueError, match="integer token ids of shape"):
        model(src.astype(np.float32), tgt)
    with pytest.raises(
        ValueError, match="d_model = 30 is not divisible by n_heads = 4"
    ):
        Transformer(10, 10, d_model=30, n_heads=4)
    with pytest.raises(ValueError, match="src_vocab = 10 and tgt_vocab = 12"):
        Transformer(10, 12, d_model=8, n_heads=2, share_embeddings=True)


# ---------------------------------------------------------------- learning


def _train_sequence_task(task: str, steps: int = 400, lr: float = 5e-3):
    """Train a 2-layer model on random sequences of 10 tokens (ids 2..11; 0 is
    padding, 1 starts the target) to copy or reverse them; return the
    teacher-forced predictions and the answers on 500 fresh sequences."""
    tinygrad_tx.manual_seed(0)
    rng = np.random.default_rng(0)
    model = Transformer(
        12, 12, d_model=64, n_heads=4, n_layers=2, d_ff=128, dropout=0.0, max_len=16
    )
    adam = optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98), eps=1e-9)

    def batch(n):
        src = rng.integers(2, 12, size=(n, 10))
        target = src if task == "copy" else src[:, ::-1]
        tgt_in = np.concatenate([np.ones((n, 1), np.int64), target[:, :-1]], axis=1)
        return Tensor(src), Tensor(tgt_in), target

    warmup = 30
    for step in range(steps):  # linear warm-up, then linear decay to 0
        adam.lr = lr * min((step + 1) / warmup, (steps - step) / (steps - warmup))
        src, tgt_in, target = batch(64)
        loss = F.cross_entropy(model(src, tgt_in), Tensor(target))
        model.zero_grad()
        loss.backward()
        adam.step()
    model.eval()
    src, tgt_in, target = batch(500)
    with no_grad():
        predicted = model(src, tgt_in).numpy().argmax(axis=-1)
    return predicted, target


@pytest.mark.slow
@pytest.mark.parametrize("task", ["copy", "reverse"])
def test_two_layer_model_learns_to_copy_and_reverse(task):
    # Teacher-forced argmax right at every position of every held-out sequence
    # means greedy decoding writes each sequence exactly.
    predicted, target = _train_sequence_task(task)
    assert (predicted == target).mean() == 1.0


def test_cli_info_model_prints_the_config_and_its_counts():
    import importlib.util
    from pathlib import Path

    from click.testing import CliRunner

    # the repository's cli.py (site-packages may hold an older installed copy)
    path = Path(__file__).resolve().parents[2] / "cli.py"
    spec = importlib.util.spec_from_file_location("tinygrad_tx_cli_model", path)
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    main = cli.main
    result = CliRunner().invoke(main, ["info", "--model", "base"])
    assert result.exit_code == 0, result.output
    assert "share_embeddings   True" in result.output
    assert "total                 63,119,496  (63.12 M)" in result.output
    result = CliRunner().invoke(main, ["info", "--model", "huge"])
    assert result.exit_code == 2
    assert (
        "unknown config 'huge'; choose one of tiny, toy, small, base, big"
        in result.output
    )
