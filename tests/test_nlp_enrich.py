"""The ``rete enrich`` contract (issue 2, item 7) on the full pipeline, the CLI, ``rete eval``, and
property tests that hostile text always gives a valid output line."""

from __future__ import annotations

import gc
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from models.enrich import Enricher, dumps_line, enrich_jsonl
from models.intents import INTENT_LABELS
from rete.cli import app
from rete.config import load_brand_set

DATA = Path(__file__).parent / "data"
BRANDS_FILE = DATA / "brands_dev.yaml"
SENTIMENT_LABELS = {"positive", "negative", "neutral", "mixed"}


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    # Barilla also allows typos, so that hostile text runs through every matching path.
    brands = [b.model_copy(update={"typos": b.name == "Barilla"}) for b in load_brand_set(BRANDS_FILE).brands]
    return Enricher(brands, languages=("it", "en"), themes={"bio": ["biologic*"]})


def assert_valid_output(record: dict, output: dict) -> None:
    """The contract: the input object plus lang, sentiment, mentions, intents, themes."""
    assert {k: output[k] for k in record} == {k: v for k, v in record.items() if k != "lang"} | (
        {"lang": output["lang"]} if "lang" in record else {}
    )
    assert output["lang"] == "und" or (len(output["lang"]) == 2 and output["lang"].isalpha())
    for sentiment in [output["sentiment"]] + [m["sentiment"] for m in output["mentions"]]:
        assert sentiment["label"] in SENTIMENT_LABELS
        assert -1.0 <= sentiment["score"] <= 1.0
    text = record["text"]
    for mention in output["mentions"]:
        assert set(mention) == {"brand", "text", "start", "end", "sentiment"}
        assert 0 <= mention["start"] < mention["end"] <= len(text)
        assert text[mention["start"] : mention["end"]] == mention["text"]
    assert set(output["intents"]) <= set(INTENT_LABELS)
    assert all(isinstance(theme, str) for theme in output["themes"])
    line = dumps_line(output)
    assert line.endswith("\n") and "\n" not in line[:-1]
    assert json.loads(line)["id"] == record["id"]


def test_output_is_the_input_plus_the_enrichment(enricher):
    records = [
        {"id": "x:1", "text": "Volo Delta in ritardo, ancora nessuna risposta da @Delta", "source": "x",
         "author": {"handle": "@maria"}, "created_at": "2026-01-01T10:00:00Z", "parent_id": None},
        {"id": 2, "text": "Love the new #Barilla pasta, and Lavazza coffee is the best!", "lang": "en-GB"},
        {"id": "rss:3", "text": ""},
    ]
    outputs = list(enricher.enrich(records))
    for record, output in zip(records, outputs, strict=True):
        assert_valid_output(record, output)
    first, second, empty = outputs
    assert first["lang"] == "it"
    assert [(m["brand"], m["text"]) for m in first["mentions"]] == [("Delta", "Delta"), ("Delta", "@Delta")]
    assert "complaint" in first["intents"] and "delivery" in first["themes"]
    assert second["lang"] == "en"  # the source's language, trusted and normalised
    assert [(m["brand"], m["text"]) for m in second["mentions"]] == [("Barilla", "#Barilla"), ("Lavazza", "Lavazza")]
    assert "praise" in second["intents"]
    assert empty["lang"] == "und" and empty["mentions"] == [] and empty["intents"] == []


def test_order_is_kept_across_languages_and_chunks(enricher, monkeypatch):
    monkeypatch.setattr("models.enrich.CHUNK_SIZE", 7)
    texts = ["Ciao a tutti, la pasta Barilla è la migliore", "I really love Lavazza coffee in the morning",
             "ok", "Bonjour, je ne suis pas content du produit reçu"]
    records = [{"id": i, "text": texts[i % len(texts)]} for i in range(40)]
    outputs = list(enricher.enrich(records))
    assert [o["id"] for o in outputs] == list(range(40))
    assert [o["lang"] for o in outputs[:4]] == ["it", "en", "und", "fr"]


