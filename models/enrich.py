"""``rete enrich``: add language, sentiment, brand mentions, intents and themes to post records.

The contract (issue 2, item 7) — each output record is the input record plus::

    "lang": ISO 639-1 or "und",
    "sentiment": {"label": "positive"|"negative"|"neutral"|"mixed", "score": -1..1},
    "mentions": [{"brand", "text", "start", "end", "sentiment"}],   # offsets index the record's "text"
    "intents": [...], "themes": [...]

Language id runs first, on the raw text, because it decides which pipeline (Italian or English rules) a
post goes through; a post in another language, or too short to tell ("und"), goes through the pipeline of
the language it is closest to (function words, then lingua between the pipelines' languages), else the
first workspace language's; its ``lang`` stays what language id said. Records
are processed in chunks (each component gets a chunk's docs) and come out in input order.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

from spacy.tokens import Doc

from models.extensions import MENTIONS_KEY, doc_key, span_value
from models.language import COMMON_LANGUAGES, language_identifier
from models.pipeline import PIPELINE_LANGUAGES, PipelineError, build_pipeline
from rete.config import BrandEntry

CHUNK_SIZE = 2000
# Where the doc attributes are kept: read and written directly, without spaCy's ``doc._`` proxy.
LANG_KEY, META_KEY, SENTIMENT_KEY = doc_key("lang"), doc_key("meta"), doc_key("sentiment")
INTENTS_KEY, THEMES_KEY = doc_key("intents"), doc_key("themes")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Optional input fields and the JSON types they may have.
OPTIONAL_FIELDS: dict[str, tuple[type, ...]] = {
    "lang": (str,),
    "created_at": (str,),
    "author": (str, dict),
    "source": (str,),
    "platform": (str,),
    "parent_id": (str, int),
}


class Enricher:
    def __init__(
        self,
        brands: Sequence[BrandEntry],
        languages: Sequence[str] = ("it", "en"),
        themes: Mapping[str, Sequence[str]] | None = None,
        without: Sequence[str] = (),
        model_paths: Mapping[str, Mapping[str, str]] | None = None,
    ):
        """``languages``: the workspace's; ``themes``: extra theme -> keywords; ``without``: pipeline
        components to leave out (evaluation and benchmarks of the other components); ``model_paths``: the
        workspace's own trained models, ``{"sentiment"|"intents": {lang: path}}`` (default: the shipped ones)."""
        pipeline_languages = [lang for lang in languages if lang in PIPELINE_LANGUAGES]
        if not pipeline_languages:
            raise PipelineError(f"none of the languages {list(languages)} has a pipeline ({PIPELINE_LANGUAGES})")
        candidates = tuple(dict.fromkeys([*languages, *COMMON_LANGUAGES]))
        self.identifier = language_identifier(candidates, tuple(languages))
        self.pipelines = {
            lang: build_pipeline(lang, brands, themes, candidates, without, model_paths) for lang in pipeline_languages
        }
        self.default_lang = pipeline_languages[0]
        # The pipelines are some hundred thousand objects that live as long as the process (vocabularies,
        # matcher tables, lingua's detector). Moving them out of the cyclic garbage collector's reach
        # spares a rescan of all of them at every full collection: about 15% of enrich time measured.
        gc.freeze()

    def enrich(self, records: Iterable[dict]) -> Iterator[dict]:
        """Records need ``id`` and ``text`` (see :func:`record_problem`); output order = input order."""
        iterator = iter(records)
        while chunk := list(islice(iterator, CHUNK_SIZE)):
            with _cyclic_gc_paused():
                enriched = self._enrich_chunk(chunk)
            yield from enriched  # outside the pause: the caller's code runs with the collector as it was

    def _enrich_chunk(self, records: list[dict]) -> list[dict]:
        identify, default_lang = self.identifier.identify, self.default_lang
        by_pipeline: dict[str, list[tuple[int, str, str]]] = {}
        for index, record in enumerate(records):
            text = record["text"]
            if _LONE_SURROGATE.search(text):
                text = _LONE_SURROGATE.sub("\ufffd", text)
            lang = identify(text, record.get("lang"))
            pipeline_lang = lang if lang in self.pipelines else self._closest_pipeline(text)
            by_pipeline.setdefault(pipeline_lang, []).append((index, text, lang))
        output: list[dict] = [{}] * len(records)
        for pipeline_lang, items in by_pipeline.items():
            nlp = self.pipelines[pipeline_lang]
            docs = [self._prepared_doc(nlp, text, lang, records[index]) for index, text, lang in items]
            # Components are run here rather than through nlp.pipe: spaCy's per-component generators and
            # error wrapping cost more than Rete's components do. A component with a batch method
            # (sentiment scores a whole batch at once) gets the batch.
            for _, component in nlp.pipeline:
                if hasattr(component, "pipe"):
                    docs = list(component.pipe(docs, batch_size=CHUNK_SIZE))
                else:
                    docs = [component(doc) for doc in docs]
            for (index, _, _), doc in zip(items, docs, strict=True):
                output[index] = _output_record(records[index], doc)
        return output

    def _closest_pipeline(self, text: str) -> str:
        """The pipeline for a post in no pipeline's language or too short to tell ("und"): the closest of
        them ("I love it" goes to the English one), else the first workspace language."""
        if len(self.pipelines) < 2:
            return self.default_lang
        return self.identifier.closest(text, tuple(self.pipelines)) or self.default_lang

    @staticmethod
    def _prepared_doc(nlp, text: str, lang: str, record: dict) -> Doc:
        doc = nlp.make_doc(text)
        user_data = doc.user_data
        user_data[LANG_KEY] = lang
        user_data[META_KEY] = {"source": record.get("source"), "platform": record.get("platform"),
                               "author": record.get("author"), "parent_id": record.get("parent_id")}
        return doc


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a chunk is enriched. A chunk's docs, spans and records
    make no reference cycles (reference counting frees them: collections during enrich found nothing to
    collect), yet their allocations set off collections that rescan every live doc of the chunk: about 16
    µs a post of CPU time in the collector, 4-5% of enrich time (bench posts, paired A/B in one process).
    Memory stays bounded by the chunk; cycles made elsewhere wait for the next collection after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _output_record(record: dict, doc: Doc) -> dict:
    text = record["text"]
    user_data = doc.user_data
    mentions = []
    for span in doc.spans.get(MENTIONS_KEY, ()):
        start, end = span.start_char, span.end_char
        mentions.append(
            {
                "brand": span.label_,
                "text": text[start:end],
                "start": start,
                "end": end,
                "sentiment": span_value(doc, "sentiment", start, end),
            }
        )
    return {
        **record,
        "lang": user_data.get(LANG_KEY),
        "sentiment": user_data.get(SENTIMENT_KEY),
        "mentions": mentions,
        "intents": list(user_data.get(INTENTS_KEY, ())),
        "themes": list(user_data.get(THEMES_KEY, ())),
    }


