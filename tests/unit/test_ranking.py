"""Recall's ranking (the emulator's ranking module): scores, the threshold, top-k and its index cache."""

from __future__ import annotations

from twilio_memory_emulator.memory_data.ranking import Ranker

DOCS = ["peanut allergy", "aisle seat on flights", "window seat on flights", "two cats"]


def _everything(_: int) -> bool:
    return True


def test_the_best_match_scores_one_and_unrelated_documents_are_left_out() -> None:
    ranked = Ranker().rank("p", 1, DOCS, "aisle seat", keep=_everything, threshold=0, limit=10, tiebreak=int)
    assert ranked[0] == (1, 1.0)
    assert {i for i, _ in ranked} == {1, 2}  # "peanut allergy" and "two cats" share no word
    assert all(0 < score <= 1 for _, score in ranked)


def test_threshold_limit_and_keep_apply() -> None:
    ranker = Ranker()
    common = {"threshold": 0, "tiebreak": int}
    assert ranker.rank("p", 1, DOCS, "seat flights", keep=_everything, limit=1, **common) == [(2, 1.0)]
    assert [
        i for i, _ in ranker.rank("p", 1, DOCS, "aisle seat", keep=lambda i: i != 1, limit=5, **common)
    ] == [2]
    strict = ranker.rank("p", 1, DOCS, "aisle seat", keep=_everything, threshold=1.0, limit=5, tiebreak=int)
    assert strict == [(1, 1.0)]


def test_one_index_per_key_whatever_the_number_of_versions() -> None:
    ranker = Ranker()
    for version in range(10):
        docs = [*DOCS, f"note {version}"]
        assert (
            ranker.rank(
                "p", version, docs, f"note {version}", keep=_everything, threshold=0.5, limit=1, tiebreak=int
            )[0][0]
            == 4
        )
    assert len(ranker._indexes) == 1


def test_forget_drops_the_indexes_under_a_prefix() -> None:
    ranker = Ranker()
    for key in [
        ("store-a", "p1", "observations"),
        ("store-a", "p2", "observations"),
        ("store-b", "p1", "observations"),
    ]:
        ranker.rank(key, 1, DOCS, "cats", keep=_everything, threshold=0, limit=1, tiebreak=int)
    ranker.forget("store-a", "p1")
    assert set(ranker._indexes) == {("store-a", "p2", "observations"), ("store-b", "p1", "observations")}
    ranker.forget("store-a")
    assert set(ranker._indexes) == {("store-b", "p1", "observations")}
    ranker.forget()
    assert not ranker._indexes
