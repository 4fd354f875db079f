"""``rete eval``: per-class precision, recall, F1 and macro-F1 of a task on a labelled JSONL file.

Tasks live in :data:`TASKS`, a dict from name to :class:`EvalTask`: ``sentiment``, ``intent``,
``brands`` and ``mention_sentiment``. Each scores what ``rete enrich`` outputs, the whole pipeline, so that the figures are those
consultants get (post sentiment includes the complaint rule of ``models/complaint_sentiment.py``).

Labelled files have one JSON object per line with ``text``, the task's gold field, and optionally ``lang``,
``author``, ``source``, ``parent_id`` (used as in ``rete enrich``):

- sentiment: ``{"text": "...", "label": "negative"}`` (positive, negative, neutral, mixed; a file without
  ``mixed`` is scored on three classes, a post read as mixed counting as neutral);
- intent: ``{"text": "...", "intents": ["question", "complaint"]}`` (an empty list is a valid label);
- brands: ``{"text": "...", "brands": ["Barilla"]}`` with the brand definitions from ``--brands`` or
  ``--workspace``. Scored per post: is brand X named in this post?
- mention_sentiment: ``{"text": "...", "mentions": {"Barilla": "negative", "De Cecco": "positive"}}``, the
  sentiment aimed at each brand the post names, with the brand definitions. Scored per (post, brand): the
  sentiment of that brand's mentions, ``none`` when the brand was not found. ``post_level_macro_f1`` is
  the same score had every brand taken the post's sentiment as Rete outputs it, which is ``mixed`` when the
  post's brands read in opposite tones: a lower bound of what a tool reading whole posts gets.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from models.jsonl import read_objects
from rete.config import BrandEntry

class LabelledDataError(ValueError):
    """A labelled file is unreadable or a line is malformed; the message names the file and line."""


@dataclass(frozen=True)
class ClassScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int  # gold examples with this label
    predicted: int


@dataclass(frozen=True)
class EvalReport:
    task: str
    examples: int
    scores: list[ClassScore]
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def macro_f1(self) -> float:
        return sum(s.f1 for s in self.scores) / len(self.scores) if self.scores else 0.0

    def as_dict(self) -> dict:
        return {
            "task": self.task,
            "examples": self.examples,
            "classes": [vars(s) for s in self.scores],
            "macro_f1": self.macro_f1,
            **self.extra,
        }


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def class_scores(
    gold: Sequence[Collection[str]], predicted: Sequence[Collection[str]], labels: Sequence[str] | None = None
) -> list[ClassScore]:
    """Per-label scores where every example has a set of labels (single-label tasks pass one-element
    sets). A label never gold nor predicted is left out unless listed in ``labels``; scores that divide
    by zero are 0."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold examples but {len(predicted)} predictions")
    names = list(labels) if labels is not None else sorted({l for g in gold for l in g} | {l for p in predicted for l in p})
    scores = []
    for label in names:
        true_positive = sum(1 for g, p in zip(gold, predicted) if label in g and label in p)
        support = sum(1 for g in gold if label in g)
        predicted_count = sum(1 for p in predicted if label in p)
        precision, recall = _ratio(true_positive, predicted_count), _ratio(true_positive, support)
        f1 = _ratio(2 * precision * recall, precision + recall) if precision + recall else 0.0
        scores.append(ClassScore(label, precision, recall, f1, support, predicted_count))
    return scores


@dataclass(frozen=True)
class EvalSettings:
    """The NLP settings a task (or ``rete enrich``) runs with: brands, languages, extra themes and a workspace's
    own trained models."""

    brands: list[BrandEntry] = field(default_factory=list)
    languages: tuple[str, ...] = ("it", "en")
    themes: dict[str, list[str]] = field(default_factory=dict)
    model_paths: dict[str, dict[str, str]] = field(default_factory=dict)  # a workspace's own trained models


Predictor = Callable[[list[dict], EvalSettings], list[set[str]]]


