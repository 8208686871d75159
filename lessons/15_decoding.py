# %% [markdown] key="goals"

# %%
import json

import numpy as np

from lessons.i18n import lesson_text
from lessons.utils import (
    FAST,
    draw_heads,
    grouped,
    lesson_translator_run,
    load_translator,
    output_dir,
    save_results,
    show_image,
    table,
    train_lesson_translator,
    viz_language,
)
from tinygrad_tx import Tensor, no_grad
from tinygrad_tx.nn import Linear
from transformer import causal_mask, padding_mask
from transformer.attention_page import show_attention_page
from transformer.data import BOS_ID, EOS_ID, PAD_ID, UNK_ID, tokenize
from transformer.decode import beam_search, cross_attention, greedy_decode
from transformer.plots import plot_attention
from transformer.report import load_splits
from transformer.train import TrainConfig
from transformer.translator import Translator
from transformer.unknown_words import TYPICAL, copy_rate

text = lesson_text(15)  # this lesson's printed labels, in the course's language
OUT = output_dir(15)
PAGE_LANG = viz_language()  # of the attention picture and page: "en" or "pt"
rng = np.random.default_rng(0)

# %% [markdown] key="trained_model"

# %%
run = lesson_translator_run(FAST)
if run is None:
    run = train_lesson_translator(FAST)
model, src_vocab, tgt_vocab, metrics = load_translator(run)
saved = json.loads((run / "config.json").read_text(encoding="utf-8"))
splits = load_splits(TrainConfig(**saved["train"]), echo=lambda line: None)
c = model.config
text.say("model", folder=run, d_model=c.d_model, layers=c.n_layers, heads=c.n_heads,
         V=len(tgt_vocab), exact=metrics["test"]["exact_match"])  # fmt: skip

# %% [markdown] key="output_layer"

# %%
d, V_slide = 512, 10_000  # the slide's sizes
output_layer = Linear(d, V_slide)  # y = x Wᵀ + b
x = Tensor(rng.standard_normal((1, d)), dtype=np.float32)  # one decoder output
with no_grad():
    slide_logits = output_layer(x)  # (1, 10000)
    slide_probs = slide_logits.softmax(axis=-1).numpy()[0]
n_weights, n_biases = output_layer.weight.data.size, output_layer.bias.data.size
text.say("slide_output_layer")
text.say("course_output_layer", weight_shape=output_layer.weight.shape,
         weights=grouped(n_weights), biases=grouped(n_biases),
         logits_shape=slide_logits.shape, total=slide_probs.sum(),
         index=int(slide_probs.argmax()))  # fmt: skip
ours = model.out_proj  # the trained translator's own output layer
text.say("our_output_layer", weight_shape=ours.weight.shape, bias_shape=ours.bias.shape,
         d_model=c.d_model, V=len(tgt_vocab))  # fmt: skip

# %%
assert output_layer.weight.shape == (10_000, 512) and n_weights == 5_120_000
assert n_biases == 10_000 and slide_logits.shape == (1, 10_000)
assert abs(slide_probs.sum() - 1) < 1e-5
assert ours.weight.shape == (len(tgt_vocab), c.d_model)

# %% [markdown] key="step_by_step"

# %%
sentence = "the cat sleeps on the mat"
src = Tensor(np.array([src_vocab.encode(sentence)]))
src_mask = padding_mask(src, PAD_ID)
written = [BOS_ID]
steps = []
with no_grad():
    memory = model.encode(src, src_mask)  # 1) once: (1, 6, d_model)
    while written[-1] != EOS_ID and len(written) < 20:
        tgt = Tensor(np.array([written]))
        logits = model.decode(memory, src_mask, tgt, causal_mask(len(written)))  # 2)
        last = logits[0, -1]  # (V,): the logits of the next word
        probs = last.softmax(axis=-1).numpy()  # 3)
        choice = int(probs.argmax())
        top = np.argsort(-probs)[:3]
        steps.append({
            "read": tgt_vocab.itos[written[-1]], "word": tgt_vocab.itos[choice],
            "p": float(probs[choice]), "logit": float(last.numpy()[choice]),
            "index": choice, "top": [(tgt_vocab.itos[i], float(probs[i])) for i in top],
        })  # fmt: skip
        written.append(choice)  # 4)
