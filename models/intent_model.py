"""Learned intents, the ``rete_intent_model`` component: what the intent rules miss, read from labelled posts.

The rules (``models/intents.py``) are precise but know only the cues written into them. Customers complain
by stating facts ("booked for the 12th, today is the 26th"), praise through a story ("the plumber was there
in 40 minutes and didn't charge the call-out") and ask for help in words no list holds. A linear model per
language, with one logistic head per learned intent over the sentiment model's features (hashed words,
pairs and prefixes, lexicon and cue counts: ``models/sentiment.py``), reads those from Rete's labelled
posts (``models/data/customer_posts_<lang>.jsonl``, ``brand_news_<lang>.jsonl`` and
``resolution_posts_<lang>.jsonl``, the ``intents`` field): the brand news teach it that bad news about a brand
is not a customer's complaint, the resolution posts that thanks for a fix are praise. The component runs
after the rules and adds the intents whose head's probability reaches ``threshold`` to posts aimed at
someone (naming a brand, @mentioning an account or replying); it never removes one.

Only the intents where the model adds to the rules across domains are learned (BENCHMARKS.md: a domain
held out at a time). Questions and purchase intent stay with the rules, which already find nearly all of
them on these posts.

Train or retrain: ``rete train intents --lang it|en`` (the committed artefacts), with ``--data MINE.jsonl
--with-base --out PATH`` for a consultant's own labelled posts; ``--evaluate`` prints the cross-domain table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import add
from pathlib import Path

import numpy as np
from scipy.special import expit
from spacy.language import Language
from spacy.tokens import Doc

from models.extensions import MENTIONS_KEY, TokenTable, doc_value, is_feed_item, is_tag, set_doc_value, token_orths
from models.intents import INTENT_LABELS
from models.jsonl import read_objects
from models.sentiment import Featurizer, LinearHeads, LinearHeadsComponent
from models.tokenizer import HANDLE
from models.train import fit_heads, rete_post_paths

LEARNED_INTENTS = ("complaint", "praise", "support_request")
# A learned intent is not added against the post's sentiment: "thanks for fixing it so fast!" mentions a
# fault, yet is no complaint. (The rules read praise in a negative post as irony for the same reason.)
CONTRADICTED_BY = {"complaint": "positive", "praise": "negative"}


def contradicts(intent: str, sentiment_label: str | None) -> bool:
    return sentiment_label is not None and CONTRADICTED_BY.get(intent) == sentiment_label
# The probability a head must reach. Above 0.5 (the balanced-weight boundary), because the rules already
# find the clear cases and a wrong complaint costs a consultant more than a missed one.
DEFAULT_THRESHOLD = 0.7
C = 1.0  # liblinear's inverse regularisation; the sentiment heads' order of magnitude, not tuned
HANDLE_PATTERN = re.compile(HANDLE)


class IntentModel(LinearHeads):
    KIND = "intents"
    HEADS = LEARNED_INTENTS

    def probabilities(self, posts: Sequence[Sequence[int]]) -> np.ndarray:
        """P(intent) per post (table rows) and learned intent; 0 for a post without words."""
        if not posts:
            return np.zeros((0, len(self.HEADS)))
        logits, nonempty = self.logits(posts)
        return expit(logits) * nonempty[:, None]


class IntentModelComponent(LinearHeadsComponent):
    """Adds to ``doc._.intents`` the learned intents whose probability reaches ``threshold``."""

    MODEL = IntentModel

    def __init__(self, nlp: Language, name: str, lang: str, model_paths: dict[str, str], threshold: float,
                 batch_size: int) -> None:
        super().__init__(nlp, name, lang, model_paths, batch_size)
        if not 0 < threshold < 1:
            raise ValueError(f"{name}: threshold must be between 0 and 1, got {threshold}")
        self.threshold = threshold
        self.vocab = nlp.vocab
        # Whether a token text is an @handle, decided once per distinct text (half of this component's time
        # went to looking up every token's text and checking it, post after post).
        self._is_handle = TokenTable(nlp.vocab.strings, _is_handle_text)

    def _annotate(self, docs: list[Doc]) -> None:
        by_lang: dict[str, list[int]] = {}
        for index, doc in enumerate(docs):
            if self._has_model_for(doc) and self._addresses_someone(doc):
                by_lang.setdefault(self.language_of(doc), []).append(index)
        for lang, indices in by_lang.items():
            model = self.models[lang]
            found = model.probabilities([model.featurizer.rows_of_doc(docs[i]) for i in indices]) >= self.threshold
            for index, row in zip(indices, found.tolist()):
                if any(row):
                    doc = docs[index]
                    sentiment = (doc_value(doc, "sentiment") or {}).get("label")
                    learned = {intent for intent, hit in zip(model.HEADS, row) if hit and not contradicts(intent, sentiment)}
                    if learned:
                        set_doc_value(doc, "intents", sorted(learned.union(doc_value(doc, "intents"))))

    def _has_model_for(self, doc: Doc) -> bool:
        # Unlike sentiment, which every post needs, a learned intent is not guessed for a post in a language
        # without a model (Spanish read by the Italian one), nor for one too short to tell ("und").
        return not self.follows_doc_lang or doc_value(doc, "lang") in self.models

    def _addresses_someone(self, doc: Doc) -> bool:
        """Intents are aimed at a brand: the post names one, @mentions an account or replies to a post. The
        model learned from posts to brands, and reads "che bello, giornata al mare" as praise of nobody. A feed
        item is an article, not a customer (:func:`models.extensions.is_feed_item`)."""
        if is_feed_item(doc):
            return False
        if doc.spans.get(MENTIONS_KEY) or doc_value(doc, "meta").get("parent_id"):
            return True
        # A doc made by another pipeline (the component used alone) holds token texts this vocabulary may lack.
        is_handle = self._is_handle if doc.vocab is self.vocab else TokenTable(doc.vocab.strings, _is_handle_text)
        return any(is_handle.lookup(token_orths(doc)))


def _is_handle_text(text: str) -> bool:
    return is_tag(text, "@")


@Language.factory(
    "rete_intent_model",
    default_config={"lang": "auto", "model_paths": {}, "threshold": DEFAULT_THRESHOLD, "batch_size": 1000},
)
def make_intent_model(nlp: Language, name: str, lang: str, model_paths: dict[str, str], threshold: float,
                      batch_size: int) -> IntentModelComponent:
    """``lang``: "it", "en" or "auto" (follow ``doc._.lang``); ``model_paths``: language -> .npz, default
    ``models/artifacts/intents-<lang>.npz``; ``threshold``: the probability an intent needs."""
    return IntentModelComponent(nlp, name, lang, model_paths, threshold, batch_size)


# --- training data and fitting -----------------------------------------------------------------------------


@dataclass
class IntentLabelled:
    texts: list[str]
    intents: list[list[str]]
    domains: list[str]

    def __add__(self, other: IntentLabelled) -> IntentLabelled:
        return IntentLabelled(self.texts + other.texts, self.intents + other.intents, self.domains + other.domains)

    def targets(self) -> list[np.ndarray]:
        return [np.array([intent in labels for labels in self.intents], dtype=int) for intent in LEARNED_INTENTS]


def load_intent_jsonl(path: Path) -> IntentLabelled:
    """Posts labelled with intents: ``{"text": ..., "intents": [...], "domain": ...}`` (domain optional)."""
    if not path.is_file():
        raise FileNotFoundError(f"labelled data not found: {path}")
    data = IntentLabelled([], [], [])
    for number, record in read_objects(path, ValueError):
        text, intents = record.get("text"), record.get("intents")
        if (not isinstance(text, str) or not isinstance(intents, list)
                or not all(isinstance(intent, str) and intent in INTENT_LABELS for intent in intents)):
            raise ValueError(f"{path}, line {number}: needs a string 'text' and an 'intents' list "
                             f"(of {', '.join(INTENT_LABELS)}), got intents {intents!r}")
        data.texts.append(text)
        data.intents.append(intents)
        data.domains.append(str(record.get("domain") or path.name))
    if not data.texts:
        raise ValueError(f"{path}: no labelled posts")
    return data


def rete_intent_posts(lang: str) -> IntentLabelled:
    """Rete's own labelled posts with their intents (customer posts, brand news, resolution posts), the base
    training data."""
    return reduce(add, map(load_intent_jsonl, rete_post_paths(lang)))


def fit_intents(data: IntentLabelled, lang: str, meta: dict | None = None) -> IntentModel:
    for target, intent in zip(data.targets(), LEARNED_INTENTS):
        if target.min() == target.max():
            raise ValueError(f"training data needs posts with and without the intent {intent!r}")
    coef, intercept = fit_heads(Featurizer(lang).transform(data.texts), data.targets(), C, nb_weighted=False)
    return IntentModel(lang, coef, intercept, {**(meta or {}), "examples": len(data.texts), "C": C})


def held_out_by_domain(data: IntentLabelled, lang: str) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(held-out index, P(intent) of those posts) for each domain, fitted on the other domains: how the
    model does on a kind of business it has not seen."""
    domains = np.array(data.domains)
    if len(set(data.domains)) < 2:
        raise ValueError("holding a domain out needs posts of at least two domains (the 'domain' field)")
    features = Featurizer(lang).transform(data.texts)
    targets = data.targets()
    for domain in sorted(set(data.domains)):
        held = np.flatnonzero(domains == domain)
        fitted = np.flatnonzero(domains != domain)
        for target, intent in zip(targets, LEARNED_INTENTS):
            if target[fitted].min() == target[fitted].max():
                raise ValueError(f"without domain {domain!r} no post is labelled both with and without {intent!r}")
        coef, intercept = fit_heads(features[fitted], [t[fitted] for t in targets], C, nb_weighted=False)
        yield held, expit(features[held] @ coef + intercept)


