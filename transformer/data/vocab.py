"""Vocabulary: words <-> integer ids, the numbers an embedding table is indexed by.

Four special tokens come first, with fixed ids:

    0 <pad>   fills a short sentence up to the length of its batch
    1 <s>     start of sentence: the first input of the decoder
    2 </s>    end of sentence: the decoder's last target, where decoding stops
    3 <unk>   any word the vocabulary does not know

then the words, most frequent first (ties in alphabetical order), so the same
sentences always give the same ids. The source (English) and target
(Portuguese) sides have a vocabulary each, or share one (`build_vocabs`).
A checkpoint keeps both in vocab.json (`save_vocabs`, `load_vocabs`).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from .tokenizer import tokenize

PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3
SPECIALS = ("<pad>", "<s>", "</s>", "<unk>")
FORMAT = "tinygrad_tx vocab"
VERSION = 1


class Vocab:
    """An ordered list of tokens; a token's id is its position."""

    def __init__(self, words: Sequence[str]):
        """`words` are the ordinary tokens, given ids 4, 5, ... in order."""
        words = list(words)
        for word in words:
            if not isinstance(word, str) or not word or word in SPECIALS:
                raise ValueError(
                    f"Vocab: {word!r} cannot be a word (empty, not a str or special)"
                )
        repeated = [w for w, n in Counter(words).items() if n > 1]
        if repeated:
            raise ValueError(f"Vocab: words listed twice: {repeated[:10]}")
        self.itos = [*SPECIALS, *words]  # id -> token
        self.stoi = {token: i for i, token in enumerate(self.itos)}  # token -> id

    @classmethod
    def build(
        cls,
        sentences: Iterable[str | Sequence[str]],
        min_freq: int = 1,
        max_size: int | None = None,
    ) -> Vocab:
        """The words of `sentences` (strings are tokenized) seen at least
        `min_freq` times, most frequent first, at most `max_size` of them.
        A special token in the text ("<unk>" standing for an unknown word in
        the toy corpus) keeps its fixed id and is not counted as a word."""
        counts = Counter(
            word for s in sentences for word in _tokens(s) if word not in SPECIALS
        )
        words = sorted(
            (w for w, n in counts.items() if n >= min_freq),
            key=lambda w: (-counts[w], w),
        )
        return cls(words[:max_size] if max_size is not None else words)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocab) and self.itos == other.itos

    def __repr__(self) -> str:
        return f"Vocab({len(self)} tokens: {' '.join(self.itos[4:10])} ...)"

    # ------------------------------------------------------------ ids

    def encode(
        self, sentence: str | Sequence[str], bos: bool = False, eos: bool = False
    ) -> list[int]:
        """Token ids of `sentence` (a string is tokenized first), unknown words
        as <unk>; with <s> in front if `bos`, </s> at the end if `eos`."""
        ids = [self.stoi.get(token, UNK_ID) for token in _tokens(sentence)]
        return [BOS_ID] * bos + ids + [EOS_ID] * eos

    def decode_tokens(self, ids: Iterable[int], strip_unk: bool = False) -> list[str]:
        """Tokens of `ids` up to the first </s>, without <pad> and <s>. <unk> is
        kept (it stands for a word) unless `strip_unk`."""
        tokens = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self.itos):
                raise IndexError(
                    f"Vocab.decode: id {i} is outside 0..{len(self.itos) - 1}"
                )
            if i == EOS_ID:
                break
            if i in (PAD_ID, BOS_ID) or (strip_unk and i == UNK_ID):
                continue
            tokens.append(self.itos[i])
        return tokens

    def decode(self, ids: Iterable[int], strip_unk: bool = False) -> str:
        """decode_tokens joined by spaces: the form the corpus and the metrics use."""
        return " ".join(self.decode_tokens(ids, strip_unk))

    def unknown_words(self, sentence: str | Sequence[str]) -> list[str]:
        """The words of `sentence` this vocabulary does not know, each once, in
        order: what a warning about <unk> should name."""
        return list(dict.fromkeys(t for t in _tokens(sentence) if t not in self.stoi))

    # ------------------------------------------------------------ JSON

    def to_json(self) -> str:
        """The tokens in id order, as JSON text."""
        return json.dumps(
            {"format": FORMAT, "version": VERSION, "tokens": self.itos},
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str | dict) -> Vocab:
        """The inverse of to_json (also takes the parsed dict)."""
        data = json.loads(text) if isinstance(text, str) else text
        return cls._from_tokens(data.get("tokens") if isinstance(data, dict) else None)

    @classmethod
    def _from_tokens(cls, tokens) -> Vocab:
        if not isinstance(tokens, list) or tuple(tokens[:4]) != SPECIALS:
            raise ValueError(
                f"not a vocabulary: expected a token list starting with {list(SPECIALS)}"
            )
        return cls(tokens[4:])


def build_vocabs(
    pairs: Iterable[tuple[str, str]], shared: bool = False, min_freq: int = 1
) -> tuple[Vocab, Vocab]:
    """(source vocabulary, target vocabulary) from (source, target) pairs; with
    `shared`, one vocabulary of both sides, returned twice."""
    pairs = list(pairs)
    if shared:
        vocab = Vocab.build([s for pair in pairs for s in pair], min_freq)
        return vocab, vocab
    src = Vocab.build((s for s, _ in pairs), min_freq)
    return src, Vocab.build((t for _, t in pairs), min_freq)


def vocabs_to_json(src: Vocab, tgt: Vocab) -> str:
    """Both vocabularies as the JSON text of vocab.json."""
    return json.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "shared": src is tgt or src == tgt,
            "src": src.itos,
            "tgt": tgt.itos,
        },
        ensure_ascii=False,
        indent=0,
    )


def vocabs_from_json(text: str, where: str = "vocab.json") -> tuple[Vocab, Vocab]:
    """(src, tgt) from vocabs_to_json's text; `where` names the file in errors.
    A shared vocabulary comes back as one object, returned twice."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(
            f"{where}: not valid JSON ({e}); the checkpoint may be truncated"
        ) from e
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(
            f'{where}: not a tinygrad_tx vocabulary file (no "format": "{FORMAT}")'
        )
    if data.get("version") != VERSION:
        raise ValueError(
            f"{where}: vocabulary version {data.get('version')!r}, expected {VERSION}"
        )
    try:
        src = Vocab._from_tokens(data.get("src"))
        tgt = src if data.get("shared") else Vocab._from_tokens(data.get("tgt"))
    except ValueError as e:
        raise ValueError(f"{where}: {e}") from e
    return src, tgt


def save_vocabs(path: str | os.PathLike, src: Vocab, tgt: Vocab) -> None:
    """Write vocab.json atomically (a crash never leaves half a file)."""
    from tinygrad_tx.io import atomic_write_bytes

    atomic_write_bytes(path, vocabs_to_json(src, tgt).encode("utf-8"))


def load_vocabs(path: str | os.PathLike) -> tuple[Vocab, Vocab]:
    """(src, tgt) from a vocab.json written by save_vocabs."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"vocabulary file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"{path}: not UTF-8 text ({e}); the checkpoint may be damaged"
        ) from e
    return vocabs_from_json(text, where=str(path))


def _tokens(sentence: str | Sequence[str]) -> list[str]:
    return tokenize(sentence) if isinstance(sentence, str) else list(sentence)