@dataclass(frozen=True)
class EvalTask:
    name: str
    help: str
    gold_field: str  # the labelled file's field holding a label or a list of labels
    predict: Predictor | None = None  # every task but those with score_units
    labels: tuple[str, ...] | None = None  # fixed label set; None: the labels seen in gold and predictions
    # The labels a gold example may carry (given the settings): a typo ("Positive", "negativo", a misspelt
    # brand) is an error naming its line, not a class of its own that drags macro-F1 down.
    valid_gold: Callable[[EvalSettings], Collection[str]] | None = None
    needs_brands: bool = False
    extra_metrics: Callable[[list[set[str]], list[set[str]]], dict[str, float]] | None = None
    # A predicted label that no gold example uses counts as another: a 3-class sentiment file has no
    # "mixed", and a post read as mixed counts as neutral there (as in BENCHMARKS.md's 3-class figures).
    folded_when_unused: dict[str, str] = field(default_factory=dict)
    # Classes are the gold labels only: a prediction outside them ("none", a brand not found) is an error of
    # the gold class, not a class of its own with F1 0.
    gold_labels_only: bool = False
    # For a task whose unit is not the post: reads the file itself and returns gold and predicted label sets
    # per unit, and extra metrics (then predict and extra_metrics are not used).
    score_units: Callable[[Path, EvalSettings], tuple[list[set[str]], list[set[str]], dict[str, float]]] | None = None


TASKS: dict[str, EvalTask] = {}


def register_task(task: EvalTask) -> None:
    TASKS[task.name] = task


def load_labelled(path: Path, gold_field: str, valid: Collection[str] | None = None) -> list[dict]:
    """The labelled examples, gold labels as lists; with ``valid``, every gold label must be one of them."""
    records = []
    for number, record in _labelled_lines(path):
        gold = record.get(gold_field)
        if isinstance(gold, str):
            gold = [gold]
        if not isinstance(gold, list) or not all(isinstance(label, str) for label in gold):
            raise LabelledDataError(f"{path}, line {number}: '{gold_field}' must be a label or a list of labels")
        unknown = [label for label in gold if valid is not None and label not in valid]
        if unknown:
            raise LabelledDataError(
                f"{path}, line {number}: {gold_field} {unknown[0]!r} is not one of {', '.join(sorted(valid))}"
            )
        records.append({**record, "id": record.get("id", number), gold_field: gold})
    return records


def _labelled_lines(path: Path) -> list[tuple[int, dict]]:
    """(line number, object) of a labelled file, each with a string ``text``; at least one."""
    lines = list(read_objects(path, LabelledDataError))
    for number, record in lines:
        if not isinstance(record.get("text"), str):
            raise LabelledDataError(f"{path}, line {number}: needs a JSON object with a string 'text'")
    if not lines:
        raise LabelledDataError(f"{path} has no labelled examples")
    return lines


def evaluate_file(task: EvalTask, path: Path, settings: EvalSettings) -> EvalReport:
    if task.score_units is not None:
        gold, predicted, extra = task.score_units(path, settings)
    else:
        records = load_labelled(path, task.gold_field, task.valid_gold(settings) if task.valid_gold else None)
        gold = [set(record[task.gold_field]) for record in records]
        predicted = task.predict(records, settings)
        # Extra metrics see the predictions before folding: the SENTIPOLC measure counts "mixed" as both.
        extra = task.extra_metrics(gold, predicted) if task.extra_metrics else {}
    predicted = fold_unused(gold, predicted, task.folded_when_unused)
    labels = sorted(set().union(*gold)) if task.gold_labels_only else task.labels
    return EvalReport(task.name, len(gold), class_scores(gold, predicted, labels), extra)


def fold_unused(gold: list[set[str]], predicted: list[set[str]], folds: dict[str, str]) -> list[set[str]]:
    """Predicted labels that no gold example uses, folded into another (``EvalTask.folded_when_unused``)."""
    used = set().union(*gold)
    folds = {label: into for label, into in folds.items() if label not in used}
    return [{folds.get(label, label) for label in labels} for labels in predicted]


def _enrich(records: list[dict], settings: EvalSettings, without: tuple[str, ...] = ("sentiment",)) -> list[dict]:
    from models.enrich import OPTIONAL_FIELDS, Enricher, record_problem

    enricher = Enricher(settings.brands, settings.languages, settings.themes, without=without,
                        model_paths=settings.model_paths)
    inputs = [{k: v for k, v in r.items() if k in ("id", "text", *OPTIONAL_FIELDS)} for r in records]
    for record in inputs:
        problem = record_problem(record)
        if problem:
            raise LabelledDataError(f"example {record['id']}: {problem}")
    return list(enricher.enrich(inputs))


def _predict_sentiment(records: list[dict], settings: EvalSettings) -> list[set[str]]:
    return [{out["sentiment"]["label"]} for out in _enrich(records, settings, without=())]


def _predict_intents(records: list[dict], settings: EvalSettings) -> list[set[str]]:
    # Intents read the post's sentiment (a negative post addressed to a brand is a complaint): keep it.
    return [set(out["intents"]) for out in _enrich(records, settings, without=())]


