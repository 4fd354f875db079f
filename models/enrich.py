"""``rete enrich``: add language, sentiment, brand mentions, intents and themes to post records.

The contract (issue 2, item 7) — each output record is the input record plus::

    "lang": ISO 639-1 or "und",
    "sentiment": {"label": "positive"|"negative"|"neutral"|"mixed", "score": -1..1},
    "mentions": [{"brand", "text", "start", "end", "sentiment"}],   # offsets index the record's "text"
    "intents": [...], "themes": [...]

Language id runs first, on the raw text, because it decides which pipeline (Italian or English rules) a
post goes through; posts in other languages go through the first workspace language's pipeline. Records
are processed in chunks with ``nlp.pipe`` and come out in input order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

from spacy.tokens import Doc

from models.extensions import MENTIONS_KEY, doc_value, set_doc_value
from models.language import COMMON_LANGUAGES, language_identifier
from models.pipeline import PIPELINE_LANGUAGES, PipelineError, build_pipeline
from rete.config import BrandEntry

CHUNK_SIZE = 2000
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Optional input fields and the JSON types they may have.
_OPTIONAL_FIELDS: dict[str, tuple[type, ...]] = {
    "lang": (str,),
    "created_at": (str,),
    "author": (str, dict),
    "source": (str,),
    "parent_id": (str, int),
}


class Enricher:
    def __init__(
        self,
        brands: Sequence[BrandEntry],
        languages: Sequence[str] = ("it", "en"),
        themes: Mapping[str, Sequence[str]] | None = None,
        without: Sequence[str] = (),
    ):
        """``languages``: the workspace's; ``themes``: extra theme -> keywords; ``without``: pipeline
        components to leave out (evaluation and benchmarks of the other components)."""
        pipeline_languages = [lang for lang in languages if lang in PIPELINE_LANGUAGES]
        if not pipeline_languages:
            raise PipelineError(f"none of the languages {list(languages)} has a pipeline ({PIPELINE_LANGUAGES})")
        candidates = tuple(dict.fromkeys([*languages, *COMMON_LANGUAGES]))
        self.identifier = language_identifier(candidates)
        self.pipelines = {
            lang: build_pipeline(lang, brands, themes, candidates, without) for lang in pipeline_languages
        }
        self.default_lang = pipeline_languages[0]

    def enrich(self, records: Iterable[dict]) -> Iterator[dict]:
        """Records need ``id`` and ``text`` (see :func:`record_problem`); output order = input order."""
        iterator = iter(records)
        while chunk := list(islice(iterator, CHUNK_SIZE)):
            yield from self._enrich_chunk(chunk)

    def _enrich_chunk(self, records: list[dict]) -> list[dict]:
        texts = [_LONE_SURROGATE.sub("\ufffd", record["text"]) for record in records]
        langs = [self.identifier.identify(text, record.get("lang")) for text, record in zip(texts, records)]
        by_pipeline: dict[str, list[int]] = {}
        for index, lang in enumerate(langs):
            by_pipeline.setdefault(lang if lang in self.pipelines else self.default_lang, []).append(index)
        output: list[dict] = [{}] * len(records)
        for pipeline_lang, indices in by_pipeline.items():
            nlp = self.pipelines[pipeline_lang]
            docs = [self._prepared_doc(nlp, texts[i], langs[i], records[i]) for i in indices]
            for index, doc in zip(indices, nlp.pipe(docs, batch_size=CHUNK_SIZE)):
                output[index] = _output_record(records[index], doc)
        return output

    @staticmethod
    def _prepared_doc(nlp, text: str, lang: str, record: dict) -> Doc:
        doc = nlp.make_doc(text)
        set_doc_value(doc, "lang", lang)
        set_doc_value(doc, "meta", {key: record.get(key) for key in ("source", "author", "parent_id")})
        return doc


def _output_record(record: dict, doc: Doc) -> dict:
    text = record["text"]
    mentions = [
        {
            "brand": span.label_,
            "text": text[span.start_char : span.end_char],
            "start": span.start_char,
            "end": span.end_char,
            "sentiment": span._.sentiment,
        }
        for span in doc.spans.get(MENTIONS_KEY, ())
    ]
    return {
        **record,
        "lang": doc_value(doc, "lang"),
        "sentiment": doc_value(doc, "sentiment"),
        "mentions": mentions,
        "intents": list(doc_value(doc, "intents")),
        "themes": list(doc_value(doc, "themes")),
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
    for field, types in _OPTIONAL_FIELDS.items():
        value = record.get(field)
        if value is not None and (isinstance(value, bool) or not isinstance(value, types)):
            names = " or ".join(t.__name__.replace("str", "string").replace("dict", "object") for t in types)
            return f"{field!r} must be a {names}"
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_line(line: str | bytes) -> tuple[dict | None, str | None]:
    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 (byte {exc.start + 1})"
    try:
        record = json.loads(text, parse_constant=_reject_constant)
    except (json.JSONDecodeError, ValueError) as exc:
        return None, f"not valid JSON: {exc}"
    problem = record_problem(record)
    return (None, problem) if problem else (record, None)


def dumps_line(record: dict) -> str:
    """One JSON line, readable UTF-8; a lone surrogate (not encodable) is written as a \\u escape."""
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record, ensure_ascii=True)
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
