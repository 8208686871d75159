"""A trained translator read back from its checkpoint directory: what
`python cli.py translate` and `evaluate` use.

    translator = Translator.load("runs/toy-translation")
    translator.translate(["I love books"])            # ['eu amo livros']
    translator.translate(["I love books"], beam=4)    # beam search
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import checkpoint as ckpt
from .config import TransformerConfig
from .data import detokenize, load_vocabs, tokenize
from .decode import beam_search, cross_attention, greedy_decode
from .evaluation import evaluate, max_output_length
from .model import Transformer
from .plots import plot_attention
from .unknown_words import copy_unknown_words, unknown_warning


@dataclass
class Translation:
    """One translated sentence, with the words the model did not know: those
    copied into `output` (marked: "eu amo [pizza]", see unknown_words.py) and
    those `missing` from it. `output` is tokens joined by spaces; `text`
    glues the punctuation on ("eu amo livros.")."""

    source: str
    output: str
    unknown: list[str] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # output tokens, copies unmarked
    ids: list[int] = field(default_factory=list)  # what the model wrote

    @property
    def text(self) -> str:
        return detokenize(self.output.split())


class Translator:
    """A model with its two vocabularies and its saved configuration."""

    def __init__(self, model: Transformer, src_vocab, tgt_vocab, saved: dict):
        self.model, self.src_vocab, self.tgt_vocab = model, src_vocab, tgt_vocab
        self.saved = saved  # config.json: {"model": ..., "train": ...}
        self.model.eval()

    @classmethod
    def load(cls, directory: str | os.PathLike, device: str = "cpu") -> Translator:
        """Read config.json, vocab.json and model.safetensors, checking that they
        belong together; every problem is a CheckpointError naming the file."""
        directory = ckpt.require_checkpoint(directory)
        saved = ckpt.read_json(directory / ckpt.CONFIG_FILE)
        try:
            config = TransformerConfig.from_dict(saved["model"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ckpt.CheckpointError(
                f"{directory / ckpt.CONFIG_FILE} does not describe a model: {exc}"
            ) from None
        try:
            src_vocab, tgt_vocab = load_vocabs(directory / ckpt.VOCAB_FILE)
        except ValueError as exc:
            raise ckpt.CheckpointError(str(exc)) from None
        _check_vocab_sizes(directory, config, len(src_vocab), len(tgt_vocab))
        model = Transformer.from_config(config).to(device)
        ckpt.load_weights(directory / ckpt.MODEL_FILE, model)
        return cls(model, src_vocab, tgt_vocab, saved)

    def translate(self, sentences: list[str], beam: int = 1) -> list[Translation]:
        """Greedy (beam=1) or beam-search translations of `sentences`."""
        ids, unknown = self._encode(sentences)
        if beam == 1:
            outputs = [None] * len(ids)
            for length in sorted({len(x) for x in ids}):  # one batch per length
                rows = [i for i, x in enumerate(ids) if len(x) == length]
                max_len = max_output_length(self.model, length)
                found = greedy_decode(self.model, [ids[i] for i in rows], max_len)
                for i, out in zip(rows, found):
                    outputs[i] = out
        else:
            outputs = [
                beam_search(
                    self.model, [x], beam, max_output_length(self.model, len(x))
                )[0]
                for x in ids
            ]
        return [
            self._with_copies(s, x, out, u)
            for s, x, out, u in zip(sentences, ids, outputs, unknown)
        ]

    def _with_copies(self, sentence, src, out, unknown) -> Translation:
        """The Translation, each <unk> written replaced by a copied word."""
        typed = tokenize(sentence, lower=False)
        copy = copy_unknown_words(self.model, src, out, typed, self.tgt_vocab)
        return Translation(sentence, " ".join(copy.marked), unknown, copy.copied,
                           copy.missing, copy.words, list(out))  # fmt: skip

    def draw_attention(self, sentence: str, path: str | os.PathLike, beam: int = 1):
        """Translate one sentence and save the last decoder layer's
        cross-attention as a heatmap at `path`; returns the Translation."""
        translation = self.translate([sentence], beam)[0]
        src = self.src_vocab.encode(sentence)
        out = translation.ids
        weights = cross_attention(self.model, src, out)  # (H, len(out) + 1, S)
        src_words = tokenize(sentence)
        tgt_words = [*self.tgt_vocab.decode_tokens(out), "</s>"]
        title = f'Cross-attention: "{" ".join(src_words)}" -> "{translation.output}"'
        plot_attention(weights, src_words, tgt_words, Path(path), title)
        return translation

    def unknown_warning(self, t: Translation) -> str:
        """The warning to show when a sentence had words the model never saw."""
        return unknown_warning(t.source, t.unknown, t.copied, t.missing,
                               len(self.src_vocab))  # fmt: skip

    def evaluate(self, pairs) -> dict:
        """Loss, token accuracy, exact match and BLEU on (source, target) pairs."""
        smoothing = float(self.saved.get("train", {}).get("label_smoothing", 0.0))
        scores, _ = evaluate(
            self.model, pairs, self.src_vocab, self.tgt_vocab, smoothing
        )
        return scores

    def _encode(self, sentences: list[str]) -> tuple[list[list[int]], list[list[str]]]:
        """Source ids of each sentence and its unknown words; an empty
        sentence is an error (there is nothing to translate)."""
        ids, unknown = [], []
        for number, sentence in enumerate(sentences, start=1):
            if not tokenize(sentence):
                raise ValueError(
                    f"sentence {number} is empty: nothing to translate "
                    f"(got {sentence!r})"
                )
            ids.append(self.src_vocab.encode(sentence))
            unknown.append(self.src_vocab.unknown_words(sentence))
        return ids, unknown


def run_splits(saved: dict):
    """The train / validation / test splits of the run whose config.json is
    `saved` (the toy corpus is regenerated from its seed)."""
    from .report import load_splits
    from .train import TrainConfig

    try:
        config = TrainConfig(**saved["train"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ckpt.CheckpointError(
            f"config.json does not describe a training run ({exc})"
        ) from None
    return load_splits(config, echo=lambda message: None)


def _check_vocab_sizes(directory: Path, config, n_src: int, n_tgt: int) -> None:
    if (n_src, n_tgt) != (config.src_vocab, config.tgt_vocab):
        raise ckpt.CheckpointError(
            f"{directory}: vocab.json has {n_src} source and {n_tgt} target tokens "
            f"but config.json expects {config.src_vocab} and {config.tgt_vocab}: "
            "the files come from different runs"
        )
