"""Import posts from JSONL or CSV exports of other tools, so consultants can bring data they already have.

A ``mapping`` says which column holds which post field (dotted paths reach into nested JSON objects);
unmapped fields are looked up under their own name, so a JSONL of Post-shaped objects needs no mapping.
A bad row is skipped and reported as "FILE, line N: what is wrong"; it never stops the file.

The cursor remembers, per file, how many bytes and lines were imported and the SHA-256 of those bytes.
A later run that finds the same prefix imports only what was appended; a file whose prefix changed was
rewritten and is imported again from the start (downstream upserts by id make that safe).

Cursor: ``{"files": {path: {"bytes": int, "lines": int, "sha256": hex}}}``, paths relative to the workspace.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import json
import logging
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, field_validator

from connectors.base import Batch, Connector, Cursor, SourceBase, SourceError
from connectors.normalize import parse_timestamp, time_zone
from connectors.politeness import Deadline
from rete.post import Platform, Post, post_id

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
HEADER_MAX_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "csv"}
# Post fields a mapping may name; nested ones are dotted.
MAPPABLE_FIELDS = (
    "native_id", "text", "created_at", "platform", "url", "title", "lang",
    "author.id", "author.handle", "author.display_name", "author.followers",
    "parent_id", "thread_id", "quoted_id", "reposted_id",
    "engagement.likes", "engagement.replies", "engagement.shares", "engagement.views",
)  # fmt: skip
REFERENCE_FIELDS = ("parent_id", "thread_id", "quoted_id", "reposted_id")
COUNT_FIELDS = ("author.followers", "engagement.likes", "engagement.replies", "engagement.shares", "engagement.views")
PLATFORM_ALIASES = {"twitter": "x", "bsky": "bluesky"}


class FileSource(SourceBase):
    type: Literal["file"]
    path: str = Field(min_length=1, description="a file or a glob such as exports/*.csv, relative to the workspace")
    format: Literal["jsonl", "csv"] | None = Field(default=None, description="default: from the file extension")
    platform: Platform = Field(default="file", description="platform of the posts, unless a platform column says")
    mapping: dict[str, str] = Field(default_factory=dict, description="post field -> column (dotted path in JSON)")
    timezone: str = Field(default="UTC", description="IANA zone of timestamps written without an offset")
    delimiter: str | None = Field(default=None, min_length=1, max_length=1, description="CSV; default: sniffed")

    @field_validator("mapping")
    @classmethod
    def _mapping(cls, mapping: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(mapping) - set(MAPPABLE_FIELDS))
        if unknown:
            raise ValueError(f"unknown post field(s) {', '.join(unknown)}; known: {', '.join(MAPPABLE_FIELDS)}")
        if any(not column.strip() for column in mapping.values()):
            raise ValueError("a column name is empty")
        return mapping

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        time_zone(value)
        return value


class RowError(ValueError):
    """This row is skipped; the message says what is wrong with it."""


class FileImportConnector(Connector):
    config_model = FileSource
    config: FileSource

    @cached_property
    def zone(self) -> ZoneInfo:
        return time_zone(self.config.timezone)

    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        files = dict((cursor or {}).get("files", {}))
        failures: list[str] = []
        deadline = Deadline(self.config.time_budget_seconds)
        paths = self._paths()
        for path in paths:
            key = self._key(path)
            file_format = self.config.format or FORMATS.get(path.suffix.lower())
            if file_format is None:
                failures.append(f"{key}: cannot tell the format from the extension; set format: jsonl or csv")
                continue
            try:
                for posts, state, problems in self._import_file(path, key, file_format, files.get(key)):
                    files[key] = state
                    out_of_time = deadline.passed()
                    if out_of_time:
                        problems.append(f"time budget of {deadline.seconds:g} s spent; the rest waits for the next run")
                    yield Batch(posts, {"files": dict(files)}, problems)
                    if out_of_time:
                        return
            except OSError as error:
                failures.append(f"{key}: cannot read ({error.strerror or error})")
        if failures and len(failures) == len(paths):
            raise SourceError(self.name, "; ".join(failures))
        if failures:
            yield Batch([], {"files": dict(files)}, failures)

    def _paths(self) -> list[Path]:
        root = Path(self.workspace_root or ".")
        pattern = Path(self.config.path).expanduser()
        pattern = pattern if pattern.is_absolute() else root / pattern
        if glob.has_magic(self.config.path):
            paths = sorted(Path(p) for p in glob.glob(str(pattern), recursive=True) if Path(p).is_file())
            if not paths:
                raise SourceError(self.name, f"no file matches {self.config.path!r} in {root.resolve()}")
            return paths
        if not pattern.is_file():
            raise SourceError(self.name, f"file not found: {pattern}")
        return [pattern]

    def _key(self, path: Path) -> str:
        root = Path(self.workspace_root or ".").resolve()
        resolved = path.resolve()
        return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(resolved)

    def _import_file(
        self, path: Path, key: str, file_format: str, saved: dict[str, Any] | None
    ) -> Iterator[tuple[list[Post], dict[str, Any], list[str]]]:
        """Batches of (posts, the file's cursor state after them, problems) for what is new in the file."""
        with path.open("rb") as handle:
            lines = ImportedLines(handle)
            if saved and not lines.resume(saved["bytes"], saved["lines"], saved["sha256"]):
                log.info("%s changed since the last import (its imported part differs); importing it again", key)
            if file_format == "jsonl":
                rows = _jsonl_rows(lines)
            else:
                delimiter = self.config.delimiter or _sniff_delimiter(path)
                rows = _csv_rows(lines, delimiter, None if lines.offset == 0 else _csv_header(path, delimiter))
            posts: dict[str, Post] = {}  # by id: a row repeated within a batch keeps its last version
            problems: list[str] = []
            unknown_platforms: set[str] = set()
            for line, row in rows:
                try:
                    if isinstance(row, RowError):
                        raise row
                    post = self._post(row, unknown_platforms)
                    posts[post.id] = post
                except RowError as error:
                    problems.append(f"{key}, line {line}: {error}")
                if len(posts) >= BATCH_SIZE:
                    yield list(posts.values()), lines.state(), problems
                    posts, problems = {}, []
            if unknown_platforms:
                problems.append(
                    f"{key}: platform value(s) {', '.join(sorted(unknown_platforms))} are not Rete platforms "
                    f"({', '.join(get_args(Platform))}); those rows were imported as {self.config.platform!r}"
                )
            if posts or problems or lines.state() != saved:
                yield list(posts.values()), lines.state(), problems

    def _post(self, row: dict[str, Any], unknown_platforms: set[str]) -> Post:
        def value(field: str) -> Any:
            found = _lookup(row, self.config.mapping.get(field, field))
            return None if found is None or (isinstance(found, str) and not found.strip()) else found

        def column(field: str) -> str:
            return repr(self.config.mapping.get(field, field))

        platform = self.config.platform
        if value("platform") is not None:
            named = str(value("platform")).strip().lower()
            named = PLATFORM_ALIASES.get(named, named)
            if named in get_args(Platform):
                platform = named
            else:
                unknown_platforms.add(repr(named))
        native_id = value("native_id")
        if native_id is None:
            raise RowError(f"no id (column {column('native_id')})")
        text = value("text")
        if not isinstance(text, str):
            raise RowError(f"no text (column {column('text')})")
        created_at = value("created_at")
        if created_at is None:
            raise RowError(f"no date (column {column('created_at')})")
        try:
            created_at = parse_timestamp(created_at, self.zone)
        except (ValueError, OverflowError, OSError) as error:
            raise RowError(f"bad date in column {column('created_at')}: {error}") from None

        fields: dict[str, Any] = {
            "url": value("url"),
            "title": value("title"),
            "lang": value("lang"),
            "author": {},
            "engagement": {},
        }
        for field in ("author.id", "author.handle", "author.display_name"):
            found = value(field)
            fields["author"][field.split(".")[1]] = None if found is None else str(found)
        for field in COUNT_FIELDS:
            group, name = field.split(".")
            fields[group][name] = _count(value(field), column(field))
        for field in REFERENCE_FIELDS:
            fields[field] = None if value(field) is None else _warehouse_id(platform, str(value(field)))
        native_id = str(native_id).strip()
        try:
            return Post(
                id=post_id(platform, native_id),
                platform=platform,
                source=self.name,
                native_id=native_id,
                text=text,
                created_at=created_at,
                raw=row,
                **fields,
            )
        except ValidationError as error:
            raise RowError(
                "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors(include_url=False))
            ) from None


class ImportedLines:
    """The lines of a file from where the last import stopped, keeping count of bytes, lines and their hash."""

    def __init__(self, handle):
        self.handle = handle
        self.offset = 0
        self.lines = 0
        self.sha256 = hashlib.sha256()

    def resume(self, offset: int, lines: int, digest: str) -> bool:
        """Skip the first ``offset`` bytes if they hash to ``digest``; else stay at the start, return False."""
        remaining = offset
        while remaining:
            chunk = self.handle.read(min(remaining, 1 << 20))
            if not chunk:
                break
            self.sha256.update(chunk)
            remaining -= len(chunk)
        if remaining == 0 and self.sha256.hexdigest() == digest:
            self.offset, self.lines = offset, lines
            return True
        self.handle.seek(0)
        self.sha256 = hashlib.sha256()
        return False

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        for raw in self.handle:
            self.sha256.update(raw)
            self.offset += len(raw)
            self.lines += 1
            yield self.lines, raw

    def decode(self, number: int, raw: bytes) -> str:
        # A byte-order mark may start the file only.
        return raw.decode("utf-8-sig" if number == 1 else "utf-8")

    def state(self) -> dict[str, Any]:
        return {"bytes": self.offset, "lines": self.lines, "sha256": self.sha256.hexdigest()}


Row = dict[str, Any]


def _jsonl_rows(lines: ImportedLines) -> Iterator[tuple[int, Row | RowError]]:
    for number, raw in lines:
        try:
            text = lines.decode(number, raw)
        except UnicodeDecodeError:
            yield number, RowError("not UTF-8 text (save the export as UTF-8)")
            continue
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as error:
            yield number, RowError(f"bad JSON: {error.msg} at column {error.colno}")
            continue
        yield number, row if isinstance(row, dict) else RowError(f"a JSON {type(row).__name__}, not an object")


def _csv_rows(lines: ImportedLines, delimiter: str, header: list[str] | None) -> Iterator[tuple[int, Row | RowError]]:
    """Rows as {column: value}; ``header`` None means the next record is the header."""
    not_utf8: set[int] = set()

    def text_lines() -> Iterator[str]:
        for number, raw in lines:
            try:
                yield lines.decode(number, raw)
            except UnicodeDecodeError:
                not_utf8.add(number)
                yield raw.decode("utf-8", "replace")

    records = csv.reader(text_lines(), delimiter=delimiter)
    while True:
        first_line = lines.lines + 1
        try:
            fields = next(records)
        except StopIteration:
            return
        except csv.Error as error:
            yield first_line, RowError(f"unreadable CSV: {error}")
            continue
        if not fields or fields == [""]:
            continue
        if not_utf8 & set(range(first_line, lines.lines + 1)):
            yield first_line, RowError("not UTF-8 text (save the export as UTF-8)")
        elif header is None:
            header = [name.strip() for name in fields]
        elif len(fields) > len(header):
            yield first_line, RowError(f"{len(fields)} fields but the header has {len(header)} (check the quoting)")
        else:
            yield first_line, dict(zip(header, fields + [""] * (len(header) - len(fields)), strict=True))


def _csv_header(path: Path, delimiter: str) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [name.strip() for name in next(csv.reader(handle, delimiter=delimiter), [])]


def _sniff_delimiter(path: Path) -> str:
    # The header line decides: column names seldom contain a delimiter, while the sample rows that
    # csv.Sniffer weighs often do (quoted commas in post text). Italian tools often export with ";".
    with path.open("rb") as handle:
        header = handle.readline(HEADER_MAX_BYTES).decode("utf-8-sig", "replace")
    counts = {candidate: header.count(candidate) for candidate in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _lookup(row: Row, path: str) -> Any:
    """``row[path]``, or the dotted ``path`` followed into nested objects (``user.screen_name``)."""
    if path in row:
        return row[path]
    found: Any = row
    for part in path.split("."):
        if not isinstance(found, dict) or part not in found:
            return None
        found = found[part]
    return found


def _count(value: Any, column: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise RowError(f"column {column}: {value!r} is not a count")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        return int(value)
    raise RowError(f"column {column}: {str(value)[:30]!r} is not a count")


def _warehouse_id(platform: str, reference: str) -> str:
    """Reference columns hold native ids of the same platform; Post-shaped exports (Rete's own) already
    hold warehouse ids ``platform:native_id``, which are kept."""
    reference = reference.strip()
    return reference if reference.startswith(f"{platform}:") else post_id(platform, reference)
