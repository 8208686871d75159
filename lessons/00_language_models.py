# %% [markdown] key="goals"

# %%
import math
from collections import Counter

import numpy as np

from lessons.i18n import lesson_text
from lessons.utils import (
    FAST,
    figure,
    heatmap,
    output_dir,
    save_figure,
    save_results,
    table,
    translator_settings,
)
from tinygrad_tx import Tensor
from transformer.data import make_toy_splits

text = lesson_text(0)  # this lesson's printed labels, in the course's language
OUT = output_dir(0)
rng = np.random.default_rng(0)

# %% [markdown] key="language_model"

# %%
CORPUS = """
o grupo turing é legal
o grupo turing é legal e aberto a todos
o grupo turing é legal demais
o grupo turing é incrível
o grupo turing é um grupo de estudos
o grupo turing estuda inteligência artificial
o grupo turing organiza palestras
a turma do grupo turing gosta de abacaxi
eu gosto de abacaxi
o abacaxi é doce
o abacaxi é uma fruta
a fruta é doce
"""
sentences = [line.split() for line in CORPUS.strip().splitlines()]
vocabulary = sorted({word for words in sentences for word in words})


def continuations(sentences: list[list[str]], context: tuple[str, ...]) -> Counter:
    """How often each word comes right after `context` in the sentences."""
    n, counts = len(context), Counter()
    for words in sentences:
        for i in range(len(words) - n):
            if tuple(words[i : i + n]) == context:
                counts[words[i + n]] += 1
    return counts


context = ("o", "grupo", "turing", "é")
counts = continuations(sentences, context)
total = sum(counts.values())
p_count = {w: counts[w] / total for w in ("legal", "incrível", "abacaxi")}
p_add_one = {w: (counts[w] + 1) / (total + len(vocabulary)) for w in p_count}
print(table(
    [text("col_word"), text("col_count"), "P (" + text("col_counts") + ")",
     "P (+1)"],
    [[w, counts[w], f"{p_count[w]:.2%}", f"{p_add_one[w]:.2%}"] for w in p_count],
))  # fmt: skip
text.say("slide_turing")
text.say("course_turing", total=total, legal=p_count["legal"],
         abacaxi=p_count["abacaxi"], vocabulary=len(vocabulary))  # fmt: skip

# %%
assert p_count["legal"] == 0.6 and p_count["abacaxi"] == 0.0
assert "abacaxi" in vocabulary  # a word the corpus knows, never after this context
assert 0 < p_add_one["abacaxi"] < p_add_one["legal"] < p_count["legal"]

# %% [markdown] key="sparsity"


# %%
def ngrams(sentences: list[list[str]], n: int) -> list[tuple[str, ...]]:
    return [tuple(w[i : i + n]) for w in sentences for i in range(len(w) - n + 1)]


def unseen_share(corpus: list[list[str]], held_out: list[list[str]], n: int) -> float:
    """The share of the held-out n-grams that the corpus never contains."""
    seen = set(ngrams(corpus, n))
    grams = ngrams(held_out, n)
    return sum(g not in seen for g in grams) / len(grams)


sizes = [1000, 5000] if FAST else [1000, 5000, 20000]
toy = [pt.split() for _, pt in make_toy_splits(seed=0, n_train=sizes[-1] + 1000).train]
held_out = toy[sizes[-1] :]  # 1000 sentences the corpora below never contain
orders = list(range(1, 7))
unseen = {
    size: [unseen_share(toy[:size], held_out, n) for n in orders] for size in sizes
}
print(table(
    [text("col_sentences")] + [f"n = {n}" for n in orders],
    [[size] + [f"{share:.1%}" for share in unseen[size]] for size in sizes],
))  # fmt: skip
toy_words = len({w for words in toy for w in words})
text.say("toy_words", words=toy_words, sentences=len(toy))

# %%
for size in sizes:
    assert unseen[size][0] < 0.01 and unseen[size] == sorted(unseen[size]), unseen
assert unseen[sizes[-1]][4] > 0.5, "most 5-grams should still be new"
assert all(unseen[sizes[-1]][i] <= unseen[sizes[0]][i] for i in range(len(orders)))

# %%
fig = figure(6.4, 4.0)
ax = fig.subplots()
for size in sizes:
    ax.plot(orders, [100 * s for s in unseen[size]], "o-",
            label=text("legend_corpus", sentences=size))  # fmt: skip
ax.set(xlabel=text("axis_order"), ylabel=text("axis_unseen"),
       title=text("title_unseen"))  # fmt: skip
