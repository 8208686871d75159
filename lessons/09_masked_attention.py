# %% [markdown] key="goals"

# %%
import math

import numpy as np

import tinygrad_tx
from lessons.i18n import lesson_text
from lessons.utils import (
    FAST,
    figure,
    heatmap,
    output_dir,
    save_figure,
    save_results,
    table,
)
from tinygrad_tx import Tensor, nn, no_grad, optim
from tinygrad_tx import functional as F
from transformer import (
    EncoderLayer,
    PositionalEncoding,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)
from transformer.data import BOS_ID, EOS_ID, PAD_ID, Vocab, make_toy_splits

text = lesson_text(9)  # this lesson's printed labels, in the course's language
OUT = output_dir(9)
rng = np.random.default_rng(0)

# %% [markdown] key="the_gap"

# %%
sentence = ["o", "gato", "está", "feliz"]
mask = causal_mask(len(sentence))  # (1, 1, 4, 4): True where attention is allowed
print(mask.numpy()[0, 0].astype(int))
q, k, v = (Tensor(rng.standard_normal((1, 4, 8))) for _ in range(3))
_, weights = scaled_dot_product_attention(q, k, v, mask=mask[0])  # (1, 4, 4)
weights = weights.numpy()[0]
text.say("slide_gap")
text.say("gato_row", weights=", ".join(
    f"{word} {w:.4f}" for word, w in zip(sentence, weights[1])
))  # fmt: skip

# %% [markdown] key="check_zeros"

# %%
above = weights[np.triu_indices(4, k=1)]
assert (above == 0.0).all(), above
np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
masked_weights_demo = weights

# %% [markdown] key="two_models"

# %%
splits = make_toy_splits(seed=0, n_train=2000, n_valid=10, n_test=10)
sentences = [pt for _, pt in splits.train]
vocab = Vocab.build(sentences)
encoded = [vocab.encode(s, bos=True, eos=True) for s in sentences]
data = np.full((len(encoded), max(map(len, encoded))), PAD_ID, dtype=np.int64)
for i, ids in enumerate(encoded):
    data[i, : len(ids)] = ids
text.say("data_summary", sentences=len(sentences), tokens=len(vocab),
         length=data.shape[1], examples=" | ".join(sentences[:3]))  # fmt: skip


class LanguageModel(nn.Module):
    """A decoder-only Transformer: embeddings and positions, `n_layers` layers of
    self-attention and feed-forward (with Add & Norm), and a linear layer that
    gives the logits of the next token at every position."""

    def __init__(self, vocab_size: int, d_model=32, n_heads=2, n_layers=2):
        self.d_model = d_model
        self.embed = nn.Embedding(vocab_size, d_model)
        self.positions = PositionalEncoding(d_model, max_len=32, dropout=0.0)
        self.layers = nn.ModuleList(
            [
                EncoderLayer(d_model, n_heads, 2 * d_model, dropout=0.0)
                for _ in range(n_layers)
            ]
        )
        self.out = nn.Linear(d_model, vocab_size)

    def forward(self, ids: np.ndarray, mask: Tensor) -> Tensor:
        x = self.positions(self.embed(ids) * math.sqrt(self.d_model))  # (B, L, d)
        for layer in self.layers:
            x = layer(x, mask)
        return self.out(x)  # (B, L, V)


def make_mask(ids: np.ndarray, causal: bool) -> Tensor:
    """(B, 1, L, L) or (B, 1, 1, L): True where attention is allowed."""
    allowed = padding_mask(Tensor(ids), PAD_ID)  # (B, 1, 1, L): no padding keys
    if causal:
        return Tensor(
            allowed.numpy() & causal_mask(ids.shape[1]).numpy()
        )  # (B, 1, L, L)
    return allowed  # the bug: every position sees every other one


