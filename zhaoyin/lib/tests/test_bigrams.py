"""Bigram search keys (zhaoyin.lib.bigrams): a phrase of adjacent bigrams is a substring."""

from __future__ import annotations

import re

import pytest

from zhaoyin.lib.bigrams import bigrams, distinct_bigrams, fts_document, fts_phrase, token


def test_bigrams_are_every_window_in_order() -> None:
    assert bigrams("用地报批") == ["用地", "地报", "报批"]
    assert bigrams("用") == []
    assert bigrams("") == []
    assert distinct_bigrams("哈哈哈") == ["哈哈"]


def test_tokens_survive_a_tokenizer_that_splits_on_punctuation() -> None:
    assert token("用地") == "7528x5730"
    for gram in ("J-", " 张", "（1", "a\"", "*x"):
        assert re.fullmatch(r"[0-9a-f]+x[0-9a-f]+", token(gram))
    assert fts_document("SJ-1") == " ".join(token(g) for g in ("SJ", "J-", "-1"))


def test_phrase_quotes_the_tokens_of_a_term() -> None:
    assert fts_phrase("用地报") == '"7528x5730 5730x62a5"'
    with pytest.raises(ValueError, match="two characters"):
        fts_phrase("用")


@pytest.mark.parametrize(
    ("text", "term", "found"),
    [
        ("淮南用地报批", "用地报", True),
        ("用地 地报", "用地报", False),
        ("报用地", "地报", False),
        ("ABAB", "BAB", True),
    ],
)
def test_a_phrase_matches_exactly_the_texts_containing_the_term(text: str, term: str, found: bool) -> None:
    # The phrase's tokens must occur as a contiguous run of the document's tokens.
    doc, phrase = fts_document(text).split(), fts_phrase(term).strip('"').split()
    runs = any(doc[i : i + len(phrase)] == phrase for i in range(len(doc)))
    assert runs is found is (term in text)
