"""Workspace configuration: clients, their brands and competitors, and the sources to listen to.

A workspace is a folder holding ``workspace.yaml``. Relative paths inside it (file imports, the
warehouse) are resolved against that folder. See ``rete init`` for a commented starter.
"""

from __future__ import annotations

import os
import re
from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from connectors.registry import SourceConfig
from rete.yamlfile import ConfigError, load_model

WORKSPACE_FILE = "workspace.yaml"
WORKSPACE_ENV = "RETE_WORKSPACE"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_WORKSPACE = REPO_ROOT / "examples" / "demo"
Language = Literal["it", "en"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _prefixed(values: list[str], prefix: str, what: str) -> list[str]:
    for value in values:
        if not re.fullmatch(rf"{re.escape(prefix)}\w[\w.]*", value):
            raise ValueError(f"{what} {value!r} must look like {prefix}name (letters, digits, _ and .)")
    return values


# @name (X, Reddit; Bluesky's @name.bsky.social) or, on Mastodon, @name@instance.tld.
HANDLE = re.compile(r"@\w[\w.]*(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?")


class BrandEntry(Strict):
    """One brand to listen for. ``handles`` are also the brand's own accounts: their replies in a
    thread count as the brand answering."""

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list, description="names matched case-insensitively")
    handles: list[str] = Field(default_factory=list, description="@accounts of the brand")
    hashtags: list[str] = Field(default_factory=list, description="#tags that mean the brand")
    exclude: list[str] = Field(default_factory=list, description="phrases that mean it is not the brand")
    query: str | None = Field(default=None, description="boolean brand query (see models/README.md)")
    typos: bool = Field(default=False, description="also match one-word names of 6+ letters written with one "
                        "typo (Valmorra for Valmora); for names no common word is one letter away from")

    @field_validator("handles")
    @classmethod
    def _handles(cls, value: list[str]) -> list[str]:
        for handle in value:
            if not HANDLE.fullmatch(handle):
                raise ValueError(f"handle {handle!r} must look like @name (letters, digits, _ and .) "
                                 "or, on Mastodon, @name@instance.tld")
        return value

    @field_validator("hashtags")
    @classmethod
    def _hashtags(cls, value: list[str]) -> list[str]:
        return _prefixed(value, "#", "hashtag")

    @field_validator("query")
    @classmethod
    def _query(cls, value: str | None) -> str | None:
        if value is not None:
            from models.brand_query import parse_query  # models imports this module's types

            parse_query(value)  # a QuerySyntaxError (a ValueError) names the column
        return value

    @field_validator("aliases", "exclude")
    @classmethod
    def _no_blank(cls, value: list[str]) -> list[str]:
        if any(not v.strip() for v in value):
            raise ValueError("must not contain empty strings")
        return value


class BrandSet(Strict):
    """The ``--brands BRANDS.yaml`` file of ``rete enrich``."""

    brands: list[BrandEntry]


class ReportSettings(Strict):
    recipients: list[EmailStr] = Field(default_factory=list)
    weekday: Weekday = "monday"
    at: time = Field(default=time(8, 0), description="local time of day the weekly report is sent")

    @property
    def cron(self) -> str:
        """The send slot as a cron expression, read in the client's time zone."""
        day = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday").index(self.weekday)
        return f"{self.at.minute} {self.at.hour} * * {day}"


class AlertSettings(Strict):
    recipients: list[EmailStr] = Field(default_factory=list)
    min_volume: int = Field(default=20, ge=1, description="ignore spikes on days with fewer mentions")


class Client(Strict):
    name: str = Field(min_length=1)
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="short id used in tables and files")
    language: Language = "it"
    timezone: str = "Europe/Rome"
    report: ReportSettings = Field(default_factory=ReportSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    brands: list[BrandEntry] = Field(min_length=1)
    competitors: list[BrandEntry] = Field(default_factory=list)
    themes: dict[str, list[str]] = Field(
        default_factory=dict, description="extra theme -> keywords, added to the default taxonomy"
    )

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Rome)") from None
        return value

    @model_validator(mode="after")
    def _unique_brands(self) -> Client:
        names = [b.name.casefold() for b in self.brands + self.competitors]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"brand listed twice: {', '.join(dupes)}")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def brand_roles(self) -> list[tuple[BrandEntry, str]]:
        return [(b, "own") for b in self.brands] + [(b, "competitor") for b in self.competitors]