def record_problem(record: Any) -> str | None:
    """Why a parsed input line cannot be enriched, or None."""
    if not isinstance(record, dict):
        return f"expected a JSON object, got {type(record).__name__}"
    post_id = record.get("id")
    if post_id is None:
        return "missing 'id'"
    if isinstance(post_id, bool) or not isinstance(post_id, str | int):
        return "'id' must be a string or an integer"
    if "text" not in record or record["text"] is None:
        return "missing 'text'"
    if not isinstance(record["text"], str):
        return f"'text' must be a string, got {type(record['text']).__name__}"
    for field, types in OPTIONAL_FIELDS.items():
        value = record.get(field)
        if value is not None and (isinstance(value, bool) or not isinstance(value, types)):
            names = " or ".join(t.__name__.replace("str", "string").replace("dict", "object") for t in types)
            return f"{field!r} must be a {names}"
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# Made once: json.loads/json.dumps with options build a new decoder/encoder at every call.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_ENCODER = json.JSONEncoder(ensure_ascii=False)
_ASCII_ENCODER = json.JSONEncoder(ensure_ascii=True)


def _parse_line(line: str | bytes) -> tuple[dict | None, str | None]:
    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 (byte {exc.start + 1})"
    try:
        record = _DECODER.decode(text)
    except (json.JSONDecodeError, ValueError) as exc:
        return None, f"not valid JSON: {exc}"
    problem = record_problem(record)
    return (None, problem) if problem else (record, None)


def dumps_line(record: dict) -> str:
    """One JSON line, readable UTF-8; a lone surrogate (not encodable) is written as a \\u escape."""
    line = _ENCODER.encode(record)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = _ASCII_ENCODER.encode(record)
    return line + "\n"


@dataclass
class EnrichStats:
    read: int = 0
    written: int = 0
    skipped: int = 0


def enrich_jsonl(
    input_stream: IO[str] | IO[bytes] | Iterable[str | bytes],
    output_stream: IO[str],
    enricher: Enricher,
    on_problem: Callable[[int, str], None],
    on_progress: Callable[[int], None] | None = None,
) -> EnrichStats:
    """Enrich a JSONL stream. A bad line (not UTF-8, not JSON, missing or mistyped fields) is passed to
    ``on_problem(line_number, reason)`` and skipped; blank lines are ignored. ``on_progress`` gets the
    length of every line read (bytes for a binary stream), for a progress bar."""
    stats = EnrichStats()

    def valid_records() -> Iterator[dict]:
        for number, line in enumerate(input_stream, start=1):
            stats.read += 1
            if on_progress is not None:
                on_progress(len(line))
            if not line.strip():
                continue
            record, problem = _parse_line(line)
            if problem is not None:
                stats.skipped += 1
                on_problem(number, problem)
                continue
            yield record

    for record in enricher.enrich(valid_records()):
        output_stream.write(dumps_line(record))
        stats.written += 1
    return stats
