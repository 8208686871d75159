"""A model's configuration as config.json holds it: old field names still
load, and a damaged or absurd config is a one-line error (issue 15)."""

import json

import pytest

import tinygrad_tx
from transformer import checkpoint as ckpt
from transformer.config import TransformerConfig
from transformer.data.vocab import Vocab, save_vocabs
from transformer.model import Transformer
from transformer.translator import Translator

TINY = dict(src_vocab=10, tgt_vocab=12, d_model=8, n_heads=2, n_layers=1, d_ff=16)


def _run_dir(tmp_path, model_fields):
    """A checkpoint directory whose config.json says `"model": model_fields`."""
    tinygrad_tx.manual_seed(0)
    model = Transformer(**TINY)
    ckpt.save_weights(tmp_path / ckpt.MODEL_FILE, model, {})
    words = [f"w{i}" for i in range(8)]  # 4 special tokens + 6 or 8 words
    save_vocabs(tmp_path / ckpt.VOCAB_FILE, Vocab(words[:6]), Vocab(words))
    config = {"model": model_fields, "train": {}}
    (tmp_path / ckpt.CONFIG_FILE).write_text(json.dumps(config))
    return tmp_path


def test_a_checkpoint_saved_with_fused_attention_still_loads(tmp_path):
    old = {**TINY, "fused_attention": False}  # the field's name before fused_ops
    translator = Translator.load(_run_dir(tmp_path, old))
    assert translator.model.config.fused_ops is False
    assert not translator.model.encoder.layers[0].fused


def test_the_old_name_is_read_by_presets_and_from_dict():
    assert TransformerConfig.preset("tiny", fused_attention=False).fused_ops is False
    config = TransformerConfig.from_dict({**TINY, "fused_attention": True})
    assert (
        config.to_dict()["fused_ops"] is True
        and "fused_attention" not in config.to_dict()
    )


def test_a_model_section_that_is_not_a_dict_says_so(tmp_path):
    with pytest.raises(
        ckpt.CheckpointError,
        match=r"config.json does not describe a model: TransformerConfig: expected the "
        r"fields as a dict .* got str 'hello'",
    ):  # was: "unknown field(s) e, h, l, o"
        Translator.load(_run_dir(tmp_path, "hello"))


def test_a_model_larger_than_memory_is_refused_before_allocating(tmp_path):
    huge = {**TINY, "d_model": 1_000_000_000, "n_heads": 1, "src_vocab": 10}
    with pytest.raises(
        ValueError,
        match=r"Transformer: this configuration has [\d,]+ "
        r"parameters \([\d,.]+ GiB in float32\), more than this "
        r"machine's [\d,.]+ GiB of memory; choose a smaller d_model",
    ):
        Translator.load(_run_dir(tmp_path, {**huge, "tgt_vocab": 12}))


def test_a_float_d_model_is_named():
    with pytest.raises(
        ValueError, match=r"d_model must be a positive integer, got 1000000000.0"
    ):
        TransformerConfig.from_dict({**TINY, "d_model": 1e9})