@dataclass
class PipelineReading:
    """What the pipeline without the learned intents finds in a post (intents, sentiment label), and whether
    the learned intents would look at it (it is aimed at someone)."""

    intents: list[str]
    sentiment: str
    aimed: bool


def rules_reading(data: IntentLabelled, lang: str) -> list[PipelineReading]:
    """The pipeline without the learned intents (rules, sentiment) on the posts, every @handle in them
    configured as a brand. Posts that name their brand only in plain words are not aimed at anyone here,
    as in a workspace that had not configured that brand."""
    from models.enrich import Enricher
    from rete.config import BrandEntry

    handles = sorted({handle for text in data.texts for handle in HANDLE_PATTERN.findall(text)}, key=str.lower)
    # Without complaint_sentiment too: the learned intents read the sentiment before it turns complaints negative.
    enricher = Enricher([BrandEntry(name=handle[1:], handles=[handle]) for handle in handles], (lang,),
                        without=("intent_model", "complaint_sentiment"))
    records = [{"id": str(number), "text": text, "lang": lang} for number, text in enumerate(data.texts)]
    # Aimed as the component judges it: a mention (each handle's name is a brand, so "LumenAssicura" written
    # without @ counts) or any @handle.
    return [PipelineReading(record["intents"], record["sentiment"]["label"],
                            bool(record["mentions"]) or bool(HANDLE_PATTERN.search(record["text"])))
            for record in enricher.enrich(records)]


