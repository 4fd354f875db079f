"""``rete_resolution``: a problem put right, told with satisfaction, is praise and positive."""

from __future__ import annotations

import json

import pytest
import spacy
from spacy.tokens import Span

import models.resolution  # noqa: F401  (registers rete_resolution)
from models.enrich import Enricher
from models.extensions import MENTIONS_KEY, set_doc_value, set_span_value, span_value
from models.intents import PatternFileError
from models.resolution import RESOLVED_SCORE
from models.tokenizer import build_social_tokenizer
from rete.config import BrandEntry

NEGATIVE = {"label": "negative", "score": -0.8}
NEUTRAL = {"label": "neutral", "score": 0.0}


def read(lang: str, text: str, intents: tuple[str, ...] = ("complaint",), sentiment=NEGATIVE,
         brands: tuple[str, ...] = ()):
    """The component alone on a post as the earlier components left it: ``brands`` are mentioned by their
    name's first occurrence, each with the post's sentiment."""
    nlp = spacy.blank(lang)
    nlp.tokenizer = build_social_tokenizer(nlp)
    component = nlp.add_pipe("rete_resolution")
    doc = nlp.make_doc(text)
    set_doc_value(doc, "intents", sorted(intents))
    set_doc_value(doc, "sentiment", sentiment)
    words = [token.text for token in doc]
    doc.spans[MENTIONS_KEY] = [Span(doc, words.index(b), words.index(b) + 1, label=b) for b in brands]
    for span in doc.spans[MENTIONS_KEY]:
        set_span_value(doc, "sentiment", span.start_char, span.end_char, sentiment)
    doc = component(doc)
    mentions = [span_value(doc, "sentiment", s.start_char, s.end_char) for s in doc.spans[MENTIONS_KEY]]
    return doc._.intents, doc._.sentiment, mentions


RESOLVED = {"label": "positive", "score": RESOLVED_SCORE}


@pytest.mark.parametrize("lang, text", [
    ("en", "Screen cracked on day two, Acme swapped it on the spot, no questions asked"),
    ("en", "Charged twice. Sorted in one call and refunded within 2 hours. Thanks Acme"),
    ("it", "Addebito doppio, Acme mi ha rimborsato in giornata. Grazie!"),
    ("it", "la caldaia era rotta, tecnico di Acme venuto subito e ha sostituito il pezzo 👍"),
])
def test_a_fix_told_with_satisfaction_is_praise_and_positive_with_its_brand(lang, text):
    intents, post, mentions = read(lang, text, brands=("Acme",))
    assert intents == ["praise"]
    assert post == RESOLVED
    assert mentions == [RESOLVED]


@pytest.mark.parametrize("lang, text", [
    ("en", "Still not fixed after the engineer came, thanks Acme"),            # negated
    ("en", "Acme says it will be replaced next week, great"),                  # promised, not done
    ("en", "Has my refund been processed yet? Thanks Acme"),                    # no fix word done
    ("en", "Acme, has it been fixed? thanks"),                                  # asked about
    ("en", "Acme finally refunded me after 5 weeks, thanks"),                   # a fight
    ("en", "Acme fixed the boiler quickly, thanks. But now the radiators leak"),  # a turn after the fix
    ("en", "Acme rebooked my flight for Thursday, no hotel. Thanks for nothing"),
    ("en", "Acme replaced the router"),                                         # no satisfaction said
    ("en", "Acme replaced the part, not happy with the result"),               # satisfaction negated
    ("en", "I haven’t been refunded by Acme, thanks"),                        # a phone's apostrophe
    ("en", "Nobody at Acme has refunded me yet, I called straight away"),
    ("en", "Acme repaired it on Monday and it broke again the next day"),      # it came back
    ("en", "Oh great, Acme fixed my phone and now it won't turn on"),
    ("it", "Acme non ha ancora sostituito il pezzo, grazie"),
    ("it", "Acme dice che verrà sostituito, grazie"),
    ("it", "Rimborsato da Acme dopo 3 solleciti, grazie"),
    ("it", "Acme ha sistemato la linea in giornata, però ora non va la tv"),
    ("it", "Riparato da Acme, non lo consiglio a nessuno"),
    ("it", "Acme mi ha rimborsato metà, vi consiglio di stare alla larga"),
    ("it", "Sembrava tutto risolto, e invece di nuovo senza linea. Grazie Acme"),
    ("it", "Mi avevano detto che Acme l'avrebbe sostituito subito"),
])
def test_anything_short_of_a_satisfied_fix_is_left_as_it_was(lang, text):
    assert read(lang, text, brands=("Acme",)) == (["complaint"], NEGATIVE, [NEGATIVE])


def test_a_post_naming_several_brands_or_asking_is_left_as_it_was():
    # intents are the post's: the complaint may be to the other brand
    assert read("en", "Acme broke it and Bolt fixed it the same day, thanks", brands=("Acme", "Bolt")) == (
        ["complaint"], NEGATIVE, [NEGATIVE, NEGATIVE])
    assert read("en", "anyone had a screen replaced at Acme, happy with it", intents=("question",)) == (
        ["question"], NEGATIVE, [])


def test_a_positive_post_keeps_its_score():
    happy = {"label": "positive", "score": 0.9}
    assert read("en", "Fixed in a day, thank you", intents=(), sentiment=happy) == (["praise"], happy, [])


def test_a_bad_cue_file_names_its_line(tmp_path):
    cues = tmp_path / "cues.jsonl"
    cues.write_text(json.dumps({"kind": "resolved", "phrase": "fixed"}) + "\n"
                    + json.dumps({"kind": "happy", "phrase": "thanks"}) + "\n")
    nlp = spacy.blank("en")
    with pytest.raises(PatternFileError, match=rf"{cues}, line 2: kind must be one of"):
        nlp.add_pipe("rete_resolution", config={"cues": str(cues)})


def test_in_the_pipeline_a_thank_you_after_a_fault_is_no_complaint():
    enricher = Enricher([BrandEntry(name="Fibrex", handles=["@fibrex"])], languages=("it", "en"))
    posts = ["@fibrex broadband was down all weekend, engineer fixed it Monday morning, brilliant service",
             "@fibrex modem rotto, me l'avete sostituito il giorno dopo. Grazie mille!"]
    for record in enricher.enrich({"id": i, "text": text} for i, text in enumerate(posts)):
        assert "complaint" not in record["intents"] and "praise" in record["intents"], record
        assert record["sentiment"]["label"] == "positive", record
        assert [m["sentiment"]["label"] for m in record["mentions"]] == ["positive"]
