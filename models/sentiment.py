"""Sentiment per post and per brand mention: a linear model on word n-grams plus lexicon and cue features.

The model (one per language, trained by ``models/train.py``) is a multinomial logistic regression over
- hashed word unigrams (marked ``NEG_`` inside a negation's scope), bigrams, and 5-letter word prefixes
  (Italian inflections share a weight; cheaper than character n-grams, which cost ~100 us a post),
- a small dense block from the lexicons (``models/lexicon.py``): positive and negative valence sums after
  negation, intensifiers and contrast (what follows "but"/"ma" weighs more; complaint cues such as "still
  waiting" or "nessuna risposta" count as negative words), emoji valence, irony markers, question and
  exclamation marks, elongations and shouting.

Scores are ``P(positive) - P(negative)`` in [-1, 1]; the label is the most probable class (Italian has a
``mixed`` class from SENTIPOLC; English is trained on three). Everything is vectorised per batch:
:meth:`SentimentModel.predict_texts` is what the spaCy component calls from ``pipe()``.

Per mention (``span._.sentiment``): when a post names several brands it is cut into segments at sentence ends
and contrast words; each brand is scored on the segments that name it plus the segments that follow until
another brand is named. A post naming one brand gives that brand the post's sentiment.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import spacy
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher
from spacy.language import Language
from spacy.attrs import ORTH
from spacy.tokens import Doc

from models.extensions import MENTIONS_KEY, register_extensions
from models.lexicon import Cues, load_cues

ARTIFACT_DIR = Path(__file__).parent / "artifacts"
FEATURE_VERSION = 2
N_WORD_FEATURES = 2**20
# Sentiment of a very long text is read from its start: keeps the cost of a 100,000-character post bounded.
MAX_CHARS = 2000  # plain texts
MAX_TOKENS = 500  # docs (about 2000 characters of social text)
NEGATION_SCOPE = 3  # words after a negator whose polarity flips
NEGATION_FLIP = -0.74  # VADER's scalar: "not good" is less negative than "bad"
INTENSIFIER_BOOST = 1.3
DIMINISHER_DAMP = 0.7
BEFORE_CONTRAST, AFTER_CONTRAST = 0.5, 1.5  # VADER's weights around "but"
# A complaint cue counts as a negative lexicon word as strong as "bad" (-2.5 in VADER). It is not a feature
# of its own: neither training corpus holds customer complaints, so a weight learned there for the cues is
# meaningless (it came out with the wrong sign); through the lexicon features it inherits the weight the
# model learned for negative words.
COMPLAINT_VALENCE = 2.5
LABELS = ("positive", "negative", "neutral", "mixed")
HEADS = ("positive", "negative")
LABEL_OF_HEADS = {(True, False): "positive", (False, True): "negative", (True, True): "mixed", (False, False): "neutral"}
NEUTRAL = {"label": "neutral", "score": 0.0}

_SCOPE_BREAK_START = frozenset(".,;:!?")
_SEGMENT_BREAK_WORDS = frozenset({".", "!", "?", ";"})
STEM_LENGTH = 5  # word prefixes as features: Italian inflections (ottim-o/a/i/e) share a weight
SHOUTING_SHARE = 0.6  # posts whose words are mostly in capitals

DENSE_FEATURES = (
    "lexicon_positive",
    "lexicon_negative",
    "lexicon_compound",
    "after_contrast_compound",
    "emoji_valence",
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


@dataclass
class Words:
    """A post's normalised tokens, one per spaCy token (so a span's tokens slice it), and casing counts."""

    words: list[str]
    elongations: int = 0
    shouted: int = 0
    alphabetic: int = 0


def _compound(total: float) -> float:
    # VADER's normalisation of a valence sum into (-1, 1).
    return total / math.sqrt(total * total + 15.0)


@cache
def _tokenizer(lang: str):
    return spacy.blank(lang).tokenizer


# What a normalised word is, computed once per distinct word (see Featurizer._describe).
BREAK, EXCLAMATION, QUESTION, NEGATOR, INTENSIFIER, DIMINISHER, CONTRAST, EMOJI, CUE = (1 << i for i in range(9))
# Per raw token: casing and elongation flags.
ELONGATED, ALPHABETIC, SHOUTED = 1, 2, 4
CACHE_LIMIT = 200_000  # distinct tokens remembered per language; social text repeats its words a lot


class Featurizer:
    """Turns posts of one language into the model's sparse feature matrix (hashed terms + dense block).

    Features are computed from spaCy tokens, so the component reuses the tokens the pipeline already made;
    plain texts go through ``spacy.blank(lang)``'s tokenizer, also at training time. Everything that depends
    on a token alone (normal form, lexicon valence, cue roles) is computed once and cached: the per-post
    loop then costs a dictionary lookup and a few bit tests per token.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.cues: Cues = load_cues(lang)
        self._hasher = FeatureHasher(N_WORD_FEATURES, input_type="string", alternate_sign=False, dtype=np.float32)
        self._normal_forms: dict[str | int, tuple[str, int]] = {}
        self._descriptions: dict[str, tuple[float | None, int, str | None]] = {}

    @property
    def n_features(self) -> int:
        return N_WORD_FEATURES + len(DENSE_FEATURES)

    def _normal_form(self, token: str) -> tuple[str, int]:
        """Lower case, URLs "url", handles "@user", numbers "0", hashtags without "#", elongations squeezed,
        apostrophes cut; whitespace becomes "" (a line break "." and ends a clause)."""
        low = token.lower()
        flags = 0
        if low[:1] in ("'", "’") and len(low) > 1:  # "'m", "'s"
            low = low[1:]
        first = low[:1]
        if first.isalpha():
            if low.startswith(("http", "www.")):
                return "url", 0
            if "@" in low:  # "dell'@brand"
                return "@user", 0
            if "'" in low or "’" in low:
                low = "not" if low in ("n't", "n’t") else low.replace("’", "'").strip("'").rsplit("'", 1)[-1]
            if len(low) > 3 and low[-1] == low[-2] == low[-3]:
                # "bellooo" -> "bello": no Italian or English word ends in a tripled letter.
                low = low.rstrip(low[-1]) + low[-1]
                flags |= ELONGATED
            if len(token) > 1:
                flags |= ALPHABETIC | (SHOUTED if token.isupper() else 0)
            return low, flags
        if first == "@":
            return "@user", 0
        if first == "#":
            return low[1:], 0
        if first.isdigit():
            return "0", 0
        if first.isspace() or not first:
            return ("." if "\n" in low else ""), 0
        if len(low) > 1 and low not in self.cues.valence and ord(first) > 0x2000:
            return first, 0  # an emoji sequence (skin tone, ZWJ) scores as its first pictograph
        return low, 0

    def _describe(self, word: str) -> tuple[float | None, int, str | None]:
        """(lexicon valence, role bits, prefix term) of a normalised word."""
        cues = self.cues
        value = cues.valence.get(word)
        code = 0
        if value is None and word[0] in _SCOPE_BREAK_START:
            code = BREAK | (EXCLAMATION if word[0] == "!" else 0) | (QUESTION if word[0] == "?" else 0)
        if word in cues.negators:
            code |= NEGATOR
        elif word in cues.intensifiers:
            code |= INTENSIFIER
        elif word in cues.diminishers:
            code |= DIMINISHER
        if word in cues.contrast:
            code |= CONTRAST
        if value is not None and not word[0].isalpha():
            code |= EMOJI
        if cues.complaint.starts_at(word) or cues.irony.starts_at(word):
            code |= CUE
        stem = "S:" + word[:STEM_LENGTH] if len(word) > STEM_LENGTH and word.isalpha() else None
        return value, code, stem

    def normalise(self, tokens: Iterable[str]) -> Words:
        """One normalised word per token text (see :meth:`_normal_form`), with elongation and casing counts."""
        return self._normalise(tokens, str)

    def normalise_doc(self, doc: Doc) -> Words:
        """The same for a spaCy doc, read from its token ids: no Token objects are made, which is most of
        the cost of reading a doc in Python. A very long doc is read from its first MAX_TOKENS tokens."""
        return self._normalise(doc.to_array(ORTH)[:MAX_TOKENS].tolist(), doc.vocab.strings.__getitem__)

    def _normalise(self, keys: Iterable, text_of: Callable) -> Words:
        # Keys are token texts or their spaCy ids (ints): one cache serves both.
        cache = self._normal_forms
        words: list[str] = []
        elongations = shouted = alphabetic = 0
        for key in keys:
            entry = cache.get(key)
            if entry is None:
                entry = self._normal_form(text_of(key))
                if len(cache) < CACHE_LIMIT:
                    cache[key] = entry
            words.append(entry[0])
            flags = entry[1]
            if flags:
                elongations += flags & ELONGATED
                alphabetic += (flags & ALPHABETIC) >> 1
                shouted += (flags & SHOUTED) >> 2
        return Words(words, elongations, shouted, alphabetic)

    def words(self, text: str) -> Words:
        return self.normalise(t.text for t in _tokenizer(self.lang)(text[:MAX_CHARS]))

    def features(self, post: Words) -> tuple[list[str], list[float]]:
        """Hashed-term strings and the dense lexicon/cue block of one post."""
        descriptions = self._descriptions
        terms: list[str] = []
        content: list[str] = []  # words and !/?, for bigrams
        cue_starts: list[int] = []  # offsets in the space-joined words where a cue may start
        kept: list[str] = []  # every non-empty word, for the cue patterns
        offset = 0
        positive = negative = before = after = emoji = 0.0
        negations = boosts = hits = 0
        scope = 0
        scale = 1.0
        seen = 0  # role bits seen in the post
        for word in post.words:
            if not word:
                continue
            description = descriptions.get(word)
            if description is None:
                description = self._describe(word)
                if len(descriptions) < CACHE_LIMIT:
                    descriptions[word] = description
            value, code, stem = description
            kept.append(word)
            if code & CUE:
                cue_starts.append(offset)
            offset += len(word) + 1
            seen |= code
            if code & BREAK:
                scope = 0
                if code & (EXCLAMATION | QUESTION):
                    terms.append(word[0])
                    content.append(word[0])
                continue
            content.append(word)
            if code & CONTRAST:
                scope, before, after = 0, before + after, 0.0
            if value is not None:
                hits += 1
                value *= scale
                if scope:
                    value *= NEGATION_FLIP
                if code & EMOJI:
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
            if stem:
                terms.append(stem)
            scale = 1.0
            if code & NEGATOR:
                scope, negations = NEGATION_SCOPE, negations + 1
            elif code & INTENSIFIER:
                scale, boosts = INTENSIFIER_BOOST, boosts + 1
            elif code & DIMINISHER:
                scale = DIMINISHER_DAMP
        terms.extend([a + " " + b for a, b in zip(content, content[1:])])

        complaints = ironies = 0
        if cue_starts:
            joined = " ".join(kept)
            complaints = self.cues.complaint.count(joined, cue_starts)
            ironies = self.cues.irony.count(joined, cue_starts)
        contrast_seen = bool(seen & CONTRAST)
        negative += COMPLAINT_VALENCE * complaints
        weighted = (BEFORE_CONTRAST * before + AFTER_CONTRAST * after) if contrast_seen else after
        weighted -= COMPLAINT_VALENCE * complaints
        dense = [
            math.log1p(positive),
            math.log1p(negative),
            _compound(weighted),
            _compound(after) if contrast_seen else 0.0,
            math.tanh(emoji / 3.0),
            math.log1p(ironies),
            math.log1p(negations),
            math.log1p(boosts),
            1.0 if contrast_seen else 0.0,
            1.0 if hits == 0 and complaints == 0 else 0.0,
            1.0 if seen & QUESTION else 0.0,
            1.0 if seen & EXCLAMATION else 0.0,
            1.0 if post.elongations else 0.0,
            1.0 if post.alphabetic >= 3 and post.shouted > SHOUTING_SHARE * post.alphabetic else 0.0,
        ]
        return terms, dense

    def transform_words(self, posts: Sequence[Words]) -> sparse.csr_matrix:
        extracted = [self.features(post) for post in posts]
        hashed = self._hasher.transform(terms for terms, _ in extracted)
        dense = np.asarray([d for _, d in extracted], dtype=np.float32).reshape(len(posts), len(DENSE_FEATURES))
        return sparse.hstack([hashed, sparse.csr_matrix(dense)], format="csr")

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self.transform_words([self.words(text) for text in texts])