def _predict_brands(records: list[dict], settings: EvalSettings) -> list[set[str]]:
    return [{m["brand"] for m in out["mentions"]} for out in _enrich(records, settings)]


def _score_mentions(path: Path, settings: EvalSettings) -> tuple[list[set[str]], list[set[str]], dict[str, float]]:
    """Gold and predicted sentiment per (post, brand) of a ``mentions`` file; see the module docstring."""
    brands, labels = set(_brand_names(settings)), set(_sentiment_labels())
    records = []
    for number, record in _labelled_lines(path):
        mentions = record.get("mentions")
        if not isinstance(mentions, dict) or not mentions:
            raise LabelledDataError(f"{path}, line {number}: 'mentions' must be an object from brand names to "
                                    "sentiment labels")
        for brand, label in mentions.items():
            if brand not in brands:
                raise LabelledDataError(f"{path}, line {number}: brand {brand!r} is not one of the given brands")
            if label not in labels:
                raise LabelledDataError(f"{path}, line {number}: label {label!r} is not one of {', '.join(sorted(labels))}")
        records.append({**record, "id": record.get("id", number)})
    gold, per_mention, per_post = [], [], []
    for record, out in zip(records, _enrich(records, settings, without=())):
        found = {m["brand"]: m["sentiment"]["label"] for m in out["mentions"]}
        for brand, label in record["mentions"].items():
            gold.append({label})
            per_mention.append({found.get(brand, "none")})
            per_post.append({out["sentiment"]["label"] if brand in found else "none"})
    per_post = fold_unused(gold, per_post, SENTIMENT_FOLDS)
    post_level = EvalReport("", len(gold), class_scores(gold, per_post, sorted(set().union(*gold))))
    extra = {
        "accuracy": _accuracy(gold, fold_unused(gold, per_mention, SENTIMENT_FOLDS)),
        "post_level_macro_f1": post_level.macro_f1,
        "post_level_accuracy": _accuracy(gold, per_post),
        "brands_found": _ratio(sum(p != {"none"} for p in per_mention), len(per_mention)),
    }
    return gold, per_mention, extra


def _accuracy(gold: list[set[str]], predicted: list[set[str]]) -> float:
    return _ratio(sum(g == p for g, p in zip(gold, predicted)), len(gold))


def _exact_match(gold: list[set[str]], predicted: list[set[str]]) -> dict[str, float]:
    return {"exact_match": _accuracy(gold, predicted)}


def _official_polarity_f(gold: list[set[str]], predicted: list[set[str]]) -> dict[str, float]:
    """SENTIPOLC 2014's polarity measure (``models.train.sentipolc_polarity_f``): BENCHMARKS.md's Italian
    target, printed for any sentiment file so that it can be read on posts other than the task's tweets."""
    from models.train import sentipolc_polarity_f

    return {"official_polarity_f": sentipolc_polarity_f([min(g) for g in gold], [min(p) for p in predicted])}


def _intent_labels() -> tuple[str, ...]:
    from models.intents import INTENT_LABELS

    return INTENT_LABELS


def _sentiment_labels() -> tuple[str, ...]:
    from models.sentiment import LABELS

    return LABELS


def _brand_names(settings: EvalSettings) -> list[str]:
    return [brand.name for brand in settings.brands]


SENTIMENT_FOLDS = {"mixed": "neutral"}

register_task(EvalTask(
    name="sentiment",
    help="post-level sentiment; gold field 'label' (positive, negative, neutral, mixed)",
    gold_field="label",
    predict=_predict_sentiment,
    extra_metrics=_official_polarity_f,
    folded_when_unused=SENTIMENT_FOLDS,
    valid_gold=lambda settings: _sentiment_labels(),
))
register_task(EvalTask(
    name="intent",
    help="intents per post; gold field 'intents' (list)",
    gold_field="intents",
    predict=_predict_intents,
    labels=_intent_labels(),
    extra_metrics=_exact_match,
    valid_gold=lambda settings: _intent_labels(),
))
register_task(EvalTask(
    name="brands",
    help="brands named per post; gold field 'brands' (list); needs --brands or --workspace",
    gold_field="brands",
    predict=_predict_brands,
    needs_brands=True,
    extra_metrics=_exact_match,
    valid_gold=_brand_names,
))
register_task(EvalTask(
    name="mention_sentiment",
    help="sentiment aimed at each brand a post names; gold field 'mentions' ({brand: label}); needs --brands or --workspace",
    gold_field="mentions",
    needs_brands=True,
    folded_when_unused=SENTIMENT_FOLDS,
    gold_labels_only=True,
    score_units=_score_mentions,
))