by_hand = tgt_vocab.decode(written)
print(table(
    [text("col_step"), text("col_read"), text("col_top3"), "argmax", text("col_word")],
    [[n, s["read"], ", ".join(f"{w} {p:.3f}" for w, p in s["top"]), s["index"],
      s["word"]] for n, s in enumerate(steps, start=1)],
))  # fmt: skip
text.say("slide_encoder_once")
text.say("course_encoder_once", sentence=sentence, output=by_hand, n=len(steps))

# %% [markdown] key="check_greedy"

# %%
library = tgt_vocab.decode(greedy_decode(model, src.numpy(), max_len=20)[0])
every_pair = dict(splits.train + splits.valid + splits.test)
reference = every_pair.get(sentence)  # the toy grammar's translation, if in a split
largest_p = max(step["p"] for step in steps)
smoothing = saved["train"].get("label_smoothing", 0.1)
text.say("library_greedy", output=library)
if reference is not None:
    verdict = text("same") if by_hand == reference else text("different")
    text.say("reference", reference=reference, verdict=verdict)
text.say("largest_p", p=largest_p, target=1 - smoothing + smoothing / len(tgt_vocab))

# %%
assert library == by_hand, (library, by_hand)
assert written[-1] == EOS_ID and len(steps) == len(by_hand.split()) + 1
assert largest_p < 0.999

# %% [markdown] key="beam"

# %%
test_pairs = splits.test[: 60 if FAST else 150]


def log_prob(src_ids: list[int], out_ids: list[int]) -> float:
    """log p(out + </s> | src) under the model, by teacher forcing."""
    src_t = Tensor(np.array([src_ids]))
    tgt_in = Tensor(np.array([[BOS_ID, *out_ids]]))
    target = np.array([*out_ids, EOS_ID])
    with no_grad():
        logits = model(
            src_t, tgt_in, padding_mask(src_t, PAD_ID), causal_mask(len(target))
        )
        log_p = logits.log_softmax(axis=-1).numpy()[0]
    return float(log_p[np.arange(len(target)), target].sum())


rows = []
for english, reference_pt in test_pairs:
    ids = src_vocab.encode(english)
    greedy = greedy_decode(model, [ids], max_len=len(ids) + 10)[0]
    beam = beam_search(model, [ids], beam=4, max_len=len(ids) + 10)[0]
    rows.append({
        "source": english, "reference": reference_pt,
        "greedy": tgt_vocab.decode(greedy), "beam": tgt_vocab.decode(beam),
        "greedy_log_p": log_prob(ids, greedy), "beam_log_p": log_prob(ids, beam),
    })  # fmt: skip
greedy_exact = np.mean([r["greedy"] == r["reference"] for r in rows])
beam_exact = np.mean([r["beam"] == r["reference"] for r in rows])
differ = [r for r in rows if r["greedy"] != r["beam"]]
text.say("beam_summary", n=len(rows), greedy=greedy_exact, beam=beam_exact,
         differ=len(differ))  # fmt: skip
for r in differ[:3]:
    text.say("beam_example", source=r["source"], greedy=r["greedy"],
             greedy_log_p=r["greedy_log_p"], beam=r["beam"],
             beam_log_p=r["beam_log_p"], reference=r["reference"])  # fmt: skip

# %% [markdown] key="check_beam"

# %%
beam_not_worse = np.mean(
    [
        r["beam_log_p"] / (len(r["beam"].split()) + 1)
        >= r["greedy_log_p"] / (len(r["greedy"].split()) + 1) - 1e-6
        for r in rows
    ]
)
text.say("beam_not_worse", share=beam_not_worse)
assert beam_not_worse >= 0.95
assert beam_exact >= greedy_exact - 0.05

# %% [markdown] key="cross_attention"

