"""Recall's lexical ranking: BM25 from ``rank_bm25`` (a well-kept library, not scoring of our own),
with scores scaled to the spec's 0..1 by the best score of the query.

The variant is ``BM25Plus`` with ``delta=0``: Okapi's scoring with an IDF of
``log((N + 1) / n)``, which stays positive for a word in every document (Okapi's own IDF turns
negative there, so a profile with one observation could never match a query).

Twilio ranks with hybrid semantic and lexical search; the emulator has only the lexical half, so
a memory that shares no word with the query is not relevant to it and is left out. The index of a
profile's memories is built once per change of them, so repeated Recalls over 10,000 observations
stay cheap; only the best ``limit`` are sorted.
"""

from __future__ import annotations

import heapq
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy
from rank_bm25 import BM25Plus

__all__ = ["Ranker", "tokens"]

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_CACHED_INDEXES = 256  # profiles (times two kinds) whose index is kept


def tokens(text: str) -> list[str]:
    """Lowercased words: what BM25 counts."""
    return _TOKEN.findall(text.lower())


class Ranker:
    """Ranks documents for a query, keeping the index of each of the last profiles ranked.

    An index is kept per ``key`` (a profile's memories of one kind) together with the
    ``version`` it was built from: a change of the memories rebuilds it in place, so stale
    indexes never pile up.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._indexes: OrderedDict[Hashable, tuple[Hashable, BM25Plus]] = OrderedDict()

    def _index(self, key: Hashable, version: Hashable, documents: Sequence[str]) -> BM25Plus:
        with self._lock:
            cached = self._indexes.get(key)
            if cached is not None and cached[0] == version:
                self._indexes.move_to_end(key)
                return cached[1]
        index = BM25Plus([tokens(d) or [""] for d in documents], delta=0)
        with self._lock:
            self._indexes[key] = (version, index)
            self._indexes.move_to_end(key)
            while len(self._indexes) > _CACHED_INDEXES:
                self._indexes.popitem(last=False)
        return index

    def forget(self, *prefix: Hashable) -> None:
        """Drop the indexes whose key starts with ``prefix`` (all of them without one)."""
        with self._lock:
            for key in [k for k in self._indexes if isinstance(k, tuple) and k[: len(prefix)] == prefix]:
                del self._indexes[key]

    def rank(
        self,
        key: Hashable,
        version: Hashable,
        documents: Sequence[str],
        query: str,
        *,
        keep: Callable[[int], bool],
        threshold: float,
        limit: int,
        tiebreak: Callable[[int], Any],
    ) -> list[tuple[int, float]]:
        """The ``limit`` best ``(document index, score)`` pairs, best first, of the documents that
        share a word with ``query``, pass ``keep`` and score at least ``threshold``.

        A score is in 0..1: the best match among the documents ``keep`` passes scores 1. Ties go to
        the greater ``tiebreak``.
        """
        words = tokens(query)
        if not documents or not words or limit <= 0:
            return []
        raw = numpy.asarray(self._index(key, version, documents).get_scores(words), dtype=float)
        kept = [int(i) for i in numpy.flatnonzero(raw > 0) if keep(int(i))]
        if not kept:
            return []
        best = float(raw[kept].max())
        scored = [(i, round(float(raw[i]) / best, 6)) for i in kept]
        top = heapq.nlargest(
            limit, (pair for pair in scored if pair[1] >= threshold), key=lambda p: (p[1], tiebreak(p[0]))
        )
        return top
