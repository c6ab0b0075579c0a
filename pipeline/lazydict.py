"""A jieba Tokenizer that loads its dictionary a few words at a time.

jieba's default dictionary becomes a prefix table of about 500,000 words, and
loading it (`marshal.load` of jieba's own cache) costs 0.6 to 1.3 s, which was a
third of a cold `make extract`. Every lookup jieba makes while cutting a
sentence (`get_DAG`, `calc`) is for a fragment that starts at a character of
that sentence: the character itself, or a longer fragment that starts with one
of the sentence's character pairs. So the table is split once into shards by
first character and, inside those, by second character; a sentence's shards
(its characters and its pairs) are merged in just before it is cut. The lookups
see exactly the entries the full table would give, with the same total, so the
cuts are the same (tests/test_bench_speedups.py checks them against a plain
`jieba.Tokenizer()`). A note touches a few thousand pairs, a small part of the
table; sharding by first character alone merged in ten times more entries.

The shard index is built from jieba's own `dict.txt` with jieba's own parser on
first use and kept in the user's cache folder, keyed by the dictionary's
sha256, jieba's version and the Python version (marshal's format). When that
folder cannot be written, the tokenizer loads the whole table the usual way.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path



def _import_jieba():
    """Import jieba without letting it import pkg_resources (0.1 s, a fifth of the Chinese stage of a cold run).

    jieba 0.42 imports pkg_resources only to open its own dict.txt and falls back to
    a plain open() beside its module when that import fails; a None entry in
    sys.modules makes it fail, and is removed again at once, so later imports of
    pkg_resources by anyone else work as usual.
    """
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba as module
    finally:
        if blocked and sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
    return module


jieba = _import_jieba()

INDEX_FORMAT = 2


def cache_home() -> Path:
    """Where the shard index lives: $LLM_CATALOG_DICT_CACHE, else the user's cache folder."""
    explicit = os.environ.get("LLM_CATALOG_DICT_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "llm-catalog-pipeline"


class LazyTokenizer(jieba.Tokenizer):
    """jieba.Tokenizer with the same cuts, whose prefix table fills in per first character."""

    def __init__(self, dictionary=jieba.DEFAULT_DICT, index_dir: Path | None = None):
        super().__init__(dictionary)
        self.index_dir = index_dir
        self._shards: dict[str, bytes] | None = None
        self._opened: dict[str, dict[str, bytes]] = {}
        self._loaded: set[str] = set()

    def initialize(self, dictionary=None):
        if dictionary is not None:
            self._shards = None
            return super().initialize(dictionary)
        with self.lock:
            if self.initialized:
                return
            loaded = _load_index(self, self.index_dir or cache_home())
            if loaded is None:
                # no index and nowhere to keep one: the whole table, as jieba does it
                return super().initialize()
            self._shards, self.total = loaded
            self.FREQ = {}
            self._opened = {}
            self._loaded = set()
            self.initialized = True

    def _fill(self, text: str) -> None:
        """Merge in the entries of every character and character pair of `text` not merged yet."""
        shards = self._shards
        if shards is None:
            return
        keys = set(text)
        keys.update(text[i:i + 2] for i in range(len(text) - 1))
        missing = keys - self._loaded
        if not missing:
            return
        freq = self.FREQ
        opened = self._opened
        for key in missing:
            self._loaded.add(key)
            inner = opened.get(key[0])
            if inner is None:
                blob = shards.get(key[0])
                inner = opened[key[0]] = marshal.loads(blob) if blob is not None else {}
            blob = inner.get(key[1:])
            if blob is not None:
                freq.update(marshal.loads(blob))

    def get_DAG(self, sentence):
        self.check_initialized()
        self._fill(sentence)
        return super().get_DAG(sentence)

    def add_word(self, word, freq=None, tag=None):
        self.check_initialized()
        word = jieba.strdecode(word)
        # the dictionary's entries for this word's characters must be in place before
        # the word changes them, as they would be after a full load
        self._fill(word)
        super().add_word(word, freq, tag)


def _dictionary_bytes(tokenizer: jieba.Tokenizer) -> bytes:
    with tokenizer.get_dict_file() as handle:
        return handle.read()


def _load_index(tokenizer: jieba.Tokenizer, folder: Path) -> tuple[dict[str, bytes], int] | None:
    """Read the shard index for the tokenizer's dictionary, building it when missing."""
    try:
        data = _dictionary_bytes(tokenizer)
    except OSError:
        return None
    key = hashlib.sha256(b"%d|%s|%s|%d|" % (INDEX_FORMAT, jieba.__version__.encode(), sys.version.split()[0].encode(),
                                             marshal.version) + data).hexdigest()[:24]
    path = folder / f"jieba-{key}.marshal"
    try:
        with open(path, "rb") as handle:
            shards, total = marshal.load(handle)
        if isinstance(shards, dict) and isinstance(total, int):
            return shards, total
    except (OSError, EOFError, ValueError, TypeError):
        pass
    import io

    freq, total = jieba.Tokenizer.gen_pfdict(io.BytesIO(data))
    # first character -> second character ("" for the one-character entry) -> entries
    by_pair: dict[str, dict[str, dict[str, int]]] = {}
    for word, count in freq.items():
        by_pair.setdefault(word[0], {}).setdefault(word[1:2], {})[word] = count
    shards = {ch: marshal.dumps({second: marshal.dumps(entries) for second, entries in inner.items()})
              for ch, inner in by_pair.items()}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".jieba-", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            marshal.dump((shards, total), handle)
        os.replace(tmp, path)
    except OSError:
        return None
    return shards, total
