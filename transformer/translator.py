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
    those `missing` from it; and why it was not translated when it was not
    (its output is then empty). `output` is tokens joined by spaces; `text`
    glues the punctuation on ("eu amo livros.")."""

    source: str
    output: str
    unknown: list[str] = field(default_factory=list)
    problem: str = ""  # "is empty: ...", "has 80 tokens, more than ..."
    copied: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # output tokens, copies unmarked
    ids: list[int] = field(default_factory=list)  # what the model wrote

    @property
    def empty(self) -> bool:
        """A sentence without a word: there was nothing to translate."""
        return not tokenize(self.source)

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
        """Greedy (beam=1) or beam-search translations of `sentences`; an
        empty sentence gets an empty output, so outputs line up with inputs."""
        ids, unknown = self._encode(sentences)
        problems = [self._problem(x) for x in ids]  # these are not translated
        ids = [[] if problem else x for x, problem in zip(ids, problems)]
        unknown = [[] if problem else u for u, problem in zip(unknown, problems)]
        outputs = self._decode(ids, beam)
        return [
            self._with_copies(s, x, out, u) if not p else Translation(s, "", [], p)
            for s, x, out, u, p in zip(sentences, ids, outputs, unknown, problems)
        ]

    def _with_copies(self, sentence, src, out, unknown) -> Translation:
        """The Translation, each <unk> written replaced by a copied word."""
        typed = tokenize(sentence, lower=False)
        copy = copy_unknown_words(self.model, src, out, typed, self.tgt_vocab)
        return Translation(sentence, " ".join(copy.marked), unknown, "", copy.copied,
                           copy.missing, copy.words, list(out))  # fmt: skip

    def translate_one(self, sentence: str, beam: int = 1) -> Translation:
        """One sentence's Translation; a sentence that cannot be translated
        (empty, too long) is a ValueError saying why."""
        translation = self.translate([sentence], beam)[0]
        if translation.problem:
            raise ValueError(f"sentence 1 {translation.problem}")
        return translation

    def _decode(self, ids: list[list[int]], beam: int) -> list[list[int]]:
        """Output ids for each sentence's source ids (none for an empty one)."""
        if beam == 1:
            outputs = [[] for _ in ids]
            for length in sorted({len(x) for x in ids} - {0}):  # a batch per length
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
                if x
                else []
                for x in ids
            ]
        return outputs

    def _problem(self, ids: list[int]) -> str:
        """Why a sentence of these ids cannot be translated ("" when it can)."""
        if not ids:
            return "is empty: nothing to translate (an empty line stands for it)"
        if len(ids) > self.model.config.max_len:
            return (
                f"has {len(ids)} tokens, more than the {self.model.config.max_len} "
                "this model reads: not translated (an empty line stands for it; "
                "split it into shorter sentences)"
            )
        return ""

    def draw_attention(self, sentence: str, path: str | os.PathLike, beam: int = 1):
        """Translate one sentence and save the last decoder layer's
        cross-attention as a heatmap at `path`; returns the Translation. A
        file that is not a PNG, or any file of a training run, is not replaced."""
        from .run_dir import check_replaceable

        check_replaceable(path, "a PNG picture")
        translation = self.translate_one(sentence, beam)
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
        """Source ids of each sentence (none for an empty one) and its unknown
        words."""
        ids, unknown = [], []
        for sentence in sentences:
            ids.append(self.src_vocab.encode(sentence))
            unknown.append(self.src_vocab.unknown_words(sentence))
        return ids, unknown


def run_splits(saved: dict):
    """The train / validation / test splits of the run whose config.json is
    `saved` (the toy corpus is regenerated from its seed)."""
    from .report import check_data_unchanged, load_splits
    from .run_config import TrainConfig

    try:
        config = TrainConfig(**saved["train"])
        max_len = saved["model"]["max_len"]
    except (KeyError, TypeError, ValueError) as exc:
        raise ckpt.CheckpointError(
            f"config.json does not describe a training run ({exc})"
        ) from None
    check_data_unchanged(saved, config.data)
    return load_splits(config, echo=lambda message: None, max_len=max_len)


def _check_vocab_sizes(directory: Path, config, n_src: int, n_tgt: int) -> None:
    if (n_src, n_tgt) != (config.src_vocab, config.tgt_vocab):
        raise ckpt.CheckpointError(
            f"{directory}: vocab.json has {n_src} source and {n_tgt} target tokens "
            f"but config.json expects {config.src_vocab} and {config.tgt_vocab}: "
            "the files come from different runs"
        )
