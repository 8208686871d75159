# %% [markdown] key="goals"

# %%
import numpy as np

import tinygrad_tx
from lessons.i18n import lesson_text
from lessons.utils import (
    FAST,
    figure,
    finished_run,
    lesson_translator_run,
    load_translator,
    output_dir,
    save_figure,
    save_results,
    table,
    train_lesson_translator,
    translator_settings,
)
from tinygrad_tx import Tensor, no_grad, optim
from tinygrad_tx import functional as F
from transformer import Transformer, TransformerConfig, make_masks
from transformer.data import (
    PAD_ID,
    build_vocabs,
    encode_pairs,
    make_batch,
    make_toy_splits,
)
from transformer.train import TrainConfig

text = lesson_text(14)  # this lesson's printed labels, in the course's language
OUT = output_dir(14)
train_fields, model_options = translator_settings(FAST)

# %% [markdown] key="right_shift"

# %%
splits = make_toy_splits(
    seed=0,
    n_train=train_fields["train_pairs"],
    n_valid=train_fields["valid_pairs"],
    n_test=train_fields["test_pairs"],
)
src_vocab, tgt_vocab = build_vocabs(splits.train)
pair = ("i love books", "eu amo livros")
batch = make_batch(encode_pairs([pair], src_vocab, tgt_vocab), [0])
src_words = [src_vocab.itos[i] for i in batch.src[0]]
in_words = [tgt_vocab.itos[i] for i in batch.tgt_in[0]]
out_words = [tgt_vocab.itos[i] for i in batch.tgt_out[0]]
text.say("encoder_input", words=src_words)
text.say("decoder_input", words=in_words)
text.say("decoder_target", words=out_words)

# %%
assert (batch.tgt_in[0, 1:] == batch.tgt_out[0, :-1]).all()  # the right shift
assert in_words[0] == "<s>" and out_words[-1] == "</s>"

# %% [markdown] key="slide_walkthrough"

# %%
# The slides' two steps: the probabilities the decoder gave to three words (and
# to all the others together), and the word it should have written.
slide_steps = [
    {"p": {"eu": 0.1, "amo": 0.6, "livros": 0.2, "...": 0.1}, "target": "eu"},
    {"p": {"eu": 0.1, "amo": 0.2, "livros": 0.3, "...": 0.4}, "target": "amo"},
]
slide_one_minus_p, slide_cross_entropy = [], []
for step in slide_steps:
    words = list(step["p"])
    logits = Tensor(np.log([list(step["p"].values())]))  # softmax(ln p) = p
    target = np.array([words.index(step["target"])])
    slide_cross_entropy.append(F.cross_entropy(logits, target).item())  # -ln p
    slide_one_minus_p.append(1 - step["p"][step["target"]])
text.say("slide_loss_t1")
text.say("slide_loss_t2")
for t, step in enumerate(slide_steps, start=1):
    p = step["p"][step["target"]]
    text.say("course_loss_step", t=t, word=step["target"], p=p,
             one_minus_p=slide_one_minus_p[t - 1],
             ce=slide_cross_entropy[t - 1])  # fmt: skip
text.say("course_loss_why", mean=np.mean(slide_cross_entropy),
         total=sum(slide_cross_entropy))  # fmt: skip

# %%
assert [round(x, 3) for x in slide_cross_entropy] == [2.303, 1.609]
np.testing.assert_allclose(slide_one_minus_p, [0.9, 0.8])
np.testing.assert_allclose(slide_cross_entropy, -np.log([0.1, 0.2]), rtol=1e-6)

# %% [markdown] key="loss_by_word"

# %%
tinygrad_tx.manual_seed(0)
model_config = TransformerConfig.from_dict(
    {**model_options, "src_vocab": len(src_vocab), "tgt_vocab": len(tgt_vocab)}
)
untrained = Transformer.from_config(model_config).eval()
src, tgt_in = Tensor(batch.src), Tensor(batch.tgt_in)
src_mask, tgt_mask = make_masks(src, tgt_in, PAD_ID)


def per_token(model, src, tgt_in, tgt_out, src_mask, tgt_mask):
    """(p of the correct word, loss) at every position of one sentence."""
    with no_grad():
        logits = model(src, tgt_in, src_mask, tgt_mask)  # (1, T, V)
        p = logits.softmax(axis=-1).numpy()[0]
        losses = F.cross_entropy(logits, tgt_out, reduction="none").numpy()[0]
        mean = F.cross_entropy(logits, tgt_out).item()
    p_correct = p[np.arange(p.shape[0]), tgt_out[0]]
    return p_correct, losses, mean