@dataclass
class IntentScore:
    intent: str
    reader: str  # see READERS
    precision: float
    recall: float
    f1: float
    support: int


READERS = {
    "rules": "the rules alone",
    "model": "the model alone, on every post",
    "rules + model": "the pipeline where every post names a configured brand (these posts are all to or about one)",
    "rules + model, @ only": "the pipeline where only posts with an @handle are aimed at someone",
}


def cross_domain_scores(data: IntentLabelled, lang: str, threshold: float = DEFAULT_THRESHOLD) -> list[IntentScore]:
    """Each learned intent as the READERS find it on the posts of ``data``, the model's domain held out."""
    from sklearn.metrics import precision_recall_fscore_support

    probabilities = np.zeros((len(data.texts), len(LEARNED_INTENTS)))
    for held, held_probabilities in held_out_by_domain(data, lang):
        probabilities[held] = held_probabilities
    readings = rules_reading(data, lang)
    aimed = np.array([reading.aimed for reading in readings])
    scores = []
    for column, (intent, target) in enumerate(zip(LEARNED_INTENTS, data.targets())):
        rules = np.array([intent in reading.intents for reading in readings])
        model = probabilities[:, column] >= threshold
        # What the component adds: not against the post's sentiment (CONTRADICTED_BY).
        added = model & np.array([not contradicts(intent, reading.sentiment) for reading in readings])
        guesses = {"rules": rules, "model": model, "rules + model": rules | added,
                   "rules + model, @ only": rules | (added & aimed)}
        for reader, guess in guesses.items():
            p, r, f, _ = precision_recall_fscore_support(target, guess, average="binary", zero_division=0)
            scores.append(IntentScore(intent, reader, float(p), float(r), float(f), int(target.sum())))
    return scores
