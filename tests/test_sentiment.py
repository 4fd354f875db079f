"""The sentiment component and model: committed artefacts, per-mention sentiment, features, retraining."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy.tokens import Span
from typer.testing import CliRunner

import models.sentiment  # noqa: F401  (registers the "rete_sentiment" factory)
from models.extensions import MENTIONS_KEY
import models.sentiment as sentiment_module
from models.sentiment import (
    DENSE_FEATURES,
    N_HASHED,
    Featurizer,
    SentimentModel,
    compared_brands,
    contrasted_brand,
    default_artifact,
    mention_rows,
    shared_featurizer,
)
from models.train import Labelled, cross_validate, fit, load_jsonl, sentipolc_polarity_f
from models.tokenizer import build_social_tokenizer
from rete.cli import app

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def italian():
    nlp = spacy.blank("it")
    nlp.add_pipe("rete_sentiment", config={"lang": "it"})
    return nlp


@pytest.fixture(scope="module")
def english():
    nlp = spacy.blank("en")
    nlp.add_pipe("rete_sentiment", config={"lang": "en"})
    return nlp


def with_mentions(nlp, text: str, brands: dict[str, str]):
    """A doc whose ``rete_mentions`` mark each brand name's first occurrence, as the brand matcher does."""
    doc = nlp.make_doc(text)
    spans = []
    for surface, brand in brands.items():
        start = text.index(surface)
        spans.append(Span(doc, *_token_range(doc, start, start + len(surface)), label=brand))
    doc.spans[MENTIONS_KEY] = spans
    return doc


def _token_range(doc, start_char: int, end_char: int) -> tuple[int, int]:
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    return span.start, span.end


def run(nlp, doc):
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


@pytest.mark.parametrize("lang", ["it", "en"])
def test_committed_artefact_loads_and_is_small(lang):
    path = default_artifact(lang)
    model = SentimentModel.load(path)
    assert model.lang == lang
    assert path.stat().st_size < 3_000_000
    assert model.meta["examples"] > 3000


@pytest.mark.parametrize(
    ("lang", "text", "label"),
    [
        ("it", "Adoro questo prodotto, è fantastico!", "positive"),
        ("it", "Servizio pessimo, una vergogna.", "negative"),
        ("en", "I love this, it's wonderful!", "positive"),
        ("en", "Terrible service, I hate it.", "negative"),
    ],
)
def test_obvious_cases(lang, text, label):
    result = SentimentModel.load(default_artifact(lang)).predict_texts([text])[0]
    assert result["label"] == label
    assert (result["score"] > 0.3) if label == "positive" else (result["score"] < -0.3)


def test_component_sets_doc_and_span_sentiment(italian):
    doc = run(italian, with_mentions(italian, "Il nuovo gelato di Sammontana è buonissimo", {"Sammontana": "Sammontana"}))
    assert doc._.sentiment["label"] == "positive"
    assert -1.0 <= doc._.sentiment["score"] <= 1.0
    (span,) = doc.spans[MENTIONS_KEY]
    assert span._.sentiment == doc._.sentiment


def test_per_mention_sentiment_differs_across_contrast(italian):
    doc = run(italian, with_mentions(italian, "Adoro Barilla ma De Cecco è pessimo", {"Barilla": "Barilla", "De Cecco": "De Cecco"}))
    by_brand = {span.label_: span._.sentiment for span in doc.spans[MENTIONS_KEY]}
    assert by_brand["Barilla"]["label"] == "positive"
    assert by_brand["De Cecco"]["label"] == "negative"
    assert doc._.sentiment["label"] == "mixed"


def test_per_mention_sentiment_in_english(english):
    doc = run(english, with_mentions(english, "QuickShip was amazing. FastPost lost my parcel, again.", {"QuickShip": "QuickShip", "FastPost": "FastPost"}))
    by_brand = {span.label_: span._.sentiment for span in doc.spans[MENTIONS_KEY]}
    assert by_brand["QuickShip"]["score"] > 0 > by_brand["FastPost"]["score"]