p_before, loss_before, mean_before = per_token(
    untrained, src, tgt_in, batch.tgt_out, src_mask, tgt_mask
)
print(table(
    ["t", text("col_read"), text("col_target"), "p", "-ln p"],
    [[t, " ".join(in_words[:t]), word, f"{p_before[t - 1]:.4f}",
      f"{loss_before[t - 1]:.3f}"] for t, word in enumerate(out_words, start=1)],
))  # fmt: skip
text.say("sentence_loss", n=len(out_words), mean=mean_before, V=len(tgt_vocab),
         ln_V=np.log(len(tgt_vocab)))  # fmt: skip

# %%
np.testing.assert_allclose(loss_before, -np.log(p_before), rtol=1e-4)
assert abs(loss_before.mean() - mean_before) < 1e-5

# %% [markdown] key="one_pass"

# %%
prefix_losses = []
for t in range(1, batch.tgt_in.shape[1] + 1):
    prefix_in = Tensor(batch.tgt_in[:, :t])
    masks = make_masks(src, prefix_in, PAD_ID)
    _, losses, _ = per_token(untrained, src, prefix_in, batch.tgt_out[:, :t], *masks)
    prefix_losses.append(losses[-1])
gap = np.abs(np.array(prefix_losses) - loss_before).max()
text.say("prefix_gap", gap=gap)
assert gap < 1e-4

# %% [markdown] key="label_smoothing"

# %%
eps, V = 0.1, len(tgt_vocab)
with no_grad():
    logits = untrained(src, tgt_in, src_mask, tgt_mask)
    log_p = logits.log_softmax(axis=-1).numpy()[0]
    library = F.cross_entropy(
        logits, batch.tgt_out, label_smoothing=eps, reduction="none"
    ).numpy()[0]
q = np.full(log_p.shape, eps / V)
q[np.arange(len(q)), batch.tgt_out[0]] += 1 - eps
by_hand = -(q * log_p).sum(axis=-1)


def smoothing_floor(eps: float, V: int) -> float:
    """The entropy of q: the smallest smoothed loss any model can reach."""
    high, low = 1 - eps + eps / V, eps / V  # q at the right word, elsewhere
    return float(-(high * np.log(high) + (V - 1) * low * np.log(low)))


floor = smoothing_floor(eps, V)
text.say("smoothed_by_hand", losses=np.round(by_hand, 4))
text.say("smoothed_library", losses=np.round(library, 4))
text.say("smoothing_floor", eps=eps, V=V, target=1 - eps + eps / V, floor=floor)

# %%
np.testing.assert_allclose(library, by_hand, rtol=1e-4)

# %% [markdown] key="schedule"

# %%
warmup, peak = train_fields["warmup"], train_fields["lr"]
d_model = model_options["d_model"]
schedule = optim.NoamSchedule(
    optim.Adam(untrained.parameters()),
    d_model,
    warmup,
    peak * np.sqrt(d_model * warmup),
)
steps = np.arange(1, train_fields["steps"] + 1)
rates = np.array([schedule.rate(int(s)) for s in steps])
paper = optim.NoamSchedule(optim.Adam(untrained.parameters()), 512, 4000)
paper_peak = paper.rate(4000)  # the paper's d_model and warm-up, factor 1
clip_norm = TrainConfig(**train_fields).clip_norm
text.say("schedule", warmup=warmup, peak=rates.max(), at=steps[rates.argmax()],
         last=rates[-1], steps=steps[-1])  # fmt: skip
text.say("paper_peak", peak=paper_peak)
text.say("clipping", clip=clip_norm)

# %%
assert steps[rates.argmax()] == warmup and abs(rates.max() - peak) < 1e-12
assert abs(paper_peak - 512**-0.5 * 4000**-0.5) < 1e-15

# %% [markdown] key="training"

# %%
run = lesson_translator_run(FAST)  # a finished run, if there is one (see above)
own = OUT / "run"  # where this lesson trains
reused = run is not None
if run == own:
    text.say("reused_own", folder=run)
elif reused:
    text.say("reused", folder=run)
else:
    run = train_lesson_translator(FAST)  # prints what train-toy-translation prints
    text.say("trained", folder=run)
