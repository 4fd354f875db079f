"""Sentiment per post and per brand mention: a linear model on hashed word n-grams plus lexicon and cue features.

The model (one per language, trained by ``models/train.py``) has two logistic heads, "has positive sentiment"
and "has negative sentiment" (SENTIPOLC's annotation: both is ``mixed``, neither ``neutral``), over
- hashed word unigrams (marked ``neg_`` inside a negation's scope), bigrams and 5-letter word prefixes
  (Italian inflections share a weight),
- a small dense block from the lexicons (``models/lexicon.py``): positive and negative valence sums, maxima
  and counts after negation and contrast (what follows "but"/"ma" weighs more; complaint cues such as "still
  waiting" or "nessuna risposta" count as negative words), emoji valence, irony markers, negators,
  intensifiers, question and exclamation marks, elongations and shouting.

Scores are ``P(positive) - P(negative)`` in [-1, 1].

Speed: the only per-token Python work is one dictionary lookup, from a token (its spaCy ``ORTH`` id, which
the pipeline already computed, or its text) to a row of a growing table of known words. The table holds,
per normalised word, its hash indices, lexicon valence and cue roles, computed once. Everything else —
negation scope, contrast weighting, n-gram hashing, the dense block and the dot product — runs in numpy on
the whole batch at once.

Per mention (``span._.sentiment``): when a post names several brands it is cut into segments at sentence ends
and contrast words, and a segment naming several brands at the next brand's mention (brands joined by "e",
"and", "," share one piece); each brand is scored on its pieces plus the segments that follow until another
brand is named (:func:`mention_rows`). An outright comparison ("Alfa > Beta", "Alfa è meglio di Beta",
"worse than") sets the two brands' labels (:func:`compared_brands`). In a post naming two brands, one read
positive or negative and the other neutral, the neutral one is set against the other (:func:`contrasted_brand`).
A post naming one brand gives that brand the post's sentiment.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from itertools import chain
from pathlib import Path

import numpy as np
import spacy
from scipy import sparse
from scipy.special import expit
from sklearn.utils import murmurhash3_32
from spacy.language import Language
from spacy.tokens import Doc

from models.extensions import (
    MENTIONS_KEY,
    doc_value,
    register_extensions,
    set_doc_value,
    set_span_value,
    token_orths,
)
from models.lexicon import LANGUAGES, Cues, load_cues
from models.tokenizer import accented, build_social_tokenizer, straight_apostrophes

ARTIFACT_DIR = Path(__file__).parent / "artifacts"
FEATURE_VERSION = 4
N_HASHED = 2**20
# Sentiment of a very long text is read from its start: keeps the cost of a 100,000-character post bounded.
MAX_CHARS = 2000  # plain texts
MAX_TOKENS = 500  # docs (about 2000 characters of social text)
NEGATION_SCOPE = 3  # words after a negator whose polarity flips
NEGATION_FLIP = -0.74  # VADER's scalar: "not good" is less negative than "bad"
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
STEM_LENGTH = 5  # word prefixes as features: Italian inflections (ottim-o/a/i/e) share a weight
SHOUTING_SHARE = 0.6  # posts whose words are mostly in capitals
CACHE_LIMIT = 200_000  # distinct tokens remembered per language; social text repeats its words a lot

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
N_FEATURES = N_HASHED + len(DENSE_FEATURES)

# Role bits of a known word (WordTable.bits).
(DROP, BREAK, TERM, NEGATOR, INTENSIFIER, CONTRAST, QUESTION, EXCLAMATION, EMOJI, CUE, SENTIMENT, STEM,
 ELONGATED, ALPHABETIC, SHOUTED) = (1 << i for i in range(15))
_SCOPE_BREAK_START = frozenset(".,;:!?")
NEWLINE_ROW = 1
# Multipliers of the hashes of a word pair (unsigned 64-bit arithmetic, wraps): any fixed odd constants.
_PAIR_LEFT, _PAIR_RIGHT = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)


def _hash(term: str) -> int:
    return murmurhash3_32(term, seed=0, positive=True)


def _compound(total: np.ndarray) -> np.ndarray:
    # VADER's normalisation of a valence sum into (-1, 1).
    return total / np.sqrt(total * total + 15.0)


@cache
def _tokenizer(lang: str):
    # The pipeline's own tokenizer, so that a model learns from the tokens it will be given.
    return build_social_tokenizer(spacy.blank(lang))


class WordTable:
    """Every normalised word seen so far, with what the features need to know about it, as numpy columns.

    ``ids`` maps a token (spaCy ``ORTH`` id or text) to its row; a token not seen before is normalised
    and described once (:meth:`_add`). Row 0 is the dropped token (whitespace, a lone "#", a skin-tone
    modifier).
    """

    def __init__(self, cues: Cues) -> None:
        self.cues = cues
        self.words: list[str] = []
        self.rows: dict[tuple[str, int], int] = {}
        capacity = 4096
        self.unigram = np.zeros(capacity, dtype=np.uint64)  # 32-bit murmur hashes, as uint64 for pair mixing
        self.negated = np.zeros(capacity, dtype=np.int64)  # hash of "neg_" + word
        self.stem = np.zeros(capacity, dtype=np.int64)
        self.bits = np.zeros(capacity, dtype=np.int64)
        self.valence = np.zeros(capacity, dtype=np.float64)
        self.length = np.zeros(capacity, dtype=np.int64)
        # The complaint and the irony patterns that may start at each word (see CuePatterns.at).
        self.cue_patterns: list[tuple[re.Pattern[str] | None, re.Pattern[str] | None]] = []
        self.ids: dict[str | int, int] = {}
        self._add("", 0)
        self._add("\n", DROP)  # NEWLINE_ROW: separates posts when the words of a batch are joined

    def row_of(self, key: str | int, text_of) -> int:
        row = self.ids.get(key)
        if row is None:
            word, flags = normal_form(text_of(key), self.cues)
            row = self.rows.get((word, flags))
            if row is None:
                row = self._add(word, flags)
            if len(self.ids) < CACHE_LIMIT:
                self.ids[key] = row
        return row

    def _add(self, word: str, flags: int) -> int:
        row = len(self.words)
        if row == len(self.bits):
            for name in ("unigram", "negated", "stem", "bits", "valence", "length"):
                column = getattr(self, name)
                setattr(self, name, np.concatenate([column, np.zeros_like(column)]))
        self.words.append(word)
        self.rows[(word, flags)] = row
        cues = self.cues
        value = cues.valence.get(word)
        bits = flags
        if not word:
            bits |= DROP
        elif value is None and word[0] in _SCOPE_BREAK_START:
            bits |= BREAK | (EXCLAMATION | TERM if word[0] == "!" else 0) | (QUESTION | TERM if word[0] == "?" else 0)
            word = word[0]  # "!!!" and "?!" are the same term as "!" / "?"
        else:
            bits |= TERM
        if word in cues.negators:
            bits |= NEGATOR
        elif word in cues.intensifiers:
            bits |= INTENSIFIER
        if word in cues.contrast:
            bits |= CONTRAST
        if value is not None:
            bits |= SENTIMENT | (EMOJI if not word[0].isalpha() else 0)
        self.cue_patterns.append((cues.complaint.at(word), cues.irony.at(word)) if word else (None, None))
        if self.cue_patterns[row] != (None, None):
            bits |= CUE
        if len(word) > STEM_LENGTH and word.isalpha():
            bits |= STEM
            self.stem[row] = _hash("~" + word[:STEM_LENGTH]) % N_HASHED
        self.unigram[row] = _hash(word)
        self.negated[row] = _hash("neg_" + word) % N_HASHED
        self.bits[row] = bits
        self.valence[row] = value or 0.0
        self.length[row] = len(self.words[row])
        return row


def normal_form(token: str, cues: Cues) -> tuple[str, int]:
    """Lower case, URLs "url", handles "@user", numbers "0", hashtags without "#", elongations squeezed,
    apostrophes cut, in Italian an accent typed as one put back ("perche'" -> "perché"); whitespace becomes
    "" (a line break "." and ends a clause). Also the casing and elongation flags of the token."""
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
            straight = straight_apostrophes(low)
            typed = accented(straight) if cues.lang == "it" else straight  # "perche'": an Italian keyboard habit
            low = "not" if straight == "n't" else typed.strip("'").rsplit("'", 1)[-1]
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
    if "\U0001f3fb" <= first <= "\U0001f3ff" or first in "\u200d\ufe0f":
        return "", 0  # skin tone, zero-width joiner, emoji presentation: part of the emoji before them
    if len(low) > 1 and low not in cues.valence and ord(first) > 0x2000:
        return first, 0  # an emoji sequence (skin tone, ZWJ) scores as its first pictograph
    return low, 0


@dataclass
class PostFeatures:
    """A batch's features: hashed term occurrences (post, column) — a term seen twice counts twice — the
    dense block (posts x DENSE_FEATURES), and which posts have any token."""

    owners: np.ndarray
    columns: np.ndarray
    dense: np.ndarray
    nonempty: np.ndarray

    def hashed(self) -> sparse.csr_matrix:
        """Term counts as a (posts x N_HASHED) matrix (training); scoring sums coefficients directly."""
        counts = np.ones(len(self.columns), dtype=np.float32)
        return sparse.csr_matrix((counts, (self.owners, self.columns)), shape=(len(self.dense), N_HASHED))


class Featurizer:
    """Turns posts of one language, given as rows of its :class:`WordTable`, into the model's features."""

    n_features = N_FEATURES

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.cues: Cues = load_cues(lang)
        self.table = WordTable(self.cues)

    def rows_of_doc(self, doc: Doc) -> list[int]:
        """One table row per token of the doc (its first MAX_TOKENS), read from the tokens' ORTH ids."""
        orths = token_orths(doc)[:MAX_TOKENS]
        rows = list(map(self.table.ids.get, orths))
        if None in rows:  # tokens never seen before
            row_of, text_of = self.table.row_of, doc.vocab.strings.__getitem__
            rows = [row_of(orth, text_of) if row is None else row for orth, row in zip(orths, rows)]
        return rows

    def rows_of_text(self, text: str) -> list[int]:
        """The same for a plain text, tokenised by ``spacy.blank(lang)`` (training and evaluation)."""
        row_of = self.table.row_of
        return [row_of(token.text, str) for token in _tokenizer(self.lang)(text[:MAX_CHARS])]

    def words(self, rows: Iterable[int]) -> list[str]:
        """The normalised words of a post, without dropped tokens (for tests and debugging)."""
        return [self.table.words[row] for row in rows if row]

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        features = self.features([self.rows_of_text(text) for text in texts])
        return sparse.hstack([features.hashed(), sparse.csr_matrix(features.dense)], format="csr")

    def features(self, posts: Sequence[Sequence[int]]) -> PostFeatures:
        """The features of a batch of posts given as table rows."""
        table = self.table
        n = len(posts)
        lengths = np.fromiter(map(len, posts), dtype=np.int64, count=n)
        rows = np.fromiter(chain.from_iterable(posts), dtype=np.int64, count=int(lengths.sum()))
        post_of = np.repeat(np.arange(n), lengths)
        bits = table.bits[rows]
        kept = (bits & DROP) == 0
        rows, bits, post_of = rows[kept], bits[kept], post_of[kept]
        size = len(rows)
        position = np.arange(size)

        def has(role: int) -> np.ndarray:
            return (bits & role) != 0

        def per_post(weights: np.ndarray) -> np.ndarray:
            return np.bincount(post_of, weights, minlength=n)

        # Negation scope: the NEGATION_SCOPE words after a negator, unless a break, a contrast word or the
        # post's start comes first.
        first = np.ones(size, dtype=bool)
        first[1:] = post_of[1:] != post_of[:-1]
        last_reset = np.maximum.accumulate(np.where(has(BREAK | CONTRAST) | first, position, -1)) if size else position
        last_negator = np.maximum.accumulate(np.where(has(NEGATOR), position, -1)) if size else position
        negator_before = np.concatenate([[-1], last_negator[:-1]]) if size else position
        term = has(TERM)
        negated = term & ~has(BREAK) & (negator_before >= last_reset) & (position - negator_before <= NEGATION_SCOPE)

        # Hashed terms: unigrams (negated ones under their own hash), word prefixes, pairs of consecutive terms.
        unigram = np.where(negated, table.negated[rows], (table.unigram[rows] % np.uint64(N_HASHED)).astype(np.int64))
        stemmed = has(STEM)
        term_rows, term_posts = rows[term], post_of[term]
        same_post = term_posts[1:] == term_posts[:-1]
        left, right = table.unigram[term_rows[:-1]], table.unigram[term_rows[1:]]
        pair = ((left * _PAIR_LEFT) ^ (right * _PAIR_RIGHT)) >> np.uint64(20)
        columns = np.concatenate([
            unigram[term], table.stem[rows[stemmed]], (pair[same_post] % np.uint64(N_HASHED)).astype(np.int64)
        ])
        owners = np.concatenate([term_posts, post_of[stemmed], term_posts[:-1][same_post]])

        # Dense block.
        value = table.valence[rows] * np.where(negated, NEGATION_FLIP, 1.0)
        positive_part, negative_part = np.clip(value, 0, None), np.clip(-value, 0, None)
        last_contrast = np.full(n, -1)
        contrast_at = np.flatnonzero(has(CONTRAST))
        np.maximum.at(last_contrast, post_of[contrast_at], contrast_at)
        has_contrast = last_contrast >= 0
        after = per_post(value * (position > last_contrast[post_of]))
        total = per_post(value)
        complaints, ironies = self._cue_counts(rows, bits, post_of, n)
        weighted = np.where(has_contrast, BEFORE_CONTRAST * (total - after) + AFTER_CONTRAST * after, total)
        weighted -= COMPLAINT_VALENCE * complaints
        hits = per_post(has(SENTIMENT))
        alphabetic, shouted = per_post(has(ALPHABETIC)), per_post(has(SHOUTED))
        dense = np.column_stack([
            np.log1p(per_post(positive_part)),
            np.log1p(per_post(negative_part) + COMPLAINT_VALENCE * complaints),
            _compound(weighted),
            np.where(has_contrast, _compound(after), 0.0),
            np.tanh(per_post(value * has(EMOJI)) / 3.0),
            np.log1p(ironies),
            np.log1p(per_post(has(NEGATOR))),
            np.log1p(per_post(has(INTENSIFIER))),
            has_contrast,
            (hits == 0) & (complaints == 0),
            per_post(has(QUESTION)) > 0,
            per_post(has(EXCLAMATION)) > 0,
            per_post(has(ELONGATED)) > 0,
            (alphabetic >= 3) & (shouted > SHOUTING_SHARE * alphabetic),
        ]).astype(np.float32)
        return PostFeatures(owners, columns, dense, np.bincount(post_of, minlength=n) > 0)

    def _cue_counts(self, rows: np.ndarray, bits: np.ndarray, post_of: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Complaint and irony pattern matches per post. Patterns match on the words joined by single spaces
        and are tried only where a word may start one (CUE): the batch's words are joined once, each post
        on its own line so that no pattern runs from one post into the next."""
        complaints, ironies = np.zeros(n), np.zeros(n)
        cue_at = np.flatnonzero((bits & CUE) != 0)
        if not len(cue_at):
            return complaints, ironies
        table = self.table
        first = np.ones(len(rows), dtype=bool)
        first[1:] = post_of[1:] != post_of[:-1]
        lines = np.insert(rows, np.flatnonzero(first), NEWLINE_ROW)
        offsets = np.concatenate([[0], np.cumsum(table.length[lines] + 1)])
        text = " ".join(map(table.words.__getitem__, lines.tolist()))
        at_in_lines = cue_at + np.cumsum(first)[cue_at]
        patterns = table.cue_patterns
        for row, offset, post in zip(rows[cue_at].tolist(), offsets[at_in_lines].tolist(), post_of[cue_at].tolist()):
            complaint, irony = patterns[row]
            if complaint is not None and complaint.match(text, offset):
                complaints[post] += 1
            if irony is not None and irony.match(text, offset):
                ironies[post] += 1
        return complaints, ironies


@cache
def shared_featurizer(lang: str) -> Featurizer:
    """One featurizer per language for every model that reads its features (sentiment, learned intents):
    its table of known words is built once, not once per model."""
    return Featurizer(lang)


def artifact_path(kind: str, lang: str) -> Path:
    """Where the committed model of this kind and language lives: ``models/artifacts/<kind>-<lang>.npz``."""
    return ARTIFACT_DIR / f"{kind}-{lang}.npz"


def default_artifact(lang: str) -> Path:
    return artifact_path("sentiment", lang)


class LinearHeads:
    """Logistic heads over the :class:`Featurizer`'s features for one language, and their provenance: the
    shape of Rete's trained models (sentiment here, the learned intents in ``models/intent_model.py``).
    Subclasses name their ``HEADS`` and their ``KIND`` (the artefact's kind and its ``rete train`` command)."""

    KIND = ""
    HEADS: tuple[str, ...] = ()

    def __init__(self, lang: str, coef: np.ndarray, intercept: np.ndarray, meta: dict) -> None:
        self.lang = lang
        self.featurizer = shared_featurizer(lang)
        expected = (N_FEATURES, len(self.HEADS))
        if coef.shape != expected or intercept.shape != (len(self.HEADS),):
            raise ValueError(f"coefficients have shape {coef.shape}, the features need {expected}")
        self.coef = coef.astype(np.float32)
        self.intercept = intercept.astype(np.float32)
        self.meta = meta

    # -- persistence: plain arrays in an .npz (no pickle), the non-zero rows of the hashed coefficients only
    def save(self, path: Path) -> Path:
        rows = np.flatnonzero(np.any(self.coef != 0, axis=1)).astype(np.int32)
        meta = json.dumps(
            {**self.meta, "lang": self.lang, "feature_version": FEATURE_VERSION, "kind": self.KIND,
             "heads": list(self.HEADS)},
            sort_keys=True,
        )
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
    def load(cls, path: Path | str):
        path = Path(path)
        retrain = f"`rete train {cls.KIND}`"
        if path.is_dir():
            raise IsADirectoryError(f"{cls.KIND} model {path} is a folder: give the .npz file {retrain} wrote")
        if not path.is_file():
            raise FileNotFoundError(f"{cls.KIND} model not found: {path} (train it with {retrain})")
        try:
            with np.load(path, allow_pickle=False) as stored:
                meta = json.loads(str(stored["meta"]))
                rows, weights, intercept = stored["rows"], stored["weights"], stored["intercept"]
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            raise ValueError(f"{path}: not a Rete {cls.KIND} model (the .npz file {retrain} writes)") from None
        if meta.get("feature_version") != FEATURE_VERSION:
            raise ValueError(
                f"{path}: built for feature version {meta.get('feature_version')}, this code reads "
                f"{FEATURE_VERSION}: retrain it with {retrain}"
            )
        if meta.get("kind") != cls.KIND or tuple(meta.get("heads", ())) != cls.HEADS:
            raise ValueError(
                f"{path}: a {meta.get('kind')!r} model with heads {meta.get('heads')}, not a {cls.KIND} model"
            )
        coef = np.zeros((N_FEATURES, len(cls.HEADS)), dtype=np.float32)
        coef[rows] = weights
        return cls(meta["lang"], coef, intercept, meta)

    def logits(self, posts: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Logits of the heads (posts x heads) and which posts have any token."""
        features = self.featurizer.features(posts)
        return self.logits_of(features), features.nonempty

    def logits_of(self, features: PostFeatures) -> np.ndarray:
        logits = features.dense @ self.coef[N_HASHED:] + self.intercept
        weights = self.coef[features.columns]  # one row per term occurrence: sum them per post, no matrix
        for head in range(len(self.HEADS)):
            logits[:, head] += np.bincount(features.owners, weights[:, head], minlength=len(logits))
        return logits


# Where an irony marker ("bella roba", "servizio impeccabile proprio 👏", "grazie tante", 🙄) beside a negative
# word or complaint cue turns a positive reading negative: the model learns too little irony from its training
# posts to outweigh the praise words. Measured per language (BENCHMARKS.md): in Italian it gained on three
# customer sets and lost on none; in English, whose markers ("love that for me", "cool cool cool") are
# milder, it lost on one.
IRONIC_PRAISE_LANGUAGES = frozenset({"it"})


def _ironic_praise(features: PostFeatures) -> np.ndarray:
    """Posts holding an irony marker and a negative word or complaint cue."""
    dense = features.dense
    return (dense[:, DENSE_FEATURES.index("irony_cues")] > 0) & (dense[:, DENSE_FEATURES.index("lexicon_negative")] > 0)


class SentimentModel(LinearHeads):
    """A trained linear sentiment model for one language: two logistic heads and their provenance.

    The heads answer "does the post express positive sentiment?" and "... negative sentiment?" separately,
    as SENTIPOLC annotates them: both yes is ``mixed``, both no ``neutral``.
    """

    KIND = "sentiment"
    HEADS = HEADS

    def predict_rows(self, posts: Sequence[Sequence[int]]) -> list[dict]:
        """``{"label", "score"}`` for each post (table rows); a post without words comes out neutral. In the
        languages of ``IRONIC_PRAISE_LANGUAGES``, a post read positive or mixed that holds an irony marker and a
        negative word or complaint cue reads negative (see there)."""
        if not posts:
            return []
        features = self.featurizer.features(posts)
        logits = self.logits_of(features)
        probabilities = expit(logits)
        scores = np.round(probabilities[:, 0] - probabilities[:, 1], 4).tolist()
        ironic = (_ironic_praise(features) if self.lang in IRONIC_PRAISE_LANGUAGES else np.zeros(len(posts), bool)).tolist()
        results = []
        for has_words, (positive, negative), score, irony in zip(features.nonempty.tolist(), (logits > 0).tolist(), scores, ironic):
            if not has_words:
                results.append(dict(NEUTRAL))
            elif irony and positive:
                results.append({"label": "negative", "score": -abs(score)})
            else:
                results.append({"label": LABEL_OF_HEADS[(positive, negative)], "score": score})
        return results

    def predict_texts(self, texts: Sequence[str]) -> list[dict]:
        """Batch scoring of plain texts (tokenised with ``spacy.blank(lang)``)."""
        return self.predict_rows([self.featurizer.rows_of_text(text) for text in texts])


# --- per-mention segmentation ------------------------------------------------------------------------------

_SEGMENT_ENDS = frozenset({".", "!", "?", ";"})


Mention = tuple[str, int, int]  # (brand, first token, token after the last)


def mention_rows(post: Sequence[int], mentions: Sequence[Mention], table: WordTable) -> dict[str, list[int]]:
    """The tokens (table rows) each brand's sentiment is read from, given the brands' mentions. Mentions past
    the post's rows (a long post is read from its start) are left out, and their brands get no rows.

    Segments end at sentence ends and contrast words. Inside a segment naming several brands, each brand
    owns the words from its mention to the next brand's ("Lasciato Alfa dopo 3 disservizi, con Beta tutto
    liscio"), the words before the first mention going to the first brand; brands joined by a few linking
    words only ("Alfa e Beta", "sia da Alfa che da Beta", "Alfa, Beta") share what follows them. A segment
    naming none belongs to the brands named last before it (what follows a mention talks about it), or, at
    the start of the post, to the brands of the first piece that names some. A post naming one brand gives
    it the whole post.
    """
    mentions = [(brand, start, min(end, len(post))) for brand, start, end in mentions if start < len(post)]
    brands = {brand for brand, _, _ in mentions}
    if len(brands) <= 1:
        return {brand: list(post) for brand in brands}
    bounds = [0]
    for i, row in enumerate(post):
        if table.bits[row] & CONTRAST and i > bounds[-1]:
            bounds.append(i)
        elif table.words[row][:1] in _SEGMENT_ENDS:
            bounds.append(i + 1)
    bounds.append(len(post))
    pieces_and_owners: list[tuple[int, int, set[str]]] = []
    for start, end in zip(bounds, bounds[1:]):
        if end > start:
            inside = sorted((at, stop, brand) for brand, at, stop in mentions if start <= at < end)
            pieces_and_owners.extend(_split_at_brands(post, table, start, end, inside))
    current: set[str] = next((owner for _, _, owner in pieces_and_owners if owner), set())
    pieces: dict[str, list[int]] = {brand: [] for brand in brands}
    for start, end, owner in pieces_and_owners:
        current = owner or current
        for brand in current:
            pieces[brand].extend(post[start:end])
    return pieces


# Words that join brand names into one group ("Alfa e Beta", "both Alfa and Beta", "sia da Alfa che da Beta").
# Not "a" nor "to": "passato da Alfa a Beta" is a switch, the two brands are judged apart.
_LINKING_WORDS = frozenset({"e", "ed", "o", "od", "sia", "che", "né", "da", "di", "su", "con", "and", "or",
                            "nor", "both", "either", "neither", "at", "from", "with", "on", "&", "+", "/", ",", "-"})
_MAX_LINK = 3  # tokens between two mentions of one group


def _split_at_brands(post: Sequence[int], table: WordTable, start: int, end: int,
                     inside: list[tuple[int, int, str]]) -> list[tuple[int, int, set[str]]]:
    """One segment as (start, end, owning brands) pieces: cut where a group of mentions of other brands
    begins (see mention_rows). ``inside``: the segment's mentions as (first token, token after, brand)."""
    if len({brand for _, _, brand in inside}) <= 1:
        return [(start, end, {brand for _, _, brand in inside})]
    groups: list[tuple[int, set[str]]] = []  # (where the group's first mention is, its brands)
    last_end = None
    for at, stop, brand in inside:
        between = post[last_end:at] if last_end is not None else None
        if between is not None and len(between) <= _MAX_LINK and all(
            table.words[row] in _LINKING_WORDS or not table.words[row] for row in between
        ):
            groups[-1][1].add(brand)
        elif not groups or brand not in groups[-1][1]:
            groups.append((at, {brand}))
        last_end = stop
    cuts = [start] + [at for at, _ in groups[1:]] + [end]
    return [(cuts[i], cuts[i + 1], owners) for i, (_, owners) in enumerate(groups)]


# "Alfa > Beta", "Alfa è meglio di Beta", "Alfa beats Beta": the first is preferred; "Alfa < Beta", "peggio di",
# "worse than": the second. Only these words (and the fillers below) between the two names: a comparison
# stated outright, whose direction no sentiment reading of the pieces gets. Not in a question ("Alfa è
# meglio di Beta?"), and a brand both preferred and rejected ("Alfa > Beta > Gamma") gets no verdict.
_PREFER_FIRST = (("meglio", "di"), ("better", "than"), ("batte",), ("beats",), ("superiore", "a"))
_PREFER_SECOND = (("peggio", "di"), ("worse", "than"), ("peggiore", "di"))
_COMPARISON_FILLER = frozenset({"è", "e", "sono", "is", "are", "molto", "much", "way", "far", "decisamente", "ben"})


def compared_brands(post: Sequence[int], mentions: Sequence[Mention], table: WordTable) -> dict[str, str]:
    """Brands of a post that an outright comparison prefers ("positive") or rejects ("negative")."""
    verdicts: dict[str, str] = {}
    contested: set[str] = set()
    ordered = sorted((start, end, brand) for brand, start, end in mentions if end <= len(post))
    for (_, first_end, first), (second_at, second_end, second) in zip(ordered, ordered[1:]):
        if first == second or _in_question(post, second_end, table):
            continue
        between = tuple(w for w in (table.words[row] for row in post[first_end:second_at])
                        if w and w not in _COMPARISON_FILLER)
        if between and (set(between) <= {">", "≫"} or between in _PREFER_FIRST):
            found = {first: "positive", second: "negative"}
        elif between and (set(between) <= {"<", "≪"} or between in _PREFER_SECOND):
            found = {first: "negative", second: "positive"}
        else:
            continue
        contested |= {brand for brand, label in found.items() if verdicts.get(brand, label) != label}
        verdicts.update(found)
    return {brand: label for brand, label in verdicts.items() if brand not in contested}


def _in_question(post: Sequence[int], after: int, table: WordTable) -> bool:
    """Whether the sentence going on at token ``after`` ends with a question mark."""
    for row in post[after:]:
        if table.words[row][:1] in _SEGMENT_ENDS:
            return table.words[row][:1] == "?"
    return False


# The score given to a brand whose label a contrast with the other brand decides (see contrasted_brand): a
# modest one, as the label is inferred from the other brand's, not read; chosen, not fitted.
CONTRASTED_SCORE = 0.25
_OPPOSITE = {"positive": "negative", "negative": "positive"}


def contrasted_brand(labels: dict[str, str], post: Sequence[int], mentions: Sequence[Mention],
                     table: WordTable) -> tuple[str, str] | None:
    """In a post naming two brands, one read positive or negative and the other neutral, the neutral one is
    set against the other: ``(brand, label)``. People name a second brand to contrast it ("Carvexa: 2-hour
    queue. Drivanta at the next counter: keys in 5 mins", "Switched from Pulsegrid to Ironvale and I'm never
    going back"), and the facts they tell about it carry no sentiment word a reading could find. Not when
    every mention of the neutral brand is in a question ("Qualcuno sa se Beta accetta le ricette?"): a
    question asks, it does not judge; only a "?" tells a question here, as the intents are read later. Nor
    when every mention of it ends its sentence: a brand named last is mostly named in passing ("Found it at
    the counter right next to Beta.", "The breeder had started him on Beta").
    Measured on the per-mention sets (BENCHMARKS.md): other brands named in passing and brands
    set on the same side ("Alfa is down again. Beta too.") are the cost; a guard for "also" words ("anche",
    "too", "same") cost more on those sets than it gained."""
    if len(labels) != 2:
        return None
    (first, first_label), (second, second_label) = labels.items()
    if {first_label, second_label} not in ({"positive", "neutral"}, {"negative", "neutral"}):
        return None
    neutral, polar_label = (first, second_label) if first_label == "neutral" else (second, first_label)
    ends = [end for brand, _, end in mentions if brand == neutral and end <= len(post)]
    if all(_in_question(post, end, table) for end in ends) or all(_closes_sentence(post, end, table) for end in ends):
        return None
    return neutral, _OPPOSITE[polar_label]


def _closes_sentence(post: Sequence[int], end: int, table: WordTable) -> bool:
    """Whether a mention ending at token ``end`` is the last word of its sentence."""
    if end >= len(post):
        return True
    following = table.words[post[end]]
    return following[:1] in _SEGMENT_ENDS or following in (")", "…")


def _combine(post: dict, mention_sentiments: Iterable[dict]) -> dict:
    """A post whose brands read in opposite tones is ``mixed``, whatever the post-level reading says (labels a
    contrast decides, see contrasted_brand, come after this and do not count)."""
    labels = {m["label"] for m in mention_sentiments}
    if {"positive", "negative"} <= labels:
        return {"label": "mixed", "score": post["score"]}
    return post


# --- the spaCy component ---------------------------------------------------------------------------------------


class LinearHeadsComponent:
    """What the components scoring a :class:`LinearHeads` model share: one model per language, loaded from
    ``model_paths`` or the committed artefacts, chosen per doc by ``doc._.lang``, and docs scored in batches
    (the features and dot products run in numpy on a whole batch)."""

    MODEL: type[LinearHeads]

    def __init__(self, nlp: Language, name: str, lang: str, model_paths: dict[str, str], batch_size: int) -> None:
        register_extensions()
        self.name = name
        self.batch_size = batch_size
        languages = [lang] if lang != "auto" else sorted({"it", "en"} | set(model_paths))
        self.models = {}
        for code in languages:
            path = model_paths.get(code) or artifact_path(self.MODEL.KIND, code)
            model = self.models[code] = self.MODEL.load(path)
            if model.lang != code:
                raise ValueError(f"{path}: a {model.lang!r} {self.MODEL.KIND} model, given for {code!r}")
        self.fallback = lang if lang != "auto" else (nlp.lang if nlp.lang in self.models else "en")
        self.follows_doc_lang = lang == "auto"

    def language_of(self, doc: Doc) -> str:
        declared = doc_value(doc, "lang")
        return declared if declared in self.models else self.fallback

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
        raise NotImplementedError


class SentimentComponent(LinearHeadsComponent):
    """Sets ``doc._.sentiment`` and ``span._.sentiment`` for every span in ``doc.spans["rete_mentions"]``.

    ``lang`` fixes the model; ``"auto"`` follows ``doc._.lang`` (set by the language component) and falls
    back to the pipeline's own language for posts in other languages.
    """

    MODEL = SentimentModel

    def _annotate(self, docs: list[Doc]) -> None:
        # One request per post, plus one per brand in posts naming several; scored per language in one batch.
        requests: dict[str, list[tuple[list[int], int, str | None]]] = {code: [] for code in self.models}
        doc_spans = []
        doc_verdicts: list[dict[str, str]] = []  # brand -> label an outright comparison gives it
        doc_mentions: list[tuple[list[int], list[Mention], WordTable] | None] = []  # posts naming several brands
        for index, doc in enumerate(docs):
            lang = self.language_of(doc)
            featurizer = self.models[lang].featurizer
            post = featurizer.rows_of_doc(doc)
            requests[lang].append((post, index, None))
            group = doc.spans.get(MENTIONS_KEY)
            spans = list(group) if group else []
            doc_spans.append(spans)
            verdicts, several = {}, None
            if len(spans) > 1:
                mentions = [(span.label_, span.start, span.end) for span in spans]
                if len({brand for brand, _, _ in mentions}) > 1:
                    for brand, rows in mention_rows(post, mentions, featurizer.table).items():
                        if rows:  # a brand named past the rows read keeps the post's sentiment
                            requests[lang].append((rows, index, brand))
                    verdicts = compared_brands(post, mentions, featurizer.table)
                    several = (post, mentions, featurizer.table)
            doc_verdicts.append(verdicts)
            doc_mentions.append(several)
        results: list[dict[str | None, dict]] = [{} for _ in docs]
        for lang, items in requests.items():
            if items:
                scored = self.models[lang].predict_rows([rows for rows, _, _ in items])
                for (_, index, brand), result in zip(items, scored):
                    results[index][brand] = result
        for doc, spans, by_brand, verdicts, several in zip(docs, doc_spans, results, doc_verdicts, doc_mentions):
            post = by_brand.pop(None)
            for brand, label in verdicts.items():
                sign = 1.0 if label == "positive" else -1.0
                by_brand[brand] = {"label": label, "score": sign * max(abs(by_brand.get(brand, post)["score"]), 0.5)}
            # The post's reading comes from what was read, before a contrast sets a neutral brand's label.
            set_doc_value(doc, "sentiment", _combine(post, by_brand.values()))
            if several is not None:
                _, mentions, _ = several
                labels = {brand: by_brand.get(brand, post)["label"] for brand, _, _ in mentions}
                if contrast := contrasted_brand(labels, *several):
                    brand, label = contrast
                    by_brand[brand] = {"label": label, "score": CONTRASTED_SCORE if label == "positive" else -CONTRASTED_SCORE}
            for span in spans:
                set_span_value(doc, "sentiment", span.start_char, span.end_char, dict(by_brand.get(span.label_, post)))


@Language.factory(
    "rete_sentiment",
    default_config={"lang": "auto", "model_paths": {}, "batch_size": 1000},
)
def make_sentiment(nlp: Language, name: str, lang: str, model_paths: dict[str, str], batch_size: int) -> SentimentComponent:
    """``lang``: "it", "en" or "auto" (follow ``doc._.lang``); ``model_paths``: language -> .npz, default
    ``models/artifacts/sentiment-<lang>.npz``."""
    return SentimentComponent(nlp, name, lang, model_paths, batch_size)