def default_artifact(lang: str) -> Path:
    return ARTIFACT_DIR / f"sentiment-{lang}.npz"


class SentimentModel:
    """A trained linear sentiment model for one language: two logistic heads and their provenance.

    The heads answer "does the post express positive sentiment?" and "... negative sentiment?" separately,
    as SENTIPOLC annotates them: both yes is ``mixed``, both no ``neutral``.
    """

    def __init__(self, lang: str, coef: np.ndarray, intercept: np.ndarray, meta: dict) -> None:
        self.lang = lang
        self.featurizer = Featurizer(lang)
        expected = (self.featurizer.n_features, len(HEADS))
        if coef.shape != expected or intercept.shape != (len(HEADS),):
            raise ValueError(f"coefficients have shape {coef.shape}, the features need {expected}")
        self.coef = coef.astype(np.float32)
        self.intercept = intercept.astype(np.float32)
        self.meta = meta

    # -- persistence: plain arrays in an .npz (no pickle), the non-zero rows of the hashed coefficients only
    def save(self, path: Path) -> Path:
        rows = np.flatnonzero(np.any(self.coef != 0, axis=1)).astype(np.int32)
        meta = json.dumps({**self.meta, "lang": self.lang, "feature_version": FEATURE_VERSION}, sort_keys=True)
        arrays = {
            "rows": rows,
            "weights": self.coef[rows].astype(np.float16),
            "intercept": self.intercept,
            "meta": np.array(meta),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        # np.savez stamps the current time into the zip: a fixed stamp makes retraining byte-reproducible.
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, array in arrays.items():
                buffer = io.BytesIO()
                np.save(buffer, array, allow_pickle=False)
                archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), buffer.getvalue(), zipfile.ZIP_DEFLATED)
        return path

    @classmethod
    def load(cls, path: Path | str) -> SentimentModel:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"sentiment model not found: {path} (train it with `rete train sentiment`)")
        try:
            with np.load(path, allow_pickle=False) as stored:
                meta = json.loads(str(stored["meta"]))
                rows, weights, intercept = stored["rows"], stored["weights"], stored["intercept"]
        except (OSError, KeyError, ValueError) as exc:
            raise ValueError(f"{path}: not a Rete sentiment model ({exc})") from None
        if meta.get("feature_version") != FEATURE_VERSION:
            raise ValueError(
                f"{path}: built for feature version {meta.get('feature_version')}, this code reads "
                f"{FEATURE_VERSION}: retrain it with `rete train sentiment`"
            )
        coef = np.zeros((Featurizer(meta["lang"]).n_features, len(HEADS)), dtype=np.float32)
        coef[rows] = weights
        return cls(meta["lang"], coef, intercept, meta)

    def head_probabilities(self, posts: Sequence[Words]) -> np.ndarray:
        """P(positive), P(negative) for each post, shape (posts, 2)."""
        logits = self.featurizer.transform_words(posts) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def predict_words(self, posts: Sequence[Words]) -> list[dict]:
        """``{"label", "score"}`` for each normalised post; a post without words comes out neutral."""
        if not posts:
            return []
        probabilities = self.head_probabilities(posts)
        results = []
        for post, (positive, negative) in zip(posts, probabilities.tolist()):
            if not any(post.words):
                results.append(dict(NEUTRAL))
                continue
            label = LABEL_OF_HEADS[(positive >= 0.5, negative >= 0.5)]
            results.append({"label": label, "score": round(positive - negative, 4)})
        return results

    def predict_texts(self, texts: Sequence[str]) -> list[dict]:
        """Batch scoring of plain texts (tokenised with ``spacy.blank(lang)``)."""
        return self.predict_words([self.featurizer.words(text) for text in texts])


