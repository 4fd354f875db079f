"""A problem the brand put right, told with satisfaction, is praise: the ``rete_resolution`` component.

The public thank-you after a fault is what consultants most want to see ("screen cracked, swapped on the
spot, no questions asked"; "addebito doppio, rimborsato in giornata, grazie"). Such a post names the
fault, so the sentiment model and the complaint rules read it as a complaint, and the intents drop its
thanks as irony. This component, run after the intents and before ``rete_complaint_sentiment``, reads
the story's shape from cue files (``models/data/resolution/<lang>.jsonl``):

- ``resolved``: the fix, done ("fixed", "refunded", "sostituito", "tutto a posto"), not negated, not
  waited for or promised (a ``not_yet`` word or a negation in the ``BLOCKING_WINDOW`` tokens before it:
  "still not fixed", "will be replaced", "deve essere sostituito", "nobody refunded"), and not asked
  about (no "?" before the sentence ends);
- ``satisfied``: the customer is content with it: thanks, praise, an approving emoji, not negated
  ("not happy", "non lo consiglio");
- ``quick``: a quick fix ("on the spot", "in 20 mins", "subito") counts as satisfaction next to the fix
  only (``QUICK_WINDOW`` tokens): elsewhere "the next day" is as likely the day it broke again;
- ``grudging``: it took a fight or came back ("finally", "after 5 weeks", "ho dovuto", "rotto di
  nuovo"), anywhere;
- ``turn``: a contrast after the fix ("but", "però", "e invece", "not working"): what follows usually
  undoes it.

A post with a fix and satisfaction, and with neither a fight nor a turn after the fix, loses the
complaint intent, gains praise, and its negative, neutral or mixed sentiment turns positive (its mention
too). Any other post is left as it was: a grudging fix stays with the sentiment model, which reads those
as negative or mixed. So is a question (the ``question`` intent: "anyone had a screen replaced there?")
and a post naming several brands, whose intents are the post's: "@acme broke it, @bolt fixed it, thanks"
must keep its complaint to Acme.

Cue file lines: ``{"kind": "resolved", "phrase": "put it right"}`` (token by token, case-insensitive) or
``{"kind": "satisfied", "pattern": [...]}`` (a spaCy Matcher pattern).
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from models.extensions import MENTIONS_KEY, change_post_sentiment, doc_value, register_extensions, set_doc_value
from models.intents import NEGATIONS, RuleFile, phrasings, resolve_data_path
from models.tokenizer import comparable_word

CUE_KINDS = ("resolved", "satisfied", "quick", "grudging", "turn", "not_yet")
BLOCKING_WINDOW = 3
QUICK_WINDOW = 4
# The score of a problem put right: at least that of a post the model calls positive at its decision
# boundary (the mirror of complaint_sentiment.COMPLAINT_SCORE).
RESOLVED_SCORE = 0.5
_SENTENCE_ENDS = frozenset({".", "!", "\n", "…"})


def as_resolved(sentiment: dict | None) -> dict | None:
    """The sentiment of a problem put right: positive, with a score of at least RESOLVED_SCORE."""
    if sentiment is None or sentiment.get("label") == "positive":
        return sentiment
    return {"label": "positive", "score": max(sentiment.get("score", 0.0), RESOLVED_SCORE)}


class ResolutionReader:
    def __init__(self, nlp: Language, cues_path: Path):
        register_extensions()
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._patterns = Matcher(nlp.vocab)
        cue_file = RuleFile(cues_path, "kind", CUE_KINDS, ("phrase", "pattern"), nlp)
        for number, cue in cue_file:
            if "phrase" in cue:
                self._phrases.add(cue["kind"], phrasings(nlp, cue["phrase"]))
            else:
                cue_file.add_pattern(self._patterns, cue["kind"], number, cue["pattern"])
        self._strings = nlp.vocab.strings

    def __call__(self, doc: Doc) -> Doc:
        mentions = doc.spans.get(MENTIONS_KEY) or ()
        if len({span.label for span in mentions}) > 1 or "question" in doc_value(doc, "intents"):
            return doc
        if self.is_satisfied_resolution(doc):
            intents = set(doc_value(doc, "intents")) - {"complaint"} | {"praise"}
            set_doc_value(doc, "intents", sorted(intents))
            change_post_sentiment(doc, as_resolved)
        return doc

    def is_satisfied_resolution(self, doc: Doc) -> bool:
        cues: dict[str, list[int]] = {kind: [] for kind in CUE_KINDS}
        for match_id, start, _ in self._phrases(doc):
            cues[self._strings[match_id]].append(start)
        if not cues["resolved"]:
            return False  # most posts: the Matcher, slower per token, is not run
        for match_id, start, _ in self._patterns(doc):
            cues[self._strings[match_id]].append(start)
        if cues["grudging"]:
            return False
        words = [comparable_word(token.text) for token in doc]
        blockers = set(cues["not_yet"])

        def negated(start: int) -> bool:
            return any(position in blockers or words[position] in NEGATIONS
                       for position in range(max(0, start - BLOCKING_WINDOW), start))

        asked = _asked_about(doc)
        fixes = [start for start in cues["resolved"] if not negated(start) and not asked[start]]
        if not fixes or any(start > min(fixes) for start in cues["turn"]):
            return False
        near_fixes = {position for fix in fixes for position in range(fix - QUICK_WINDOW, fix + QUICK_WINDOW + 1)}
        return any(not negated(start) for start in cues["satisfied"]) or any(
            start in near_fixes for start in cues["quick"])


def _asked_about(doc: Doc) -> list[bool]:
    """For each token: a "?" follows it before its sentence ends ("has it been fixed?"). One pass from
    the end, so that a hostile post is read in linear time."""
    asked, question = [False] * len(doc), False
    for position in range(len(doc) - 1, -1, -1):
        asked[position] = question
        text = doc[position].text
        if text in _SENTENCE_ENDS:
            question = False
        elif "?" in text:
            question = True
    return asked


@Language.factory("rete_resolution", default_config={"cues": None})
def make_resolution_reader(nlp: Language, name: str, cues: str | None) -> ResolutionReader:
    return ResolutionReader(nlp, resolve_data_path(cues or f"{nlp.lang}.jsonl", "resolution"))
