"""Which connector serves which ``type:`` of source block in workspace.yaml."""

from __future__ import annotations

from typing import Union

from connectors.base import Connector, SourceBase
from connectors.file_import import FileImportConnector, FileSource
from connectors.mastodon import MastodonConnector, MastodonSource
from connectors.reddit import RedditConnector, RedditSource
from connectors.rss import RssConnector, RssSource
from connectors.x import XConnector, XSource

CONNECTORS: dict[str, type[Connector]] = {
    "rss": RssConnector,
    "file": FileImportConnector,
    "x": XConnector,
    "reddit": RedditConnector,
    "mastodon": MastodonConnector,
}

# The discriminated union workspace.yaml's ``sources:`` list is validated against.
SourceConfig = Union[RssSource, FileSource, XSource, RedditSource, MastodonSource]  # noqa: UP007 - pydantic needs a real Union here


def build_connector(config: SourceBase, workspace_root=None) -> Connector:
    return CONNECTORS[config.type](config, workspace_root)