assert finished_run(run)
model, src_vocab2, tgt_vocab2, metrics = load_translator(run)
train_losses = np.array([r["loss"] for r in metrics["train"]])
first, last = train_losses[:20].mean(), train_losses[-20:].mean()
test = metrics["test"]
floor2 = smoothing_floor(eps, len(tgt_vocab2))  # the run's own vocabulary
text.say("train_loss", first=first, last=last, floor=floor2)
text.say("test_scores", exact=test["exact_match"], bleu=test["bleu"],
         accuracy=test["token_accuracy"], n=metrics["splits"]["test"])  # fmt: skip
more = metrics.get("more_tests", {})  # splits 2 and 3 (runs older than them lack them)
if more:
    text.say("more_tests", length=more["length"]["exact_match"],
             n_length=metrics["splits"]["length"], typed=more["typed"]["exact_match"],
             n_typed=metrics["splits"]["typed"])  # fmt: skip

# %% [markdown] key="after"

# %%
batch2 = make_batch(encode_pairs([pair], src_vocab2, tgt_vocab2), [0])
src2, tgt_in2 = Tensor(batch2.src), Tensor(batch2.tgt_in)
p_after, loss_after, mean_after = per_token(
    model, src2, tgt_in2, batch2.tgt_out, *make_masks(src2, tgt_in2, PAD_ID)
)
print(table(
    ["t", text("col_target"), text("col_p_before"), text("col_p_after"),
     text("col_loss_before"), text("col_loss_after")],
    [[t, word, f"{p_before[t - 1]:.4f}", f"{p_after[t - 1]:.4f}",
      f"{loss_before[t - 1]:.3f}", f"{loss_after[t - 1]:.3f}"]
     for t, word in enumerate(out_words, start=1)],
))  # fmt: skip
text.say("sentence_loss_change", before=mean_before, after=mean_after)

# %%
assert last < 0.6 * first, (first, last)
assert last > floor2  # the floor holds
assert mean_after < 0.25 * mean_before
assert (p_after > p_before).all()

# %%
fig = figure(15, 4.2)
ax_loss, ax_tokens, ax_lr = fig.subplots(1, 3)
valid = metrics["validation"]
ax_loss.plot([r["step"] for r in metrics["train"]], train_losses, alpha=0.35,
             label=text("legend_training"))  # fmt: skip
ax_loss.plot([r["step"] for r in valid], [r["loss"] for r in valid], "o-",
             label=text("legend_validation"))  # fmt: skip
ax_loss.axhline(floor2, color="gray", ls=":", label=text("legend_floor", floor=floor2))
ax_loss.set(yscale="log", xlabel=text("axis_step"), ylabel=text("axis_smoothed_loss"),
            title=text("title_training"))  # fmt: skip
x = np.arange(len(out_words))
ax_tokens.bar(x - 0.2, loss_before, 0.4, label=text("legend_before"))
ax_tokens.bar(x + 0.2, loss_after, 0.4, label=text("legend_after"))
ax_tokens.set_xticks(x, [f"t={t + 1}\n{w}" for t, w in enumerate(out_words)])
ax_tokens.set_ylim(top=1.3 * loss_before.max())  # room for the legend
ax_tokens.set(ylabel=text("axis_token_loss"), xlabel=text("axis_position"),
              title=text("title_tokens"))  # fmt: skip
ax_lr.plot(steps, rates)
ax_lr.set(xlabel=text("axis_step"), ylabel=text("axis_lr"),
          title=text("title_schedule", warmup=warmup))  # fmt: skip
for ax in (ax_loss, ax_tokens, ax_lr):
    ax.grid(alpha=0.3)
    if ax is not ax_lr:
        ax.legend(fontsize=8)
save_figure(fig, OUT / "training.png")

# %%
save_results(
    OUT,
    {
        "run": str(run),
        "reused_run": reused,
        "run_is_own": run == own,
        "slide_one_minus_p": slide_one_minus_p,
        "slide_cross_entropy": slide_cross_entropy,
        "loss_before_per_token": loss_before,
        "loss_after_per_token": loss_after,
        "sentence_loss_before": mean_before,
        "sentence_loss_after": mean_after,
        "prefix_gap": float(gap),
        "label_smoothing_floor": floor,
        "run_label_smoothing_floor": floor2,
        "paper_peak_lr": paper_peak,
        "clip_norm": clip_norm,
        "train_loss_first": first,
        "train_loss_last": last,
        "test": test,
    },
)

# %% [markdown] key="what_we_built"
