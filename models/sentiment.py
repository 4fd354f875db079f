"""Sentiment per post and per brand mention: a linear model on word n-grams plus lexicon and cue features.

The model (one per language, trained by ``models/train.py``) is a multinomial logistic regression over
- hashed word unigrams (marked ``NEG_`` inside a negation's scope), bigrams, and 5-letter word prefixes
  (Italian inflections share a weight; cheaper than character n-grams, which cost ~100 us a post),
- a small dense block from the lexicons (``models/lexicon.py``): positive and negative valence sums after
  negation, intensifiers and contrast (what follows "but"/"ma" weighs more), emoji valence, complaint cues,
  irony markers, question/exclamation marks, elongations and shouting.

Scores are ``P(positive) - P(negative)`` in [-1, 1]; the label is the most probable class (Italian has a
``mixed`` class from SENTIPOLC; English is trained on three). Everything is vectorised per batch:
:meth:`SentimentModel.predict_texts` is what the spaCy component calls from ``pipe()``.

Per mention (``span._.sentiment``): when a post names several brands it is cut into segments at sentence ends
and contrast words; each brand is scored on the segments that name it plus the segments that follow until
another brand is named. A post naming one brand gives that brand the post's sentiment.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher
from spacy.language import Language
from spacy.tokens import Doc

from models.extensions import MENTIONS_KEY, register_extensions
from models.lexicon import Cues, load_cues

ARTIFACT_DIR = Path(__file__).parent / "artifacts"
FEATURE_VERSION = 1
N_WORD_FEATURES = 2**20
# Sentiment of a very long text is read from its start: keeps the cost of a 100,000-character post bounded.
MAX_CHARS = 2000
NEGATION_SCOPE = 3  # words after a negator whose polarity flips
NEGATION_FLIP = -0.74  # VADER's scalar: "not good" is less negative than "bad"
INTENSIFIER_BOOST = 1.3
DIMINISHER_DAMP = 0.7
BEFORE_CONTRAST, AFTER_CONTRAST = 0.5, 1.5  # VADER's weights around "but"
LABELS = ("positive", "negative", "neutral", "mixed")
NEUTRAL = {"label": "neutral", "score": 0.0}

_URL = re.compile(r"https?://\S+|www\.\S+|pic\.twitter\.com/\S+")
_NOT = re.compile(r"n['’]t\b")
_UPPER = re.compile(r"[A-ZÀ-Ý]")
_LETTER = re.compile(r"[^\W\d_]")
# Words first: most tokens are words, and an alternation is tried in order.
_TOKEN = re.compile(
    r"[^\W\d_]+"
    r"|\d+"
    r"|[!?]"
    r"|[.,;:]+"  # ends a negation scope, not a feature
    r"|@\w+|#[^\W\d_]+"
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF]"  # emoji, one pictograph each
    r"|[:;=x<>][-o*']?[)\](\[dp/|3]+"  # ASCII emoticons
)
_SPECIAL_START = frozenset("@#0123456789.,;:!?")
_SCOPE_BREAK = frozenset(".,;:!?")
STEM_LENGTH = 5  # word prefixes as features: Italian inflections (ottim-o/a/i/e) share a weight

DENSE_FEATURES = (
    "lexicon_positive",
    "lexicon_negative",
    "lexicon_compound",
    "after_contrast_compound",
    "emoji_valence",
    "complaint_cues",
    "irony_cues",
    "negations",
    "intensifiers",
    "has_contrast",
    "no_sentiment_words",
    "question",
    "exclamation",
    "elongation",
    "shouting",
)


def _compound(total: float) -> float:
    # VADER's normalisation of a valence sum into (-1, 1).
    return total / math.sqrt(total * total + 15.0)


class Featurizer:
    """Turns texts of one language into the model's sparse feature matrix (hashed terms + dense block)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.cues: Cues = load_cues(lang)
        self._hasher = FeatureHasher(N_WORD_FEATURES, input_type="string", alternate_sign=False)

    @property
    def n_features(self) -> int:
        return N_WORD_FEATURES + len(DENSE_FEATURES)

    def tokens(self, text: str) -> tuple[list[str], int]:
        """Normalised tokens (lower case, URLs "url", handles "@user", numbers "0", elongations squeezed)
        and how many words were elongated."""
        lowered = _URL.sub(" url ", text[:MAX_CHARS]).lower()
        if self.lang == "en":
            lowered = _NOT.sub(" not", lowered)
        tokens = _TOKEN.findall(lowered)
        elongations = 0
        for i, token in enumerate(tokens):
            first = token[0]
            if first in _SPECIAL_START:
                if first == "@":
                    tokens[i] = "@user"
                elif first.isdigit():
                    tokens[i] = "0"
            elif len(token) > 3 and token[-1] == token[-2] == token[-3]:
                # "bellooo" -> "bello": no Italian or English word ends in a tripled letter.
                tokens[i] = token.rstrip(token[-1]) + token[-1]
                elongations += 1
        return tokens, elongations

    def text_features(self, text: str) -> tuple[list[str], list[float]]:
        """Hashed-term strings and the dense lexicon/cue block of one text."""
        cues = self.cues
        valence, negators, intensifiers, diminishers, contrast = (
            cues.valence, cues.negators, cues.intensifiers, cues.diminishers, cues.contrast,
        )
        tokens, elongations = self.tokens(text)
        terms: list[str] = []
        words: list[str] = []
        starts: list[int] = []
        offset = 0
        positive = negative = before = after = emoji = 0.0
        negations = boosts = hits = 0
        scope = 0
        scale = 1.0
        contrast_seen = False
        for token in tokens:
            starts.append(offset)
            offset += len(token) + 1
            if token in _SCOPE_BREAK or token[0] in ".,;:":
                scope = 0
                if token in ("!", "?"):
                    terms.append(token)
                    words.append(token)
                continue
            word = token[1:] if token[0] == "#" else token
            if word in contrast:
                contrast_seen, scope, before, after = True, 0, before + after, 0.0
            words.append(word)
            value = valence.get(word)
            if value is not None:
                hits += 1
                value *= scale
                if scope:
                    value *= NEGATION_FLIP
                if not word.isalpha():  # emoji and emoticons
                    emoji += value
                if value > 0:
                    positive += value
                else:
                    negative -= value
                after += value
            if scope:
                terms.append("NEG_" + word)
                scope -= 1
            else:
                terms.append(word)
            if len(word) > STEM_LENGTH:
                terms.append("S:" + word[:STEM_LENGTH])
            scale = 1.0
            if word in negators:
                scope, negations = NEGATION_SCOPE, negations + 1
            elif word in intensifiers:
                scale, boosts = INTENSIFIER_BOOST, boosts + 1
            elif word in diminishers:
                scale = DIMINISHER_DAMP
        terms.extend([a + " " + b for a, b in zip(words, words[1:])])

        joined = " ".join(tokens)
        complaints = cues.complaint.count(joined, tokens, starts)
        ironies = cues.irony.count(joined, tokens, starts)
        # Complaint cues count as negative valence: a complaint reads negative even without sentiment words.
        negative += 2.0 * complaints
        weighted = (BEFORE_CONTRAST * before + AFTER_CONTRAST * after) if contrast_seen else after
        weighted -= 2.0 * complaints
        head = text[:MAX_CHARS]
        letters = len(_LETTER.findall(head))
        shouting = letters >= 8 and len(_UPPER.findall(head)) > 0.6 * letters
        dense = [
            math.log1p(positive),
            math.log1p(negative),
            _compound(weighted),
            _compound(after) if contrast_seen else 0.0,
            math.tanh(emoji / 3.0),
            math.log1p(complaints),
            math.log1p(ironies),
            math.log1p(negations),
            math.log1p(boosts),
            1.0 if contrast_seen else 0.0,
            1.0 if hits == 0 and complaints == 0 else 0.0,
            1.0 if "?" in words else 0.0,
            1.0 if "!" in words else 0.0,
            1.0 if elongations else 0.0,
            1.0 if shouting else 0.0,
        ]
        return terms, dense

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        extracted = [self.text_features(text) for text in texts]
        hashed = self._hasher.transform(terms for terms, _ in extracted)
        dense = np.asarray([d for _, d in extracted], dtype=np.float64).reshape(len(texts), len(DENSE_FEATURES))
        return sparse.hstack([hashed, sparse.csr_matrix(dense)], format="csr")


