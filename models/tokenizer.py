"""A spaCy tokenizer for social posts, registered as ``rete.social_tokenizer.v1``.

spaCy's default rules cut social text in the wrong places: ``#Barilla`` becomes ``#`` + ``Barilla``, emoji
sequences (skin tones, ZWJ families, flags, keycaps) fall apart into code points, and Italian elision before
a handle (``dell'@barilla``) stays glued. This tokenizer keeps spaCy's language rules and changes only that:

- ``#hashtag`` and ``@handle`` are one token each (``token._.is_hashtag`` / ``token._.is_handle``);
- URLs are one token (spaCy's ``url_match``);
- an emoji sequence is one token, also when glued to a word (``grazie🙏🏽``);
- an elided article or preposition before a handle or hashtag is its own token (``dell'`` + ``@barilla``),
  as spaCy's Italian rules already do before a word (``l'`` + ``azienda``);
- in Italian, a final accent typed as an apostrophe stays on its word (``e'`` for "è", ``perche'`` for
  "perché", ``citta'`` for "città": keyboards without accented keys), where spaCy cuts it off as a closing
  quote; a word in single quotes (``'vela'``) keeps its quotes apart;
- a run of more than ``MAX_RUN`` characters without a space is read from its start only: spaCy strips its
  prefixes and suffixes one character at a time, which is quadratic (4,000 emoji or "!" in a row took 2 s,
  100,000 over 12 minutes). No word, link or name is that long; the rest of the run is blanked, which keeps
  the text's length, so character offsets into the post stay right.

:func:`split_hashtag` gives the words of a hashtag for matching (``#MadeInItaly`` -> made, in, italy);
:func:`apostrophe_variants` and :func:`straight_apostrophes` let rules written with ' match posts typed
with ’ (brands, intents and themes use them).
"""

from __future__ import annotations

import re
from functools import lru_cache

import regex
import spacy
from spacy.lang.char_classes import LIST_ICONS
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

import models.extensions  # noqa: F401  (token._.is_hashtag and friends)

# Code points that start an emoji presentation (Unicode Extended_Pictographic, minus the regional
# indicators, which only form flags in pairs). Written as ranges so the pattern works with ``re``.
_PICTO = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u25fe\u2600-\u27bf"
    "\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001f1e5\U0001f201-\U0001faff"
)
_ELEMENT = rf"[{_PICTO}][\ufe0e\ufe0f]?[\U0001f3fb-\U0001f3ff]?[\U000e0020-\U000e007f]*"
EMOJI_SEQUENCE = (
    rf"(?:[\U0001f1e6-\U0001f1ff]{{2}}|[0-9#*]\ufe0f?\u20e3|{_ELEMENT}(?:\u200d{_ELEMENT})*)"
)
HASHTAG = r"#\w+"
# @name, or on Mastodon @name@instance.tld (one account, so one token).
HANDLE = r"@\w(?:[\w.]*\w)?(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?"
# Letters before an apostrophe followed by a handle or hashtag: "dell'@barilla", "l'#ootd".
_ELISION_BEFORE_TAG = r"(?<=\w['’])(?=[@#]\w)"

_TOKEN_MATCH = re.compile(rf"^(?:{HASHTAG}|{HANDLE}|{EMOJI_SEQUENCE})$")
_CAMEL_WORDS = regex.compile(r"\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{N}+|[^\W\d_]+")


def _without(rules: list[str], dropped: set[str]) -> list[str]:
    return [rule for rule in rules if rule not in dropped]


def build_social_tokenizer(nlp: Language) -> SocialTokenizer:
    defaults = nlp.Defaults
    # Single emoji code points are replaced by the sequence pattern; "#" must not be a prefix.
    dropped = set(LIST_ICONS) | {"#"}
    prefixes = [EMOJI_SEQUENCE] + _without(list(defaults.prefixes or []), dropped)
    suffixes = [EMOJI_SEQUENCE] + _without(list(defaults.suffixes or []), dropped)
    infixes = [EMOJI_SEQUENCE, _ELISION_BEFORE_TAG] + _without(list(defaults.infixes or []), dropped)
    tokenizer = Tokenizer(
        nlp.vocab,
        rules=dict(defaults.tokenizer_exceptions),
        prefix_search=spacy.util.compile_prefix_regex(prefixes).search,
        suffix_search=spacy.util.compile_suffix_regex(suffixes).search,
        infix_finditer=spacy.util.compile_infix_regex(infixes).finditer,
        token_match=_TOKEN_MATCH.match,
        url_match=defaults.url_match,
    )
    return SocialTokenizer(tokenizer, join_typed_accents=nlp.lang == "it")


# A vowel, then an apostrophe that no letter follows: where a post may type an accent ("e' vero").
_TYPED_ACCENT_TEXT = re.compile(r"[aeiouAEIOU]['’](?![^\W\d_])")
_VOWELS = frozenset("aeiouAEIOU")
_APOSTROPHES = frozenset("'’")
_OPENING_QUOTE = "‘"  # phones open a single quote with ‘ and close it with ’
# Colloquial words clipped at the start ("'sto telefono", "'na cosa"): their apostrophe opens no quote.
_CLIPPED = frozenset({"sto", "sta", "ste", "sti", "na", "nu", "ndo", "nsomma", "gni"})


MAX_RUN = 200
_LONG_RUN = re.compile(r"\S{%d,}" % (MAX_RUN + 1))


