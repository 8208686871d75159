# %% [markdown]
# # Lesson 13: Encoder, decoder and cross-attention
#
# _The whole Transformer: an encoder reads the source, a decoder writes the
# target, and cross-attention connects them: queries from the decoder, keys
# and values from the encoder. A tiny model learns to reverse sequences, and
# its cross-attention shows where it reads from._
#
# **Goals**
#
# - Assemble the model: embeddings, positions, $N$ encoder layers, $N$
#   decoder layers (masked self-attention, cross-attention, FFN), and a linear
#   layer to logits over the target vocabulary.
# - Follow the shapes, including the non-square cross-attention matrix
#   $(L_{tgt}, L_{src})$.
# - Check three properties: the source reaches every decoder position,
#   later target tokens do not reach earlier positions, and padded source
#   tokens get exactly zero attention.
# - Train on a copy task in reverse (as the Annotated Transformer trains a
#   copy task before real data) and read the cross-attention.

# %%
import numpy as np

import tinygrad_tx
from lessons.utils import FAST, output_dir, save_results, show_graph, show_image
from tinygrad_tx import functional as F
from tinygrad_tx import no_grad, optim
from transformer import Transformer, TransformerConfig
from transformer.plots import plot_attention

OUT = output_dir(13)
rng = np.random.default_rng(0)
PAD, BOS, EOS = 0, 1, 2  # the special ids of the project's vocabularies
SYMBOLS = list("abcdefghij")  # ids 4 .. 13
V = 4 + len(SYMBOLS)

# %% [markdown]
# ## The assembled model
#
# ```
# src ids  -> embedding · √d_model + positions -> encoder (N layers) -> memory
# tgt ids  -> embedding · √d_model + positions -> decoder (N layers) -> linear -> logits
#                                                    ^ cross-attention reads memory
# ```
#
# Each decoder layer has three sublayers, each with Add & Norm: masked
# self-attention over the target written so far (lesson 9), **cross-attention**
# whose queries come from the decoder and whose keys and values come from the
# encoder's output (the "memory"), and the feed-forward network. The encoder
# runs once per sentence; the decoder runs once per output word when writing
# (lesson 15), or once for the whole shifted target in training (lesson 14).
#
# We use the project's `"tiny"` preset: $d_{model} = 32$, 4 heads, 1 layer
# each side, $d_{ff} = 64$, no dropout.

# %%
tinygrad_tx.manual_seed(0)
model = Transformer.from_config("tiny", src_vocab=V, tgt_vocab=V)
print(model)
print(f"{model.num_parameters():,} parameters")
base = TransformerConfig.preset("base")
print(f"the paper's base model with this code: {base.num_parameters():,} parameters "
      f"(the paper's Table 3 says 65 million; the count depends on the vocabulary, "
      f"here {base.src_vocab:,} shared tokens)")  # fmt: skip

# %% [markdown]
# ## Shapes
#
# A batch of 2 sources of length 6 (the second padded after 4 tokens) and
# targets of length 7 (`<s>` plus 6 tokens). Self-attention matrices are
# square; cross-attention has one row per *target* position and one column
# per *source* position.

# %%
src = np.array([[4, 5, 6, 7, 8, 9], [10, 11, 12, 13, PAD, PAD]])
tgt_in = np.array([[BOS, 9, 8, 7, 6, 5, 4], [BOS, 13, 12, 11, 10, PAD, PAD]])
src_mask, tgt_mask = model.make_masks(src, tgt_in, PAD)
with no_grad():
    memory = model.encode(src, src_mask)
    logits = model.decode(memory, src_mask, tgt_in, tgt_mask)
layer = model.decoder.layers[0]
shapes = {
    "src": src.shape,
    "memory": memory.shape,
    "src_mask": src_mask.shape,
    "tgt_mask": tgt_mask.shape,
    "decoder self-attention": layer.self_attn.attn_weights.shape,
    "cross-attention": layer.cross_attn.attn_weights.shape,
    "logits": logits.shape,
}
for name, shape in shapes.items():
    print(f"{name:>23}: {shape}")

# %%
assert shapes["cross-attention"] == (2, 4, 7, 6)  # (B, H, L_tgt, L_src)
assert shapes["logits"] == (2, 7, V)

# %% [markdown]
# ## Three checks
#
# 1. **The source reaches the decoder** only through cross-attention: change
#    one source token and every target position's output changes.
# 2. **The decoder cannot see ahead**: change the last target token and the
#    outputs at the earlier positions stay exactly the same.
# 3. **Padding is invisible**: the cross-attention weights on the padded
#    source positions of sentence 2 are exactly 0.

# %%
with no_grad():
    src_changed = src.copy()
    src_changed[0, 0] = 13
    logits_src = model(src_changed, tgt_in, *model.make_masks(src_changed, tgt_in, PAD))
    tgt_changed = tgt_in.copy()
    tgt_changed[0, -1] = 13
    logits_tgt = model(src, tgt_changed, *model.make_masks(src, tgt_changed, PAD))
source_effect = np.abs(logits_src.numpy()[0] - logits.numpy()[0]).max(
    axis=-1
)  # per position
future_effect = np.abs(logits_tgt.numpy()[0] - logits.numpy()[0]).max(axis=-1)
pad_weights = layer.cross_attn.attn_weights.numpy()[
    1, :, :, 4:
]  # sentence 2, padded keys
print(
    f"1) change src[0]: every target position moves, least by {source_effect.min():.3f}"
)
print(f"2) change the last target token: earlier positions move by at most "
      f"{future_effect[:-1].max():.1e}, the last one by {future_effect[-1]:.3f}")  # fmt: skip
