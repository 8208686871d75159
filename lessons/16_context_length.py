# %% [markdown] key="goals"

# %%
import os

# One BLAS thread: on a busy machine, multi-threaded matrix products spend more
# time waking threads than computing, which would blur the timings below.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time
import tracemalloc
from collections import Counter

import numpy as np

from lessons.i18n import lesson_text
from lessons.utils import (
    FAST,
    figure,
    grouped,
    lesson_translator_run,
    machine_note,
    output_dir,
    save_figure,
    save_results,
    table,
    train_lesson_translator,
)
from tinygrad_tx import Tensor
from transformer import scaled_dot_product_attention, sinusoidal_table
from transformer.evaluation import max_output_length
from transformer.translator import Translator, run_splits

text = lesson_text(16)  # this lesson's printed labels, in the course's language
OUT = output_dir(16)
rng = np.random.default_rng(0)

# %% [markdown] key="c_by_c"

# %%
C = 2048
entries = C * C
text.say("slide_context")
text.say("course_context", C=C, entries=grouped(entries), mib=entries * 4 / 2**20)
assert entries == 4_194_304

# %% [markdown] key="measuring"

# %%
D = 64
lengths = [64, 128, 256, 512, 1024, 2048] + ([] if FAST else [4096])
REPEAT = 3 if FAST else 5


def attention_step(L: int, fused: bool):
    """One forward and backward pass of attention over L tokens, as a function."""
    q, k, v = (
        Tensor(rng.standard_normal((1, L, D)), dtype=np.float32, requires_grad=True)
        for _ in range(3)
    )
    upstream = rng.standard_normal((1, L, D)).astype(np.float32)

    def step():
        out, _ = scaled_dot_product_attention(q, k, v, fused=fused)
        out.backward(upstream)
        return out

    return step


def peak_mib(step) -> float:
    """Peak memory allocated while `step` runs, above what was there before."""
    step()  # a first run, so one-time allocations are not counted
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    step()
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return peak / 2**20


def matmul_flops(out: Tensor) -> int:
    """FLOPs of the matrix products in out's graph, forward and backward:
    (m, k) @ (k, n) is 2·m·k·n, and backward runs one product of that size for
    each of its two inputs that needs a gradient (dA = dC Bᵀ, dB = Aᵀ dC)."""
    total, seen, stack = 0, set(), [out]
    while stack:  # every operation of the graph, once
        t = stack.pop()
        if id(t) in seen or t._ctx is None:
            continue
        seen.add(id(t))
        parents = t._ctx.parents
        if type(t._ctx).__name__ == "MatMul":
            a, b = parents[0].shape, parents[1].shape
            size = 2 * int(np.prod(a[:-1])) * a[-1] * b[-1]
            total += size * (1 + sum(p.requires_grad for p in parents))
        stack.extend(parents)
    return total


