"""Language of a post: the source's word when it gives one, else a fast check, else lingua; ``und`` when the
text is too short to tell.

Speed matters (``rete enrich`` must keep up with 10,000 posts/s on one core), so lingua runs in low-accuracy
mode with its models preloaded, restricted to the workspace languages plus a few common ones, and only on
posts a function-word check could not settle: a post with two or more Italian (English) function words and
more than twice as many as of any other listed language, or with a single long one ("della", "with") and
none of the others, is Italian (English) without asking lingua. When lingua's quick answer is one of the
languages added for contrast rather than a workspace language, it is asked again in high-accuracy mode
(``bench/bench_language.py``: 1-2% of tweets were called Portuguese, French or German).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
from spacy.language import Language as SpacyLanguage
from spacy.tokens import Doc

from models.extensions import doc_value, register_extensions, set_doc_value

UNDETERMINED = "und"
# Workspace languages are it/en; these are the ones Italian and English posts get confused with most.
COMMON_LANGUAGES = ("it", "en", "es", "fr", "de", "pt")
# Fewer letters than this (after dropping URLs, handles, hashtags, emoji) is too little to tell.
MIN_LETTERS = 12
# Language id reads at most this much: the opening of a 100,000-character post is enough.
MAX_CHARS = 1000

# One pass: URLs, handles and hashtags match the first branch (and are dropped), words the group.
_WORDS = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|([^\W\d_]+(?:['’][^\W\d_]+)?)")
_EDGE_PUNCTUATION = ".,;:!?¡¿…\"'’‘“”«»()[]{}<>*_~-"
_LATIN = re.compile(r"[a-z\u00c0-\u024f]")

# Function words (and a few very frequent adverbs) common in one language and rare in the others listed.
# Words shared with a neighbour ("non" fr, "con" es, "il" fr, "me" en, "solo" es, "alle" de, "so" de)
# are left out on purpose.
_FUNCTION_WORDS = {
    "it": {"che", "è", "della", "delle", "degli", "dei", "sono", "gli", "anche", "ancora", "perché", "questo",
           "questa", "questi", "queste", "quello", "quella", "ho", "hanno", "nel", "nella", "nei", "negli",
           "alla", "sul", "sulla", "dalla", "più", "cosa", "qualcuno", "già", "molto", "tutti", "tutto", "tutta",
           "tutte", "grazie", "di", "per", "una", "mi", "del", "ci", "sempre", "nessuna", "nessun", "niente",
           "dove", "quando", "ha", "la", "le", "lo", "così", "dopo", "oggi", "mai", "suo", "sua", "loro",
           "nostro", "vostro", "vostra", "noi", "voi", "io", "poi", "però", "quindi", "ogni", "senza", "troppo",
           "davvero", "proprio", "nuovo", "nuova", "c'è", "stato", "stata", "fatto", "essere"},
    "en": {"the", "and", "is", "are", "was", "my", "your", "you", "to", "of", "for", "with", "this", "that",
           "it", "have", "has", "just", "what", "why", "how", "they", "we", "still", "been", "can't", "don't",
           "does", "anyone", "know", "will", "from", "our", "their", "there", "would", "should", "at", "did",
           "again", "but", "not", "be", "by", "or", "if", "an", "all", "when", "where", "who", "never",
           "thanks", "please", "i'm", "it's", "i've", "i'll", "can", "could", "very", "really", "too", "some",
           "any", "more", "about", "than", "now", "then", "only", "its", "them", "which", "these", "those",
           "because", "after", "every", "got", "get", "out", "up"},
    "es": {"el", "los", "las", "que", "es", "y", "muy", "pero", "está", "por", "para", "gracias", "del"},
    "fr": {"le", "les", "est", "et", "je", "pas", "avec", "très", "mais", "vous", "nous", "des", "une"},
    "pt": {"não", "você", "muito", "obrigado", "obrigada", "uma", "isso", "são", "os", "também"},
    "de": {"der", "und", "ist", "nicht", "ich", "das", "mit", "sehr", "danke", "ein", "eine", "auch"},
}
# A language wins without lingua with at least this many of its function words and more than this
# many times the hits of any other candidate (a French "le" in an Italian post does not send it to lingua).
MIN_FUNCTION_WORDS = 2
FUNCTION_WORD_MARGIN = 2
# One function word is enough when it is this long ("della", "with", not "di", "to") and no other
# candidate's occurs. Checked on 8,000 real tweets (SENTIPOLC 2014 it, VADER en): accuracy as good as
# sending those posts to lingua (slightly better), and a fifth fewer lingua calls.
LONG_FUNCTION_WORD = 4


def normalize_code(value: object) -> str | None:
    """ISO 639-1 code from what a platform sends ("it", "it-IT", "en_US"); None if it is not one."""
    if not isinstance(value, str):
        return None
    code = value.replace("_", "-").split("-")[0].lower()
    return code if len(code) == 2 and code.isalpha() and code.isascii() else None


class LanguageIdentifier:
    def __init__(self, languages: Sequence[str] = COMMON_LANGUAGES, primary: Sequence[str] = ()):
        """``languages``: the candidates; ``primary``: the workspace's own among them (default: all). lingua's
        quick answer is checked again in high-accuracy mode when it is not a primary language: low accuracy
        takes 1-2% of Italian and English tweets for Portuguese, French or German."""
        codes = list(dict.fromkeys(code.lower() for code in languages))
        if len(codes) < 2:
            raise ValueError(f"language id needs at least two languages to choose from, got {codes}")
        self.languages = tuple(codes)
        self.primary = frozenset(code.lower() for code in primary) or frozenset(codes)
        self._detector = _detector(tuple(codes))
        self._codes_of_word: dict[str, tuple[str, ...]] = {}  # function word -> the candidates using it
        for code, vocabulary in _FUNCTION_WORDS.items():
            for word in vocabulary if code in codes else ():
                self._codes_of_word[word] = (*self._codes_of_word.get(word, ()), code)

    def identify(self, text: str, declared: object = None) -> str:
        """``declared`` (the source's language) wins when it is a language code."""
        code = normalize_code(declared)
        if code is not None:
            return code
        lowered = text[:MAX_CHARS].lower()
        # Most posts are settled by their function words, found by splitting on spaces; the regex below
        # (which also drops URLs, handles, hashtags and emoji) costs twice as much and runs for the rest.
        spaced = [word.strip(_EDGE_PUNCTUATION) for word in lowered.split()]
        quick = self._by_function_words(spaced)
        if quick is not None and sum(map(len, filter(str.isalpha, spaced))) >= MIN_LETTERS:
            return quick
        words = [word for word in _WORDS.findall(lowered) if word]
        letters = sum(map(len, words))
        if letters < MIN_LETTERS or len(words) < 2:
            return UNDETERMINED
        quick = self._by_function_words(words)
        if quick is not None:
            return quick
        if len(_LATIN.findall(" ".join(words))) * 2 < letters:
            return UNDETERMINED  # every candidate language is written in Latin script
        joined = " ".join(words)
        detected = self._detector.detect_language_of(joined)
        if detected is None or detected.iso_code_639_1.name.lower() not in self.primary:
            detected = _detector(self.languages, high_accuracy=True).detect_language_of(joined)
        return detected.iso_code_639_1.name.lower() if detected is not None else UNDETERMINED

    def closest(self, text: str, among: Sequence[str]) -> str | None:
        """Which of ``among`` (the languages Rete has pipelines for) a post is closest to, when its own
        language is undetermined or none of them: "I love it" is too short to call English with confidence,
        yet the English model must read it, not the Italian one. Function words decide first, then lingua
        restricted to ``among``; None when nothing in the text tells (only emoji, URLs or handles)."""
        words = [word for word in _WORDS.findall(text[:MAX_CHARS].lower()) if word]
        if not words:
            return None
        hits = Counter(code for word in words for code in self._codes_of_word.get(word, ()) if code in among)
        ranked = hits.most_common(2)
        if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            return ranked[0][0]
        # High-accuracy mode: on one or two words low accuracy is a coin toss ("bravi" English, "well done"
        # Italian); only these few posts pay for it, and two languages' models take about 90 MB.
        detected = _detector(tuple(among), high_accuracy=True).detect_language_of(" ".join(words))
        return detected.iso_code_639_1.name.lower() if detected is not None else None

    def identify_many(self, texts: Iterable[str]) -> list[str]:
        return [self.identify(text) for text in texts]

    def _by_function_words(self, words: list[str]) -> str | None:
        """``words`` are lowercased."""
        hits: dict[str, int] = {}
        long_hits: set[str] = set()
        codes_of_word = self._codes_of_word
        for word in codes_of_word.keys() & words:
            for code in codes_of_word[word]:
                hits[code] = hits.get(code, 0) + 1
                if len(word) >= LONG_FUNCTION_WORD:
                    long_hits.add(code)
        if not hits:
            return None
        best = max(hits, key=hits.__getitem__)
        count = hits.pop(best)
        if count >= MIN_FUNCTION_WORDS and count > FUNCTION_WORD_MARGIN * max(hits.values(), default=0):
            return best
        if count == 1 and not hits and best in long_hits:
            return best
        return None


@lru_cache(maxsize=8)
def _detector(codes: tuple[str, ...], high_accuracy: bool = False):
    """lingua restricted to ``codes``, its models preloaded (one detector per set and mode)."""
    try:
        languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]
    except AttributeError as exc:
        raise ValueError(f"unknown language code in {list(codes)}: {exc}") from None
    builder = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models()
    return (builder if high_accuracy else builder.with_low_accuracy_mode()).build()


@lru_cache(maxsize=8)
def language_identifier(languages: tuple[str, ...] = COMMON_LANGUAGES, primary: tuple[str, ...] = ()) -> LanguageIdentifier:
    """One identifier per language set: lingua's preloaded models are shared, not rebuilt per pipeline."""
    return LanguageIdentifier(languages, primary)


class LanguageComponent:
    """Sets ``doc._.lang`` unless the caller already did (e.g. from the source's language)."""

    def __init__(self, languages: Sequence[str]):
        register_extensions()
        self.identifier = language_identifier(tuple(languages))

    def __call__(self, doc: Doc) -> Doc:
        if doc_value(doc, "lang") is None:
            set_doc_value(doc, "lang", self.identifier.identify(doc.text))
        return doc


@SpacyLanguage.factory("rete_language", default_config={"languages": list(COMMON_LANGUAGES)})
def make_language_component(nlp: SpacyLanguage, name: str, languages: list[str]) -> LanguageComponent:
    return LanguageComponent(languages)
