"""A complaint is negative towards the brand: the ``rete_complaint_sentiment`` component, run after intents.

The sentiment model learned what feelings look like from tweets rated for sentiment; "day 4 with no
broadband, nobody showed" or "ancora nessuna risposta" hold no sentiment word and can read as neutral.
The intent rules (``models/intents.py``) know what a complaint looks like. So a post they tag
``complaint`` whose sentiment is neutral becomes negative, with a score at least as low as a post the
model itself calls negative at its decision boundary (P(negative) = 0.5, P(positive) = 0, so -0.5).
Its mentions follow when the post names one brand; in a post naming several, each mention keeps the
sentiment aimed at it (the complaint may be about one of them only). Positive and mixed posts are left
as they are: a complaint rule firing on a post the model reads as positive is as likely irony as a
rule's mistake.

Measured on the hand-labelled customer sets (BENCHMARKS.md): it moves few posts, all towards what
consultants expect from a complaint.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from models.extensions import change_post_sentiment, doc_value, register_extensions

COMPLAINT_SCORE = -0.5


def as_complaint(sentiment: dict | None) -> dict | None:
    """The sentiment of a complaint: a neutral one turns negative; others are returned unchanged."""
    if sentiment is None or sentiment.get("label") != "neutral":
        return sentiment
    return {**sentiment, "label": "negative", "score": min(sentiment.get("score", 0.0), COMPLAINT_SCORE)}


class ComplaintSentiment:
    def __init__(self) -> None:
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        if "complaint" in doc_value(doc, "intents"):
            change_post_sentiment(doc, as_complaint)
        return doc


@Language.factory("rete_complaint_sentiment")
def make_complaint_sentiment(nlp: Language, name: str) -> ComplaintSentiment:
    return ComplaintSentiment()