print(f"3) cross-attention on padded source positions: max {pad_weights.max()}")

# %%
assert source_effect.min() > 1e-3
assert future_effect[:-1].max() == 0.0 and future_effect[-1] > 1e-3
assert (pad_weights == 0.0).all()

# %% [markdown]
# ## Training on reversal
#
# Source: 6 random symbols. Target: the same symbols in reverse order, then
# `</s>`. Training feeds the target shifted right (`<s>` first) and scores
# every position at once (teacher forcing, lesson 14). To output the symbol
# at position $t$, the decoder must read source position $5 - t$: the
# cross-attention should draw an anti-diagonal.


# %%
def reversal_batch(n: int, length: int = 6):
    src = rng.integers(4, V, (n, length))
    target = src[:, ::-1]
    tgt_in = np.concatenate([np.full((n, 1), BOS), target], axis=1)  # <s> y1 .. y6
    tgt_out = np.concatenate([target, np.full((n, 1), EOS)], axis=1)  # y1 .. y6 </s>
    return src, tgt_in, tgt_out


optimizer = optim.Adam(model.parameters(), lr=3e-3, betas=(0.9, 0.98), eps=1e-9)
losses = []
for _ in range(200 if FAST else 300):
    src, tgt_in, tgt_out = reversal_batch(32)
    optimizer.zero_grad()
    loss = F.cross_entropy(
        model(src, tgt_in, *model.make_masks(src, tgt_in, PAD)), tgt_out
    )
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
src, tgt_in, tgt_out = reversal_batch(500)
with no_grad():
    predicted = (
        model(src, tgt_in, *model.make_masks(src, tgt_in, PAD)).numpy().argmax(-1)
    )
token_accuracy = float((predicted == tgt_out).mean())
print(f"loss {losses[0]:.3f} -> {losses[-1]:.4f}; token accuracy on 500 new sources "
      f"{token_accuracy:.1%} (teacher-forced)")  # fmt: skip

# %% [markdown]
# ### Check: the cross-attention is an anti-diagonal
#
# For output position $t < 6$ (the reversed symbols), the mean over heads of
# the weight on source position $5 - t$ should dominate its row.

# %%
example = src[:1]
with no_grad():
    model(example, tgt_in[:1], *model.make_masks(example, tgt_in[:1], PAD))
cross = layer.cross_attn.attn_weights.numpy()[0]  # (H, 7, 6)
mean = cross.mean(axis=0)
on_mirror = float(np.mean([mean[t, 5 - t] for t in range(6)]))
print(f"mean weight on the mirrored source position: {on_mirror:.2f} "
      f"(uniform would be {1 / 6:.2f})")  # fmt: skip
assert token_accuracy > 0.95
assert on_mirror > 0.4

# %%
src_words = [SYMBOLS[i - 4] for i in example[0]]
out_words = [SYMBOLS[i - 4] for i in tgt_out[0, :6]] + ["</s>"]
figure_path = OUT / "cross_attention_reversal.png"
plot_attention(cross, src_words, out_words, figure_path,
               title=f"Cross-attention after training on reversal: "
                     f"{' '.join(src_words)} -> {' '.join(out_words[:-1])}")  # fmt: skip
show_image(figure_path)

# %% [markdown]
# ## The graph of one training step
#
# The whole model drawn at depth 2: each box is one module call (encoder
# layer, decoder layer, their attention and feed-forward blocks); the red
# octagons are where masks enter. `python cli.py render-graph transformer`
# draws the same with more options.

# %%
src, tgt_in, tgt_out = reversal_batch(2, length=4)
model.zero_grad()
loss = F.cross_entropy(model(src, tgt_in, *model.make_masks(src, tgt_in, PAD)), tgt_out)
loss.backward(retain_grads=True)  # keep every tensor's gradient, for the colours
graph_path = show_graph(
    loss, OUT / "transformer_step", depth=2, color_by_grad=True,
    title="One training step of the tiny Transformer (depth 2, coloured by gradient)",
)  # fmt: skip

# %%
save_results(
    OUT,
    {
        "shapes": {k: list(v) for k, v in shapes.items()},
        "source_effect_min": float(source_effect.min()),
        "future_effect_on_earlier": float(future_effect[:-1].max()),
        "max_weight_on_padding": float(pad_weights.max()),
        "token_accuracy": token_accuracy,
        "weight_on_mirror": on_mirror,
        "base_parameters": base.num_parameters(),
        "graph": str(graph_path),
    },
)

# %% [markdown]
# ## What we built
#
# - The full encoder-decoder, with its shapes: cross-attention is
#   $(B, H, L_{tgt}, L_{src})$, one row per output position.
# - Three properties checked on the real model: the source reaches every
#   output, the future target does not, padding gets exactly zero weight.
# - A tiny Transformer that reverses sequences, whose cross-attention reads
#   the source back to front.
#
# **Exercises**
#
# 1. Train on copying instead of reversing. What shape does the
#    cross-attention take?
# 2. Use 2 layers on each side (`Transformer.from_config("tiny", n_layers=2,
#    ...)`). Which layer's cross-attention is sharper?
# 3. Draw the graph at depth 3 and find the three sublayers of the decoder
#    layer.
