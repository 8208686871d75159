"""Load a model exported by `python cli.py export-torch` into PyTorch: copy this
file (it needs only torch and safetensors). model = load("toy.safetensors");
logits = model(src_ids, tgt_ids) -> (B, Lt, tgt_vocab); pad id 0."""

# fmt: off
import json
import math

import torch
from safetensors import safe_open
from safetensors.torch import load_file
from torch import nn


class Seq2Seq(nn.Module):  # tinygrad_tx's Transformer on torch.nn.Transformer
    def __init__(self, c):  # c: the "config" saved in the file's metadata
        super().__init__()
        d, n, learned = c["d_model"], c["n_layers"], c["learned_positions"]
        self.src_embed = nn.Embedding(c["src_vocab"], d)
        self.tgt_embed = nn.Embedding(c["tgt_vocab"], d)
        self.src_pos = nn.Parameter(torch.zeros(c["max_len"], d), learned)  # the sinusoid
        self.tgt_pos = nn.Parameter(torch.zeros(c["max_len"], d), learned)  # table, or learned
        self.transformer = nn.Transformer(d, c["n_heads"], n, n, c["d_ff"], c["dropout"],
                                          batch_first=True, norm_first=c["norm_first"])
        self.transformer.encoder.use_nested_tensor = False  # plain tensors, no warning
        if not c["norm_first"]:  # post-norm, as the paper: no final LayerNorms
            self.transformer.encoder.norm = self.transformer.decoder.norm = None
        self.out_proj = nn.Linear(d, c["tgt_vocab"])
        if c["share_embeddings"]:  # one matrix for both embeddings and the output
            self.tgt_embed = self.src_embed
            self.out_proj.weight = self.src_embed.weight

    def forward(self, src, tgt, pad_id=0):
        def embed(table, pos, ids):  # token vectors · √d_model + positions
            return table(ids) * math.sqrt(table.embedding_dim) + pos[: ids.shape[1]]
        future = torch.ones(tgt.shape[1], tgt.shape[1], dtype=torch.bool).triu(1)
        pad = dict(src_key_padding_mask=src == pad_id, memory_key_padding_mask=src == pad_id)
        out = self.transformer(embed(self.src_embed, self.src_pos, src),
                               embed(self.tgt_embed, self.tgt_pos, tgt), tgt_mask=future,
                               tgt_key_padding_mask=tgt == pad_id, **pad)
        return self.out_proj(out)


def load(path):
    with safe_open(path, "pt") as f:
        model = Seq2Seq(json.loads(f.metadata()["config"]))
    model.load_state_dict(load_file(path))
    return model.eval()