def test_the_garbage_collector_is_left_as_it_was(enricher, monkeypatch):
    """Enrich pauses the cyclic collector while a chunk is processed, never while the caller's code runs
    between records, and leaves it off for a caller that turned it off."""
    monkeypatch.setattr("models.enrich.CHUNK_SIZE", 2)
    records = [{"id": f"p:{i}", "text": f"@barilla la pasta numero {i} è arrivata"} for i in range(5)]
    assert [gc.isenabled() for _ in enricher.enrich(records)] == [True] * 5
    assert gc.isenabled()
    gc.disable()
    try:
        assert [gc.isenabled() for _ in enricher.enrich(records)] == [False] * 5
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(("text", "label"), [("so bad", "negative"), ("terrible", "negative"),
                                           ("I love it", "positive"), ("che schifo", "negative")])
def test_a_post_too_short_to_tell_is_read_by_the_closest_languages_pipeline(enricher, text, label):
    """An Italian-first workspace: "so bad" is too short to call English (lang "und"), yet the English model
    reads it; sent to the Italian pipeline, the first workspace language's, it read as neutral."""
    (output,) = enricher.enrich([{"id": 1, "text": text}])
    assert output["lang"] == "und" and output["sentiment"]["label"] == label


def test_bad_lines_are_reported_with_their_number_and_skipped(enricher):
    lines = [
        '{"id": 1, "text": "Barilla a cena"}',
        "not json",
        '{"id": 2}',
        "",
        '{"id": true, "text": "x"}',
        '{"id": 3, "text": 5}',
        '{"id": 4, "text": "x", "lang": 7}',
        "[1, 2]",
        '{"id": 5, "text": "NaN", "score": NaN}',
        b'{"id": 6, "text": "\xff\xfe"}',
        '{"id": 7, "text": "Lavazza, the end"}',
    ]
    source = [line.encode() if isinstance(line, str) else line for line in lines]
    problems: list[tuple[int, str]] = []
    sink = io.StringIO()
    stats = enrich_jsonl(source, sink, enricher, lambda n, p: problems.append((n, p)))
    assert [n for n, _ in problems] == [2, 3, 5, 6, 7, 8, 9, 10]
    assert "not valid JSON" in problems[0][1] and "missing 'text'" in problems[1][1]
    assert "not UTF-8" in problems[-1][1]
    written = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert [r["id"] for r in written] == [1, 7]
    assert (stats.written, stats.skipped) == (2, 8)


HOSTILE = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters() | st.characters(categories=["Cs"]), max_size=100),  # lone surrogates
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=50),
    st.lists(st.sampled_from(["👍🏽", "👨‍👩‍👧", "🇮🇹", "😡", "❤️", "1️⃣", "\u200d", "\ufe0f"]), max_size=30).map("".join),
    st.lists(st.sampled_from(["https://x.y/a?b=1", "http://bit.ly/3", "www.example.com"]), max_size=8).map(" ".join),
    st.lists(st.sampled_from(["שלום", "مرحبا", "\u202e", "\u200f", "Barilla", "Barrila", "@barilla", "#delta"]), max_size=20).map(" ".join),
    st.sampled_from(["a" * 100_000, ("Barilla #MadeInItaly @delta 😀 https://x.y " * 2500)[:100_000],
                     "ab" * 50_000,  # one long word: the typo lookup must not build its 100,000 deletions
                     "Ciao @barilla " + "\ufe0f" * 40 + "a",  # emoji presentation runs: no regex backtracking
                     "😀" * 100_000, "!" * 100_000]),  # runs without spaces: spaCy's affix splitting is quadratic
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(HOSTILE, min_size=1, max_size=4))
def test_hostile_text_always_gives_a_valid_line(enricher, texts):
    records = [{"id": f"p:{i}", "text": text} for i, text in enumerate(texts)]
    outputs = list(enricher.enrich(records))
    assert len(outputs) == len(records)
    for record, output in zip(records, outputs):
        assert_valid_output(record, output)


