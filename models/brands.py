"""Brand mentions as a spaCy component, registered as ``rete_brands``.

Every brand entry (``rete.config.BrandEntry``) is compiled into shared matchers: one ``PhraseMatcher`` on
the LOWER attribute for aliases, handles, hashtags, query words and phrases and exclusion phrases (fast with
thousands of patterns), one ``Matcher`` for query wildcards, and a lookup for hashtags whose words join or
camel-case a name (``#mulinobianco``, ``#MulinoBianco``, ``#BarillaLovers`` for "Barilla") and for links
whose domain spells one (``https://www.mulinobianco.it/biscotti``). The result is
``doc.spans["rete_mentions"]``, one span per mention, ``span.label_`` = brand name, offsets into the text.

Rules (also in models/README.md):
- A brand's mentions are where its name, aliases, handles or hashtags occur (the name is always an alias).
  A link whose registered domain spells a name joined is a mention too, as a hashtag spelling it is: a
  post sharing ``voltamobility.it/napoli`` is about "Volta Mobility" (subdomains are not: ``volta.wordpress.com``).
  With a ``query``, alias mentions (and hashtags and links that merely spell a name) count only when the query
  matches the post; the brand's own listed @handles and #hashtags are its identifiers and always count.
  If the query matches but no alias/handle/hashtag occurs, the mentions are where the query's positive
  terms occur.
- Apostrophes: an alias, phrase or exclusion written with ' also matches ’ (and the reverse): phones
  type the typographic one.
- Exclusions: an exclude phrase sharing a word with one of the brand's names ("apple pie" for "Apple",
  "per esempio" for "Pastificio Esempio") removes the mentions it overlaps; an exclude phrase sharing no
  word with them is context ("calcio" for a brand called "Rete"): found anywhere in the post, it removes
  all of that brand's mentions in the post. One opening with an Italian article also holds after the
  preposition fused with it ("la pergola a roma" also excludes "alla Pergola a Roma").
- Typos (``typos: true``, off by default): a word one typo away from a one-word name of 6+ letters is a
  mention too ("Valmorra" for "Valmora"), found by symmetric deletion and checked with rapidfuzz's
  optimal string alignment distance.
- Overlapping mentions of different brands keep the longest ("Rete Ferroviaria" over "Rete").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

from rapidfuzz.distance import OSA
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from models.brand_query import Node, PostContext, Ranges, Term, evaluate, parse_query, positive_terms, terms
from models.extensions import MENTIONS_KEY, TokenTable, doc_value, is_tag, register_extensions, token_orths
from models.tokenizer import apostrophe_variants, compact, split_hashtag
from rete.config import BrandEntry


@dataclass(frozen=True)
class _CompiledBrand:
    name: str
    label: int  # the name's hash in the vocabulary: spans take it without re-hashing the name
    name_keys: frozenset[str]
    own_tag_keys: frozenset[str]  # the brand's listed @handles and #hashtags
    query: Node | None
    positive_keys: tuple[str, ...]
    covering_exclude_keys: frozenset[str]  # share a word with a name: remove the mentions they overlap
    context_exclude_keys: frozenset[str]  # share none: remove the brand from the post


# A typo is matched only in names this long: shorter ones are one letter away from too many words.
MIN_TYPO_LENGTH = 6


def _text_term(text: str) -> Term:
    return Term("phrase", " ".join(text.split()).lower())


def post_context(doc: Doc, is_word: TokenTable) -> PostContext:
    """``is_word``: ORTH hash -> 1 for a token with a letter or digit, else 0 (see PostContext)."""
    meta = doc_value(doc, "meta") or {}
    author = meta.get("author")
    if isinstance(author, dict):
        author = author.get("handle") or author.get("id")
    source = meta.get("source")
    return PostContext(
        lang=doc_value(doc, "lang"),
        source=source.lower() if isinstance(source, str) else None,
        author=author.lstrip("@").lower() if isinstance(author, str) else None,
        words_before=tuple(accumulate(is_word.lookup(token_orths(doc)), initial=0)),
    )


class BrandMatcher:
    def __init__(self, nlp: Language, brands: Iterable[BrandEntry]):
        register_extensions()
        self.brands: list[_CompiledBrand] = []
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._cased = PhraseMatcher(nlp.vocab)  # query terms in {braces}: "Volta", not "volta"
        self._wildcards = Matcher(nlp.vocab)
        self._wildcard_keys: list[str] = []
        self._by_compact: dict[str, set[str]] = defaultdict(set)  # "mulinobianco" -> keys
        self._by_first_word: dict[str, set[tuple[tuple[str, ...], str]]] = defaultdict(set)
        self._brands_by_key: dict[str, list[int]] = defaultdict(list)
        self._spelled_keys = TokenTable(nlp.vocab.strings, self._keys_spelled_by)  # ORTH hash -> keys
        self._is_word = TokenTable(nlp.vocab.strings, _is_word)
        # Brands with ``typos``: each one-word name, and each of its forms with one letter deleted, -> (name, key).
        # A word one typo away shares one of these forms with the name (symmetric deletion).
        self._typo_index: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self._longest_typo_name = 0
        self._words_of_terms: set[str] = set()  # one-word names and query words: never a typo of another
        texts: dict[str, tuple[str, ...]] = {}  # key -> its phrasings, given to the PhraseMatcher
        for entry in brands:
            query = parse_query(entry.query) if entry.query else None
            names = list(dict.fromkeys([entry.name, *entry.aliases]))
            name_terms = (
                [_text_term(alias) for alias in names]
                + [Term("handle", handle.lower()) for handle in entry.handles]
                + [Term("hashtag", tag.lower()) for tag in entry.hashtags]
            )
            query_terms = terms(query) if query else []
            for term in name_terms + query_terms:
                self._add_term(nlp, term, texts)
            if entry.typos:
                self._index_typos(nlp, names)
            name_words = {w for alias in names for w in _words(nlp, alias)}
            covering, context = set(), set()
            for phrase in entry.exclude:
                text = " ".join(phrase.split()).lower()
                texts[f"exclude:{text}"] = with_articulated_prepositions(text)
                (covering if name_words & set(_words(nlp, text)) else context).add(f"exclude:{text}")
            compiled = _CompiledBrand(
                name=entry.name,
                label=nlp.vocab.strings.add(entry.name),
                name_keys=frozenset(t.key for t in name_terms),
                own_tag_keys=frozenset(t.key for t in name_terms if t.kind in ("handle", "hashtag")),
                query=query,
                positive_keys=tuple(t.key for t in positive_terms(query)) if query else (),
                covering_exclude_keys=frozenset(covering),
                context_exclude_keys=frozenset(context),
            )
            index = len(self.brands)
            self.brands.append(compiled)
            for key in compiled.name_keys | set(compiled.positive_keys):
                self._brands_by_key[key].append(index)
        for key, phrasings in texts.items():
            variants = dict.fromkeys(v for phrasing in phrasings for v in apostrophe_variants(phrasing))
            matcher = self._cased if key.startswith("cased:") else self._phrases
            matcher.add(key, [nlp.make_doc(variant) for variant in variants])
        # The matchers report a key's hash; a dict gives the key back faster than the StringStore.
        self._key_of_id = {nlp.vocab.strings[key]: key for key in [*texts, *self._wildcard_keys]}

    def _add_term(self, nlp: Language, term: Term, texts: dict[str, tuple[str, ...]]) -> None:
        key = term.key
        if term.kind == "wildcard":
            if key not in self._wildcards:
                self._wildcards.add(key, [[{"LOWER": {"REGEX": f"^{re.escape(term.value)}"}}]])
                self._wildcard_keys.append(key)
            return
        texts[key] = (term.value,)
        if term.kind in ("handle", "cased"):
            return
        joined = compact(term.value)
        if joined:
            self._by_compact[joined].add(key)
        if term.kind != "hashtag":
            words = _words(nlp, term.value)
            if words:
                self._by_first_word[words[0]].add((words, key))
            if len(words) == 1:
                self._words_of_terms.add(words[0])

    def __call__(self, doc: Doc) -> Doc:
        occurrences = self._occurrences(doc)
        spans: list[Span] = []
        if occurrences:
            by_key = self._brands_by_key
            candidates = sorted({i for key in occurrences for i in by_key.get(key, ())})
            context = None
            for index in candidates:
                brand = self.brands[index]
                if brand.context_exclude_keys and not brand.context_exclude_keys.isdisjoint(occurrences):
                    continue
                if brand.query is not None and context is None:
                    context = post_context(doc, self._is_word)
                if brand.query is None or evaluate(brand.query, occurrences, context):
                    ranges = _union(occurrences, brand.name_keys) or _union(occurrences, brand.positive_keys)
                else:
                    ranges = _union(occurrences, brand.own_tag_keys)
                if brand.covering_exclude_keys:
                    ranges = _without_overlaps(ranges, _union(occurrences, brand.covering_exclude_keys))
                spans.extend(Span(doc, start, end, label=brand.label) for start, end in ranges)
            if len(spans) > 1:
                spans = sorted(filter_spans(spans), key=lambda span: span.start)
        doc.spans[MENTIONS_KEY] = spans
        return doc

    def _occurrences(self, doc: Doc) -> dict[str, Ranges]:
        found: dict[str, set[tuple[int, int]]] = defaultdict(set)
        key_of_id = self._key_of_id
        for match_id, start, end in self._phrases(doc):
            found[key_of_id[match_id]].add((start, end))
        if len(self._cased):
            for match_id, start, end in self._cased(doc):
                found[key_of_id[match_id]].add((start, end))
        if self._wildcard_keys:
            for match_id, start, end in self._wildcards(doc):
                found[key_of_id[match_id]].add((start, end))
        if self._by_compact or self._by_first_word or self._typo_index:
            spelled_keys = self._spelled_keys.lookup(token_orths(doc))
            if any(spelled_keys):
                for position, keys in enumerate(spelled_keys):
                    for key in keys:
                        found[key].add((position, position + 1))
        return {key: sorted(ranges) for key, ranges in found.items()}

    def _index_typos(self, nlp: Language, names: list[str]) -> None:
        for name in names:
            words = _words(nlp, name)
            if len(words) == 1 and len(words[0]) >= MIN_TYPO_LENGTH and words[0].isalpha():
                self._longest_typo_name = max(self._longest_typo_name, len(words[0]))
                for form in _one_deleted(words[0]) | {words[0]}:
                    self._typo_index[form].add((words[0], _text_term(name).key))

    def _keys_spelled_by(self, tag: str) -> tuple[str, ...]:
        """Keys of the names a token spells: as a hashtag, as its link's domain or, for brands that allow
        ``typos``, as a word one typo away; empty for other tokens."""
        if not (tag[:1] == "#" and is_tag(tag, "#")):
            domain = link_domain(tag) if "." in tag else None  # most tokens hold no dot: skip the regex
            if domain:  # names only: a brand's own #hashtag always counts, a link spelling it does not
                return tuple(k for k in self._by_compact.get(compact(domain), ()) if k.startswith("text:"))
            return self._keys_one_typo_away(tag) if self._typo_index else ()
        keys = set(self._by_compact.get(compact(tag), ()))
        words = split_hashtag(tag)
        for i, word in enumerate(words):
            for name_words, key in self._by_first_word.get(word, ()):
                if words[i : i + len(name_words)] == name_words:
                    keys.add(key)
        return tuple(keys)

    def _keys_one_typo_away(self, token: str) -> tuple[str, ...]:
        """Keys of the one-word names this word misspells by one letter added, dropped, changed or two
        swapped ("Valmorra", "Valmra", "Vlamora" for "Valmora"); the name itself is the phrase matcher's."""
        word = token.lower()
        if not MIN_TYPO_LENGTH - 1 <= len(word) <= self._longest_typo_name + 1 or not word.isalpha():
            return ()
        if word in self._words_of_terms:
            return ()  # "Valmore" is another brand's name, not a typo of "Valmora"
        candidates = {pair for form in _one_deleted(word) | {word} for pair in self._typo_index.get(form, ())}
        return tuple({key for name, key in candidates if name != word and OSA.distance(word, name, score_cutoff=1) <= 1})