ax.set_xticks(orders)
ax.grid(alpha=0.3)
ax.legend()
save_figure(fig, OUT / "ngram_sparsity.png")

# %% [markdown] key="no_order"

# %%
unigram = Counter(w for words in toy for w in words)
n_words = sum(unigram.values())


def unigram_probability(sentence: str) -> float:
    """P(sentence) when every word is drawn on its own: Π P(word)."""
    return math.prod(unigram[w] / n_words for w in sentence.split())


forwards, backwards = "o cachorro ouve o gato", "o gato ouve o cachorro"
p_forwards, p_backwards = unigram_probability(forwards), unigram_probability(backwards)
text.say("same_probability", a=forwards, b=backwards, pa=p_forwards, pb=p_backwards)
SLIDE_SENTENCE = "ela é a minha amiga e as outras são as primas dela"
words = SLIDE_SENTENCE.split()
distance = words.index("dela") - words.index("ela")
text.say("distance", distance=distance, n=distance + 1)

# %%
assert math.isclose(p_forwards, p_backwards, rel_tol=1e-12) and p_forwards > 0
assert distance == 11

# %% [markdown] key="history"

# %%
K = Tensor(rng.standard_normal((5, 4)))  # 5 words: a key each (row)
V = Tensor(rng.standard_normal((5, 3)))  # and a value each
q = Tensor(rng.standard_normal(4))  # a query
fast_weights = V.T @ K  # (3, 4) = Σ_i v_i k_iᵀ: one outer product written per word
read_out = fast_weights @ q  # what the fast weights give for the query
attention_without_softmax = V.T @ (K @ q)  # Σ_i (k_i · q) v_i
gap = float(np.abs(read_out.numpy() - attention_without_softmax.numpy()).max())
text.say("fast_weights", gap=gap)
assert gap < 1e-12

# %% [markdown] key="cnn"

# %%
D = 8  # the size of the word vectors in this experiment


def conv_layer(x: Tensor, kernel: int, dilation: int) -> Tensor:
    """A causal 1-D convolution with random weights:
    y_t = tanh(Σ_m x_{t − m·dilation} W_m), with zeros before the sentence."""
    L, total = x.shape[0], None
    for m in range(kernel):
        shift = m * dilation
        if shift >= L:
            break
        W = Tensor(rng.standard_normal((D, D)) / np.sqrt(D))
        moved = x if shift == 0 else Tensor.cat([Tensor(np.zeros((shift, D))),
                                                 x[: L - shift]], axis=0)  # fmt: skip
        total = moved @ W if total is None else total + moved @ W
    return total.tanh()


def layers_to_reach(distance: int, kernel: int, dilated: bool) -> int:
    """Stack layers until the output at position `distance` depends on word 0
    (a nonzero gradient); return how many it took."""
    words = Tensor(rng.standard_normal((distance + 1, D)), requires_grad=True)
    x = words
    for layer in range(1, distance + 2):
        x = conv_layer(x, kernel, dilation=kernel ** (layer - 1) if dilated else 1)
        words.grad = None
        x[distance].sum().backward(retain_graph=True)  # the next layer reuses it
        if np.any(words.grad[0] != 0):
            return layer
    raise ValueError(f"word 0 never reached position {distance}")


distances = [2, 4, 8, 16, 32] if FAST else [2, 4, 8, 16, 32, 64]
paths = {
    "rnn": distances,  # one recurrent step per word in between (lesson 1)
    "cnn": [layers_to_reach(d, kernel=3, dilated=False) for d in distances],
    "dilated": [layers_to_reach(d, kernel=2, dilated=True) for d in distances],
    "attention": [1 for _ in distances],  # every word sees every word (lesson 1)
}
print(table(
    [text("col_distance"), "RNN", text("col_cnn"), text("col_dilated"),
     text("col_attention")],
    [[d] + [paths[k][i] for k in ("rnn", "cnn", "dilated", "attention")]
     for i, d in enumerate(distances)],
))  # fmt: skip

# %%
assert paths["cnn"] == [math.ceil(d / 2) for d in distances], paths
assert paths["dilated"] == [math.ceil(math.log2(d + 1)) for d in distances], paths

# %%
fig = figure(6.4, 4.0)
ax = fig.subplots()
legends = {"rnn": text("legend_rnn"), "cnn": text("legend_cnn"),
           "dilated": text("legend_dilated"), "attention": text("legend_attention")}
for (key, label), marker in zip(legends.items(), ("o-", "s-", "^-", "d-")):
    ax.plot(distances, paths[key], marker, label=label)
