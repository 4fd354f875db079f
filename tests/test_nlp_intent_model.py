"""The learned intents (models/intent_model.py): artefacts, the component alone and in the pipeline, training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from typer.testing import CliRunner

from models.intent_model import (
    LEARNED_INTENTS,
    IntentLabelled,
    IntentModel,
    rete_intent_posts,
    fit_intents,
)
from models.sentiment import SentimentModel, artifact_path, default_artifact
from rete.cli import app

TINY = [
    {"text": "@acme ordine fermo da tre settimane, nessuno risponde", "intents": ["complaint"], "domain": "a"},
    {"text": "@acme pacco mai arrivato e nessun rimborso", "intents": ["complaint"], "domain": "a"},
    {"text": "@acme il tecnico non si è presentato di nuovo", "intents": ["complaint"], "domain": "b"},
    {"text": "@acme personale gentilissimo, grazie di cuore", "intents": ["praise"], "domain": "b"},
    {"text": "@acme servizio impeccabile, bravi tutti", "intents": ["praise"], "domain": "a"},
    {"text": "@acme come faccio a cambiare la password? aiutatemi", "intents": ["question", "support_request"], "domain": "b"},
    {"text": "@acme potete aiutarmi con il reso?", "intents": ["question", "support_request"], "domain": "a"},
    {"text": "@acme a che ora apre il negozio", "intents": ["question"], "domain": "b"},
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["it", "en"])
def test_committed_artefacts_load_with_their_heads(lang):
    model = IntentModel.load(artifact_path("intents", lang))
    assert model.HEADS == LEARNED_INTENTS and model.lang == lang
    assert model.meta["examples"] == len(rete_intent_posts(lang).texts)


def test_a_sentiment_artefact_is_not_an_intent_model():
    with pytest.raises(ValueError, match="not a intents model|'sentiment' model"):
        IntentModel.load(default_artifact("it"))
    with pytest.raises(ValueError, match="'intents' model"):
        SentimentModel.load(artifact_path("intents", "it"))


@pytest.fixture(scope="module")
def enrichers():
    """The pipeline with and without the learned intents."""
    from models.enrich import Enricher
    from rete.config import BrandEntry

    brands = [BrandEntry(name="Rentova", handles=["@rentova"])]
    return Enricher(brands, ("en", "it")), Enricher(brands, ("en", "it"), without=("intent_model",))


def intents_of(enricher, text: str, lang: str, **fields) -> list[str]:
    return next(iter(enricher.enrich([{"id": "t:1", "text": text, "lang": lang, **fields}])))["intents"]


# Praise told through what happened: no cue word the rules know. {brand} is where the brand is named.
# (Complaints stated as facts are measured across domains by `rete train intents --evaluate`; the shipped
# model's probabilities for single ones sit too close to the threshold for a stable test.)
STORY = "{brand}auto pulitissima, consegna in due minuti e ci hanno pure lasciato l'acqua in macchina"


def test_the_model_adds_what_the_rules_miss_and_keeps_what_they_find(enrichers):
    with_model, rules_only = enrichers
    named = STORY.format(brand="Rentova ")
    assert "praise" not in intents_of(rules_only, named, "it")
    assert "praise" in intents_of(with_model, named, "it")
    assert set(intents_of(rules_only, named, "it")) <= set(intents_of(with_model, named, "it"))


def test_feed_articles_get_no_learned_intent(enrichers):
    with_model, rules_only = enrichers
    named = STORY.format(brand="Rentova ")
    feed = {"platform": "rss", "source": "corriere-feed"}  # as the post record and the daily run give it
    assert intents_of(with_model, named, "it", **feed) == []
    assert "praise" in intents_of(with_model, named, "it", platform="x", source="corriere-feed")


def test_posts_aimed_at_nobody_get_no_learned_intent(enrichers):
    with_model, rules_only = enrichers
    unnamed = STORY.format(brand="")
    assert intents_of(with_model, unnamed, "it") == intents_of(rules_only, unnamed, "it")
    model = IntentModel.load(artifact_path("intents", "it"))
    assert model.probabilities([model.featurizer.rows_of_text(unnamed)]).max() >= 0.7, "the gate holds it back"


@pytest.mark.parametrize(("sentiment", "added"), [("neutral", True), ("negative", True), ("positive", False)])
def test_a_learned_complaint_is_not_added_against_the_posts_sentiment(sentiment, added):
    """The component alone, the sentiment set by hand: a post the model reads as a complaint gets it unless
    the post reads as positive (customers who thank a brand for a fix name the fault)."""
    import models.intent_model  # noqa: F401  (registers rete_intent_model)

    text = "@rentova day 9 and still no engineer, nobody answers the phone"
    model = IntentModel.load(artifact_path("intents", "en"))
    assert model.probabilities([model.featurizer.rows_of_text(text)])[0][LEARNED_INTENTS.index("complaint")] >= 0.7
    nlp = spacy.blank("en")
    component = nlp.add_pipe("rete_intent_model")
    doc = nlp.make_doc(text)
    doc._.lang, doc._.sentiment = "en", {"label": sentiment, "score": 0.0}
    assert ("complaint" in component(doc)._.intents) is added


def test_the_component_picks_the_model_of_the_doc_language():
    import models.intent_model  # noqa: F401  (registers rete_intent_model)

    component = spacy.blank("en").add_pipe("rete_intent_model")
    text = "@acme prenotato per il 12, oggi è il 26 e del tecnico nessuna traccia"
    expected = {}
    for lang in ("it", "en"):
        model = IntentModel.load(artifact_path("intents", lang))
        expected[lang] = model.probabilities([model.featurizer.rows_of_text(text)])[0]
    assert expected["it"].tolist() != expected["en"].tolist()
    for lang in ("it", "en"):
        doc = spacy.blank("en").make_doc(text)
        doc._.lang = lang
        chosen = component.models[component.language_of(doc)]
        assert chosen.lang == lang
        assert chosen.probabilities([chosen.featurizer.rows_of_doc(doc)])[0].tolist() == pytest.approx(
            expected[lang].tolist(), abs=1e-5)


def test_component_alone_follows_doc_lang_and_threshold():
    import models.intent_model  # noqa: F401  (registers rete_intent_model)

    nlp = spacy.blank("en")
    strict = nlp.add_pipe("rete_intent_model", name="strict", config={"threshold": 0.999999})
    doc = nlp.make_doc("@rentova thank you so much, amazing people, the best service ever")  # rules not run
    doc._.lang = "en"
    assert strict(doc)._.intents == []
    loose = spacy.blank("en").add_pipe("rete_intent_model", config={"threshold": 0.01})
    assert set(loose(doc)._.intents) == set(LEARNED_INTENTS)
    for no_model in ("es", "und"):  # a language without a model: no guess from another language's
        doc = nlp.make_doc("@rentova el técnico no apareció")
        doc._.lang = no_model
        assert loose(doc)._.intents == []
    with pytest.raises(ValueError, match="threshold"):
        spacy.blank("en").add_pipe("rete_intent_model", config={"threshold": 1.5})


def test_training_through_the_cli_is_reproducible(tmp_path):
    data = write_jsonl(tmp_path / "mine.jsonl", TINY)
    out, again = tmp_path / "mine.npz", tmp_path / "again.npz"
    for target in (out, again):
        result = CliRunner().invoke(app, ["train", "intents", "--lang", "it", "--data", str(data), "--out", str(target)])
        assert result.exit_code == 0, result.output
    assert out.read_bytes() == again.read_bytes()
    model = IntentModel.load(out)
    assert model.meta["examples"] == len(TINY)
    probabilities = model.probabilities([model.featurizer.rows_of_text("@acme pacco mai arrivato, nessun rimborso")])
    assert probabilities[0][LEARNED_INTENTS.index("complaint")] > probabilities[0][LEARNED_INTENTS.index("praise")]


def test_cli_rejects_unknown_intents_naming_the_line(tmp_path):
    data = write_jsonl(tmp_path / "bad.jsonl", [*TINY, {"text": "boh", "intents": ["rant"]}])
    result = CliRunner().invoke(app, ["train", "intents", "--lang", "it", "--data", str(data), "--out", str(tmp_path / "x.npz")])
    assert result.exit_code == 1
    assert f"{data}, line 9" in " ".join(result.output.split()) and "rant" in result.output


def test_training_needs_posts_with_and_without_each_learned_intent():
    data = IntentLabelled(["a", "b"], [["complaint"], ["praise"]], ["x", "x"])
    with pytest.raises(ValueError, match="support_request"):
        fit_intents(data, "it")


@pytest.mark.parametrize("lang", ["it", "en"])
def test_customer_posts_carry_known_intents_and_domains(lang):
    data = rete_intent_posts(lang)
    assert len(set(data.domains) - {"news"}) == 54 and "news" in data.domains  # 44 customer + 10 resolution
    assert all(target.sum() >= 10 for target in data.targets())
    news = [intents for intents, domain in zip(data.intents, data.domains) if domain == "news"]
    assert len(news) == 120 and all(set(intents) <= {"question"} for intents in news)


WORKSPACE = """\
name: Own models
clients:
  - name: Acme
    slug: acme
    brands:
      - name: Acme
        handles: ["@acme"]