# --- per-mention segmentation ------------------------------------------------------------------------------

SEGMENT_CONTRAST = {
    "it": frozenset({"ma", "però", "pero", "tuttavia", "eppure", "invece", "mentre"}),
    "en": frozenset({"but", "however", "though", "although", "whereas", "while", "instead"}),
}


def mention_words(post: Words, mentions: Sequence[tuple[str, int]], lang: str) -> dict[str, Words]:
    """The words each brand's sentiment is read from, given ``(brand, token index)`` mentions of one post.

    Segments end at sentence ends and contrast words. A segment naming brands belongs to them; a segment
    naming none belongs to the brands of the segment before it (what follows a mention talks about it), or,
    at the start of the post, to the brands of the first segment that names some. A post naming one brand
    gives it the whole post.
    """
    brands = {brand for brand, _ in mentions}
    if len(brands) <= 1:
        return {brand: post for brand in brands}
    contrast = SEGMENT_CONTRAST.get(lang, SEGMENT_CONTRAST["en"])
    words = post.words
    bounds = [0]
    for i, word in enumerate(words):
        if word in contrast and i > bounds[-1]:
            bounds.append(i)
        elif word in _SEGMENT_BREAK_WORDS or word.startswith("."):
            bounds.append(i + 1)
    bounds.append(len(words))
    segments = [(start, end) for start, end in zip(bounds, bounds[1:]) if end > start]
    owners = [{brand for brand, at in mentions if start <= at < end} for start, end in segments]
    current: set[str] = next((owner for owner in owners if owner), set())
    pieces: dict[str, list[str]] = {brand: [] for brand in brands}
    for (start, end), owner in zip(segments, owners):
        current = owner or current
        for brand in current:
            pieces[brand].extend(words[start:end])
    return {brand: Words(piece) for brand, piece in pieces.items()}


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
        # One request per post, plus one per brand in posts naming several; scored per language in one batch.
        requests: dict[str, list[tuple[Words, int, str | None]]] = {code: [] for code in self.models}
        doc_spans = []
        for index, doc in enumerate(docs):
            declared = doc._.lang
            lang = declared if declared in self.models else self.fallback
            post = self.models[lang].featurizer.normalise_doc(doc)
            requests[lang].append((post, index, None))
            spans = list(doc.spans[MENTIONS_KEY]) if MENTIONS_KEY in doc.spans else []
            doc_spans.append(spans)
            if len(spans) > 1:
                mentions = [(span.label_, span.start) for span in spans]
                if len({brand for brand, _ in mentions}) > 1:
                    for brand, words in mention_words(post, mentions, lang).items():
                        requests[lang].append((words, index, brand))
        results: list[dict[str | None, dict]] = [{} for _ in docs]
        for lang, items in requests.items():
            if items:
                scored = self.models[lang].predict_words([words for words, _, _ in items])
                for (_, index, brand), result in zip(items, scored):
                    results[index][brand] = result
        for doc, spans, by_brand in zip(docs, doc_spans, results):
            post = by_brand.pop(None)
            for span in spans:
                span._.sentiment = dict(by_brand.get(span.label_, post))
            doc._.sentiment = _combine(post, by_brand.values())


