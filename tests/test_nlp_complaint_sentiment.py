"""``rete_complaint_sentiment``: a complaint the intents found is negative towards the brand."""

from __future__ import annotations

import spacy
from spacy.tokens import Span

import models.complaint_sentiment  # noqa: F401  (registers rete_complaint_sentiment)
from models.complaint_sentiment import COMPLAINT_SCORE
from models.enrich import Enricher
from models.extensions import MENTIONS_KEY, set_doc_value, set_span_value, span_value
from rete.config import BrandEntry

NEUTRAL = {"label": "neutral", "score": 0.1}
POSITIVE = {"label": "positive", "score": 0.6}


def tagged(text: str, intents: list[str], post: dict, mentions: list[tuple[int, int, str, dict]]):
    nlp = spacy.blank("en")
    component = nlp.add_pipe("rete_complaint_sentiment")
    doc = nlp.make_doc(text)
    set_doc_value(doc, "intents", intents)
    set_doc_value(doc, "sentiment", post)
    doc.spans[MENTIONS_KEY] = [Span(doc, start, end, label=brand) for start, end, brand, _ in mentions]
    for span, (_, _, _, sentiment) in zip(doc.spans[MENTIONS_KEY], mentions):
        set_span_value(doc, "sentiment", span.start_char, span.end_char, sentiment)
    doc = component(doc)
    return doc._.sentiment, [span_value(doc, "sentiment", s.start_char, s.end_char) for s in doc.spans[MENTIONS_KEY]]


def test_a_neutral_complaint_turns_negative_with_its_mentions_when_it_names_one_brand():
    post, mentions = tagged("Acme day 4 no broadband Acme", ["complaint"], NEUTRAL,
                            [(0, 1, "Acme", NEUTRAL), (5, 6, "Acme", NEUTRAL)])
    assert post == {"label": "negative", "score": COMPLAINT_SCORE}
    assert mentions == [post, post]


def test_only_complaints_and_only_neutral_sentiment_change():
    assert tagged("Acme thanks", ["praise"], NEUTRAL, [(0, 1, "Acme", NEUTRAL)]) == (NEUTRAL, [NEUTRAL])
    assert tagged("Acme great", ["complaint"], POSITIVE, [(0, 1, "Acme", POSITIVE)]) == (POSITIVE, [POSITIVE])
    assert tagged("no brand here", ["complaint"], {"label": "neutral", "score": -0.7}, []) == (
        {"label": "negative", "score": -0.7}, [])


def test_with_several_brands_each_mention_keeps_its_own_sentiment():
    post, mentions = tagged("Acme ok Bolt late", ["complaint"], NEUTRAL,
                            [(0, 1, "Acme", NEUTRAL), (2, 3, "Bolt", NEUTRAL)])
    assert post["label"] == "negative"
    assert mentions == [NEUTRAL, NEUTRAL]


def test_in_the_pipeline_no_complaint_reads_as_neutral():
    enricher = Enricher([BrandEntry(name="Fibrex", aliases=["Fibrex"], handles=["@fibrex"])], languages=("it", "en"))
    posts = ["@fibrex still waiting for the engineer, 3 weeks now", "@fibrex ancora nessuna risposta dopo 10 giorni",
             "@fibrex il pacco non è mai arrivato", "@fibrex nobody has called me back"]
    out = list(enricher.enrich({"id": i, "text": text} for i, text in enumerate(posts)))
    complaints = [record for record in out if "complaint" in record["intents"]]
    assert len(complaints) >= 3
    for record in complaints:
        assert record["sentiment"]["label"] in ("negative", "mixed")
        assert all(m["sentiment"]["label"] in ("negative", "mixed") for m in record["mentions"])