def _one_deleted(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


# A link token: a scheme or "www.", then the host, then a path, query, fragment or port, or nothing. A
# bare host ("voltamobility.it") counts only with a top-level domain of _BARE_LINK_DOMAINS: "volta.pdf" and
# "main.py" are file names.
_LINK = re.compile(r"(https?://|www\.)?((?:[\w-]+\.)+([a-z]{2,}))(?:[/?#:]|$)", re.IGNORECASE)
_BARE_LINK_DOMAINS = frozenset({"it", "com", "eu", "net", "org", "info", "uk", "co", "de", "fr", "es", "ch",
                                "shop", "store", "online"})  # not "io": "Volta.io sono" is a missing space
# Second-level labels under which country domains register names (mulinobianco.co.uk, https://brand.com.au).
_REGISTRY_LABELS = frozenset({"co", "com", "org", "net", "gov", "ac", "edu"})


def link_domain(token: str) -> str | None:
    """The label a link's owner registered ("voltamobility" in ``https://www.voltamobility.it/napoli``,
    "mulinobianco" in ``shop.mulinobianco.co.uk``); None when the token is not a link. Subdomains are
    left out on purpose: ``volta.wordpress.com`` is WordPress's, not a brand called Volta."""
    link = _LINK.match(token)
    if link is None or not (link.group(1) or link.group(3).lower() in _BARE_LINK_DOMAINS):
        return None
    labels = link.group(2).lower().split(".")[:-1]  # without the top-level domain
    if len(labels) > 1 and labels[-1] in _REGISTRY_LABELS:
        labels.pop()
    return labels[-1] if labels else None


def _union(occurrences: dict[str, Ranges], keys: Iterable[str]) -> Ranges:
    return sorted({r for key in keys for r in occurrences.get(key, ())})


def _without_overlaps(mentions: Ranges, exclusions: Ranges) -> Ranges:
    return [m for m in mentions if not any(m[0] < e[1] and e[0] < m[1] for e in exclusions)]


# Italian fuses a preposition with the article after it: a, di, da, in, su + il, lo, la, i, gli, le, l'
# give al, del, dal, nel, sul, allo, della, negli, sull'... (the preposition's stem + the article's ending).
_PREPOSITION_STEMS = ("a", "de", "da", "ne", "su")
# An opening article (with the space after it, if any) -> the ending it gives a fused preposition.
_ARTICLE_ENDINGS = {"il ": "l ", "lo ": "llo ", "la ": "lla ", "i ": "i ", "gli ": "gli ", "le ": "lle ",
                    "l'": "ll'", "l’": "ll’"}
_LEADING_ARTICLE = re.compile("^(?:" + "|".join(map(re.escape, _ARTICLE_ENDINGS)) + ")")


def with_articulated_prepositions(phrase: str) -> tuple[str, ...]:
    """A lowercase phrase, and when it opens with an Italian definite article, the same phrase opened by each
    preposition fused with that article: an exclusion written "la pergola a roma" must also hold for "cena
    alla Pergola a Roma" and "il menu della Pergola a Roma"."""
    article = _LEADING_ARTICLE.match(phrase)
    if not article:
        return (phrase,)
    ending, rest = _ARTICLE_ENDINGS[article.group()], phrase[article.end():]
    return (phrase, *(f"{stem}{ending}{rest}" for stem in _PREPOSITION_STEMS))


def _is_word(text: str) -> int:
    return int(any(c.isalnum() for c in text))


def _words(nlp: Language, text: str) -> tuple[str, ...]:
    return tuple(t.lower_ for t in nlp.make_doc(text) if _is_word(t.text))


@Language.factory("rete_brands", default_config={"brands": []})
def make_brand_matcher(nlp: Language, name: str, brands: list[dict]) -> BrandMatcher:
    return BrandMatcher(nlp, [BrandEntry.model_validate(brand) for brand in brands])
