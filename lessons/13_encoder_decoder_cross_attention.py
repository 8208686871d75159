# %% [markdown] key="goals"

# %%
import numpy as np

import tinygrad_tx
from lessons.i18n import lesson_text
from lessons.utils import (
    FAST,
    draw_heads,
    grouped,
    output_dir,
    save_results,
    show_graph,
    table,
    viz_language,
)
from tinygrad_tx import functional as F
from tinygrad_tx import no_grad, optim
from transformer import Transformer, TransformerConfig
from transformer.pages import show_example_page

text = lesson_text(13)  # this lesson's printed labels, in the course's language
OUT = output_dir(13)
rng = np.random.default_rng(0)
PAD, BOS, EOS = 0, 1, 2  # the special ids of the project's vocabularies
SYMBOLS = list("abcdefghij")  # ids 4 .. 13
V = 4 + len(SYMBOLS)

# %% [markdown] key="model"

# %%
tinygrad_tx.manual_seed(0)
model = Transformer.from_config("tiny", src_vocab=V, tgt_vocab=V)
print(model)
text.say("parameters", count=grouped(model.num_parameters()))
base = TransformerConfig.preset("base")
text.say("base_parameters", count=grouped(base.num_parameters()),
         vocabulary=grouped(base.src_vocab))  # fmt: skip

# %% [markdown] key="shapes"

# %%
src = np.array([[4, 5, 6, 7, 8, 9], [10, 11, 12, 13, PAD, PAD]])
tgt_in = np.array([[BOS, 9, 8, 7, 6, 5, 4], [BOS, 13, 12, 11, 10, PAD, PAD]])
src_mask, tgt_mask = model.make_masks(src, tgt_in, PAD)
with no_grad():
    memory = model.encode(src, src_mask)
    logits = model.decode(memory, src_mask, tgt_in, tgt_mask)
layer = model.decoder.layers[0]
shapes = {  # name in results.json: (label, shape)
    "src": ("src", src.shape),
    "memory": ("memory", memory.shape),
    "src_mask": ("src_mask", src_mask.shape),
    "tgt_mask": ("tgt_mask", tgt_mask.shape),
    "decoder self-attention": (text("shape_self"), layer.self_attn.attn_weights.shape),
    "cross-attention": (text("shape_cross"), layer.cross_attn.attn_weights.shape),
    "logits": ("logits", logits.shape),
}
print(table([text("col_tensor"), text("col_shape")],
            [[label, shape] for label, shape in shapes.values()]))  # fmt: skip

# %%
assert shapes["cross-attention"][1] == (2, 4, 7, 6)  # (B, H, L_tgt, L_src)
assert shapes["decoder self-attention"][1] == (2, 4, 7, 7)
assert shapes["logits"][1] == (2, 7, V)

# %% [markdown] key="sublayers"

# %%
cross_shapes = [each.cross_attn.attn_weights.shape for each in model.decoder.layers]
text.say("slide_cross")
text.say("course_cross", layers=len(cross_shapes), queries=tgt_in.shape[1],
         keys=src.shape[1])  # fmt: skip

# %%
assert all(shape[-2:] == (tgt_in.shape[1], src.shape[1]) for shape in cross_shapes)

# %% [markdown] key="three_checks"

# %%
with no_grad():
    src_changed = src.copy()
    src_changed[0, 0] = 13
    logits_src = model(src_changed, tgt_in, *model.make_masks(src_changed, tgt_in, PAD))
    tgt_changed = tgt_in.copy()
    tgt_changed[0, -1] = 13
    logits_tgt = model(src, tgt_changed, *model.make_masks(src, tgt_changed, PAD))
    model(src, tgt_in, src_mask, tgt_mask)  # the weights of the original batch again
base_logits = logits.numpy()[0]
source_effect = np.abs(logits_src.numpy()[0] - base_logits).max(axis=-1)  # per position
future_effect = np.abs(logits_tgt.numpy()[0] - base_logits).max(axis=-1)
pad_weights = layer.cross_attn.attn_weights.numpy()[1, :, :, 4:]  # sentence 2's pads
text.say("check_source", least=source_effect.min())
text.say("check_future", earlier=future_effect[:-1].max(), last=future_effect[-1])
text.say("check_padding", largest=pad_weights.max())

# %%
assert source_effect.min() > 1e-3
assert future_effect[:-1].max() == 0.0 and future_effect[-1] > 1e-3
assert (pad_weights == 0.0).all()

# %% [markdown] key="reversal"


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
    logits = model(src, tgt_in, *model.make_masks(src, tgt_in, PAD))
token_accuracy = float((logits.numpy().argmax(-1) == tgt_out).mean())
text.say("trained", first=losses[0], last=losses[-1], n=len(src),
         accuracy=token_accuracy)  # fmt: skip

# %% [markdown] key="anti_diagonal"

# %%
example = src[:1]
with no_grad():
    model(example, tgt_in[:1], *model.make_masks(example, tgt_in[:1], PAD))
cross = layer.cross_attn.attn_weights.numpy()[0]  # (H, 7, 6)
mean = cross.mean(axis=0)  # (7, 6)
on_mirror = float(np.mean([mean[t, 5 - t] for t in range(6)]))
text.say("mirror", weight=on_mirror, uniform=1 / 6)

# %%
assert token_accuracy > 0.95
assert on_mirror > 0.4


# %%
src_words = [SYMBOLS[i - 4] for i in example[0]]
out_words = [SYMBOLS[i - 4] for i in tgt_out[0, :6]] + ["</s>"]
draw_heads(cross, src_words, out_words, OUT / "cross_attention_reversal.png",
           text("figure_reversal", source=" ".join(src_words),
                output=" ".join(out_words[:-1])), text, panel=(3.1, 3.6))  # fmt: skip

# %% [markdown] key="layer_page"

# %%
page = show_example_page("encoder-layer", OUT / "encoder_layer.html",
                         lang=viz_language())  # fmt: skip

# %% [markdown] key="step_graph"

# %%
src, tgt_in, tgt_out = reversal_batch(2, length=4)
model.zero_grad()
loss = F.cross_entropy(model(src, tgt_in, *model.make_masks(src, tgt_in, PAD)), tgt_out)
loss.backward(retain_grads=True)  # keep every tensor's gradient, for the colours
graph_path = show_graph(loss, OUT / "transformer_step", depth=2, color_by_grad=True,
                        title=text("graph_title"))  # fmt: skip

# %%
save_results(
    OUT,
    {
        "shapes": {key: list(shape) for key, (_, shape) in shapes.items()},
        "source_effect_min": float(source_effect.min()),
        "future_effect_on_earlier": float(future_effect[:-1].max()),
        "max_weight_on_padding": float(pad_weights.max()),
        "token_accuracy": token_accuracy,
        "weight_on_mirror": on_mirror,
        "parameters": model.num_parameters(),
        "base_parameters": base.num_parameters(),
        "graph": str(graph_path),
    },
)

# %% [markdown] key="what_we_built"
