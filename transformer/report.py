"""The start and the end of a training run: the data it reads, and what it
reports when it is done (test metrics, sample translations, pictures, files).
"""

from __future__ import annotations

import hashlib
import resource
import shlex
import sys
import time
import warnings
from pathlib import Path

from . import checkpoint as ckpt
from .commands import command
from .data import PairsFileError, load_pairs, make_toy_splits, split_pairs
from .decode import cross_attention, greedy_decode
from .evaluation import evaluate, max_output_length
from .plots import label_smoothing_floor, plot_attention, plot_loss_curves

SAMPLE_COUNT = 5
ATTENTION_SENTENCE = "the cat sleeps on the mat"  # from the course slides


def load_splits(config, echo=print, max_len: int | None = None):
    """Train / validation / test pairs: the toy corpus, or a TSV file split at
    random. TSV lines that are malformed, or too long for a model of `max_len`
    positions, are skipped and reported through `echo`."""
    if config.data is None:
        return make_toy_splits(
            config.seed, config.train_pairs, config.valid_pairs, config.test_pairs
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pairs = load_pairs(config.data, max_tokens=max_len)
    for warning in caught:
        echo(f"warning: {warning.message}")
    try:
        return split_pairs(pairs, seed=config.seed)
    except ValueError as exc:  # too few sentences
        reason = str(exc).removeprefix("split_pairs: ")
        raise PairsFileError(f"{config.data}: {reason}") from None


def data_fingerprint(path) -> dict | None:
    """What config.json records of a TSV file: its resolved path, size and
    SHA-256, so that a changed file is noticed (None for the toy corpus)."""
    if path is None:
        return None
    data = Path(path).read_bytes()
    return {"path": str(path), "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest()}  # fmt: skip


def check_data_unchanged(saved: dict, path) -> None:
    """Refuse to re-split a TSV file that changed since the run in `saved`
    (its config.json) was trained: its splits would not be the same."""
    recorded = saved.get("data")
    if path is None or not recorded:
        return  # the toy corpus, or a run older than this record
    if not Path(path).is_file():
        raise ckpt.CheckpointError(
            f"the data file of this run, {path}, is missing: the splits are made "
            "from it, so restore it there (the run recorded its size "
            f"{recorded.get('bytes')} bytes and its SHA-256)"
        )
    now = data_fingerprint(path)
    if now["sha256"] != recorded.get("sha256"):
        raise ckpt.CheckpointError(
            f"{path} changed since this run was trained ({recorded.get('bytes')} "
            f"bytes then, {now['bytes']} now; SHA-256 differs): its train, validation "
            "and test splits would not be the ones the model was trained and "
            "chosen on. Restore the file, or train a new run on it"
        )


def finish_run(run, echo, started: float | None = None) -> dict:
    """Test the best weights, draw the pictures, write metrics.json, print the
    summary; returns what metrics.json holds."""
    ckpt.load_weights(run.out / ckpt.MODEL_FILE, run.model)
    test, translations = evaluate(
        run.model,
        run.splits.test,
        run.src_vocab,
        run.tgt_vocab,
        run.config.label_smoothing,  # the same loss as in training and validation
    )
    more_tests = _more_test_splits(run)  # splits 2 and 3 of the toy corpus
    samples = _samples(run.splits.test, translations)
    attention_words = _draw_attention(run)
    floor = label_smoothing_floor(run.config.label_smoothing, len(run.tgt_vocab))
    plot_loss_curves(run.history, run.out / "loss.png", _title(run), floor)
    summary = {
        **run.history,
        "best": run.best,
        "test": test,
        "more_tests": more_tests,
        "samples": samples,
        "splits": run.splits.sizes(),
        "split_rule": run.splits.rule,
        "attention_sentence": attention_words,
        "run": _resources(started),
    }
    ckpt.write_json(run.out / ckpt.METRICS_FILE, summary)
    echo(_summary_text(run, summary))
    return summary


def _more_test_splits(run) -> dict:
    """The length and typed splits (toy corpus only), scored like the test."""
    return {
        name: evaluate(run.model, pairs, run.src_vocab, run.tgt_vocab,
                       run.config.label_smoothing)[0]
        for name, pairs in run.splits.parts().items()
        if name in ("length", "typed")
    }  # fmt: skip


def _more_test_lines(run, more_tests: dict) -> list[str]:
    lines = []
    for name, scores in more_tests.items():
        n, exact = len(run.splits.part(name)), scores["exact_match"]
        lines.append(
            f"{name} split ({run.splits.details[name]}): exact match {exact:.1%} "
            f"({round(exact * n)}/{n}), BLEU {scores['bleu']:.1f}"
        )
    return lines


def _samples(pairs, translations) -> list[dict]:
    """Five test sentences spread over the split, with the model's output."""
    step = max(1, len(pairs) // SAMPLE_COUNT)
    chosen = list(range(0, len(pairs), step))[:SAMPLE_COUNT]
    return [
        {"source": pairs[i][0], "reference": pairs[i][1], "output": translations[i]}
        for i in chosen
    ]


def _draw_attention(run) -> str:
    """attention.png: cross-attention of the last decoder layer while the model
    translates the slide sentence (or the first test sentence when the data
    does not know its words). Returns the sentence drawn."""
    sentence = ATTENTION_SENTENCE
    if run.src_vocab.unknown_words(sentence):
        sentence = run.splits.test[0][0]
    src = run.src_vocab.encode(sentence)
    run.model.eval()
    out = greedy_decode(run.model, [src], max_output_length(run.model, len(src)))[0]
    weights = cross_attention(run.model, src, out)  # (H, len(out) + 1, S)
    src_words = token_labels(run.src_vocab, src)
    tgt_words = [*token_labels(run.tgt_vocab, out), "</s>"]
    source, output = (_shorten(" ".join(w)) for w in (src_words, tgt_words[:-1]))
    title = f'Cross-attention of the last decoder layer: "{source}" -> "{output}"'

    plot_attention(weights, src_words, tgt_words, run.out / "attention.png", title)
    return sentence


def _shorten(text: str, limit: int = 40) -> str:
    """A title must fit above the picture: cut a long sentence with '...'."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def token_labels(vocab, ids) -> list[str]:
    """One printable label per id, special tokens included: an untrained model
    may write <pad> or <s>, and each of its rows of attention needs a label."""
    words = [vocab.itos[int(i)] for i in ids]
    return ["".join(c if c.isprintable() else "?" for c in w) for w in words]


def _title(run) -> str:
    c = run.model.config
    return (
        f"Toy translator: d_model {c.d_model}, {plural(c.n_layers, 'layer')}, "
        f"{plural(c.n_heads, 'head')}, "
        f"batch {run.config.batch_size}, seed {run.config.seed}"
    )


def _resources(started: float | None) -> dict:
    """Wall time and peak memory of this process (they vary from run to run)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # B or KiB
    wall = time.perf_counter() - started if started is not None else None
    return {"wall_time_s": wall, "peak_memory_mb": peak_mb}


def _summary_text(run, summary: dict) -> str:
    test, best = summary["test"], summary["best"]
    lines = [
        "",
        f"best validation at step {best['step']}: exact match "
        f"{best['exact_match']:.1%}, BLEU {best['bleu']:.1f}",
        f"test ({plural(len(run.splits.test), 'held-out sentence')}): exact match "
        f"{test['exact_match']:.1%}, BLEU {test['bleu']:.1f}, token accuracy "
        f"{test['token_accuracy']:.1%}, loss {test['loss']:.3f}",
        *_more_test_lines(run, summary["more_tests"]),
        "",
        "sample test translations:",
        *_sample_lines(summary["samples"]),
    ]
    resources = summary["run"]
    if resources["wall_time_s"] is not None:
        wall, peak = resources["wall_time_s"], resources["peak_memory_mb"]
        lines += ["", f"wall time {wall:.0f} s, peak memory {peak:.0f} MB"]
    lines += ["", f"written to {run.out}/:"]
    lines += [f"  {name:<24} {what}" for name, what in _FILES]
    return "\n".join([*lines, f"translate with: {_translate_hint(run)}"])


def _translate_hint(run) -> str:
    """A translate command to paste: the slides' sentence if the model knows
    its words, else a test sentence."""
    sentence = "i love books"
    if run.src_vocab.unknown_words(sentence):
        sentence = run.splits.test[0][0]
    out, sentence = shlex.quote(str(run.out)), shlex.quote(sentence)
    return command(f"translate --checkpoint {out} {sentence}")


def plural(n: int, noun: str) -> str:
    """1 sentence, 2 sentences (nouns that take an s)."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _sample_lines(samples: list[dict]) -> list[str]:
    """source -> output ✓, or ✗ with the reference below."""
    lines = []
    for s in samples:
        ok = s["output"].split() == s["reference"].split()
        lines.append(f"  {s['source']}  ->  {s['output']}  {'✓' if ok else '✗'}")
        if not ok:
            pad = " " * len(s["source"])
            lines.append(f"  {pad}     (reference: {s['reference']})")
    return lines


_FILES = [
    (ckpt.MODEL_FILE, "the best weights (by validation exact match)"),
    (ckpt.CONFIG_FILE, "model and training configuration"),
    (ckpt.VOCAB_FILE, "source and target vocabularies"),
    (ckpt.METRICS_FILE, "loss and scores at every step, test scores, samples"),
    ("loss.png", "training and validation curves"),
    ("attention.png", "cross-attention heatmap of a sample sentence"),
    (ckpt.STATE_FILE, "optimizer and data position, for --resume"),
]
