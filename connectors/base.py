"""The contract every connector keeps (after Singer/Airbyte): records plus a cursor to resume from.

A connector is built from its source's config block in workspace.yaml. ``fetch(cursor)`` yields
``Batch`` objects; each batch carries the posts it fetched and the cursor *after* them, so the caller
can persist posts and cursor together and a later run, given that cursor, continues exactly there.
A connector never touches the warehouse: fetching runs in parallel Airflow tasks, loading in one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from rete.post import Post
from rete.secrets import redact

Cursor = dict[str, Any]


class SourceBase(BaseModel):
    """Fields shared by every source block in workspace.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="unique id of this source")
    type: str
    enabled: bool = True
    time_budget_seconds: float = Field(
        default=600, gt=0, description="stop fetching after this long; the cursor is saved and the next run resumes"
    )


class SourceError(Exception):
    """A source could not be fetched. The message names the source (and feed, file, line...) and
    never contains a secret."""

    def __init__(self, source: str, message: str):
        # Redacted here, once for every raiser: a message may quote a client library's error, which can
        # carry a token it was given.
        super().__init__(redact(f"source {source!r}: {message}"))
        self.source = source


@dataclass
class Batch:
    """Posts fetched together, and the cursor that resumes right after them.

    ``problems`` are per-record issues (a malformed line, an item without a date) that were skipped;
    each names its place. They are reported, not fatal: one bad record never ends a source.
    """

    posts: list[Post]
    cursor: Cursor
    problems: list[str] = field(default_factory=list)


class Connector(ABC):
    """Base class for connectors; subclasses set ``config_model`` and implement ``fetch``."""

    config_model: ClassVar[type[SourceBase]]

    def __init__(self, config: SourceBase, workspace_root: Any = None):
        self.config = config
        self.workspace_root = workspace_root

    @property
    def name(self) -> str:
        return self.config.name

    @abstractmethod
    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Yield batches of posts newer than ``cursor`` (None: first run)."""