def run_times(step, repeat: int) -> list[float]:
    """Milliseconds of `repeat` runs of step(), in order."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(1e3 * (time.perf_counter() - start))
    return times


rows = []
for L in lengths:
    row = {"length": L, "entries": L * L, "matrix_mib": L * L * 4 / 2**20}
    row["gflop"] = matmul_flops(attention_step(L, fused=False)()) / 1e9
    for name, fused in (("fused", True), ("composed", False)):
        step = attention_step(L, fused)
        row[f"{name}_peak_mib"] = peak_mib(step)
        row[f"{name}_runs_ms"] = run_times(step, REPEAT)
        row[f"{name}_ms"] = min(row[f"{name}_runs_ms"])
    rows.append(row)

print(machine_note())
print(table(
    ["L", "L x L", text("col_matrix"), text("col_peak_fused"),
     text("col_peak_composed"), "GFLOP", text("col_ms_fused"),
     text("col_ms_composed")],
    [[r["length"], grouped(r["entries"]), f"{r['matrix_mib']:.2f}",
      f"{r['fused_peak_mib']:.2f}", f"{r['composed_peak_mib']:.2f}",
      f"{r['gflop']:.4f}", f"{r['fused_ms']:.2f}", f"{r['composed_ms']:.2f}"]
     for r in rows],
))  # fmt: skip

# %% [markdown] key="exponent"

# %%
long = [r for r in rows if r["length"] >= 1024]


def slope(values) -> float:
    """The slope of log(values) against log(L) over the long lengths."""
    x = np.log([r["length"] for r in long])
    return float(np.polyfit(x, np.log(values), 1)[0])


fitted = ("fused_peak_mib", "composed_peak_mib", "gflop", "fused_ms", "composed_ms")
exponents = {key: slope([r[key] for r in long]) for key in fitted}
one_run = {  # the time exponent from each run alone: how much the timing moves
    name: [slope([r[f"{name}_runs_ms"][i] for r in long]) for i in range(REPEAT)]
    for name in ("fused", "composed")
}
fit_from, fit_to = long[0]["length"], long[-1]["length"]
text.say("exponent_exact", what=text("what_peak_fused"), p=exponents["fused_peak_mib"],
         lo=fit_from, hi=fit_to)  # fmt: skip
text.say("exponent_exact", what=text("what_peak_composed"),
         p=exponents["composed_peak_mib"], lo=fit_from, hi=fit_to)  # fmt: skip
text.say("exponent_exact", what=text("what_flops"), p=exponents["gflop"], lo=fit_from,
         hi=fit_to)  # fmt: skip
for name, label in (("fused", text("what_time_fused")),
                    ("composed", text("what_time_composed"))):  # fmt: skip
    text.say("exponent_time", what=label, p=exponents[f"{name}_ms"], runs=REPEAT,
             low=min(one_run[name]), high=max(one_run[name]))  # fmt: skip
at_2048 = next(r for r in rows if r["length"] == 2048)
bytes_per_entry = {
    name: at_2048[f"{name}_peak_mib"] * 2**20 / at_2048["entries"]
    for name in ("fused", "composed")
}
text.say("bytes_per_entry", fused=bytes_per_entry["fused"],
         composed=bytes_per_entry["composed"])  # fmt: skip

# %% [markdown] key="check"

# %%
assert 1.8 < exponents["fused_peak_mib"] < 2.2, exponents
assert 1.8 < exponents["composed_peak_mib"] < 2.2, exponents
assert all(round(r["gflop"] * 1e9) == 12 * r["length"] ** 2 * D for r in rows)
assert abs(exponents["gflop"] - 2) < 1e-9, exponents
assert at_2048["composed_peak_mib"] > 2 * at_2048["fused_peak_mib"]
# No assert on a time: it depends on the machine and on its load.

# %% [markdown] key="gpt"

# %%
contexts = {"GPT-1": 512, "GPT-2": 1024, "GPT-3": 2048, "GPT-4 (32k)": 32_768}
gpt = {}
for model, c in contexts.items():
    gpt[model] = {
        "context": c,
        "entries": c * c,
        "matrix_mib": c * c * 4 / 2**20,
        "fused_peak_mib": c * c * bytes_per_entry["fused"] / 2**20,
    }
print(table(
    [text("col_model"), text("col_context"), text("col_entries"), text("col_matrix"),
     text("col_our_peak")],
    [[model, grouped(g["context"]), grouped(g["entries"]),
      grouped(round(g["matrix_mib"])), grouped(round(g["fused_peak_mib"]))]
     for model, g in gpt.items()],
))  # fmt: skip
ratio = gpt["GPT-4 (32k)"]["entries"] // gpt["GPT-1"]["entries"]
text.say("gpt_ratio", context=32_768 // 512, entries=grouped(ratio))
assert gpt["GPT-3"]["entries"] == 4_194_304 and ratio == 4096

# %%
fig = figure(15, 4.4)
ax_mem, ax_flop, ax_time = fig.subplots(1, 3)
Ls = np.array(lengths)
legends = {"fused": text("legend_fused"), "composed": text("legend_composed")}
for name, marker in (("fused", "o"), ("composed", "s")):
    label = legends[name]
    p = exponents[f"{name}_peak_mib"]
    ax_mem.loglog(Ls, [r[f"{name}_peak_mib"] for r in rows], marker + "-",
                  label=f"{label} (~L^{p:.2f})")  # fmt: skip
    line = ax_time.loglog(Ls, [r[f"{name}_ms"] for r in rows], marker + "-",
                          label=label)[0]  # fmt: skip
    ax_time.fill_between(Ls, [min(r[f"{name}_runs_ms"]) for r in rows],
                         [max(r[f"{name}_runs_ms"]) for r in rows],
                         color=line.get_color(), alpha=0.2)  # fmt: skip
ax_mem.loglog(Ls, Ls**2 * 4 / 2**20, "k:", label=text("legend_matrix"))
flop_label = f"{text('legend_flops')} (L^{exponents['gflop']:.2f})"
ax_flop.loglog(Ls, [r["gflop"] for r in rows], "o-", color="C2", label=flop_label)
for model, c in contexts.items():
    if c <= lengths[-1]:
        ax_mem.axvline(c, color="gray", lw=0.8, ls="--")
        ax_mem.text(c, ax_mem.get_ylim()[1] * 0.5, f" {model}", rotation=90, fontsize=8,
                    va="top", color="gray")  # fmt: skip
ax_mem.set(title=text("title_memory"), xlabel=text("axis_length"), ylabel="MiB")
ax_flop.set(title=text("title_flops"), xlabel=text("axis_length"), ylabel="GFLOP")
ax_time.set(title=text("title_time"), xlabel=text("axis_length"), ylabel="ms")
for ax in (ax_mem, ax_flop, ax_time):
    ax.set_xticks(lengths, [str(L) for L in lengths])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
save_figure(fig, OUT / "context_length.png")

# %% [markdown] key="length_generalisation"

# %%
run = lesson_translator_run(FAST)  # lesson 14's model, or the default run
if run is None:
    run = train_lesson_translator(FAST)
translator = Translator.load(run)
splits = run_splits(translator.saved)  # the toy corpus, remade from its seed
train_lengths = Counter(len(en.split()) for en, _ in splits.train)
longest = max(train_lengths)  # source tokens
longest_target = max(len(pt.split()) for _, pt in splits.train)
long_lengths = [len(en.split()) for en, _ in splits.length]
text.say("toy_lengths", folder=run, n=grouped(len(splits.train)), longest=longest,
         longest_target=longest_target, n_length=len(splits.length),
         shortest=min(long_lengths), longest_length=max(long_lengths))  # fmt: skip


def translate_by_length(pairs) -> dict[int, list[dict]]:
    """{source length: [{"reference", "output", "limit"}, ...]}: the translator's
    greedy translation of each pair, as lists of tokens, and whether it ran to
    the length limit without writing </s>."""
    found = translator.translate([en for en, _ in pairs])
    rows: dict[int, list[dict]] = {}
    for (en, reference), t in zip(pairs, found):
        n = len(en.split())
        limit = max_output_length(translator.model, n)
        rows.setdefault(n, []).append({"reference": reference.split(),
                                       "output": t.output.split(),
                                       "limit": len(t.ids) == limit})  # fmt: skip
    return dict(sorted(rows.items()))


def share_right(rows: list[dict]) -> float:
    return float(np.mean([r["output"] == r["reference"] for r in rows]))


SPLITS = {"test": text("split_test"), "length": text("split_length")}
by_length = {split: translate_by_length(getattr(splits, split)) for split in SPLITS}
exact = {split: {n: share_right(rows) for n, rows in found.items()}
         for split, found in by_length.items()}  # fmt: skip
print(table(
    [text("col_source_length"), text("col_split"), text("col_sentences"),
     text("col_exact")],
    [[n, SPLITS[split], len(by_length[split][n]), f"{e:.1%}"]
     for split in SPLITS for n, e in exact[split].items()],
))  # fmt: skip

# %% [markdown] key="stops_early"

# %%
all_long = [r for rows in by_length["length"].values() for r in rows]
all_test = [r for rows in by_length["test"].values() for r in rows]
wrong = [r for r in all_long if r["output"] != r["reference"]]
shorter = [r for r in wrong if len(r["output"]) < len(r["reference"])]
longer = [r for r in wrong if len(r["output"]) > len(r["reference"])]
within = sum(len(r["output"]) <= longest_target for r in shorter)
at_limit = sum(r["limit"] for r in wrong)
length_exact, test_exact = share_right(all_long), share_right(all_test)
text.say("length_summary", exact=length_exact, test=test_exact, wrong=len(wrong),
         n=len(all_long), shorter=len(shorter), within=within,
         longest_target=longest_target, longer=len(longer),
         at_limit=at_limit)  # fmt: skip
need_longer = [r for r in all_long if len(r["reference"]) > longest_target]
right_longer = sum(r["output"] == r["reference"] for r in need_longer)
rest_right = share_right([r for r in all_long
                          if len(r["reference"]) <= longest_target])  # fmt: skip
text.say("need_longer", need=len(need_longer), right=right_longer,
         longest_target=longest_target, rest=rest_right)  # fmt: skip
if wrong:  # the shortest wrong one, to read
    example = min(shorter or wrong, key=lambda r: len(r["reference"]))
    text.say("length_example", reference=" ".join(example["reference"]),
             output=" ".join(example["output"]))  # fmt: skip

# %% [markdown] key="why_positions"

# %%
c = translator.model.config
pe = sinusoidal_table(c.max_len, c.d_model).astype(np.float64)  # (max_len, d_model)
step = np.linalg.norm(np.diff(pe, axis=0), axis=1)  # |PE(p + 1) - PE(p)|, each p
text.say("pe_rows", rows=len(pe), d=c.d_model, trained=step[: longest - 1].mean(),
         beyond=step[longest:].mean(), spread=np.ptp(step))  # fmt: skip

# %% [markdown] key="check_length"

# %%
first = min(exact["length"])  # the shortest length past training
later = [r for n, rows in by_length["length"].items() if n >= first + 2 for r in rows]
assert max(exact["test"]) <= longest < first, (longest, exact)
assert length_exact < test_exact - 0.2, (length_exact, test_exact)
assert exact["length"][first] > share_right(later), exact["length"]
assert len(shorter) >= 5 and within >= 0.8 * len(shorter), (len(shorter), within)
assert len(need_longer) >= 10 and right_longer / len(need_longer) < 0.5 * rest_right
assert np.ptp(step) < 1e-4  # every row as far from the next: the table is no limit

# %%
fig = figure(15, 4.2)
ax_train, ax_exact, ax_out = fig.subplots(1, 3)
ax_train.bar(list(train_lengths), list(train_lengths.values()), color="C7")
ax_train.set(title=text("title_train_lengths"), xlabel=text("axis_source_length"),
             ylabel=text("axis_sentences"))  # fmt: skip
for split, color in (("test", "C0"), ("length", "C3")):
    ax_exact.bar(list(exact[split]), [100 * e for e in exact[split].values()],
                 color=color, label=SPLITS[split])  # fmt: skip
ax_exact.set(title=text("title_exact"), xlabel=text("axis_source_length"),
             ylabel=text("axis_exact"), ylim=(0, 105))  # fmt: skip
for ax in (ax_train, ax_exact):
    ax.axvline(longest + 0.5, color="gray", ls="--",
               label=text("legend_longest", n=longest))  # fmt: skip
lengths = Counter((len(r["reference"]), len(r["output"]), r["output"] == r["reference"])
                  for r in all_long)  # fmt: skip
for right, color, label in ((True, "C2", text("legend_right")),
                            (False, "C3", text("legend_wrong"))):  # fmt: skip
    points = {(x, y): n for (x, y, ok), n in lengths.items() if ok == right}
    sizes = [300 * n / max(lengths.values()) for n in points.values()]  # area: count
    ax_out.scatter([x for x, _ in points], [y for _, y in points], s=sizes,
                   color=color, alpha=0.5, label=label)  # fmt: skip
reach = [min(len(r["reference"]) for r in all_long) - 1,
         max(len(r["reference"]) for r in all_long) + 1]  # fmt: skip
ax_out.plot(reach, reach, "k:", label=text("legend_same_length"))
ax_out.axhline(longest_target, color="gray", ls="--",
               label=text("legend_longest_target", n=longest_target))  # fmt: skip
ax_out.set(title=text("title_wrong"), xlabel=text("axis_reference_length"),
           ylabel=text("axis_output_length"))  # fmt: skip
for ax in (ax_train, ax_exact, ax_out):
    ax.grid(alpha=0.3)
    legend = ax.legend(fontsize=8)
    ax.yaxis.get_major_locator().set_params(integer=True)
for handle in legend.legend_handles[:2]:  # the scatter's: one size in the legend
    handle.set_sizes([40])
save_figure(fig, OUT / "length_generalisation.png")

# %%
save_results(
    OUT,
    {
        "entries_2048": entries,
        "rows": rows,
        "exponents": exponents,
        "time_exponent_per_run": one_run,
        "bytes_per_entry": bytes_per_entry,
        "gpt": gpt,
        "head_size": D,
        "longest_training_source": longest,
        "longest_training_target": longest_target,
        "exact_by_source_length": exact,
        "length_exact": length_exact,
        "test_exact": test_exact,
        "length_wrong": len(wrong),
        "length_shorter": len(shorter),
        "length_shorter_within_longest_target": within,
        "length_longer": len(longer),
        "length_at_limit": at_limit,
        "length_need_longer_than_training": len(need_longer),
        "length_need_longer_right": right_longer,
        "length_rest_exact": rest_right,
        "pe_step_spread": float(np.ptp(step)),
    },
)

# %% [markdown] key="what_we_built"