class TrainedModels(Strict):
    """A consultant's own trained models (``rete train sentiment|intents --data MINE.jsonl --out PATH``), by
    language, paths relative to the workspace; a language not listed uses Rete's shipped model."""

    sentiment: dict[Language, str] = Field(default_factory=dict)
    intents: dict[Language, str] = Field(default_factory=dict)


class Workspace(Strict):
    model_config = ConfigDict(extra="forbid", frozen=False)

    name: str = Field(min_length=1)
    languages: list[Language] = Field(default_factory=lambda: ["it", "en"])
    warehouse: str = Field(default="warehouse/rete.duckdb", description="DuckDB file, relative to workspace")
    clients: list[Client] = Field(min_length=1)
    sources: list[Annotated[SourceConfig, Field(discriminator="type")]] = Field(default_factory=list)
    models: TrainedModels = Field(default_factory=TrainedModels)

    root: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="after")
    def _unique_names(self) -> Workspace:
        for what, names in (
            ("client slug", [c.slug for c in self.clients]),
            ("source name", [s.name for s in self.sources]),
        ):
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"{what} used twice: {', '.join(dupes)}")
        # One brand name must mean one brand entry across clients: two clients may both watch a
        # competitor, but then with the same definition, or mentions would depend on who is asked.
        seen: dict[str, BrandEntry] = {}
        for client in self.clients:
            for brand, _ in client.brand_roles():
                other = seen.setdefault(brand.name.casefold(), brand)
                if other != brand:
                    raise ValueError(f"brand {brand.name!r} is defined differently in two clients")
        return self

    @cached_property
    def all_brands(self) -> list[BrandEntry]:
        """Every distinct brand of every client, own or competitor."""
        seen: dict[str, BrandEntry] = {}
        for client in self.clients:
            for brand, _ in client.brand_roles():
                seen.setdefault(brand.name.casefold(), brand)
        return list(seen.values())

    def client(self, slug_or_name: str) -> Client:
        for client in self.clients:
            if slug_or_name in (client.slug, client.name):
                return client
        known = ", ".join(c.slug for c in self.clients)
        raise ConfigError(f"no client {slug_or_name!r} in workspace {self.name!r} (known: {known})")

    def source(self, name: str):
        for source in self.sources:
            if source.name == name:
                return source
        raise ConfigError(f"no source {name!r} in workspace {self.name!r}")

    @property
    def model_paths(self) -> dict[str, dict[str, str]]:
        """The workspace's own trained models as the NLP pipeline takes them: kind -> language -> path."""
        return {kind: {lang: str(self.path(path)) for lang, path in paths.items()}
                for kind, paths in self.models.model_dump().items() if paths}

    def path(self, relative: str | Path) -> Path:
        """Resolve a path written in workspace.yaml against the workspace folder."""
        candidate = Path(relative).expanduser()
        return candidate if candidate.is_absolute() else (self.root / candidate).resolve()

    @property
    def warehouse_path(self) -> Path:
        return self.path(self.warehouse)

    @property
    def state_dir(self) -> Path:
        """Where runs leave staged batches and other local state (ignored by git)."""
        return self.path(".rete")


def load_workspace(directory: str | Path) -> Workspace:
    """Load and validate ``DIR/workspace.yaml`` (or a path to the YAML file itself)."""
    path = Path(directory).expanduser().resolve()
    if path.is_dir():
        path = path / WORKSPACE_FILE
    workspace = load_model(path, Workspace)
    workspace.root = path.parent
    return workspace


def resolve_workspace(directory: str | Path | None = None, default: str | Path = ".") -> Workspace:
    """The workspace named explicitly, else by $RETE_WORKSPACE, else ``default``."""
    return load_workspace(directory or os.environ.get(WORKSPACE_ENV) or default)


def load_brand_set(path: str | Path) -> BrandSet:
    return load_model(Path(path), BrandSet)
