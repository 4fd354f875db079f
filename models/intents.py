"""Intents as a spaCy component, registered as ``rete_intents``: ``doc._.intents`` is a sorted list of
``question``, ``complaint``, ``praise``, ``purchase_intent``, ``support_request`` (a post may carry several).

Rule-based on purpose: the patterns live in ``models/data/intents/<lang>.jsonl`` where a consultant can
read and extend them, and there is no labelled intent corpus to train on. Each line is one of::

    {"label": "question", "phrase": "qualcuno sa"}              token by token, case-insensitive
    {"label": "praise", "words": ["ottimo", "adoro"]}           any one of these tokens, case-insensitive
    {"label": "complaint", "pattern": [{"LIKE_NUM": true}, ...]} a spaCy Matcher pattern
    {"label": "question", "words": [...], "weak": true, "at_start": true}

``weak`` patterns count only when the post is addressed to someone (it mentions an @handle or replies to a
post): "come si cucina?" to a brand, not any sentence starting with "come". ``at_start`` patterns count
only at the start of the post (after leading @handles). Praise and purchase intent right after a negation
("non è il migliore", "not going to buy") do not count. A "?" outside a URL is a question.

Phrases go to a ``PhraseMatcher``, single words to a table keyed by the token's LOWER hash, and only real
multi-token patterns to a ``Matcher``: a Matcher holding a hundred one-word patterns was the slowest part
of the pipeline.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from models.extensions import doc_value, register_extensions, set_doc_value

INTENT_LABELS = ("question", "complaint", "praise", "purchase_intent", "support_request")
DATA_DIR = Path(__file__).parent / "data" / "intents"
NEGATIONS = frozenset({"non", "not", "n't", "never", "mai", "no", "nessun", "nessuna", "niente", "nothing",
                       "don't", "didn't", "won't", "isn't", "wasn't", "nemmeno", "neanche"})
NEGATION_WINDOW = 3
_NEGATABLE = frozenset({"praise", "purchase_intent"})


class PatternFileError(ValueError):
    pass


_URL = re.compile(r"https?://\S+|www\.\S+")


def _addressed(doc: Doc) -> bool:
    return bool(doc_value(doc, "meta").get("parent_id")) or ("@" in doc.text and any(t._.is_handle for t in doc))


def _has_question_mark(text: str) -> bool:
    return "?" in text and "?" in _URL.sub(" ", text)


class IntentTagger:
    def __init__(self, nlp: Language, patterns_path: Path):
        register_extensions()
        self.vocab = nlp.vocab
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._patterns = Matcher(nlp.vocab)
        self._word_rules: dict[int, list[str]] = defaultdict(list)  # LOWER hash -> rule keys
        self._rules: dict[str, tuple[str, bool, bool]] = {}  # rule key -> (label, weak, at_start)
        for number, rule in _read_rules(patterns_path):
            label, weak, at_start = rule["label"], bool(rule.get("weak")), bool(rule.get("at_start"))
            key = f"{label}|{number}"
            self._rules[key] = (label, weak, at_start)
            if "phrase" in rule:
                self._phrases.add(key, [nlp.make_doc(rule["phrase"])])
            elif "words" in rule:
                for word in rule["words"]:
                    self._word_rules[nlp.vocab.strings.add(str(word).lower())].append(key)
            else:
                try:
                    self._patterns.add(key, [rule["pattern"]])
                except (ValueError, KeyError, TypeError) as exc:
                    raise PatternFileError(f"{patterns_path}, line {number}: bad pattern: {exc}") from None

    def __call__(self, doc: Doc) -> Doc:
        strings = self.vocab.strings
        hits = [(strings[match_id], start) for match_id, start, _ in self._phrases(doc)]
        if len(self._patterns):
            hits += [(strings[match_id], start) for match_id, start, _ in self._patterns(doc)]
        for position, lower in enumerate(doc.to_array(LOWER).tolist()):
            for key in self._word_rules.get(lower, ()):
                hits.append((key, position))
        found: set[str] = set()
        addressed: bool | None = None
        for key, start in hits:
            label, weak, at_start = self._rules[key]
            if label in found:
                continue
            if at_start and not all(t._.is_handle or t.is_punct for t in doc[:start]):
                continue
            if weak:
                addressed = _addressed(doc) if addressed is None else addressed
                if not addressed:
                    continue
            if label in _NEGATABLE and self._negated(doc, start):
                continue
            found.add(label)
        if "question" not in found and _has_question_mark(doc.text):
            found.add("question")
        set_doc_value(doc, "intents", sorted(found))
        return doc

    @staticmethod
    def _negated(doc: Doc, start: int) -> bool:
        return any(t.lower_ in NEGATIONS for t in doc[max(0, start - NEGATION_WINDOW) : start])


def _read_rules(path: Path):
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise PatternFileError(f"cannot read intent patterns {path}: {exc.strerror}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rule = json.loads(line)
        except json.JSONDecodeError as exc:
            raise PatternFileError(f"{path}, line {number}: not JSON: {exc.msg}") from None
        if not isinstance(rule, dict) or rule.get("label") not in INTENT_LABELS:
            raise PatternFileError(f"{path}, line {number}: label must be one of {', '.join(INTENT_LABELS)}")
        if sum(kind in rule for kind in ("phrase", "words", "pattern")) != 1:
            raise PatternFileError(f"{path}, line {number}: give exactly one of 'phrase', 'words' or 'pattern'")
        if "words" in rule and not (isinstance(rule["words"], list) and rule["words"]):
            raise PatternFileError(f"{path}, line {number}: 'words' must be a non-empty list")
        yield number, rule


def resolve_data_path(value: str, kind: str) -> Path:
    """A path from a pipeline config: absolute, or relative to ``models/data/<kind>/``."""
    path = Path(value)
    return path if path.is_absolute() else Path(__file__).parent / "data" / kind / path


@Language.factory("rete_intents", default_config={"patterns": None})
def make_intent_tagger(nlp: Language, name: str, patterns: str | None) -> IntentTagger:
    return IntentTagger(nlp, resolve_data_path(patterns or f"{nlp.lang}.jsonl", "intents"))