def test_segments_without_a_brand_belong_to_the_brand_before():
    featurizer = Featurizer("it")
    post = featurizer.rows_of_text("Ho provato Alfa . Buonissimo . Poi Beta , che delusione")
    words = [featurizer.table.words[row] for row in post]
    mentions = [("Alfa", words.index("alfa"), words.index("alfa") + 1), ("Beta", words.index("beta"), words.index("beta") + 1)]
    pieces = mention_rows(post, mentions, featurizer.table)
    texts = {brand: " ".join(featurizer.words(rows)) for brand, rows in pieces.items()}
    assert "buonissimo" in texts["Alfa"] and "buonissimo" not in texts["Beta"]
    assert "delusione" in texts["Beta"] and "delusione" not in texts["Alfa"]


def brand_rows(text: str, *brands: str):
    """An Italian post's rows, its one-word brands' mentions and the word table, as the sentiment component has them."""
    featurizer = shared_featurizer("it")
    post = featurizer.rows_of_text(text)
    words = [featurizer.table.words[row] for row in post]
    mentions = [(brand, at, at + 1) for at, word in enumerate(words) for brand in brands if word == brand.lower()]
    return post, mentions, featurizer.table


def brand_pieces(text: str, *brands: str) -> dict[str, str]:
    featurizer = shared_featurizer("it")
    return {brand: " ".join(featurizer.words(rows)) for brand, rows in mention_rows(*brand_rows(text, *brands)).items()}


def test_a_sentence_naming_two_brands_is_cut_at_the_second():
    pieces = brand_pieces("Lasciato Alfa dopo 3 disservizi , con Beta tutto liscio", "Alfa", "Beta")
    assert "disservizi" in pieces["Alfa"] and "liscio" not in pieces["Alfa"]
    assert "liscio" in pieces["Beta"] and "disservizi" not in pieces["Beta"]


@pytest.mark.parametrize("text", ["Alfa e Beta entrambe giù da ieri", "Bancomat fuori uso sia da Alfa che da Beta ieri",
                                  "Alfa , Beta : giù da ieri"])
def test_brands_joined_by_linking_words_share_what_follows(text):
    pieces = brand_pieces(text, "Alfa", "Beta")
    assert "ieri" in pieces["Alfa"] and "ieri" in pieces["Beta"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Alfa > Beta per la pizza", {"Alfa": "positive", "Beta": "negative"}),
    ("Alfa è molto meglio di Beta", {"Alfa": "positive", "Beta": "negative"}),
    ("Alfa è peggio di Beta", {"Alfa": "negative", "Beta": "positive"}),
    ("Alfa e Beta aprono a Roma", {}),
    ("Alfa meglio del solito, Beta uguale", {}),  # not an outright comparison of the two
    ("Qualcuno sa se Alfa è meglio di Beta ?", {}),  # a question compares nothing
    ("Alfa > Beta > Gamma", {"Alfa": "positive", "Gamma": "negative"}),  # Beta is both: no verdict
])
def test_an_outright_comparison_decides_the_two_brands(text, expected):
    assert compared_brands(*brand_rows(text, "Alfa", "Beta", "Gamma")) == expected


def test_brand_names_of_several_words_link_and_compare_like_one_word_names(english):
    doc = run(english, with_mentions(english, "De Cecco is way better than Barilla Pasta",
                                     {"De Cecco": "De Cecco", "Barilla Pasta": "Barilla"}))
    by_brand = {span.label_: span._.sentiment["label"] for span in doc.spans[MENTIONS_KEY]}
    assert by_brand == {"De Cecco": "positive", "Barilla": "negative"}
    featurizer = Featurizer("it")
    post = featurizer.rows_of_text("De Cecco e Barilla entrambe pessime")
    pieces = mention_rows(post, [("De Cecco", 0, 2), ("Barilla", 3, 4)], featurizer.table)
    assert "pessime" in " ".join(featurizer.words(pieces["De Cecco"]))


