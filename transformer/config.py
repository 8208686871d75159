"""The Transformer's hyperparameters as a dataclass, with named presets.

    config = TransformerConfig.preset("toy", src_vocab=120, tgt_vocab=140)
    model = Transformer.from_config(config)

Presets: "tiny" (CI tests), "toy" (the toy translator on a laptop), "small",
and the paper's "base" and "big" (Table 3 of Vaswani et al., 2017, with the
37,000-token vocabulary shared by English and German).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass
class TransformerConfig:
    src_vocab: int = 300  # source vocabulary size: ids 0 .. src_vocab - 1
    tgt_vocab: int = 300  # target vocabulary size (the number of logits)
    d_model: int = 512  # width of every token vector between sublayers
    n_heads: int = 8  # attention heads; each sees d_model / n_heads features
    n_layers: int = 6  # encoder layers, and as many decoder layers
    d_ff: int = 2048  # hidden width of the position-wise feed-forward network
    dropout: float = 0.1  # on embeddings, sublayer outputs, attention weights, FFN
    max_len: int = 512  # longest sequence the positional table covers
    share_embeddings: bool = False  # tie source, target and output matrices
    norm_first: bool = False  # pre-norm instead of the paper's post-norm
    learned_positions: bool = False  # a trained position table, not sinusoids
    # the fused ops (multi-head attention, FFN, Add & Norm: each one op with a
    # hand-derived backward, fast) or the same steps composed from basic ops
    fused_ops: bool = True

    def __post_init__(self):
        for name in ("src_vocab", "tgt_vocab", "d_model", "n_heads", "n_layers"):
            _check_positive(name, getattr(self, name))
        _check_positive("d_ff", self.d_ff)
        _check_positive("max_len", self.max_len)
        if self.d_model % self.n_heads != 0:
            raise ValueError(
                f"TransformerConfig: d_model = {self.d_model} is not divisible by "
                f"n_heads = {self.n_heads}; each head gets d_model / n_heads "
                "features (try d_model a multiple of n_heads)"
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(
                f"TransformerConfig: dropout must be in [0, 1), got {self.dropout}"
            )
        if self.share_embeddings and self.src_vocab != self.tgt_vocab:
            raise ValueError(
                f"TransformerConfig: share_embeddings needs one vocabulary for both "
                f"sides, but src_vocab = {self.src_vocab} and tgt_vocab = "
                f"{self.tgt_vocab}"
            )

    # ------------------------------------------------------------ presets

    @classmethod
    def preset(cls, name: str, **overrides) -> TransformerConfig:
        """A named configuration, with any field overridden by keyword."""
        if name not in PRESETS:
            raise ValueError(
                f"unknown model config {name!r}; choose one of {', '.join(PRESETS)}"
            )
        return cls.from_dict({**PRESETS[name], **overrides})

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TransformerConfig:
        """The config saved by `to_dict` (e.g. read back from config.json).

        Reads the names of earlier versions too (`RENAMED`), so checkpoints
        saved before a field was renamed still load.
        """
        if not isinstance(values, dict):
            raise TypeError(
                f"TransformerConfig: expected the fields as a dict such as "
                f'{{"d_model": 128, "n_heads": 4, ...}}, got {type(values).__name__} '
                f"{values!r:.40}"
            )
        values = {RENAMED.get(name, name): value for name, value in values.items()}
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"TransformerConfig: unknown field(s) {', '.join(unknown)}; the "
                f"fields are {', '.join(sorted(known))}"
            )
        return cls(**values)

    # ------------------------------------------------------------ size

    def parameter_counts(self) -> dict[str, int]:
        """Learned numbers per part, in closed form (a shared matrix counted once).

        Per attention block 4 (d² + d): W_q, W_k, W_v, W_o and their biases.
        Per FFN d·d_ff + d_ff + d_ff·d + d. Per LayerNorm 2d (scale and shift).
        An encoder layer: attention + FFN + 2 norms; a decoder layer: two
        attentions + FFN + 3 norms. Pre-norm adds a final norm to each stack.
        """
        d, d_ff, n = self.d_model, self.d_ff, self.n_layers
        attention = 4 * (d * d + d)
        ffn = d * d_ff + d_ff + d_ff * d + d
        norm = 2 * d
        final_norm = norm if self.norm_first else 0
        shared = self.share_embeddings
        embeddings = self.src_vocab * d + (0 if shared else self.tgt_vocab * d)
        return {
            "embeddings": embeddings,
            "positions": 2 * self.max_len * d if self.learned_positions else 0,
            "encoder": n * (attention + ffn + 2 * norm) + final_norm,
            "decoder": n * (2 * attention + ffn + 3 * norm) + final_norm,
            "output projection": (0 if shared else self.tgt_vocab * d) + self.tgt_vocab,
        }

    def num_parameters(self) -> int:
        """The closed-form total; equals `Transformer.num_parameters()`."""
        return sum(self.parameter_counts().values())


# Fields renamed since checkpoints were first saved: old name -> new name.
RENAMED = {"fused_attention": "fused_ops"}


def _check_positive(name: str, value) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(
            f"TransformerConfig: {name} must be a positive integer, got {value!r}"
        )


# The vocabulary sizes of the small presets are placeholders: the training
# loop sets them from its tokenizer.
PRESETS: dict[str, dict] = {
    "tiny": dict(
        src_vocab=32, tgt_vocab=32, d_model=32, n_heads=4, n_layers=1,
        d_ff=64, dropout=0.0, max_len=64,
    ),
    "toy": dict(
        src_vocab=300, tgt_vocab=300, d_model=128, n_heads=4, n_layers=2,
        d_ff=512, dropout=0.1, max_len=128,
    ),
    "small": dict(
        src_vocab=1000, tgt_vocab=1000, d_model=256, n_heads=8, n_layers=3,
        d_ff=1024, dropout=0.1, max_len=256,
    ),
    "base": dict(
        src_vocab=37000, tgt_vocab=37000, d_model=512, n_heads=8, n_layers=6,
        d_ff=2048, dropout=0.1, max_len=512, share_embeddings=True,
    ),
    "big": dict(
        src_vocab=37000, tgt_vocab=37000, d_model=1024, n_heads=16, n_layers=6,
        d_ff=4096, dropout=0.3, max_len=512, share_embeddings=True,
    ),
}  # fmt: skip


def describe(config: TransformerConfig, name: str = "") -> list[str]:
    """Lines for `python cli.py info --model NAME`: the fields, then the
    parameter count of each part (closed form) and the total."""
    title = f"model config {name!r}" if name else "model config"
    lines = [title]
    lines += [f"  {key:18s} {value}" for key, value in config.to_dict().items()]
    lines.append("parameters")
    counts = config.parameter_counts()
    lines += [f"  {part:18s} {count:>13,d}" for part, count in counts.items()]
    if config.share_embeddings:
        lines[-1] += "  (its bias: the weight is the shared embedding)"
    total = sum(counts.values())
    lines.append(f"  {'total':18s} {total:>13,d}  ({total / 1e6:.2f} M)")
    return lines
