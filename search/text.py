"""Words of the DB search index and of queries: jieba segments, single Han characters and
Han bigrams (so any contiguous Chinese text is found whatever jieba made of it), lower-case
Latin words, and the pinyin (full and initials) of a title's words."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata

from search.documents import pinyin_of

_lock = threading.Lock()
_jieba = None
MAX_WORD = 60
LATIN = re.compile(r"^[a-z]+$")


def _segmenter():
    """jieba, its dictionary loaded once per process (about a second the first time)."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def fold(text: str) -> str:
    """Full-width letters and digits as ASCII (ＨＯＮＧ from a phone keyboard), lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _clean(token: str) -> str:
    return "".join(c for c in token.lower() if c.isalnum())[:MAX_WORD]


def segments(text: str) -> list[str]:
    """jieba's words of ``text`` (search mode: long words also give their parts), each reduced
    to letters and digits; punctuation and emoji give nothing."""
    out = []
    # HMM off: no guessing of unknown words (Han bigrams already find any contiguous text),
    # and about half the time.
    for token in _segmenter().cut_for_search(fold(text), HMM=False):
        token = _clean(token)
        if token:
            out.append(token)
    return out


def han_runs(text: str) -> list[str]:
    return re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+", text or "")


def index_words(text: str) -> list[str]:
    """Every word an indexed text is found by: jieba segments, Han characters, Han bigrams."""
    text = fold(text)
    words = segments(text)
    for run in han_runs(text):
        words.extend(run)
        words.extend(run[i:i + 2] for i in range(len(run) - 1))
    return list(dict.fromkeys(words))


def title_pinyin(title: str) -> tuple[list[str], list[str]]:
    """(pinyin words, initials words) of a title: the whole title's, each jieba word's and
    each Han bigram's full pinyin and initials ("hongmi", "hm"), and each Han character's
    full pinyin ("hong", "mi"; their one-letter initials would match too much)."""
    from pypinyin import lazy_pinyin

    full, initials = pinyin_of(title)
    fulls, inits = [full] if full else [], [initials] if len(initials) >= 2 else []
    syllables: dict[str, str] = {}  # each Han character's reading in this title
    grams = []
    for run in han_runs(title):
        readings = [s.lower() for s in lazy_pinyin(run)]
        if len(readings) != len(run):  # never seen; keep the character's own reading then
            readings = [lazy_pinyin(ch)[0].lower() for ch in run]
        for ch, reading in zip(run, readings, strict=True):
            syllables.setdefault(ch, "".join(c for c in reading if c.isascii() and c.isalnum()))
        grams.extend(run[i:i + 2] for i in range(len(run) - 1))
    fulls.extend(syllables.values())
    words = [w for w in segments(title) if len(w) > 1 and all(is_han(c) for c in w)]
    for word in dict.fromkeys(words + grams):
        parts = [syllables.get(ch, "") for ch in word]
        fulls.append("".join(parts)[:MAX_WORD])
        letters = "".join(p[:1] for p in parts)
        if len(letters) >= 2:
            inits.append(letters[:MAX_WORD])
    return list(dict.fromkeys(w for w in fulls if w)), list(dict.fromkeys(inits))


def query_words(q: str) -> list[tuple[str, bool]]:
    """(word, prefix?) pairs a query must all match: each Han run as its bigrams (or the one
    character), Latin and digit words as they are, Latin words of 4+ letters also as a
    prefix ("hong" finds "hongmi"). Punctuation, emoji and query syntax give nothing."""
    out: list[tuple[str, bool]] = []
    for part in re.split(r"([\u3400-\u9fff\uf900-\ufaff]+)", fold(q)):
        if not part:
            continue
        if is_han(part[0]):
            grams = [part] if len(part) == 1 else [part[i:i + 2] for i in range(len(part) - 1)]
            out.extend((g, False) for g in grams)
            continue
        for token in re.split(r"[^0-9a-z]+", part):
            token = token[:MAX_WORD]
            if token:
                out.append((token, bool(LATIN.match(token)) and len(token) >= 4))
    return list(dict.fromkeys(out))[:32]


ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def edits1(word: str) -> set[str]:
    """Words one edit (delete, transpose, replace, insert) away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in ALPHABET}
    inserts = {a + c + b for a, b in splits for c in ALPHABET}
    return (deletes | transposes | replaces | inserts) - {word}