ax.set(xscale="log", yscale="log", xlabel=text("axis_distance"),
       ylabel=text("axis_path"), title=text("title_path"))  # fmt: skip
ax.set_xticks(distances, [str(d) for d in distances])
ax.minorticks_off()  # only the distances measured
ax.grid(alpha=0.3)
ax.legend()
save_figure(fig, OUT / "path_length.png")

# %% [markdown] key="results"

# %%
text.say("slide_datasets")
text.say("slide_abstract")
train_pairs = translator_settings(FAST)[0]["train_pairs"]
text.say("toy_translator", pairs=train_pairs, words=toy_words,
         share=train_pairs / 4.5e6)  # fmt: skip

# %% [markdown] key="deu"

# %%
first = ["ana", "deu", "o", "livro", "para", "pedro"]
swapped = ["pedro", "deu", "o", "livro", "para", "ana"]  # who gave to whom, swapped
meaning = {w: rng.standard_normal(D) for w in sorted(set(first))}  # the values
POSITIONS = np.eye(len(first))  # the keys: where each word is (lesson 11 does better)
ROLES = {"who": 0, "what": 3, "to_whom": 5}  # positions around "deu" (position 1)
queries = {f"head_{role}": 10.0 * POSITIONS[pos] for role, pos in ROLES.items()}
queries = {"one_head": sum(queries.values()), **queries}


def attend(query: np.ndarray, sentence: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """One head, for the query of "deu": (weights over the words, output)."""
    keys, values = Tensor(POSITIONS), Tensor(np.stack([meaning[w] for w in sentence]))
    weights = (keys @ Tensor(query)).softmax(axis=-1)  # (L,)
    return weights.numpy(), (weights @ values).numpy()  # (L,), (D,)


names = {"one_head": text("one_head"), "head_who": text("head_who"),
         "head_what": text("head_what"), "head_to_whom": text("head_to_whom")}
weights = {name: attend(q, first)[0] for name, q in queries.items()}
print(table(["", *first], [[names[name]] + [f"{w:.2f}" for w in weights[name]]
                           for name in queries]))  # fmt: skip
one_gap = np.abs(attend(queries["one_head"], first)[1]
                 - attend(queries["one_head"], swapped)[1]).max()  # fmt: skip
heads = [name for name in queries if name != "one_head"]
three_gap = max(
    np.abs(attend(queries[h], first)[1] - attend(queries[h], swapped)[1]).max()
    for h in heads
)
text.say("deu_gaps", one=one_gap, three=three_gap)

# %%
assert one_gap < 1e-12 and three_gap > 1.0, (one_gap, three_gap)
assert all(weights[f"head_{role}"][pos] > 0.99 for role, pos in ROLES.items())

# %%
fig = figure(6.4, 3.4)
ax = fig.subplots()
heatmap(ax, [weights[name] for name in queries], first, list(names.values()),
        title=text("title_deu"), xlabel=text("axis_words"), ylabel="",
        vmin=0, vmax=1, cmap="Blues")  # fmt: skip
save_figure(fig, OUT / "deu_heads.png")

# %% [markdown] key="many_layers"

# %%
# Vaswani et al. 2017, Table 3, rows (C) and base: English -> German, the
# development set newstest2013. N = 6 is the base model.
PAPER_LAYERS = {2: (23.7, 36), 4: (25.3, 50), 6: (25.8, 65), 8: (25.5, 80)}
print(table([text("col_layers"), "BLEU", text("col_parameters")],
            [[n, bleu, f"{params}M"] for n, (bleu, params) in PAPER_LAYERS.items()]))
text.say("layers_summary", lose=PAPER_LAYERS[6][0] - PAPER_LAYERS[2][0],
         extra=PAPER_LAYERS[8][1] - PAPER_LAYERS[6][1])  # fmt: skip

# %%
save_results(
    OUT,
    {
        "turing_counts": dict(counts),
        "p_count": p_count,
        "p_add_one": p_add_one,
        "unseen_share": {str(size): shares for size, shares in unseen.items()},
        "toy_words": toy_words,
        "unigram_same": [p_forwards, p_backwards],
        "dela_distance": distance,
        "fast_weights_gap": gap,
        "path_distances": distances,
        "paths": paths,
        "deu_weights": {k: v.tolist() for k, v in weights.items()},
        "deu_one_head_gap": float(one_gap),
        "deu_three_heads_gap": float(three_gap),
        "toy_train_pairs": train_pairs,
    },
)

# %% [markdown] key="what_we_built"