def default_artifact(lang: str) -> Path:
    return ARTIFACT_DIR / f"sentiment-{lang}.npz"


class SentimentModel:
    """A trained linear sentiment model for one language: coefficients, classes and provenance."""

    def __init__(self, lang: str, classes: Sequence[str], coef: np.ndarray, intercept: np.ndarray, meta: dict) -> None:
        unknown = set(classes) - set(LABELS)
        if unknown:
            raise ValueError(f"sentiment classes must be among {LABELS}, got {sorted(unknown)}")
        self.lang = lang
        self.classes = tuple(classes)
        self.featurizer = Featurizer(lang)
        if coef.shape != (self.featurizer.n_features, len(self.classes)):
            raise ValueError(f"coefficients have shape {coef.shape}, the features need {(self.featurizer.n_features, len(self.classes))}")
        self.coef = coef.astype(np.float32)
        self.intercept = intercept.astype(np.float32)
        self.meta = meta
        self._positive = self.classes.index("positive")
        self._negative = self.classes.index("negative")

    # -- persistence: plain arrays in an .npz (no pickle), the non-zero rows of the hashed coefficients only
    def save(self, path: Path) -> Path:
        rows = np.flatnonzero(np.any(self.coef != 0, axis=1)).astype(np.int32)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            classes=np.array(self.classes),
            rows=rows,
            weights=self.coef[rows].astype(np.float16),
            intercept=self.intercept,
            meta=np.array(json.dumps({**self.meta, "lang": self.lang, "feature_version": FEATURE_VERSION})),
        )
        return path

    @classmethod
    def load(cls, path: Path | str) -> SentimentModel:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"sentiment model not found: {path} (train it with `rete train sentiment`)")
        try:
            with np.load(path, allow_pickle=False) as stored:
                meta = json.loads(str(stored["meta"]))
                classes = [str(c) for c in stored["classes"]]
                rows, weights, intercept = stored["rows"], stored["weights"], stored["intercept"]
        except (OSError, KeyError, ValueError) as exc:
            raise ValueError(f"{path}: not a Rete sentiment model ({exc})") from None
        if meta.get("feature_version") != FEATURE_VERSION:
            raise ValueError(f"{path}: built for feature version {meta.get('feature_version')}, this code is {FEATURE_VERSION}: retrain it")
        coef = np.zeros((Featurizer(meta["lang"]).n_features, len(classes)), dtype=np.float32)
        coef[rows] = weights
        return cls(meta["lang"], classes, coef, intercept, meta)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        logits = self.featurizer.transform(texts) @ self.coef + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        return logits / logits.sum(axis=1, keepdims=True)

    def predict_texts(self, texts: Sequence[str]) -> list[dict]:
        """``{"label", "score"}`` for each text; empty or sentiment-free texts come out neutral."""
        if not texts:
            return []
        probabilities = self.probabilities(texts)
        scores = probabilities[:, self._positive] - probabilities[:, self._negative]
        best = probabilities.argmax(axis=1)
        return [
            {"label": self.classes[b], "score": round(float(s), 4)} if text.strip() else dict(NEUTRAL)
            for text, b, s in zip(texts, best, scores)
        ]


