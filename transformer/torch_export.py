"""Export a trained model to PyTorch: `python cli.py export-torch CHECKPOINT OUT`.

The weights are written under the names of `transformer/torch_loader.py`'s
model, which is torch.nn.Transformer with embeddings, positions and the output
projection around it. The file is safetensors (no pickle) and carries the
model configuration and the vocabularies as metadata, so it stands alone:

    ours                                         PyTorch (torch_loader.Seq2Seq)
    src_embed.weight, tgt_embed.weight           the same names
    src_pos (table or learned weight)            src_pos, tgt_pos
    encoder.layers.i.self_attn.w_q/w_k/w_v      transformer.encoder.layers.i.self_attn
                                                   .in_proj_weight = [W_q; W_k; W_v]
    ....self_attn.w_o                            ....self_attn.out_proj
    decoder.layers.i.cross_attn                  transformer.decoder.layers.i.multihead_attn
    ....ffn.linear1, ....ffn.linear2             ....linear1, ....linear2
    ....norm1, norm2, norm3                      the same names
    encoder.norm, decoder.norm (pre-norm only)   transformer.encoder.norm, ...decoder.norm
    out_proj                                     out_proj

This module needs no PyTorch: it renames NumPy arrays.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from tinygrad_tx import io

from . import checkpoint as ckpt
from .positional import sinusoidal_table

FORMAT = "tinygrad_tx export-torch 1"


def torch_state_dict(model) -> dict[str, np.ndarray]:
    """model's weights (float32) under the names of torch_loader.Seq2Seq."""
    ours, c = model.state_dict(), model.config
    torch_names: dict[str, np.ndarray] = {}
    for side in ("src", "tgt"):
        embed = "src_embed" if c.share_embeddings else f"{side}_embed"
        torch_names[f"{side}_embed.weight"] = ours[f"{embed}.weight"]
        table = sinusoidal_table(c.max_len, c.d_model).astype(np.float32)
        torch_names[f"{side}_pos"] = (
            ours[f"{side}_pos.weight"] if c.learned_positions else table
        )
    for stack, n_attention in (("encoder", 1), ("decoder", 2)):
        for i in range(c.n_layers):
            ours_prefix = f"{stack}.layers.{i}"
            theirs = f"transformer.{stack}.layers.{i}"
            torch_names.update(_layer(ours, ours_prefix, theirs, n_attention))
        if c.norm_first:
            for part in ("weight", "bias"):
                torch_names[f"transformer.{stack}.norm.{part}"] = ours[
                    f"{stack}.norm.{part}"
                ]
    torch_names["out_proj.weight"] = ours.get(
        "out_proj.weight", ours["src_embed.weight"]
    )
    torch_names["out_proj.bias"] = ours["out_proj.bias"]
    return {
        k: np.ascontiguousarray(v, dtype=np.float32) for k, v in torch_names.items()
    }


def _layer(ours: dict, prefix: str, theirs: str, n_attention: int) -> dict:
    """One encoder (1 attention) or decoder (2) layer's weights, renamed."""
    out = {}
    attentions = [("self_attn", "self_attn"), ("cross_attn", "multihead_attn")]
    for mine, torch_name in attentions[:n_attention]:
        a = f"{prefix}.{mine}"
        for part, packed in (("weight", "in_proj_weight"), ("bias", "in_proj_bias")):
            blocks = [ours[f"{a}.{w}.{part}"] for w in ("w_q", "w_k", "w_v")]
            out[f"{theirs}.{torch_name}.{packed}"] = np.concatenate(blocks, axis=0)
            out[f"{theirs}.{torch_name}.out_proj.{part}"] = ours[f"{a}.w_o.{part}"]
    for part in ("weight", "bias"):
        out[f"{theirs}.linear1.{part}"] = ours[f"{prefix}.ffn.linear1.{part}"]
        out[f"{theirs}.linear2.{part}"] = ours[f"{prefix}.ffn.linear2.{part}"]
        for norm in ("norm1", "norm2", "norm3")[: n_attention + 1]:
            out[f"{theirs}.{norm}.{part}"] = ours[f"{prefix}.{norm}.{part}"]
    return out


def _check_out(out: Path, checkpoint: Path) -> None:
    """Refuse to overwrite a file of a training run (its weights, its state:
    anything in a run's folder) or any file that is not an earlier export."""
    from .run_dir import is_run

    if not out.exists():
        return
    folder = out.resolve().parent
    if folder == checkpoint.resolve() or is_run(folder):
        raise ckpt.CheckpointError(
            f"{out} is a file of the training run in {folder}: export-torch never "
            "overwrites a run's files; write the export elsewhere, e.g. "
            "out/toy.safetensors"
        )
    if not _is_export(out):
        raise ckpt.CheckpointError(
            f"{out} exists and was not written by export-torch, so it is not "
            "overwritten: choose another name, or move that file away first"
        )


def _is_export(path: Path) -> bool:
    """Was `path` written by export_torch (its header's format says so)?"""
    try:
        header = ckpt.read_header(path)
    except (OSError, ValueError):
        return False
    return header.get("__metadata__", {}).get("format") == FORMAT


def export_torch(checkpoint: str | os.PathLike, out: str | os.PathLike) -> dict:
    """Write the checkpoint's model for PyTorch to `out` (safetensors); returns
    {"parameters": count, "tensors": count, "path": out}. A missing or
    incompatible checkpoint is a CheckpointError naming the file."""
    from .translator import Translator

    directory = Path(checkpoint)
    if directory.name == ckpt.MODEL_FILE:  # the weights file itself: its folder
        directory = directory.parent
    _check_out(Path(out), directory)
    translator = Translator.load(directory)
    arrays = torch_state_dict(translator.model)
    metadata = {
        "format": FORMAT,
        "config": json.dumps(translator.model.config.to_dict()),
        "vocab": (directory / ckpt.VOCAB_FILE).read_text(encoding="utf-8"),
    }
    try:
        io.save(arrays, out, metadata=metadata)
    except OSError as exc:
        raise ckpt.CheckpointError(
            f"cannot write {out}: {exc.strerror or exc}"
        ) from None
    return {
        "parameters": translator.model.num_parameters(),
        "tensors": len(arrays),
        "path": str(out),
    }