class SocialTokenizer:
    """spaCy's tokenizer with the rules above, on text whose runs without a space are cut to ``MAX_RUN``
    characters; in Italian, then, a final accent typed as an apostrophe joined back to its word. Only a post
    holding a vowel before a word-final apostrophe is looked at (a regex search), and only its pairs are
    merged, so that every component sees ``e'`` as one token. The pair is not joined when the apostrophe
    closes a quote (``'vela'``, ``‘vela’``), opened by ‘ or by an apostrophe after a space and glued to a
    word other than a clipped one (``'sto``). It is a plain callable, as spaCy allows: it has none of the
    Tokenizer's serialisation or ``explain`` (Rete builds pipelines from config, never saves them)."""

    def __init__(self, tokenizer: Tokenizer, join_typed_accents: bool):
        self.tokenizer = tokenizer
        self.join_typed_accents = join_typed_accents

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(_LONG_RUN.sub(_blank_tail, text))
        if self.join_typed_accents and _TYPED_ACCENT_TEXT.search(text):
            _join_typed_accents(doc)
        return doc


def _blank_tail(run: re.Match) -> str:
    return run.group()[:MAX_RUN] + " " * (len(run.group()) - MAX_RUN)


def _join_typed_accents(doc: Doc) -> None:
    pairs = []
    quote_open = False
    for token in doc:
        if token.text == _OPENING_QUOTE:
            quote_open = True
            continue
        if token.text not in _APOSTROPHES:
            continue
        before = doc[token.i - 1] if token.i else None
        if before is None or before.whitespace_ or before.text[-1] not in _VOWELS or not before.text.isalpha():
            after = doc[token.i + 1] if token.i + 1 < len(doc) and not token.whitespace_ else None
            quote_open = after is not None and after.text[:1].isalpha() and after.lower_ not in _CLIPPED
        elif quote_open:
            quote_open = False  # this apostrophe closes the quote
        else:
            pairs.append(token.i - 1)
    if pairs:
        with doc.retokenize() as retokenizer:
            for start in pairs:
                retokenizer.merge(doc[start : start + 2])


@spacy.registry.tokenizers("rete.social_tokenizer.v1")
def create_social_tokenizer():
    return build_social_tokenizer


@lru_cache(maxsize=65536)
def split_hashtag(tag: str) -> tuple[str, ...]:
    """Lowercased words of a hashtag: ``#MadeInItaly`` -> ("made", "in", "italy"), ``#iPhone15`` ->
    ("i", "phone", "15"), ``#made_in_italy`` -> ("made", "in", "italy"). An all-lowercase tag stays one
    word (``#madeinitaly``); :func:`compact` matches those."""
    return tuple(word.lower() for word in _CAMEL_WORDS.findall(tag.lstrip("#")))


# Phones type typographic apostrophes (’, and ‘ or ʼ by mistake); people and rule files type '.
_TO_STRAIGHT_APOSTROPHE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def comparable_word(text: str) -> str:
    """How rules compare a token with the words they list: lowercase, straight apostrophes, a typed
    accent accented (``Perche’`` -> "perché")."""
    return accented(straight_apostrophes(text.lower()))


def straight_apostrophes(text: str) -> str:
    """``dell’ordine`` -> ``dell'ordine``: how a token is compared with words written in rule files."""
    return text.translate(_TO_STRAIGHT_APOSTROPHE)


_ACCENT_TYPINGS = {"à": "a'", "è": "e'", "é": "e'", "ì": "i'", "ò": "o'", "ó": "o'", "ù": "u'", "ú": "u'"}
_ACCENTED_FINAL = re.compile(rf"[{''.join(_ACCENT_TYPINGS)}](?![^\W\d_])", re.IGNORECASE)


def apostrophe_variants(text: str) -> list[str]:
    """A phrase as a PhraseMatcher must hold it to match both apostrophes, straight and typographic, and
    an accent typed as one: "non è arrivato" also as "non e' arrivato" and "non e’ arrivato"."""
    straight = straight_apostrophes(text)
    typed = _ACCENTED_FINAL.sub(lambda m: _typed_accent(m.group()), straight)
    return list(dict.fromkeys(
        [text, straight, straight.replace("'", "\u2019"), typed, typed.replace("'", "\u2019")]
    ))


def _typed_accent(letter: str) -> str:
    typed = _ACCENT_TYPINGS[letter.lower()]
    return typed.upper() if letter.isupper() else typed


# Words where a final vowel + apostrophe is not a typed accent: "un po'", "mo'", the imperatives, "de'"
# (dei) and "ca'" (casa).
_NOT_ACCENTS = frozenset({"po'", "mo'", "fa'", "va'", "da'", "di'", "sta'", "to'", "de'", "ca'"})
_ACCENTED = {"a": "à", "e": "è", "i": "ì", "o": "ò", "u": "ù"}


def accented(word: str) -> str:
    """The accented spelling of a lowercase word typed with an apostrophe for its accent: ``e'`` -> "è",
    ``perche'`` -> "perché", ``citta'`` -> "città"; any other word unchanged."""
    if len(word) < 2 or word[-1] != "'" or word[-2] not in _ACCENTED or word in _NOT_ACCENTS:
        return word
    stem, vowel = word[:-2], word[-2]
    # Closed é: the -ché conjunctions (perché, poiché, affinché...), the -tré numbers (ventitré), né and sé.
    closed = vowel == "e" and (stem.endswith(("ch", "tr")) or stem in ("n", "s"))
    return stem + ("é" if closed else _ACCENTED[vowel])


def compact(text: str) -> str:
    """Letters and digits only, lowercased: how a joined hashtag is compared with a name
    (``#MulinoBianco``, ``#mulino_bianco`` and "Mulino Bianco" all give ``mulinobianco``)."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())