@pytest.mark.parametrize(("labels", "text", "expected"), [
    ({"Alfa": "positive", "Beta": "neutral"}, "Alfa top . Beta tre settimane", ("Beta", "negative")),
    ({"Alfa": "neutral", "Beta": "negative"}, "Alfa in un giorno . Beta tre settimane", ("Alfa", "positive")),
    ({"Alfa": "positive", "Beta": "neutral"}, "Alfa top . Qualcuno sa se Beta consegna a Bari ?", None),  # a question
    ({"Alfa": "positive", "Beta": "neutral"}, "Alfa top . Beta tre settimane . Beta consegna a Bari ?", ("Beta", "negative")),
    ({"Alfa": "positive", "Beta": "neutral"}, "Alfa top . Il negozio è accanto a Beta", None),  # named in passing, last
    ({"Alfa": "positive", "Beta": "neutral"}, "Alfa top ( trovata da Beta ) , consigliata", None),
    ({"Alfa": "positive", "Beta": "negative"}, "Alfa top . Beta no", None),
    ({"Alfa": "neutral", "Beta": "neutral"}, "Alfa e Beta aprono a Roma", None),
    ({"Alfa": "mixed", "Beta": "neutral"}, "Alfa così così . Beta uguale", None),
    ({"Alfa": "positive", "Beta": "neutral", "Gamma": "neutral"}, "Alfa top . Beta e Gamma uguale", None),
])
def test_a_neutral_brand_is_set_against_the_other_brand_of_the_post(labels, text, expected):
    assert contrasted_brand(labels, *brand_rows(text, *labels)) == expected


def test_a_contrast_sets_the_mention_but_not_the_posts_reading(english):
    doc = run(english, with_mentions(english, "QuickShip was amazing, my parcel came in one day. FastPost took three weeks.",
                                     {"QuickShip": "QuickShip", "FastPost": "FastPost"}))
    by_brand = {span.label_: span._.sentiment for span in doc.spans[MENTIONS_KEY]}
    assert by_brand["QuickShip"]["label"] == "positive"
    assert by_brand["FastPost"]["label"] == "negative"
    assert doc._.sentiment["label"] == "positive"  # what was read: a contrast decided FastPost's label


def test_a_brand_named_past_the_rows_read_keeps_the_posts_sentiment(italian):
    text = "Alfa fantastica " + "bla " * 600 + "Beta"
    doc = run(italian, with_mentions(italian, text, {"Alfa": "Alfa", "Beta": "Beta"}))
    by_brand = {span.label_: span._.sentiment for span in doc.spans[MENTIONS_KEY]}
    assert by_brand["Beta"] == doc._.sentiment  # before, an empty piece: a hard neutral 0.0


def test_a_comparison_sets_the_mentions_sentiment(english):
    doc = run(english, with_mentions(english, "Munchly > Platerun for late-night food", {"Munchly": "Munchly", "Platerun": "Platerun"}))
    by_brand = {span.label_: span._.sentiment for span in doc.spans[MENTIONS_KEY]}
    assert by_brand["Munchly"]["label"] == "positive" and by_brand["Munchly"]["score"] >= 0.5
    assert by_brand["Platerun"]["label"] == "negative" and by_brand["Platerun"]["score"] <= -0.5
    assert doc._.sentiment["label"] == "mixed"


def test_pipe_batches_give_the_same_results_as_single_calls(english):
    texts = ["Great support, thanks!", "Still waiting for my refund", "What time do you open?", ""]
    piped = [doc._.sentiment for doc in english.pipe(texts, batch_size=3)]
    single = [english(text)._.sentiment for text in texts]
    assert piped == single
    assert piped[3] == {"label": "neutral", "score": 0.0}


def test_negation_flips_italian_polarity():
    model = SentimentModel.load(default_artifact("it"))
    plain, negated = model.predict_texts(["Il servizio è buono", "Il servizio non è buono"])
    assert negated["score"] < plain["score"]
    assert negated["label"] != "positive"


def hashed_columns(featurizer: Featurizer, text: str) -> set[int]:
    return set(featurizer.features([featurizer.rows_of_text(text)]).columns.tolist())


def test_negation_marks_the_following_words():
    featurizer = Featurizer("it")
    buono = featurizer.table.row_of("buono", str)
    negated_buono, plain_buono = int(featurizer.table.negated[buono]), int(featurizer.table.unigram[buono]) % N_HASHED
    negated, plain = hashed_columns(featurizer, "non è buono"), hashed_columns(featurizer, "è buono")
    assert negated_buono in negated and plain_buono not in negated
    assert plain_buono in plain and negated_buono not in plain
    # A break ends the scope: "buono" after a full stop is not negated.
    assert plain_buono in hashed_columns(featurizer, "non lo so. buono")