@Language.factory(
    "rete_sentiment",
    default_config={"lang": "auto", "model_paths": {}, "batch_size": 1000},
)
def make_sentiment(nlp: Language, name: str, lang: str, model_paths: dict[str, str], batch_size: int) -> SentimentComponent:
    """``lang``: "it", "en" or "auto" (follow ``doc._.lang``); ``model_paths``: language -> .npz, default
    ``models/artifacts/sentiment-<lang>.npz``."""
    return SentimentComponent(nlp, name, lang, model_paths, batch_size)


# --- `rete eval --task sentiment` ---------------------------------------------------------------------------


def _predict_for_eval(records: list[dict], settings) -> list[set[str]]:
    """Post-level labels; a record's ``lang`` is trusted, otherwise language id decides (unknown -> the
    workspace's first language with a model)."""
    from models.language import COMMON_LANGUAGES, language_identifier

    languages = [lang for lang in settings.languages if lang in SEGMENT_CONTRAST] or ["it"]
    identifier = language_identifier(tuple(dict.fromkeys([*languages, *COMMON_LANGUAGES])))
    by_lang: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        lang = identifier.identify(record["text"], record.get("lang"))
        by_lang.setdefault(lang if lang in languages else languages[0], []).append(index)
    predicted: list[set[str]] = [set() for _ in records]
    for lang, indexes in by_lang.items():
        model = SentimentModel.load(default_artifact(lang))
        for index, result in zip(indexes, model.predict_texts([records[i]["text"] for i in indexes])):
            predicted[index] = {result["label"]}
    return predicted


def _register_eval_task() -> None:
    from models.evaluation import EvalTask, register_task

    register_task(EvalTask(
        name="sentiment",
        help="post-level sentiment; gold field 'label' (positive, negative, neutral, mixed)",
        gold_field="label",
        predict=_predict_for_eval,
    ))


_register_eval_task()