# --- per-mention segmentation ------------------------------------------------------------------------------

_SEGMENT_BREAK = {
    "it": re.compile(r"[.!?;\n]+|\b(?:ma|però|pero|tuttavia|eppure|invece|mentre|anche se)\b", re.IGNORECASE),
    "en": re.compile(r"[.!?;\n]+|\b(?:but|however|though|although|whereas|while|instead)\b", re.IGNORECASE),
}


def mention_texts(text: str, mentions: Sequence[tuple[str, int]], lang: str) -> dict[str, str]:
    """The text each brand's sentiment is read from, given ``(brand, start_char)`` mentions of one post.

    Segments end at sentence ends and contrast words. A segment naming brands belongs to them; a segment
    naming none belongs to the brands of the segment before it (what follows a mention talks about it), or,
    at the start of the post, to the brands of the first segment that names some.
    """
    brands = {brand for brand, _ in mentions}
    if len(brands) <= 1:
        return {brand: text for brand in brands}
    pattern = _SEGMENT_BREAK.get(lang, _SEGMENT_BREAK["en"])
    bounds = [0] + [m.start() for m in pattern.finditer(text)] + [len(text)]
    segments = [(start, end) for start, end in zip(bounds, bounds[1:]) if end > start]
    owners = [{brand for brand, at in mentions if start <= at < end} for start, end in segments]
    current: set[str] = next((o for o in owners if o), set())
    pieces: dict[str, list[str]] = {brand: [] for brand in brands}
    for (start, end), owner in zip(segments, owners):
        current = owner or current
        for brand in current:
            pieces[brand].append(text[start:end])
    return {brand: " ".join(parts) for brand, parts in pieces.items()}