KINDS = {"causal": text("kind_causal"), "leaking": text("kind_leaking")}
STEPS = 600 if FAST else 1000
models, losses = {}, {}
for kind in KINDS:
    tinygrad_tx.manual_seed(0)
    batches = np.random.default_rng(1)  # the same batches for both
    model = LanguageModel(len(vocab))
    optimizer = optim.Adam(model.parameters(), lr=5e-3)
    for _ in range(STEPS):
        batch = data[batches.choice(len(data), 64)]
        inputs, targets = batch[:, :-1], batch[:, 1:]  # predict token t+1 at position t
        optimizer.zero_grad()
        logits = model(inputs, make_mask(inputs, causal=kind == "causal"))
        loss = F.cross_entropy(logits, targets, ignore_index=PAD_ID)
        loss.backward()
        optimizer.step()
    models[kind], losses[kind] = model, loss.item()
    text.say("training_loss", model=KINDS[kind], steps=STEPS, loss=losses[kind])

# %% [markdown] key="accuracies"

# %%
evaluation = data[:300]
inputs, targets = evaluation[:, :-1], evaluation[:, 1:]
real = targets != PAD_ID


def training_accuracy(model, causal: bool) -> float:
    """Next-token accuracy with the whole sentence fed at once."""
    with no_grad():
        predicted = model(inputs, make_mask(inputs, causal)).numpy().argmax(axis=-1)
    return float((predicted == targets)[real].mean())


def generation_accuracy(model, causal: bool) -> float:
    """Next-token accuracy when position t is fed only the prefix 0..t."""
    correct = total = 0
    with no_grad():
        for t in range(1, inputs.shape[1] + 1):
            rows = real[:, t - 1]  # sentences that still have a word to predict
            if not rows.any():
                continue
            prefix = inputs[rows, :t]  # only what was written so far
            predicted = (
                model(prefix, make_mask(prefix, causal)).numpy()[:, -1].argmax(-1)
            )
            correct += int((predicted == targets[rows, t - 1]).sum())
            total += int(rows.sum())
    return correct / total


accuracy = {
    kind: {
        "training": training_accuracy(models[kind], kind == "causal"),
        "generation": generation_accuracy(models[kind], kind == "causal"),
    }
    for kind in models
}
for kind, acc in accuracy.items():
    text.say("accuracy", model=KINDS[kind], training=acc["training"],
             generation=acc["generation"])  # fmt: skip


# %%
def generate(model, causal: bool, start: str, max_words: int = 10) -> str:
    """Greedy writing: append the most likely next token until </s>."""
    ids = [BOS_ID, *vocab.encode(start)]
    with no_grad():
        while len(ids) < max_words and ids[-1] != EOS_ID:
            prefix = np.array([ids])
            ids.append(
                int(model(prefix, make_mask(prefix, causal)).numpy()[0, -1].argmax())
            )
    return vocab.decode(ids)


written = {kind: generate(models[kind], kind == "causal", "o gato") for kind in models}
for kind, sentence_written in written.items():
    text.say("writes", model=KINDS[kind], sentence=sentence_written)

# %% [markdown] key="check_accuracies"

# %%
leak, causal = accuracy["leaking"], accuracy["causal"]
assert leak["training"] > 0.85, leak
assert leak["training"] > 2 * causal["training"], accuracy
assert leak["training"] - leak["generation"] > 0.5, leak
assert abs(causal["training"] - causal["generation"]) < 1e-9, causal
assert causal["generation"] > leak["generation"], accuracy

# %% [markdown] key="the_gap_trained"

# %%
SLIDE_SENTENCE = "o gato está feliz"  # "the cat is happy": the toy language says it
assert not vocab.unknown_words(SLIDE_SENTENCE), vocab.unknown_words(SLIDE_SENTENCE)
by_third_word = {}
for s in sentences:
    words = s.split()
    if words[:2] == ["o", "gato"] and words[2] != "está":  # another word in the gap
        by_third_word.setdefault(words[2], s)
futures = [SLIDE_SENTENCE, next(iter(by_third_word.values()))]
GAP = 2  # position of "gato" in "<s> o gato ...": where <?> is predicted


