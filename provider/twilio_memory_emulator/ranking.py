"""Recall's lexical ranking: BM25 from ``rank_bm25`` (a well-kept library, not scoring of our own),
with scores scaled to the spec's 0..1 by the best score of the query.

The variant is ``BM25Plus`` with ``delta=0``: Okapi's scoring with an IDF of
``log((N + 1) / n)``, which stays positive for a word in every document (Okapi's own IDF turns
negative there, so a profile with one observation could never match a query).

Twilio ranks with hybrid semantic and lexical search; the emulator has only the lexical half, so
an observation that shares no word with the query scores 0. The index of a profile's memories is
built once per change of them (``key``), so repeated Recalls over 10,000 observations stay cheap.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence

from rank_bm25 import BM25Plus

__all__ = ["Ranker", "tokens"]

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_CACHED_INDEXES = 64


def tokens(text: str) -> list[str]:
    """Lowercased words: what BM25 counts."""
    return _TOKEN.findall(text.lower())


class Ranker:
    """Scores documents against a query, keeping the last indexes built (one per profile and kind)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._indexes: OrderedDict[Hashable, BM25Plus] = OrderedDict()

    def _index(self, key: Hashable, documents: Sequence[str]) -> BM25Plus:
        with self._lock:
            index = self._indexes.get(key)
            if index is not None:
                self._indexes.move_to_end(key)
                return index
        corpus = [tokens(d) or [""] for d in documents]
        index = BM25Plus(corpus, delta=0)
        with self._lock:
            self._indexes[key] = index
            while len(self._indexes) > _CACHED_INDEXES:
                self._indexes.popitem(last=False)
        return index

    def scores(self, key: Hashable, documents: Sequence[str], query: str) -> list[float]:
        """One score in 0..1 per document (the best match scores 1; no shared word scores 0).

        ``key`` must change whenever ``documents`` do.
        """
        words = tokens(query)
        if not documents or not words:
            return [0.0] * len(documents)
        raw = [max(0.0, float(s)) for s in self._index(key, documents).get_scores(words)]
        best = max(raw)
        return [round(s / best, 6) if best > 0 else 0.0 for s in raw]