def _combine(post: dict, mention_sentiments: Iterable[dict]) -> dict:
    """A post naming brands in opposite tones is ``mixed``, whatever the post-level reading says."""
    labels = {m["label"] for m in mention_sentiments}
    if {"positive", "negative"} <= labels:
        return {"label": "mixed", "score": post["score"]}
    return post


# --- the spaCy component ---------------------------------------------------------------------------------------


class SentimentComponent:
    """Sets ``doc._.sentiment`` and ``span._.sentiment`` for every span in ``doc.spans["rete_mentions"]``.

    ``lang`` fixes the model; ``"auto"`` follows ``doc._.lang`` (set by the language component) and falls
    back to the pipeline's own language for posts in other languages.
    """

    def __init__(self, nlp: Language, name: str, lang: str, model_paths: dict[str, str], batch_size: int) -> None:
        register_extensions()
        self.name = name
        self.batch_size = batch_size
        languages = [lang] if lang != "auto" else sorted({"it", "en"} | set(model_paths))
        self.models = {
            code: SentimentModel.load(model_paths.get(code) or default_artifact(code)) for code in languages
        }
        self.fallback = lang if lang != "auto" else (nlp.lang if nlp.lang in self.models else "en")

    def _model_for(self, doc: Doc) -> str:
        lang = doc._.lang
        return lang if lang in self.models else self.fallback

    def __call__(self, doc: Doc) -> Doc:
        self._annotate([doc])
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        size = batch_size or self.batch_size
        batch: list[Doc] = []
        for doc in stream:
            batch.append(doc)
            if len(batch) >= size:
                self._annotate(batch)
                yield from batch
                batch = []
        if batch:
            self._annotate(batch)
            yield from batch

    def _annotate(self, docs: list[Doc]) -> None:
        # One request per text to score: the post itself, then each brand's segment in posts naming several.
        requests: dict[str, list[tuple[str, Doc, str | None]]] = {code: [] for code in self.models}
        for doc in docs:
            lang = self._model_for(doc)
            requests[lang].append((doc.text, doc, None))
            spans = doc.spans[MENTIONS_KEY] if MENTIONS_KEY in doc.spans else ()
            mentions = [(span.label_, span.start_char) for span in spans]
            if len({brand for brand, _ in mentions}) > 1:
                for brand, text in mention_texts(doc.text, mentions, lang).items():
                    requests[lang].append((text, doc, brand))
        by_doc: dict[int, dict[str | None, dict]] = {}
        for lang, items in requests.items():
            if items:
                results = self.models[lang].predict_texts([text for text, _, _ in items])
                for (_, doc, brand), result in zip(items, results):
                    by_doc.setdefault(id(doc), {})[brand] = result
        for doc in docs:
            results = by_doc[id(doc)]
            post = results[None]
            spans = doc.spans[MENTIONS_KEY] if MENTIONS_KEY in doc.spans else ()
            for span in spans:
                span._.sentiment = dict(results.get(span.label_, post))
            doc._.sentiment = _combine(post, [results[b] for b in results if b is not None])


@Language.factory(
    "rete_sentiment",
    default_config={"lang": "auto", "model_paths": {}, "batch_size": 1000},
)
def make_sentiment(nlp: Language, name: str, lang: str, model_paths: dict[str, str], batch_size: int) -> SentimentComponent:
    """``lang``: "it", "en" or "auto" (follow ``doc._.lang``); ``model_paths``: language -> .npz, default
    ``models/artifacts/sentiment-<lang>.npz``."""
    return SentimentComponent(nlp, name, lang, model_paths, batch_size)
