"""`python cli.py export-torch`: a checkpoint's weights under the names of
transformer/torch_loader.py's PyTorch model, which then gives the same logits;
clear errors for a missing or incompatible checkpoint."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

import tinygrad_tx
from cli import main
from tinygrad_tx import Tensor, io
from transformer import checkpoint as ckpt
from transformer.data import build_vocabs, save_vocabs
from transformer.masks import make_masks
from transformer.model import Transformer
from transformer.torch_export import torch_state_dict

# torch.nn.Transformer warns about its nested-tensor fast path (a prototype, and
# off with pre-norm layers): not ours to fix.
pytestmark = [
    pytest.mark.filterwarnings("ignore:.*nested tensor:UserWarning"),
    pytest.mark.filterwarnings("ignore:enable_nested_tensor is True:UserWarning"),
]

PAIRS = [("the cat sleeps", "o gato dorme"), ("I love books", "eu amo livros")]


def _checkpoint(directory, **overrides):
    """A checkpoint directory as a training run writes it, for a small model."""
    src_vocab, tgt_vocab = build_vocabs(PAIRS, shared=overrides.pop("shared", False))
    config = dict(src_vocab=len(src_vocab), tgt_vocab=len(tgt_vocab), d_model=16,
                  n_heads=2, n_layers=2, d_ff=24, dropout=0.1, max_len=16)  # fmt: skip
    tinygrad_tx.manual_seed(3)
    model = Transformer(**{**config, **overrides})
    directory.mkdir(exist_ok=True)
    ckpt.save_weights(directory / ckpt.MODEL_FILE, model, {"step": 1})
    ckpt.write_json(directory / ckpt.CONFIG_FILE, {"model": model.config.to_dict()})
    save_vocabs(directory / ckpt.VOCAB_FILE, src_vocab, tgt_vocab)
    return model.eval()


def _export(checkpoint, out):
    return CliRunner().invoke(main, ["export-torch", str(checkpoint), str(out)])


def _ids(vocab_size):
    rng = np.random.default_rng(4)
    src = rng.integers(4, vocab_size, (3, 5))
    tgt = rng.integers(4, vocab_size, (3, 4))
    src[1, 3:] = 0  # padding
    tgt[:, 0], tgt[2, 3:] = 1, 0  # <s>, padding
    return src, tgt


def _our_logits(model, src, tgt):
    src_mask, tgt_mask = make_masks(Tensor(src), Tensor(tgt), pad_id=0)
    return model(src, tgt, src_mask, tgt_mask).numpy()


@pytest.mark.parametrize(
    "overrides",
    [{}, {"norm_first": True}, {"shared": True, "share_embeddings": True},
     {"learned_positions": True}],
    ids=["post-norm", "pre-norm", "shared-embeddings", "learned-positions"],
)  # fmt: skip
def test_exported_weights_give_the_same_logits_in_pytorch(tmp_path, overrides):
    torch = pytest.importorskip("torch")
    pytest.importorskip("safetensors.torch")
    from transformer.torch_loader import load

    model = _checkpoint(tmp_path / "run", **overrides)
    out = tmp_path / "model-torch.safetensors"
    result = _export(tmp_path / "run", out)
    assert result.exit_code == 0, result.output
    assert f"{model.num_parameters():,} parameters" in result.output
    src, tgt = _ids(model.config.tgt_vocab)
    with torch.no_grad():
        theirs = load(str(out))(torch.from_numpy(src), torch.from_numpy(tgt)).numpy()
    np.testing.assert_allclose(
        theirs, _our_logits(model, src, tgt), rtol=1e-4, atol=1e-5
    )


def test_export_carries_config_and_vocab_and_only_float32(tmp_path):
    model = _checkpoint(tmp_path / "run")
    out = tmp_path / "m.safetensors"
    result = _export(tmp_path / "run" / ckpt.MODEL_FILE, out)
    assert result.exit_code == 0, result.output  # the weights file works as well
    arrays, metadata = io.load_with_metadata(out)
    assert json.loads(metadata["config"]) == model.config.to_dict()
    assert json.loads(metadata["vocab"]) == json.loads(
        (tmp_path / "run" / ckpt.VOCAB_FILE).read_text()
    )
    assert all(a.dtype == np.float32 for a in arrays.values())
    w = model.state_dict()
    packed = arrays["transformer.decoder.layers.1.multihead_attn.in_proj_weight"]
    np.testing.assert_array_equal(
        packed[16:32], w["decoder.layers.1.cross_attn.w_k.weight"]
    )
    assert (
        sum(a.size for k, a in arrays.items() if "_pos" not in k)
        == model.num_parameters()
    )


def test_names_match_the_pytorch_model_exactly():
    pytest.importorskip("torch")
    pytest.importorskip("safetensors.torch")
    from transformer.torch_loader import Seq2Seq

    for overrides in ({}, {"norm_first": True, "learned_positions": True}):
        tinygrad_tx.manual_seed(0)
        model = Transformer(30, 40, 16, 2, 2, 24, 0.1, 16, **overrides)
        theirs = Seq2Seq(model.config.to_dict()).state_dict()
        ours = torch_state_dict(model)
        assert sorted(ours) == sorted(theirs)
        for name, tensor in theirs.items():
            assert ours[name].shape == tuple(tensor.shape), name


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    result = _export(tmp_path / "none", tmp_path / "o.safetensors")
    assert result.exit_code == 1
    assert "no trained model in" in result.output and "does not exist" in result.output
    assert "Traceback" not in result.output


def test_incompatible_checkpoint_is_a_clear_error(tmp_path):
    _checkpoint(tmp_path / "run")
    config = json.loads((tmp_path / "run" / ckpt.CONFIG_FILE).read_text())
    config["model"]["d_model"] = 32  # the weights were saved with d_model 16
    (tmp_path / "run" / ckpt.CONFIG_FILE).write_text(json.dumps(config))
    result = _export(tmp_path / "run", tmp_path / "o.safetensors")
    assert result.exit_code == 1
    assert "does not fit the model" in result.output
    assert not (tmp_path / "o.safetensors").exists()


def test_output_must_be_a_safetensors_file(tmp_path):
    _checkpoint(tmp_path / "run")
    result = _export(tmp_path / "run", tmp_path / "o.pt")
    assert result.exit_code == 2
    assert "name it *.safetensors" in result.output
