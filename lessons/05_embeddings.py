# %% [markdown] key="goals"

# %%
import numpy as np

import tinygrad_tx
from lessons.i18n import lesson_text
from lessons.utils import FAST, figure, heatmap, output_dir, save_figure, save_results
from tinygrad_tx import Tensor, nn, no_grad, optim
from tinygrad_tx import functional as F
from tinygrad_tx.nn import init
from transformer.data import Vocab

text = lesson_text(5)  # this lesson's printed labels, in the course's language
OUT = output_dir(5)

# %% [markdown] key="vocabulary"

# %%
vocab = Vocab(["a", "aardvark", "aback", "abacus", "abaft", "abandon", "abase",
               "abate", "abbey", "abbot", "i", "love", "books"])  # fmt: skip
for token in ("<pad>", "<s>", "</s>", "<unk>", "a", "abandon", "books"):
    print(f"{token:>8} -> {vocab.stoi[token]}")
ids = vocab.encode("I love books", bos=True, eos=True)
print(f'"I love books" -> {ids} = {[vocab.itos[i] for i in ids]}')
text.say("unknown", ids=vocab.encode("zebra"))
text.say("slide_abandon")
text.say("course_abandon", id=vocab.stoi["abandon"],
         position=vocab.itos.index("abandon") - vocab.itos.index("a") + 1)  # fmt: skip

# %%
assert vocab.stoi["abandon"] == 9
assert vocab.itos[:4] == ["<pad>", "<s>", "</s>", "<unk>"]
assert vocab.decode(ids) == "i love books" and vocab.encode("zebra") == [3]

# %% [markdown] key="one_hot"

# %%
tinygrad_tx.manual_seed(0)
V, d = len(vocab), 4
table = nn.Embedding(V, d)
one_hot = np.eye(V, dtype=np.float32)[9]  # (V,): a 1 at "abandon"
by_product = Tensor(one_hot) @ table.weight  # (d,)
by_lookup = table(np.array([9]))[0]  # (d,)
print(f"one-hot @ E: {np.round(by_product.numpy(), 4)}")
print(f"E[9]       : {np.round(by_lookup.numpy(), 4)}")
text.say("wasted", V=V, d=d, products=V * d)

# %%
np.testing.assert_array_equal(by_product.numpy(), by_lookup.numpy())

# %% [markdown] key="initial_values"

# %%
tinygrad_tx.manual_seed(0)
big_table = nn.Embedding(10_000, 512)  # the slides' sizes: |V| = 10,000, d = 512
std_embedding = float(big_table.weight.numpy().std())
init.xavier_uniform_(big_table.weight)  # what the Transformer does to it
xavier = big_table.weight.numpy()
bound = float(np.sqrt(6 / (10_000 + 512)))  # Xavier (Glorot) uniform: ±√(6/(V+d))
text.say("slide_init")
text.say("course_init", std=std_embedding, bound=bound, largest=float(abs(xavier).max()),
         xavier_std=float(xavier.std()), scaled=bound * np.sqrt(512))  # fmt: skip

# %%
assert abs(std_embedding - 1) < 0.01
assert bound - 1e-3 < abs(xavier).max() <= bound * (1 + 1e-6)  # float32 rounding
assert abs(bound - 0.0239) < 1e-4
del big_table, xavier

# %% [markdown] key="gradient"

# %%
sentence = np.array(vocab.encode("i love books i love"))  # "i" and "love" twice
vectors = table(sentence)  # (5, d)
upstream = np.arange(5 * d, dtype=np.float32).reshape(5, d)  # a distinct dL/dvector
vectors.backward(upstream)
rows_touched = sorted({int(i) for i in np.nonzero(table.weight.grad.any(axis=1))[0]})
i_id = vocab.stoi["i"]
text.say("rows_touched", ids=sentence.tolist(), rows=rows_touched)
text.say("repeated_row", id=i_id, grad=table.weight.grad[i_id])

# %%
np.testing.assert_array_equal(table.weight.grad[i_id], upstream[0] + upstream[3])
assert rows_touched == sorted(set(sentence.tolist()))

# %% [markdown] key="company"