def test_accents_typed_as_apostrophes_are_the_accented_words():
    """"pero'" is the contrast word "però", "e'" the verb "è": training and the pipeline read them alike."""
    featurizer = Featurizer("it")
    typed = "il servizio e' buono pero' perche' costa cosi' tanto"
    accented = "il servizio è buono però perché costa così tanto"
    assert featurizer.words(featurizer.rows_of_text(typed)) == featurizer.words(featurizer.rows_of_text(accented))
    pipeline_tokenizer = build_social_tokenizer(spacy.blank("it"))
    assert featurizer.words(featurizer.rows_of_doc(pipeline_tokenizer(typed))) == featurizer.words(
        featurizer.rows_of_text(accented)
    )
    assert "però" in featurizer.words(featurizer.rows_of_text(typed))


def test_batch_features_equal_one_post_at_a_time():
    featurizer = Featurizer("en")
    texts = ["not bad at all, but the delivery was late!!", "", "still waiting 3 hours 😡", "LOVE IT sooo much"]
    posts = [featurizer.rows_of_text(text) for text in texts]
    batch = featurizer.features(posts)
    hashed, dense = batch.hashed(), batch.dense
    for index, post in enumerate(posts):
        one = featurizer.features([post])
        assert (hashed[index] != one.hashed()[0]).nnz == 0
        assert np.allclose(dense[index], one.dense[0]) and batch.nonempty[index] == one.nonempty[0]
    assert list(batch.nonempty) == [True, False, True, True]
    shouting, elongation = DENSE_FEATURES.index("shouting"), DENSE_FEATURES.index("elongation")
    assert dense[3, elongation] == 1.0 and dense[0, elongation] == 0.0
    assert dense[3, shouting] == 0.0  # two shouted words of four: not mostly capitals


def test_complaint_cues_do_not_run_from_one_post_into_the_next():
    featurizer = Featurizer("it")
    negative = DENSE_FEATURES.index("lexicon_negative")
    first, second = "ci sentiamo ancora", "nessun problema"  # together: "ancora nessun", a complaint cue
    apart = featurizer.features([featurizer.rows_of_text(first), featurizer.rows_of_text(second)]).dense
    together = featurizer.features([featurizer.rows_of_text(f"{first} {second}")]).dense
    assert apart[0, negative] == apart[1, negative] == 0.0
    assert together[0, negative] > 0.0


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "@FastPost still waiting 3 hours on hold"),
        ("en", "Day 5 and no response to my refund request"),
        ("it", "@LineaTel ancora nessuna risposta da tre giorni"),
        ("it", "nessuno risponde al numero verde"),
    ],
)
def test_complaints_without_sentiment_words_read_negative(lang, text):
    featurizer = Featurizer(lang)
    words = featurizer.words(featurizer.rows_of_text(text))
    valence = featurizer.cues.valence
    negative_words = [w for w in words if valence.get(w, 0) < 0 and w not in featurizer.cues.negators]
    assert not negative_words, "the case must carry no negative sentiment word"
    result = SentimentModel.load(default_artifact(lang)).predict_texts([text])[0]
    assert result["label"] == "negative", result


