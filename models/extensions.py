"""Every custom attribute Rete's pipeline puts on Doc, Span and Token, registered in one place.

Components import :func:`register_extensions` and call it in their factory, so a component used alone
(in a test, or a pipeline built from a config file) finds the attributes it writes. Registration is
idempotent: ``force=True`` re-registers with the same defaults, which is harmless when called twice.

Attributes:
- ``doc._.lang``: ISO 639-1 code or ``"und"``; None until the ``rete_language`` component (or the caller,
  e.g. with a language the source gave) sets it.
- ``doc._.sentiment`` / ``span._.sentiment``: ``{"label": "positive"|"negative"|"neutral"|"mixed",
  "score": float in [-1, 1]}`` or None before the sentiment component ran. Spans are those in
  ``doc.spans["rete_mentions"]``.
Components assign new values (``doc._.intents = [...]``); never mutate a default in place.

- ``doc._.intents``: sorted list of intent labels (question, complaint, praise, purchase_intent,
  support_request).
- ``doc._.themes``: sorted list of theme names.
- ``doc._.meta``: the input record's context (``source``, ``platform``, ``author``, ``parent_id``) used by brand
  query filters and by intents (a reply counts as addressed to someone).
- ``token._.is_hashtag`` / ``token._.is_handle``: the token is a ``#tag`` / ``@handle``.
- ``token._.hashtag_words``: the words of a hashtag split on camel case (``#MadeInItaly`` ->
  ``("made", "in", "italy")``), empty for other tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from spacy.attrs import ORTH
from spacy.tokens import Doc, Span, Token

MENTIONS_KEY = "rete_mentions"


def _hashtag_words(token: Token) -> tuple[str, ...]:
    # Imported here: tokenizer imports this module, and the split is only needed on demand.
    from models.tokenizer import split_hashtag

    return split_hashtag(token.text) if token.text.startswith("#") else ()


def is_tag(text: str, sign: str) -> bool:
    # "#1" is a hashtag, the keycap emoji "#️⃣" is not.
    return len(text) > 1 and text[0] == sign and (text[1].isalnum() or text[1] == "_")


_DOC_DEFAULTS = {"lang": None, "sentiment": None, "intents": [], "themes": [], "meta": {}}


def doc_key(name: str) -> tuple[str, str, None, None]:
    """Where ``doc._.<name>`` is kept in ``doc.user_data`` (spaCy's storage for custom attributes)."""
    return ("._.", name, None, None)


def doc_value(doc: Doc, name: str):
    """``doc._.<name>`` without building spaCy's ``Underscore`` proxy: the same storage (``doc.user_data``,
    where spaCy keeps custom attributes), about ten times faster, which counts at 10,000 posts/s."""
    return doc.user_data.get(("._.", name, None, None), _DOC_DEFAULTS[name])


def is_feed_item(doc: Doc) -> bool:
    """The post came from a news or blog feed (``platform`` ``rss`` in its record): an article naming brands,
    not a customer addressing one, so it carries no intents (relationship signals count customers)."""
    return doc_value(doc, "meta").get("platform") == "rss"


def set_doc_value(doc: Doc, name: str, value) -> None:
    """``doc._.<name> = value``, fast (see :func:`doc_value`)."""
    doc.user_data[("._.", name, None, None)] = value


def span_value(doc: Doc, name: str, start_char: int, end_char: int):
    """``span._.<name>`` for the span at these character offsets, fast (see :func:`doc_value`)."""
    return doc.user_data.get(("._.", name, start_char, end_char))


def set_span_value(doc: Doc, name: str, start_char: int, end_char: int, value) -> None:
    """``span._.<name> = value`` for the span at these character offsets, fast (see :func:`doc_value`)."""
    doc.user_data[("._.", name, start_char, end_char)] = value


def change_post_sentiment(doc: Doc, change: Callable[[dict | None], dict | None]) -> None:
    """Apply ``change`` to the post's sentiment and, when the post names one brand, to its mentions': in a
    post naming several, each mention keeps the sentiment aimed at it (what changed the post's reading
    may concern one of them only)."""
    set_doc_value(doc, "sentiment", change(doc_value(doc, "sentiment")))
    mentions = doc.spans.get(MENTIONS_KEY)
    if mentions and len({span.label for span in mentions}) == 1:
        for span in mentions:
            start, end = span.start_char, span.end_char
            set_span_value(doc, "sentiment", start, end, change(span_value(doc, "sentiment", start, end)))


_TOKEN_ORTHS_KEY = ("rete", "token_orths")


def token_orths(doc: Doc) -> list[int]:
    """The ORTH hashes of the doc's tokens, read once per doc and shared by the components (each keeps
    its own cache from ORTH hash to what it needs to know about that token text). ``doc.to_array`` avoids
    building a Python ``Token`` per token, which cost more than the components' own work. Valid because
    no component retokenizes."""
    cached = doc.user_data.get(_TOKEN_ORTHS_KEY)
    if cached is None or len(cached) != len(doc):
        cached = doc.user_data[_TOKEN_ORTHS_KEY] = doc.to_array(ORTH).tolist()
    return cached


class TokenTable(dict):
    """ORTH hash -> what one component needs to know about that token text, computed by ``describe(text)``
    the first time the text is seen (tokens repeat across posts far more than they vary). ``lookup`` maps a
    doc's tokens through the table in C (``dict.__getitem__``, ``__missing__`` only for new texts), which
    is what keeps the components' per-token work off the Python interpreter's loop."""

    def __init__(self, strings, describe: Callable[[str], Any], max_size: int = 200_000):
        super().__init__()
        self._strings, self._describe, self._max_size = strings, describe, max_size

    def __missing__(self, orth: int):
        value = self[orth] = self._describe(self._strings[orth])
        return value

    def lookup(self, orths: Iterable[int]) -> list:
        if len(self) > self._max_size:
            self.clear()  # bounded memory on a long run; rebuilt from the next posts
        return list(map(self.__getitem__, orths))


def register_extensions() -> None:
    for name, default in _DOC_DEFAULTS.items():
        Doc.set_extension(name, default=default, force=True)
    Span.set_extension("sentiment", default=None, force=True)
    Token.set_extension("is_hashtag", getter=lambda t: is_tag(t.text, "#"), force=True)
    Token.set_extension("is_handle", getter=lambda t: is_tag(t.text, "@"), force=True)
    Token.set_extension("hashtag_words", getter=_hashtag_words, force=True)


register_extensions()