# --- CLI ---------------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_enrich_files_and_reports_bad_lines(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "Spesa all\'Esselunga"}\n{oops\n{"id": "b", "text": "Apple pie"}\n')
    target = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["enrich", str(source), "-o", str(target), "--brands", str(BRANDS_FILE)])
    assert result.exit_code == 0, result.output
    assert "line 2" in result.stderr and "enriched 2 post(s), skipped 1 bad line(s)" in result.stderr
    written = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["id"] for r in written] == ["a", "b"]
    assert [m["brand"] for m in written[0]["mentions"]] == ["Esselunga"]
    assert written[1]["mentions"] == []  # "apple pie" is excluded


def test_cli_enrich_stdin_to_stdout():
    result = runner.invoke(app, ["enrich", "-", "-o", "-"], input='{"id": 1, "text": "Che bello! 😍"}\n')
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["text"] == "Che bello! 😍"


def test_cli_enrich_with_a_workspace(tmp_path):
    assert runner.invoke(app, ["init", str(tmp_path / "ws")]).exit_code == 0
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "Pasta di grano duro Pastificio Esempio, per esempio"}\n')
    result = runner.invoke(app, ["enrich", str(source), "-o", "-", "--workspace", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout.splitlines()[0])
    assert [m["text"] for m in output["mentions"]] == ["Pastificio Esempio"]
    assert "grano_duro" in output["themes"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["enrich", "missing.jsonl", "-o", "-"], "missing.jsonl"),
        (["enrich", "-", "-o", "-", "--brands", "b.yaml", "--workspace", "w"], "not both"),
        (["eval", "x.jsonl", "--task", "nope"], "unknown task 'nope'"),
        (["eval", str(DATA / "brands_dev.jsonl"), "--task", "brands"], "needs brand definitions"),
    ],
)
def test_cli_errors_are_one_line_with_non_zero_exit(args, message):
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert message in result.stderr and result.stderr.startswith("error:")


def test_cli_bad_brands_file_names_the_line(tmp_path):
    brands = tmp_path / "b.yaml"
    brands.write_text("brands:\n  - name: X\n    query: x NEAR y\n")
    result = runner.invoke(app, ["enrich", "-", "-o", "-", "--brands", str(brands)], input="")
    assert result.exit_code == 1
    assert "b.yaml, line 3" in result.stderr and "NEAR needs a distance" in result.stderr