@pytest.mark.parametrize(
    ("lang", "text", "irony", "complaint"),
    [
        ("en", "Love that for me.", True, False),
        ("en", "I love that for you", False, False),
        ("en", "Cool, cool, cool.", True, False),
        ("en", "quality isn't what it used to be", False, True),
        ("en", "@brand care to explain?", False, True),
        ("en", "get your story straight", False, True),
        ("en", "never again", False, True),
        ("en", "never again with them", False, True),
        ("en", "switched, never again a queue 😍", False, False),  # no more queues: praise
        ("it", "Servizio impeccabile proprio", True, False),
        ("it", "Chiarissimi proprio 👏👏", True, False),
        ("it", "Zero incidenti e mi aumentate la rata. Fedeltà premiata proprio.", True, False),
        ("it", "è proprio bello", False, False),  # "proprio" before what it stresses is sincere
        ("it", "il proprio lavoro", False, False),
        ("it", "mi hanno rubato il portafoglio. bella roba", True, False),
        ("it", "Bello, bello, bello.", True, False),
        ("it", "Ci prendete in giro", False, True),
        ("it", "italiano al 100% e poi miscela UE. Presi in giro", False, True),
        ("it", "nn è più quello di una volta", False, True),
        ("it", "Mai più", False, True),
        ("it", "mai più da voi", False, True),
        ("it", "con loro mai più code allo sportello 😍", False, False),  # no more queues: praise
        ("it", "mai più senza", False, False),  # "never again without it": praise
        ("it", "punti azzerati senza nessun avviso", False, True),
        ("it", "bollette aumentate del 30% da gennaio", False, True),  # a price rise told as a fact
        ("it", "Alfa aumenta i prezzi per la terza volta", False, True),
        ("en", "prices up 20% since last year", False, True),
        ("en", "just put my contract up by 9%", False, True),
        ("en", "up to 20% off this week", False, False),  # a discount, not a price rise
    ],
)
def test_irony_and_complaint_cues(lang, text, irony, complaint):
    featurizer = Featurizer(lang)
    dense = featurizer.features([featurizer.rows_of_text(text)]).dense[0]
    sentiment_words = [w for w in featurizer.words(featurizer.rows_of_text(text)) if featurizer.cues.valence.get(w, 0) < 0]
    assert (dense[DENSE_FEATURES.index("irony_cues")] > 0) == irony
    # A complaint cue counts as a negative lexicon word (COMPLAINT_VALENCE); these texts hold none of their own.
    assert not sentiment_words
    assert (dense[DENSE_FEATURES.index("lexicon_negative")] > 0) == complaint


@pytest.mark.parametrize("text", [
    "Fantastici, bravissimi, servizio eccellente: pacco perso. Bella roba",
    "Bravissimi davvero, ottimo lavoro, il rimborso lo aspetto da mesi 🙃",
])
def test_italian_praise_beside_an_irony_marker_and_a_complaint_reads_negative(italian, text, monkeypatch):
    assert run(italian, italian.make_doc(text))._.sentiment["label"] == "negative"
    monkeypatch.setattr(sentiment_module, "IRONIC_PRAISE_LANGUAGES", frozenset())
    assert run(italian, italian.make_doc(text))._.sentiment["label"] in ("positive", "mixed")  # what the model reads


def test_praise_with_an_irony_marker_but_no_complaint_stays_positive(italian):
    assert run(italian, italian.make_doc("Servizio impeccabile, grazie mille!"))._.sentiment["label"] == "positive"
    assert run(italian, italian.make_doc("Ottimo servizio, bella roba davvero"))._.sentiment["label"] == "positive"


@pytest.mark.parametrize(("text", "sign"), [("😍😍😍", 1), ("👍", 1), ("😡", -1), ("😭😭", -1), ("🤡🤡", -1), ("🥰", 1)])
def test_emoji_only_posts(italian, english, text, sign):
    for nlp in (italian, english):
        score = nlp(text)._.sentiment["score"]
        assert score * sign > 0, (nlp.lang, text, score)


def test_emoji_sequences_score_as_their_first_pictograph():
    featurizer = Featurizer("en")
    assert featurizer.words([featurizer.table.row_of("👍🏻", str)]) == ["👍"]
    assert featurizer.words(featurizer.rows_of_text("👍🏻")) == ["👍"]  # spaCy's blank tokenizer splits it


def test_auto_language_follows_doc_lang():
    nlp = spacy.blank("en")
    nlp.add_pipe("rete_sentiment")  # lang "auto"
    doc = nlp.make_doc("Che schifo, servizio pessimo")
    doc._.lang = "it"
    assert run(nlp, doc)._.sentiment["label"] == "negative"