# %%
showcase = "the brown lion hears the small cows"
showcase_pt = "o leão marrom ouve as vacas pequenas"  # the toy grammar's translation
# Each Portuguese word, and the position of the English word it translates.
alignment = [("o", 0), ("leão", 2), ("marrom", 1), ("ouve", 3), ("as", 4),
             ("vacas", 6), ("pequenas", 5)]  # fmt: skip
unknown = src_vocab.unknown_words(showcase) + tgt_vocab.unknown_words(showcase_pt)
assert not unknown, f"this run's vocabularies lack {unknown}: train on more pairs"
ids = src_vocab.encode(showcase)
own = tgt_vocab.decode(greedy_decode(model, [ids], max_len=len(ids) + 10)[0])
weights = cross_attention(model, ids, tgt_vocab.encode(showcase_pt))  # (H, T + 1, S)
src_words, out_words = showcase.split(), [*showcase_pt.split(), "</s>"]
held_out = any(english == showcase for english, _ in splits.test)
verdict = text("same") if own == showcase_pt else text("different")
text.say("showcase", source=showcase, own=own, reference=showcase_pt, verdict=verdict)
if held_out:
    text.say("held_out")
mean = weights.mean(axis=0)  # (T + 1, S): the mean of the heads
swapped = ("leão", "marrom", "vacas", "pequenas")  # nouns and adjectives
looked_at, expected = {}, {}
for row, (word, source) in enumerate(alignment):
    if word in swapped:
        looked_at[word] = src_words[int(mean[row].argmax())]
        expected[word] = src_words[source]
        text.say("looked_at", word=word, most=looked_at[word], weight=mean[row].max(),
                 english=expected[word], own=mean[row, source])  # fmt: skip

# %% [markdown] key="heads"


# %%
on_own_word = [
    sum(int(w[row].argmax()) == source for row, (_, source) in enumerate(alignment))
    for w in weights
]  # per head: the rows whose largest weight is on the word they translate
o_on_lion, as_on_cows = weights[:, 0, 2], weights[:, 4, 6]  # per head
print(table(
    [text("col_head"), text("col_on_own_word", n=len(alignment)), "o: lion",
     "as: cows"],
    [[h + 1, on_own_word[h], f"{o_on_lion[h]:.2f}", f"{as_on_cows[h]:.2f}"]
     for h in range(len(weights))],
))  # fmt: skip
draw_heads(weights, src_words, out_words, OUT / "cross_attention.png",
           text("figure_title", source=showcase, output=showcase_pt), text,
           panel=(3.4, 4.0))  # fmt: skip

# %% [markdown] key="check_swap"

# %%
assert looked_at == expected, looked_at

# %% [markdown] key="unknown_words"

# %%
unknown_sentence = "Maria loves pizza."
typed = tokenize(unknown_sentence, lower=False)  # as typed: "Maria", not "maria"
unk_src = src_vocab.encode(unknown_sentence)
unk_out = greedy_decode(model, [unk_src], max_len=len(unk_src) + 10)[0]
text.say("unk_source", sentence=unknown_sentence,
         ids=" ".join(src_vocab.itos[i] for i in unk_src),
         unknown=", ".join(src_vocab.unknown_words(unknown_sentence)))  # fmt: skip
text.say("unk_written", output=tgt_vocab.decode(unk_out))

# %% [markdown] key="copy"

# %%
unk_weights = cross_attention(model, unk_src, unk_out).mean(axis=0)  # (T + 1, S)
unknown_at = [j for j, i in enumerate(unk_src) if i == UNK_ID]  # source positions
marked, copies = tgt_vocab.decode_tokens(unk_out), []
for t, i in enumerate(unk_out):
    if i == UNK_ID:  # 1) the unknown source word this row weighs most; 2) copy it
        j = max(unknown_at, key=lambda j: unk_weights[t, j])
        marked[t] = f"[{typed[j]}]"
        copies.append((t, j))
        text.say("unk_row", t=t + 1, word=typed[j], weights=", ".join(
            f"{w} {x:.2f}" for w, x in zip(typed, unk_weights[t])))  # fmt: skip
