"""Bigram search keys: how a substring search over Chinese text can use an index.

Chinese has no spaces, and the terms people type are mostly two characters (用地, 融资), which
trigram indexes (pg_trgm, SQLite's FTS5 ``trigram``) cannot serve. Every two-character window
of a text is a bigram; a term of two or more characters occurs in a text exactly when its
bigrams occur there one after the other. So:

- SQLite indexes the text's bigrams, in order, as FTS5 tokens, and a term is the *phrase* of
  its bigrams (adjacent tokens): an exact substring match from the index alone.
- PostgreSQL indexes the set of bigrams with a GIN index; a term's bigrams all being present is
  necessary, and a ``LIKE`` on the candidates makes it exact.

A one-character term has no bigram; the caller falls back to a plain scan for it.

FTS5's tokenizer splits on punctuation and spaces, which a bigram may contain, so each bigram
becomes a token of hexadecimal code points joined by ``x`` (``用地`` → ``7528x5730``).

Pure: no Django.
"""

from __future__ import annotations


def bigrams(text: str) -> list[str]:
    """Every two-character window of ``text``, in order, repeats kept."""
    return [text[i : i + 2] for i in range(len(text) - 1)]


def token(gram: str) -> str:
    """The FTS5 token of one bigram: its code points in hexadecimal, joined by ``x``."""
    return "x".join(f"{ord(ch):x}" for ch in gram)


def fts_document(text: str) -> str:
    """What SQLite's FTS5 indexes for ``text``: the tokens of its bigrams, in order."""
    return " ".join(token(g) for g in bigrams(text))


def fts_phrase(term: str) -> str:
    """The FTS5 query that finds the texts containing ``term`` (two or more characters): the
    phrase of its bigram tokens, which only adjacent tokens — the same characters in a row —
    can match."""
    if len(term) < 2:
        raise ValueError("a bigram phrase needs at least two characters")
    return '"' + " ".join(token(g) for g in bigrams(term)) + '"'


def distinct_bigrams(term: str) -> list[str]:
    """The distinct bigrams of ``term`` (for PostgreSQL's array containment), in first-seen order."""
    return list(dict.fromkeys(bigrams(term)))
