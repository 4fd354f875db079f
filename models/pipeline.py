"""Build Rete's spaCy pipelines from ``models/pipeline_<lang>.cfg`` plus a workspace's brands and themes.

The config files fix the pipeline's shape (tokenizer, components, order: language -> brands -> sentiment
-> intents -> intent_model -> resolution -> complaint_sentiment -> themes); this module fills in what belongs
to a workspace. Sentiment runs after brands because it scores each mention, and before intents, which read it
(a negative post addressed to a brand is a complaint); intent_model adds what the rules missed; resolution
turns a problem put right, told with satisfaction, into praise; complaint_sentiment then turns neutral
complaints negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import spacy
from spacy.language import Language

# Importing the modules registers their factories and the tokenizer.
import models.brands  # noqa: F401
import models.complaint_sentiment  # noqa: F401
import models.intents  # noqa: F401
import models.language  # noqa: F401
import models.resolution  # noqa: F401
import models.themes  # noqa: F401
import models.tokenizer  # noqa: F401
from models.language import COMMON_LANGUAGES
from rete.config import BrandEntry

MODELS_DIR = Path(__file__).parent
PIPELINE_LANGUAGES = ("it", "en")


class PipelineError(RuntimeError):
    pass


def config_path(lang: str) -> Path:
    if lang not in PIPELINE_LANGUAGES:
        raise PipelineError(f"no pipeline for language {lang!r} (available: {', '.join(PIPELINE_LANGUAGES)})")
    return MODELS_DIR / f"pipeline_{lang}.cfg"


def build_pipeline(
    lang: str,
    brands: Sequence[BrandEntry] = (),
    themes: Mapping[str, Sequence[str]] | None = None,
    languages: Iterable[str] = COMMON_LANGUAGES,
    without: Iterable[str] = (),
    model_paths: Mapping[str, Mapping[str, str]] | None = None,
) -> Language:
    """The ``lang`` pipeline for these brands and extra themes. ``languages`` are the candidates of
    language id; ``without`` names components to leave out (e.g. ``("sentiment",)`` to time the rest);
    ``model_paths`` a workspace's own trained models, ``{"sentiment"|"intents": {lang: path}}``."""
    config = spacy.util.load_config(config_path(lang))
    workspace_settings = {
        "brands": {"brands": [brand.model_dump(mode="json", exclude_none=True) for brand in brands]},
        "themes": {"extra": {theme: list(words) for theme, words in (themes or {}).items()}},
        "language": {"languages": list(dict.fromkeys([*languages, *COMMON_LANGUAGES]))},
        "sentiment": {"model_paths": dict((model_paths or {}).get("sentiment", {}))},
        "intent_model": {"model_paths": dict((model_paths or {}).get("intents", {}))},
    }
    without = list(without)
    if not {"sentiment", "intent_model"} <= set(without):
        _require_trained_components()
    # Workspace values are added with add_pipe, not written into the config: confection would read a
    # "${...}" inside a brand query or keyword as a config variable.
    order = list(config["nlp"]["pipeline"])
    added_later = [name for name in order if name in workspace_settings and name not in without]
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, exclude=without + added_later)
    for name in added_later:
        settings = {k: v for k, v in config["components"][name].items() if k != "factory"}
        settings.update(workspace_settings[name])
        following = [n for n in order[order.index(name) + 1 :] if n in nlp.pipe_names]
        position = {"before": following[0]} if following else {}
        nlp.add_pipe(config["components"][name]["factory"], name=name, config=settings, **position)
    return nlp


def _require_trained_components() -> None:
    try:
        import models.intent_model  # noqa: F401  (registers "rete_intent_model")
        import models.sentiment  # noqa: F401  (registers "rete_sentiment")
    except ImportError as exc:
        raise PipelineError(
            "the trained components (factories 'rete_sentiment' in models/sentiment.py and 'rete_intent_model' "
            f"in models/intent_model.py) cannot be loaded: {exc}"
        ) from exc
