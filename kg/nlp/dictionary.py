"""jieba's tagged dictionary as word lists, read once and kept in small cache files.

jieba itself is never run: its ``dict.txt`` (word, frequency, part of speech) is a general
lexicon the components weigh names with (common words, place and organization names, words
that never open a name). Parsing its 350,000 lines is slow, so each selection is written to
the project cache the first time and read from there after.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from kg.nlp.segmenter import cache_dir

__all__ = ["dictionary_words"]


def dictionary_words(pos: frozenset[str], tag: str, max_len: int | None = 4) -> frozenset[str]:
    """Words of two to ``max_len`` characters (no limit: ``None``) that jieba's dictionary tags
    with a part of speech in ``pos``, cached in a small file named ``tag`` in the project cache."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "dict.txt"
    try:
        st = path.stat()
    except OSError:
        return frozenset()
    pos_key = "".join(sorted(pos)).replace("/", "")
    cache = cache_dir() / f"{tag}-{pos_key}-{max_len or 0}-{st.st_size}-{int(st.st_mtime)}.txt"
    try:
        words = cache.read_text(encoding="utf-8").split("\n")
        if words and words[-1] == "#end":         # a complete file, not a torn write
            return frozenset(words[:-1])
    except OSError:
        pass
    out = set()
    try:
        with path.open(encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and 2 <= len(parts[0]) <= (max_len or len(parts[0])) and parts[2] in pos:
                    out.add(parts[0])
    except OSError:
        return frozenset()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        tmp.write_text("\n".join([*sorted(out), "#end"]), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass   # the cache is an optimisation only
    return frozenset(out)
