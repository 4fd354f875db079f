"""``rete train``: rebuild the committed sentiment and intent artefacts, or train on a consultant's own labelled posts."""

from __future__ import annotations

from functools import reduce
from operator import add
from pathlib import Path
from typing import Annotated

import typer

from rete.commands.errors import fail, stderr, user_errors

LANGUAGES = ("it", "en")
LangOption = Annotated[str, typer.Option("--lang", help="Language of the model: it or en.")]


def out_option(kind: str):
    """The --out option of a ``rete train`` command whose model is of this kind."""
    return Annotated[
        Path | None,
        typer.Option("--out", help=f"Where to write the model (.npz). Default: models/artifacts/{kind}-LANG.npz."),
    ]


def register(app: typer.Typer) -> None:
    train_app = typer.Typer(help="Train Rete's models from labelled data.", no_args_is_help=True)
    train_app.command("sentiment")(train_sentiment)
    train_app.command("intents")(train_intents)
    train_app.command("lexicons")(derive_lexicons)
    app.add_typer(train_app, name="train")


def train_sentiment(
    lang: LangOption,
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", help="JSONL of labelled posts ({text, label}); repeatable. Default: the base data."),
    ] = None,
    with_base: Annotated[
        bool, typer.Option("--with-base", help="Add the base training data (../shared/data tweets and Rete's labelled posts) to --data.")
    ] = False,
    shared_data: Annotated[
        Path | None, typer.Option("--shared-data", help="Folder of the base data. Default: ../shared/data.")
    ] = None,
    out: out_option("sentiment") = None,
    evaluate: Annotated[
        bool,
        typer.Option("--evaluate", help="Print dev-split figures (base data: BENCHMARKS.md's table) instead of training."),
    ] = False,
) -> None:
    """Train the sentiment model of one language and save it.

    Without --data this reproduces the committed artefact from the base data. With --data it trains on your
    labelled posts (labels: positive, negative, neutral, mixed), alone or --with-base.
    """
    from models import train as training
    from models.sentiment import default_artifact

    _check_options(lang, data, out, evaluate)
    base_dir = shared_data or training.SHARED_DATA
    with user_errors():
        try:
            parts = [training.load_jsonl(path) for path in data or []]
            uses_base = not data or with_base
            if uses_base:
                parts.insert(0, training.base_data(lang, base_dir))
            # Rete's labelled posts join every fit that uses the base data, and never a dev split.
            always_trained = training.rete_posts(lang) if uses_base else None
        except ValueError as exc:
            raise fail(str(exc)) from None
        labelled = reduce(add, parts)
        if evaluate:
            if not data:
                training.evaluate(base_dir)
                return
            train_part, dev_part = training.split(labelled)
            model = _fit(training, train_part + always_trained if always_trained else train_part, lang, {})
            guess = [p["label"] for p in model.predict_texts(dev_part.texts)]
            stderr.print(f"dev split: {len(dev_part.texts)} of {len(labelled.texts)} posts (seed {training.SPLIT_SEED})")
            for label, p, r, f, n in training.per_class(dev_part.labels, guess):
                typer.echo(f"{label:<9} P {p:.3f}  R {r:.3f}  F1 {f:.3f}  n {n}")
            typer.echo(f"macro-F1  {training.macro_f1(dev_part.labels, guess):.3f}")
            return
        sources = [str(p) for p in data or []] + ([] if data and not with_base else ["base data (../shared/data/sentiment)", *_rete_post_names(lang)])
        target = out or default_artifact(lang)
        if always_trained:
            labelled = labelled + always_trained
        model = _fit(training, labelled, lang, {"trained_on": sources})
        model.save(target)
    stderr.print(f"sentiment model ({lang}, {len(labelled.texts)} posts) written to {target}")


def _rete_post_names(lang: str) -> list[str]:
    """Rete's labelled posts as an artefact records them: repository paths, the same on every machine."""
    from models.train import rete_post_paths

    return [f"models/data/{path.name}" for path in rete_post_paths(lang)]


def _check_options(lang: str, data: list[Path] | None, out: Path | None, evaluate: bool) -> None:
    if lang not in LANGUAGES:
        raise fail(f"--lang must be one of {', '.join(LANGUAGES)}, got {lang!r}", code=2)
    if data and out is None and not evaluate:
        raise fail("--out is required with --data, so the shipped model is not overwritten by accident", code=2)


def _fit(training, labelled, lang: str, meta: dict):
    try:
        return training.fit(labelled, lang, meta=meta)
    except ValueError as exc:
        raise fail(str(exc)) from None


def train_intents(
    lang: LangOption,
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", help="JSONL of posts labelled with intents ({text, intents, domain}); repeatable. "
                     "Default: Rete's labelled posts (customer posts and brand news)."),
    ] = None,
    with_base: Annotated[
        bool, typer.Option("--with-base", help="Add Rete's labelled posts (customer posts and brand news) to --data.")
    ] = False,
    out: out_option("intents") = None,
    evaluate: Annotated[
        bool,
        typer.Option("--evaluate", help="Print the rules, the model and both on each domain held out in turn, "
                     "instead of training."),
    ] = False,
) -> None:
    """Train the learned intents (complaint, praise, support_request) of one language and save them.

    Without --data this reproduces the committed artefact from Rete's labelled posts
    (models/data/customer_posts_LANG.jsonl, brand_news_LANG.jsonl and resolution_posts_LANG.jsonl). With --data it
    trains on your posts
    labelled with intents, alone or --with-base. The rules (models/data/intents) are not trained: the model adds what they miss.
    """
    from models import intent_model
    from models.sentiment import artifact_path

    _check_options(lang, data, out, evaluate)
    with user_errors():
        try:
            parts = [intent_model.load_intent_jsonl(path) for path in data or []]
            if not data or with_base:
                parts.insert(0, intent_model.rete_intent_posts(lang))
        except ValueError as exc:
            raise fail(str(exc)) from None
        labelled = reduce(add, parts)
        try:
            if evaluate:
                _print_intent_scores(intent_model.cross_domain_scores(labelled, lang), len(set(labelled.domains)))
                return
            sources = [str(p) for p in data or []] + ([] if data and not with_base else _rete_post_names(lang))
            target = out or artifact_path(intent_model.IntentModel.KIND, lang)
            intent_model.fit_intents(labelled, lang, {"trained_on": sources}).save(target)
        except ValueError as exc:
            raise fail(str(exc)) from None
    stderr.print(f"intent model ({lang}, {len(labelled.texts)} posts) written to {target}")


def _print_intent_scores(scores, domains: int) -> None:
    from models.intent_model import READERS

    typer.echo(f"each of {domains} domains held out from the model in turn; rules with every @handle as a brand")
    for reader, meaning in READERS.items():
        typer.echo(f"  {reader}: {meaning}")
    typer.echo(f"{'intent':<16} {'reader':<22} {'P':>5} {'R':>5} {'F1':>5} {'n':>4}")
    for score in scores:
        typer.echo(f"{score.intent:<16} {score.reader:<22} {score.precision:5.2f} {score.recall:5.2f} "
                   f"{score.f1:5.2f} {score.support:4d}")


def derive_lexicons(
    shared_data: Annotated[
        Path | None, typer.Option("--shared-data", help="Folder of the base data. Default: ../shared/data.")
    ] = None,
) -> None:
    """Rebuild models/data/lexicon_it.tsv and emoji_sentiment.tsv from Pattern and the Emoji Sentiment Ranking."""
    from models import train as training
    from models.lexicon import derive_lexicons as derive

    with user_errors():
        for path in derive(shared_data or training.SHARED_DATA):
            stderr.print(f"written {path}")