def gap_probabilities(model, causal: bool, context: str) -> np.ndarray:
    """The model's probabilities for the word after "o gato", fed `context`."""
    ids = np.array([vocab.encode(context, bos=True)])
    with no_grad():
        logits = model(ids, make_mask(ids, causal)).numpy()[0, GAP]
    exp = np.exp(logits - logits.max())
    return exp / exp.sum()


gap, rows = {}, []
for kind in models:
    gap[kind] = {c: gap_probabilities(models[kind], kind == "causal", c)
                 for c in ["o gato", *futures]}  # fmt: skip
    for context, p in gap[kind].items():
        best = int(p.argmax())
        rows.append([KINDS[kind], context, vocab.itos[best], f"{p[best]:.2f}"])
print(table([text("col_model"), text("col_fed"), "<?>", "p"], rows))
candidates = np.argsort(gap["causal"]["o gato"])[::-1][:3]
text.say("causal_candidates", words=", ".join(
    f"{vocab.itos[i]} {gap['causal']['o gato'][i]:.2f}" for i in candidates
))  # fmt: skip

# %% [markdown] key="check_gap"


# %%
def largest_shift(kind: str) -> float:
    """How far the words after the gap moved the gap's probabilities."""
    alone = gap[kind]["o gato"]
    return max(float(np.abs(p - alone).max()) for p in gap[kind].values())


causal_shift, leak_shift = largest_shift("causal"), largest_shift("leaking")
leak_alone = vocab.itos[int(gap["leaking"]["o gato"].argmax())]
text.say("gap_summary", causal=causal_shift, leaking=leak_shift)
assert causal_shift < 1e-5, causal_shift
assert gap["causal"]["o gato"].max() < 0.5  # several plausible words, none sure
assert leak_shift > 0.3, leak_shift

# %% [markdown] key="where_they_look"

# %%
example = np.array([vocab.encode("o gato dorme no tapete", bos=True)])
labels = ["<s>", "o", "gato", "dorme", "no", "tapete"]
attention, ahead = {}, {}
for kind in models:
    with no_grad():
        models[kind](example, make_mask(example, kind == "causal"))
    w = models[kind].layers[-1].self_attn.attn_weights.numpy()[0].mean(axis=0)  # (L, L)
    attention[kind] = w
    ahead[kind] = float(np.mean(np.diag(w, k=1)))  # weight on position t+1
    text.say("weight_ahead", model=KINDS[kind], weight=ahead[kind])
assert ahead["causal"] == 0.0 and ahead["leaking"] > 0.5

# %%
fig = figure(14, 4.6)
ax_mask, ax_causal, ax_leak = fig.subplots(1, 3)
heatmap(ax_mask, masked_weights_demo, sentence, sentence, vmin=0, vmax=1,
        title=text("title_mask"), xlabel=text("axis_key"),
        ylabel=text("axis_query"))  # fmt: skip
for ax, kind in ((ax_causal, "causal"), (ax_leak, "leaking")):
    acc = accuracy[kind]
    heatmap(ax, attention[kind], labels, labels, vmin=0, vmax=1,
            title=text("title_model", model=KINDS[kind], training=acc["training"],
                       generation=acc["generation"]),
            xlabel=text("axis_key"), ylabel=text("axis_query"))  # fmt: skip
for ax in (ax_mask, ax_causal, ax_leak):
    ax.title.set_fontsize(10)
save_figure(fig, OUT / "causal_vs_leaking.png")

# %%
save_results(
    OUT,
    {
        "masked_weights_above_diagonal": above,
        "max_masked_weight": float(above.max()),
        "accuracy": accuracy,
        "written": written,
        "gap_futures": futures,
        "gap_causal_shift": causal_shift,
        "gap_causal_top_p": float(gap["causal"]["o gato"].max()),
        "gap_leaking_shift": leak_shift,
        "gap_leaking_alone": leak_alone,
        "weight_on_next_position": ahead,
        "steps": STEPS,
        "final_loss": losses,
    },
)

# %% [markdown] key="what_we_built"