"""


def workspace_with_models(folder: Path, models_yaml: str) -> Path:
    folder.mkdir()
    (folder / "workspace.yaml").write_text(WORKSPACE + models_yaml, encoding="utf-8")
    return folder


def test_a_workspace_uses_its_own_trained_intents_and_reenriches_when_they_change(tmp_path):
    from rete.config import load_workspace
    from rete.pipeline import build_enricher, enrichment_config_hash

    data = write_jsonl(tmp_path / "mine.jsonl", TINY)
    mine = tmp_path / "mine-it.npz"
    train = ["train", "intents", "--lang", "it", "--data", str(data), "--out", str(mine)]
    assert CliRunner().invoke(app, train).exit_code == 0
    workspace = load_workspace(workspace_with_models(tmp_path / "ws", "models:\n  intents: {it: ../mine-it.npz}\n"))
    component = build_enricher(workspace).pipelines["it"].get_pipe("intent_model")
    assert component.models["it"].meta["examples"] == len(TINY)  # the workspace's own
    assert component.models["en"].meta["examples"] == len(rete_intent_posts("en").texts)  # the shipped one
    before = enrichment_config_hash(workspace)
    write_jsonl(data, TINY + TINY[:2])
    assert CliRunner().invoke(app, train).exit_code == 0
    assert enrichment_config_hash(workspace) != before


def test_a_missing_trained_model_is_named_with_how_to_train_it(tmp_path):
    folder = workspace_with_models(tmp_path / "ws", "models:\n  intents: {it: nowhere.npz}\n")
    posts = write_jsonl(tmp_path / "in.jsonl", [{"id": "p1", "text": "ciao"}])
    result = CliRunner().invoke(app, ["enrich", str(posts), "-o", str(tmp_path / "out.jsonl"), "--workspace", str(folder)])
    assert result.exit_code != 0
    message = " ".join(result.output.split())
    assert str(folder / "nowhere.npz") in message and "rete train intents" in message


def test_a_workspace_uses_its_own_sentiment_model_too(tmp_path):
    from rete.config import load_workspace
    from rete.pipeline import build_enricher

    data = write_jsonl(tmp_path / "mine.jsonl", [
        {"text": "ottimo prodotto", "label": "positive"}, {"text": "pessimo servizio", "label": "negative"},
        {"text": "arriva lunedì", "label": "neutral"}, {"text": "bellissimo", "label": "positive"},
        {"text": "che schifo", "label": "negative"}, {"text": "apre alle 9", "label": "neutral"},
    ])
    train = ["train", "sentiment", "--lang", "it", "--data", str(data), "--out", str(tmp_path / "s-it.npz")]
    assert CliRunner().invoke(app, train).exit_code == 0
    workspace = load_workspace(workspace_with_models(tmp_path / "ws", "models:\n  sentiment: {it: ../s-it.npz}\n"))
    component = build_enricher(workspace).pipelines["it"].get_pipe("sentiment")
    assert component.models["it"].meta["examples"] == 6
    assert component.models["en"].meta["examples"] > 4000  # the shipped English model


def test_a_model_of_another_language_is_refused(tmp_path):
    from rete.config import load_workspace
    from rete.pipeline import build_enricher

    folder = workspace_with_models(tmp_path / "ws", f"models:\n  intents: {{it: {artifact_path('intents', 'en')}}}\n")
    with pytest.raises(ValueError, match="'en' intents model, given for 'it'"):
        build_enricher(load_workspace(folder))


def test_evaluate_holds_each_domain_out_and_needs_two(tmp_path):
    data = write_jsonl(tmp_path / "mine.jsonl", TINY)
    result = CliRunner().invoke(app, ["train", "intents", "--lang", "it", "--data", str(data), "--evaluate"])
    assert result.exit_code == 0, result.output
    assert "each of 2 domains held out" in result.output
    rows = [line.split() for line in result.output.splitlines() if line.split()[:1] and line.split()[0] in LEARNED_INTENTS]
    assert len(rows) == len(LEARNED_INTENTS) * 4
    one_domain = write_jsonl(tmp_path / "one.jsonl", [{**record, "domain": "a"} for record in TINY])
    result = CliRunner().invoke(app, ["train", "intents", "--lang", "it", "--data", str(one_domain), "--evaluate"])
    assert result.exit_code == 1 and "at least two domains" in " ".join(result.output.split())
