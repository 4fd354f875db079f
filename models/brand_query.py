"""The brand query language: parse a query into a tree, and evaluate it on a post's term occurrences.

Grammar (operators in capitals; see models/README.md for examples)::

    query    := or
    or       := and ("OR" and)*
    and      := unary (["AND"] unary)*          two terms side by side mean AND
    unary    := "NOT" unary | near
    near     := primary ("NEAR/" n primary)*    at most n words between them, in either order
    primary  := "(" or ")" | term
    term     := word | word* | "exact phrase" | {Exact Case} | #hashtag | @handle | lang:xx | source:name
              | author:handle

Matching the terms is :mod:`models.brands`' job (spaCy matchers); this module only knows which terms a
query uses and how to combine where they occur. A malformed query raises :class:`QuerySyntaxError`, whose
message names the query and the column (1-based) of the problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from models.tokenizer import HANDLE, HASHTAG

FILTER_FIELDS = ("lang", "source", "author")
MIN_WILDCARD_PREFIX = 3
Ranges = list[tuple[int, int]]  # token ranges [start, end) where a term or proximity group occurs


class QuerySyntaxError(ValueError):
    def __init__(self, query: str, position: int, problem: str):
        self.query, self.position, self.problem = query, position, problem
        super().__init__(f"brand query {query!r}, column {position + 1}: {problem}")

    def pointer(self) -> str:
        """The query with a caret under the problem, for a terminal."""
        return f"{self.query}\n{' ' * self.position}^"


@dataclass(frozen=True)
class Term:
    """Something matched in the text. ``kind`` is word, phrase, cased, wildcard, hashtag or handle; ``value``
    is lowercased (without the trailing * for wildcards), except a cased term's, matched as written."""

    kind: str
    value: str

    @property
    def key(self) -> str:
        """What the matchers report. A word and a one-word phrase are the same text to find."""
        kind = "text" if self.kind in ("word", "phrase") else self.kind
        return f"{kind}:{self.value}"


@dataclass(frozen=True)
class Filter:
    field: str
    value: str


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int


Node = Term | Filter | Not | And | Or | Near


@dataclass(frozen=True)
class _Token:
    kind: str  # ( ) AND OR NOT NEAR TERM
    text: str
    position: int


_LEXEME = re.compile(r'\s+|\(|\)|"[^"]*"?|\{[^}]*\}?|[^\s()"{]+')
_NEAR = re.compile(r"NEAR/(\d+)")


def _tokens(query: str) -> Iterator[_Token]:
    for found in _LEXEME.finditer(query):
        text, position = found.group(), found.start()
        if text.isspace():
            continue
        if text in ("(", ")", "AND", "OR", "NOT"):
            yield _Token(text, text, position)
        elif text.startswith("NEAR"):
            if not _NEAR.fullmatch(text):
                raise QuerySyntaxError(query, position, "NEAR needs a distance, like NEAR/3")
            yield _Token("NEAR", text, position)
        else:
            yield _Token("TERM", text, position)


def _term(query: str, token: _Token) -> Term | Filter:
    text, position = token.text, token.position
    if text.startswith('"'):
        if len(text) < 2 or not text.endswith('"'):
            raise QuerySyntaxError(query, position, "this quote is never closed")
        phrase = " ".join(text[1:-1].split()).lower()
        if not phrase:
            raise QuerySyntaxError(query, position, "empty phrase")
        return Term("phrase", phrase)
    if "}" in text and not text.startswith("{"):
        raise QuerySyntaxError(query, position + text.index("}"), "this } was never opened")
    if text.startswith("{"):
        if len(text) < 2 or not text.endswith("}"):
            raise QuerySyntaxError(query, position, "this { is never closed")
        cased = " ".join(text[1:-1].split())
        if not cased:
            raise QuerySyntaxError(query, position, "empty {}")
        return Term("cased", cased)
    field, colon, value = text.partition(":")
    if colon and field.isalpha():
        if field.lower() not in FILTER_FIELDS:
            raise QuerySyntaxError(query, position, f"unknown filter {field}: (use {', '.join(FILTER_FIELDS)})")
        if not value:
            raise QuerySyntaxError(query, position, f"{field}: needs a value, like {field}:it")
        return Filter(field.lower(), value.lstrip("@").lower())
    if text.startswith("#"):
        if not re.fullmatch(HASHTAG, text):
            raise QuerySyntaxError(query, position, f"{text!r} is not a hashtag (# then letters or digits)")
        return Term("hashtag", text.lower())
    if text.startswith("@"):
        if not re.fullmatch(HANDLE, text):
            raise QuerySyntaxError(query, position, f"{text!r} is not a handle (@ then letters or digits)")
        return Term("handle", text.lower())
    star = text.find("*")
    if star != -1:
        if star != len(text) - 1:
            raise QuerySyntaxError(query, position + star, "* is only allowed at the end of a word")
        if len(text) - 1 < MIN_WILDCARD_PREFIX:
            raise QuerySyntaxError(
                query, position, f"a wildcard needs at least {MIN_WILDCARD_PREFIX} letters before *"
            )
        return Term("wildcard", text[:-1].lower())
    return Term("word", text.lower())