def test_sentipolc_official_f_matches_hand_computation():
    gold = ["positive", "negative", "mixed", "neutral"]
    guess = ["positive", "neutral", "negative", "neutral"]
    # pos field: gold 1,0,1,0 guess 1,0,0,0 -> F1(1)=2/3, F1(0)=0.8; neg field: gold 0,1,1,0 guess 0,0,1,0
    # -> F1(1)=2/3, F1(0)=0.8. Official F = mean of the two fields' means.
    assert sentipolc_polarity_f(gold, guess) == pytest.approx((2 / 3 + 0.8) / 2)


TINY = [
    {"text": "ottimo prodotto, lo consiglio", "label": "positive"},
    {"text": "bellissimo regalo, grazie", "label": "positive"},
    {"text": "spedizione veloce, tutto perfetto", "label": "positive"},
    {"text": "pessima esperienza, mai più", "label": "negative"},
    {"text": "prodotto rotto, che delusione", "label": "negative"},
    {"text": "assistenza inesistente, vergogna", "label": "negative"},
    {"text": "ordinato ieri, arriva lunedì", "label": "neutral"},
    {"text": "che orari fa il negozio?", "label": "neutral"},
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_training_is_deterministic():
    data = Labelled([r["text"] for r in TINY], [r["label"] for r in TINY])
    first, second = fit(data, "it"), fit(data, "it")
    assert np.array_equal(first.coef, second.coef)
    assert np.array_equal(first.intercept, second.intercept)


def test_cross_validation_scores_every_fold_of_every_repeat_the_same_way_twice():
    data = Labelled([r["text"] for r in TINY] * 2, [r["label"] for r in TINY] * 2)
    scores = cross_validate(data, "it", folds=2, repeats=3)
    assert len(scores) == 6
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert cross_validate(data, "it", folds=2, repeats=3) == scores


def test_retraining_on_a_tiny_jsonl_through_the_cli(tmp_path):
    data = write_jsonl(tmp_path / "mine.jsonl", TINY)
    out = tmp_path / "mine-it.npz"
    result = CliRunner().invoke(app, ["train", "sentiment", "--lang", "it", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    model = SentimentModel.load(out)
    assert model.meta["examples"] == len(TINY)
    assert model.predict_texts(["ottimo prodotto"])[0]["score"] > model.predict_texts(["pessima esperienza"])[0]["score"]
    again = tmp_path / "again.npz"
    CliRunner().invoke(app, ["train", "sentiment", "--lang", "it", "--data", str(data), "--out", str(again)])
    assert again.read_bytes() == out.read_bytes(), "retraining on the same data must reproduce the file"


def test_cli_rejects_bad_labels_naming_the_line(tmp_path):
    data = write_jsonl(tmp_path / "bad.jsonl", [*TINY, {"text": "boh", "label": "angry"}])
    result = CliRunner().invoke(app, ["train", "sentiment", "--lang", "it", "--data", str(data), "--out", str(tmp_path / "x.npz")])
    assert result.exit_code == 1
    assert f"{data}, line 9" in " ".join(result.output.split()) and "angry" in result.output


def test_cli_needs_out_with_custom_data(tmp_path):
    data = write_jsonl(tmp_path / "mine.jsonl", TINY)
    result = CliRunner().invoke(app, ["train", "sentiment", "--lang", "it", "--data", str(data)])
    assert result.exit_code == 2
    assert "--out" in result.output


def test_training_needs_both_polarities():
    data = Labelled(["bello", "ottimo", "ciao"], ["positive", "positive", "neutral"])
    with pytest.raises(ValueError, match="negative"):
        fit(data, "it")


@pytest.mark.parametrize("lang", ["it", "en"])
def test_hand_written_customer_sets_are_well_formed(lang):
    data = load_jsonl(DATA / f"sentiment_customer_{lang}.jsonl")
    assert len(data.texts) >= 55
    assert {"positive", "negative", "neutral", "mixed"} == set(data.labels)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_rete_posts_are_labelled_and_part_of_the_training_data(lang):
    from models.intents import INTENT_LABELS
    from models.train import base_data, rete_post_paths, rete_posts

    customer, news, resolution = (
        [json.loads(line) for line in path.read_text().splitlines()] for path in rete_post_paths(lang)
    )
    assert len(customer) == 790 and len(news) == 120 and len(resolution) == 120
    assert all(set(line["intents"]) <= set(INTENT_LABELS) for line in customer + news + resolution)
    # resolution stories: a problem put right is praise, and many of them name the fault in strong words
    assert all("praise" in line["intents"] for line in resolution if line["label"] == "positive")
    # brand news names brands without a customer's voice: at most a journalist's question
    assert all(set(line["intents"]) <= {"question"} for line in news)
    posts = rete_posts(lang)
    assert set(posts.labels) == {"positive", "negative", "neutral", "mixed"}
    shipped = SentimentModel.load(default_artifact(lang))
    assert shipped.meta["examples"] == len(base_data(lang).texts) + len(posts.texts)


def test_bad_input_gives_valid_sentiment(english):
    hostile = ["", " ", "\u200f\u202eشكرا", "a" * 100_000, "\x00\x01\x07", "https://example.com/x", "🔥" * 500]
    for doc in english.pipe(hostile):
        assert doc._.sentiment["label"] in {"positive", "negative", "neutral", "mixed"}
        assert -1.0 <= doc._.sentiment["score"] <= 1.0


def test_stale_artefact_is_refused(tmp_path):
    path = tmp_path / "old.npz"
    np.savez(path, rows=np.array([0]), weights=np.zeros((1, 2)), intercept=np.zeros(2), meta=np.array(json.dumps({"lang": "it", "feature_version": 0})))
    with pytest.raises(ValueError, match="retrain"):
        SentimentModel.load(path)


def test_rete_eval_sentiment_task_scores_a_labelled_file(tmp_path):
    data = write_jsonl(tmp_path / "gold.jsonl", [
        {"text": "Servizio pessimo, una vergogna", "label": "negative", "lang": "it"},
        {"text": "Adoro questo negozio, fantastico!", "label": "positive", "lang": "it"},
        {"text": "I love this shop, wonderful people!", "label": "positive", "lang": "en"},
        {"text": "Still waiting for my refund, nobody answers", "label": "negative", "lang": "en"},
    ])
    result = CliRunner().invoke(app, ["eval", "--task", "sentiment", str(data), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["examples"] == 4
    assert report["macro_f1"] == pytest.approx(1.0)


def test_scoring_sums_the_same_coefficients_as_the_training_matrix():
    model = SentimentModel.load(default_artifact("en"))
    texts = ["not bad, not bad at all", "great great great!", "", "still waiting for a reply 😡 @help"]
    logits, _ = model.logits([model.featurizer.rows_of_text(text) for text in texts])
    matrix = model.featurizer.transform(texts) @ model.coef + model.intercept
    assert np.allclose(logits, matrix, atol=1e-4)


def test_official_polarity_f_counts_a_mixed_reading_as_both_before_the_3_class_folding(tmp_path):
    """A 3-class file has no "mixed": the per-class scores fold a mixed reading into neutral, but the SENTIPOLC
    measure (BENCHMARKS.md's Italian target) reads it as positive and negative, as the task does."""
    import dataclasses

    from models.evaluation import TASKS, EvalSettings, evaluate_file

    data = write_jsonl(tmp_path / "gold.jsonl", [{"text": "a", "label": "positive"}, {"text": "b", "label": "neutral"}])
    task = dataclasses.replace(TASKS["sentiment"], predict=lambda records, settings: [{"mixed"}, {"neutral"}])
    report = evaluate_file(task, data, EvalSettings())
    # positive field perfect (1.0); negative field: one false "yes" (F1 0) and half the "no"s (F1 2/3)
    assert report.extra["official_polarity_f"] == pytest.approx((1.0 + (0 + 2 / 3) / 2) / 2)
    assert {s.label: s.support for s in report.scores} == {"neutral": 1, "positive": 1}
    assert {s.label: s.recall for s in report.scores}["positive"] == 0.0  # folded: read as neutral


def test_a_typed_accent_is_put_back_in_italian_only():
    from models.lexicon import load_cues
    from models.sentiment import normal_form

    assert normal_form("pero'", load_cues("it"))[0] == "però"
    assert normal_form("tho'", load_cues("en"))[0] == "tho"