def test_cli_eval_prints_per_class_scores_and_macro_f1(tmp_path):
    labelled = tmp_path / "intents.jsonl"
    labelled.write_text(
        '{"text": "qualcuno sa se spedite in Svizzera", "intents": ["question"]}\n'
        '{"text": "still waiting 3 hours", "intents": ["complaint"]}\n'
        '{"text": "nice weather today", "intents": ["question"]}\n'
    )
    result = runner.invoke(app, ["eval", str(labelled), "--task", "intent", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    scores = {c["label"]: c for c in report["classes"]}
    assert scores["question"]["precision"] == 1.0 and scores["question"]["recall"] == 0.5
    assert scores["complaint"]["f1"] == 1.0 and scores["praise"]["support"] == 0
    assert report["macro_f1"] == pytest.approx((2 / 3 + 1.0) / 5)


def test_eval_folds_a_predicted_label_the_gold_file_never_uses(tmp_path):
    """A 3-class sentiment file (no "mixed") counts a post read as mixed as neutral; a 4-class one keeps it."""
    from models.evaluation import EvalSettings, EvalTask, evaluate_file

    predictions = [{"mixed"}, {"negative"}]
    task = EvalTask("t", "", "label", lambda records, settings: predictions, folded_when_unused={"mixed": "neutral"})
    three_class = tmp_path / "three.jsonl"
    three_class.write_text('{"text": "a", "label": "neutral"}\n{"text": "b", "label": "negative"}\n')
    assert evaluate_file(task, three_class, EvalSettings()).macro_f1 == 1.0
    four_class = tmp_path / "four.jsonl"
    four_class.write_text('{"text": "a", "label": "mixed"}\n{"text": "b", "label": "negative"}\n')
    assert evaluate_file(task, four_class, EvalSettings()).macro_f1 == 1.0
    predictions[0] = {"neutral"}
    assert {s.label: s.f1 for s in evaluate_file(task, four_class, EvalSettings()).scores}["mixed"] == 0.0


@pytest.mark.parametrize(("labelled", "brands", "examples"), [
    ("sentiment_blind_en.jsonl", None, 100),
    ("sentiment_blind_it.jsonl", None, 100),
    ("customer_blind2_en.jsonl", "customer_blind2_brands.yaml", 120),
    ("customer_blind2_it.jsonl", "customer_blind2_brands.yaml", 120),
    ("customer_blind3_en.jsonl", "customer_blind3_en_brands.yaml", 120),
    ("customer_blind3_it.jsonl", "customer_blind3_it_brands.yaml", 120),
    ("customer_blind4_en.jsonl", "customer_blind4_en_brands.yaml", 120),
    ("customer_blind4_it.jsonl", "customer_blind4_it_brands.yaml", 120),
])
def test_cli_eval_sentiment_scores_the_pipeline_on_the_blind_sets(labelled, brands, examples):
    """The blind customer sets run end to end (figures in BENCHMARKS.md); the floor catches a regression
    towards the generic models' level (about 0.53 in the issue), not the exact figure."""
    extra = ["--brands", str(DATA / brands)] if brands else []
    result = runner.invoke(app, ["eval", str(DATA / labelled), "--task", "sentiment", "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["examples"] == examples
    assert {c["label"] for c in report["classes"]} == {"positive", "negative", "neutral"}
    assert report["macro_f1"] >= 0.56


@pytest.mark.parametrize(("labelled", "brands"), [
    ("mention_blind2_it.jsonl", "mention_blind2_brands.yaml"), ("mention_blind2_en.jsonl", "mention_blind2_brands.yaml"),
    ("mention_blind3_it.jsonl", "mention_blind3_it_brands.yaml"), ("mention_blind3_en.jsonl", "mention_blind3_en_brands.yaml"),
    ("mention_blind4_it.jsonl", "mention_blind4_it_brands.yaml"), ("mention_blind4_en.jsonl", "mention_blind4_en_brands.yaml"),
])
def test_reading_per_mention_beats_giving_every_brand_the_posts_sentiment(labelled, brands):
    """The blind per-mention sets (BENCHMARKS.md): 100 posts naming 2-3 brands, the sentiment aimed at each."""
    result = runner.invoke(app, ["eval", str(DATA / labelled), "--task", "mention_sentiment", "--format", "json",
                                 "--brands", str(DATA / brands)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["brands_found"] == 1.0
    assert report["accuracy"] >= report["post_level_accuracy"] + 0.1


def test_cli_eval_brands_on_the_second_blind_set():
    """150 posts to 14 ambiguous invented brands (BENCHMARKS.md): the floor is below the measured 0.919,
    above what bare alias matching without the helper's queries and exclusions gets (0.824)."""
    result = runner.invoke(app, ["eval", str(DATA / "brands_blind2.jsonl"), "--task", "brands", "--format", "json",
                                 "--brands", str(DATA / "brands_blind2.yaml")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["examples"] == 150 and report["macro_f1"] >= 0.88


def test_cli_eval_mention_sentiment_scores_each_brand_of_a_post(tmp_path):
    brands = tmp_path / "brands.yaml"
    brands.write_text("brands:\n  - name: Alfa\n  - name: Beta\n  - name: Gamma\n")
    labelled = tmp_path / "mentions.jsonl"
    labelled.write_text("\n".join(json.dumps(line) for line in [
        {"text": "Alfa è pessima, ma Beta è ottima", "mentions": {"Alfa": "negative", "Beta": "positive"}},
        {"text": "Beta terribile, invece Alfa fantastica", "mentions": {"Beta": "negative", "Alfa": "positive"}},
        {"text": "Alfa e Beta entrambe ottime", "mentions": {"Alfa": "positive", "Beta": "positive"}},
        {"text": "Alfa ottima", "mentions": {"Alfa": "positive", "Gamma": "neutral"}},  # Gamma is not named
    ]) + "\n")
    result = runner.invoke(app, ["eval", str(labelled), "--task", "mention_sentiment", "--brands", str(brands),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["examples"] == 8  # (post, brand) pairs
    assert {c["label"] for c in report["classes"]} == {"positive", "negative", "neutral"}  # no "none" class
    assert report["brands_found"] == 7 / 8
    # Per mention, each side of a contrast gets its own sentiment; the post's one sentiment cannot.
    assert report["macro_f1"] > report["post_level_macro_f1"]
    labelled.write_text('{"text": "Alfa ok", "mentions": {"Alfa": "positive"}}\n{"text": "x", "mentions": {"Delta": "positive"}}\n')
    result = runner.invoke(app, ["eval", str(labelled), "--task", "mention_sentiment", "--brands", str(brands)])
    assert result.exit_code == 1 and "mentions.jsonl, line 2: brand 'Delta' is not one of the given brands" in result.stderr


def test_cli_eval_labelled_file_errors_name_the_line(tmp_path):
    labelled = tmp_path / "bad.jsonl"
    labelled.write_text('{"text": "a", "intents": []}\n{"text": "b", "intents": [1]}\n')
    result = runner.invoke(app, ["eval", str(labelled), "--task", "intent"])
    assert result.exit_code == 1 and "bad.jsonl, line 2" in result.stderr


@pytest.mark.parametrize(("task", "gold", "extra"), [
    ("sentiment", '"label": "Positive"', []),
    ("intent", '"intents": ["complaint", "complain"]', []),
    ("brands", '"brands": ["Barila"]', ["--brands", str(BRANDS_FILE)]),
])
def test_cli_eval_refuses_an_unknown_gold_label_naming_its_line(tmp_path, task, gold, extra):
    good = {"sentiment": '"label": "positive"', "intent": '"intents": []', "brands": '"brands": []'}[task]
    labelled = tmp_path / "typo.jsonl"
    labelled.write_text(f'{{"text": "a", {good}}}\n{{"text": "b", {gold}}}\n')
    result = runner.invoke(app, ["eval", str(labelled), "--task", task, *extra])
    assert result.exit_code == 1 and "typo.jsonl, line 2" in result.stderr and "is not one of" in result.stderr


@pytest.mark.parametrize(("task", "extra"), [("intent", []), ("brands", ["--brands", str(BRANDS_FILE)])])
def test_dev_sets_evaluate(task, extra):
    """The hand-written dev sets run end to end; their figures are reported, not asserted."""
    labelled = DATA / ("intents_dev.jsonl" if task == "intent" else "brands_dev.jsonl")
    result = runner.invoke(app, ["eval", str(labelled), "--task", task, *extra])
    assert result.exit_code == 0, result.output
    assert "macro-F1:" in result.stdout


def test_dev_set_labels_are_known():
    brands = {b.name for b in load_brand_set(BRANDS_FILE).brands}
    for line in (DATA / "brands_dev.jsonl").read_text().splitlines():
        assert set(json.loads(line)["brands"]) <= brands
    for line in (DATA / "intents_dev.jsonl").read_text().splitlines():
        assert set(json.loads(line)["intents"]) <= set(INTENT_LABELS)