# %%
rng = np.random.default_rng(0)
TOPICS = {  # subjects, verbs, nouns: the nouns are the slides' eight words
    "reino": (["rei", "rainha", "príncipe"], ["governa", "guarda", "herda", "defende"],
              ["castelo", "país", "riqueza", "coroa"]),
    "coisas": (["ela", "ele", "você"], ["compra", "usa", "perde", "limpa"],
               ["avião", "computador", "chinelo", "óculos"]),
}  # fmt: skip
corpus = []
for _ in range(400):
    subjects, verbs, nouns = TOPICS[rng.choice(list(TOPICS))]
    corpus.append([rng.choice(subjects), rng.choice(verbs), rng.choice(nouns)])
words = Vocab.build(corpus)
pairs = np.array(
    [
        (words.stoi[s[i]], words.stoi[s[j]])
        for s in corpus
        for i in range(3)
        for j in range(3)
        if i != j
    ]
)  # (N, 2): (word, a neighbour)
together = sum(("castelo" in s and "coroa" in s) for s in corpus)
text.say("corpus", sentences=len(corpus), example=" ".join(corpus[0]),
         words=len(words) - 4, pairs=len(pairs), together=together)  # fmt: skip

# %%
assert together == 0  # one noun per sentence: "castelo" and "coroa" never meet

# %% [markdown] key="floor"

# %%
counts = np.zeros((len(words), len(words)))
np.add.at(counts, (pairs[:, 0], pairs[:, 1]), 1)
row_totals = counts.sum(axis=1, keepdims=True)
p_neighbour = counts / np.where(row_totals > 0, row_totals, 1)  # P(neighbour | word)
seen = counts > 0
floor = -(counts[seen] * np.log(p_neighbour[seen])).sum() / len(pairs)

tinygrad_tx.manual_seed(0)
embed = nn.Embedding(len(words), 16)
to_logits = nn.Linear(16, len(words), bias=False)
optimizer = optim.Adam(embed.parameters() + to_logits.parameters(), lr=0.05)
losses = []
for _ in range(60 if FAST else 120):
    optimizer.zero_grad()
    loss = F.cross_entropy(to_logits(embed(pairs[:, 0])), pairs[:, 1])
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
text.say("loss", first=losses[0], last=losses[-1], floor=floor)

# %% [markdown] key="cosine"

# %%
shown = TOPICS["reino"][2] + TOPICS["coisas"][2]  # the eight nouns
with no_grad():
    W = embed.weight.numpy()[[words.stoi[w] for w in shown]]
unit = W / np.linalg.norm(W, axis=1, keepdims=True)
cosine = unit @ unit.T  # (8, 8)


def cos(a: str, b: str) -> float:
    return float(cosine[shown.index(a), shown.index(b)])


kingdom, things = shown[:4], shown[4:]
within = np.mean([cos(a, b) for g in (kingdom, things) for a in g for b in g if a != b])
across = np.mean([cos(a, b) for a in kingdom for b in things])
for a, b in (("castelo", "coroa"), ("avião", "chinelo"), ("castelo", "avião"),
             ("coroa", "chinelo")):  # fmt: skip
    print(f"cos({a}, {b}) = {cos(a, b):+.3f}")
text.say("slide_words")
text.say("course_words", within=within, across=across)

# %% [markdown] key="check"

# %%
assert losses[-1] < floor + 0.05, (losses[-1], floor)
assert cos("castelo", "coroa") > cos("castelo", "avião") + 0.3
assert cos("avião", "chinelo") > cos("coroa", "chinelo") + 0.3
assert within > across + 0.4

# %%
fig = figure(6.6, 5.6)
ax = fig.subplots()
heatmap(ax, cosine, shown, shown, vmin=-1, vmax=1, cmap="RdBu_r",
        title=text("figure_title"), xlabel=text("axis_word"), ylabel=text("axis_word"),
        colorbar_label=text("colorbar"))  # fmt: skip
save_figure(fig, OUT / "embedding_similarity.png")

# %%
save_results(
    OUT,
    {
        "abandon_id": vocab.stoi["abandon"],
        "embedding_init_std": std_embedding,
        "xavier_bound": bound,
        "castelo_coroa_together": together,
        "final_loss": losses[-1],
        "loss_floor": floor,
        "cos_castelo_coroa": cos("castelo", "coroa"),
        "cos_castelo_aviao": cos("castelo", "avião"),
        "cos_aviao_chinelo": cos("avião", "chinelo"),
        "cos_coroa_chinelo": cos("coroa", "chinelo"),
        "mean_cos_within": within,
        "mean_cos_across": across,
    },
)

# %% [markdown] key="what_we_built"