by_hand_copy = " ".join(marked)
translator = Translator.load(run)
library_copy = translator.translate([unknown_sentence])[0]
text.say("unk_copied", by_hand=by_hand_copy, library=library_copy.output)
rows_out = [*tgt_vocab.decode_tokens(unk_out), "</s>"]
plot_attention(unk_weights, typed, rows_out, OUT / "unknown_words.png",
               title=text("unk_title", source=unknown_sentence, output=by_hand_copy),
               lang=PAGE_LANG)  # fmt: skip
show_image(OUT / "unknown_words.png")

# %% [markdown] key="check_copy"

# %%
assert by_hand_copy == library_copy.output, (by_hand_copy, library_copy.output)
assert [typed[j] for _, j in copies] == ["Maria", "pizza"], copies  # subject, object
for t, j in copies:  # the row of each <unk> looks hardest at the word copied there
    assert int(unk_weights[t].argmax()) == j and unk_weights[t, j] > 0.5, unk_weights[t]

# %% [markdown] key="why_unk"

# %%
with_unk = [(en, pt) for en, pt in splits.train if "<unk>" in f"{en} {pt}".split()]
same_count = sum(en.split().count("<unk>") == pt.split().count("<unk>")
                 for en, pt in with_unk)  # fmt: skip
two = sum(en.split().count("<unk>") >= 2 for en, _ in with_unk)
text.say("unk_training", n=len(with_unk), total=grouped(len(splits.train)),
         share=len(with_unk) / len(splits.train), same=same_count, two=two,
         example=" -> ".join(with_unk[0]))  # fmt: skip
assert with_unk and same_count == len(with_unk)  # <unk> on both sides, as often

# %%
typical_right, typical_lines = copy_rate(translator, TYPICAL)
in_place = 0  # sentences whose unknown words all land where the reference has them
translations = translator.translate([sentence for sentence, _ in TYPICAL])
for (sentence, reference), t in zip(TYPICAL, translations):
    unknown_typed = {w for w in tokenize(sentence, lower=False)
                     if w.lower() not in src_vocab}  # fmt: skip
    slots = [k for k, w in enumerate(reference.split()) if w in unknown_typed]
    in_place += bool(slots) and all(
        k < len(t.words) and t.words[k] == reference.split()[k] for k in slots
    )
print("\n".join(typical_lines))
text.say("typical", in_place=in_place, right=typical_right, n=len(TYPICAL))

# %%
assert in_place >= 8 and typical_right >= 7, (in_place, typical_right)

# %% [markdown] key="page"

# %%
page = show_attention_page(
    translator, showcase, OUT / "attention.html",
    lang=PAGE_LANG,
)  # fmt: skip

# %%
save_results(
    OUT,
    {
        "run": str(run),
        "output_layer_weights": n_weights,
        "output_layer_biases": n_biases,
        "steps": steps,
        "greedy_by_hand": by_hand,
        "greedy_library": library,
        "reference": reference,
        "largest_p": largest_p,
        "test_sentences": len(rows),
        "greedy_exact_match": greedy_exact,
        "beam_exact_match": beam_exact,
        "differ": len(differ),
        "beam_not_worse_share": beam_not_worse,
        "showcase": {"source": showcase, "reference": showcase_pt, "output": own},
        "looked_at": looked_at,
        "expected": expected,
        "heads_on_own_word": on_own_word,
        "unknown": {"source": unknown_sentence, "written": tgt_vocab.decode(unk_out),
                    "by_hand": by_hand_copy, "library": library_copy.output,
                    "copied": [typed[j] for _, j in copies],
                    "copy_weights": [float(unk_weights[t, j]) for t, j in copies],
                    "copied_by_largest_weight": all(
                        int(unk_weights[t].argmax()) == j for t, j in copies)},
        "training_pairs_with_unk": len(with_unk),
        "unk_same_count_both_sides": same_count,
        "typical_in_place": in_place,
        "typical_right": typical_right,
        "typical_n": len(TYPICAL),
    },
)

# %% [markdown] key="what_we_built"
