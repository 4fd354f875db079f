"""Which connector serves which ``type:`` of source block in workspace.yaml."""

from __future__ import annotations

from typing import Union

from connectors.base import Connector, SourceBase
from connectors.bluesky import BlueskyConnector, BlueskySource
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
    "bluesky": BlueskyConnector,
}

# The discriminated union workspace.yaml's ``sources:`` list is validated against.
SourceConfig = Union[  # noqa: UP007 - pydantic needs a real Union here
    RssSource, FileSource, XSource, RedditSource, MastodonSource, BlueskySource
]


def build_connector(config: SourceBase, workspace_root=None) -> Connector:
    return CONNECTORS[config.type](config, workspace_root)