class _Parser:
    def __init__(self, query: str):
        self.query = query
        self.tokens = list(_tokens(query))
        self.index = 0

    def parse(self) -> Node:
        if not self.tokens:
            raise QuerySyntaxError(self.query, 0, "the query is empty")
        node = self._or()
        if self.index < len(self.tokens):
            token = self.tokens[self.index]
            problem = "unbalanced ')'" if token.kind == ")" else f"unexpected {token.text!r}"
            raise QuerySyntaxError(self.query, token.position, problem)
        return node

    def _peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _expected_term(self, after: _Token | None) -> QuerySyntaxError:
        token = self._peek()
        if token is None:
            where = f"after {after.text}" if after else "here"
            return QuerySyntaxError(self.query, len(self.query), f"the query ends {where}: a term is missing")
        return QuerySyntaxError(self.query, token.position, f"expected a term, found {token.text!r}")

    def _or(self) -> Node:
        children = [self._and()]
        while (token := self._peek()) is not None and token.kind == "OR":
            self._take()
            children.append(self._and(after=token))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def _and(self, after: _Token | None = None) -> Node:
        children = [self._unary(after)]
        while (token := self._peek()) is not None and token.kind in ("AND", "NOT", "(", "TERM"):
            if token.kind == "AND":
                self._take()
                children.append(self._unary(after=token))
            else:
                children.append(self._unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def _unary(self, after: _Token | None = None) -> Node:
        token = self._peek()
        if token is not None and token.kind == "NOT":
            self._take()
            return Not(self._unary(after=token))
        return self._near(after)

    def _near(self, after: _Token | None) -> Node:
        start = self._peek()
        node = self._primary(after)
        while (token := self._peek()) is not None and token.kind == "NEAR":
            self._take()
            right_start = self._peek()
            right = self._primary(after=token)
            for operand, at in ((node, start), (right, right_start)):
                if not _positional(operand):
                    raise QuerySyntaxError(
                        self.query, at.position,
                        "NEAR joins words, phrases, hashtags or handles (or OR-groups of them)",
                    )
            node = Near(node, right, int(token.text.split("/")[1]))
        return node

    def _primary(self, after: _Token | None) -> Node:
        token = self._peek()
        if token is None or token.kind not in ("(", "TERM"):
            raise self._expected_term(after)
        self._take()
        if token.kind == "TERM":
            return _term(self.query, token)
        inner = self._or()
        closing = self._peek()
        if closing is None or closing.kind != ")":
            raise QuerySyntaxError(self.query, token.position, "this '(' is never closed")
        self._take()
        return inner


def _positional(node: Node) -> bool:
    if isinstance(node, Term):
        return True
    if isinstance(node, Near):
        return True
    if isinstance(node, Or):
        return all(_positional(child) for child in node.children)
    return False


@lru_cache(maxsize=4096)
def parse_query(query: str) -> Node:
    node = _Parser(query).parse()
    if not positive_terms(node):
        raise QuerySyntaxError(
            query, 0, "the query needs at least one word, phrase, #hashtag or @handle that is not under NOT"
        )
    return node


def terms(node: Node) -> list[Term]:
    """Every term of the query, in order, without repeats."""
    found: dict[Term, None] = {}
    _walk(node, lambda term, negated: found.setdefault(term, None))
    return list(found)


def positive_terms(node: Node) -> list[Term]:
    """Terms not under NOT: where they occur is where a matching post names the brand."""
    found: dict[Term, None] = {}
    _walk(node, lambda term, negated: negated or found.setdefault(term, None))
    return list(found)


def _walk(node: Node, visit: Callable[[Term, bool], object], negated: bool = False) -> None:
    if isinstance(node, Term):
        visit(node, negated)
    elif isinstance(node, Not):
        _walk(node.child, visit, not negated)
    elif isinstance(node, And | Or):
        for child in node.children:
            _walk(child, visit, negated)
    elif isinstance(node, Near):
        _walk(node.left, visit, negated)
        _walk(node.right, visit, negated)


@dataclass(frozen=True)
class PostContext:
    """What filters and NEAR look at. ``author`` is the handle, lowercased, without @. ``words_before``:
    for each token boundary 0..len(doc), how many words precede it; a word is a token with a letter or a
    digit (handles, hashtags, URLs and numbers are words; punctuation, emoji and symbols are not). Empty:
    every token is a word."""

    lang: str | None = None
    source: str | None = None
    author: str | None = None
    words_before: tuple[int, ...] = ()

    def words_between(self, first: tuple[int, int], second: tuple[int, int]) -> int:
        """Words between two token ranges (0 when they touch or overlap). NEAR/n counts words, as the
        commercial tools' NEAR does: "Volta⚡ ha appena messo 300 monopattini" has 4 words between the
        two, though 5 tokens."""
        gap_start, gap_end = (first[1], second[0]) if first[1] <= second[0] else (second[1], first[0])
        if gap_end <= gap_start:
            return 0
        if not self.words_before:
            return gap_end - gap_start
        return self.words_before[gap_end] - self.words_before[gap_start]


def evaluate(node: Node, occurrences: Mapping[str, Ranges], context: PostContext) -> bool:
    return bool(_value(node, occurrences, context))


def _value(node: Node, occurrences: Mapping[str, Ranges], context: PostContext) -> bool | Ranges:
    if isinstance(node, Term):
        return occurrences.get(node.key, [])
    if isinstance(node, Filter):
        actual = getattr(context, node.field)
        return actual is not None and actual.lower() == node.value
    if isinstance(node, Not):
        return not _value(node.child, occurrences, context)
    if isinstance(node, And):
        return all(_value(child, occurrences, context) for child in node.children)
    if isinstance(node, Or):
        values = [_value(child, occurrences, context) for child in node.children]
        if all(isinstance(v, list) for v in values):
            return sorted({r for v in values for r in v})
        return any(values)
    left = _value(node.left, occurrences, context)
    right = _value(node.right, occurrences, context)
    return [
        (min(a[0], b[0]), max(a[1], b[1]))
        for a in left
        for b in right
        if a != b and context.words_between(a, b) <= node.distance
    ]
