"""RSS/Atom feeds (placeholder until the connector lands)."""
from typing import Literal

from pydantic import Field

from connectors.base import Connector, SourceBase


class RssSource(SourceBase):
    type: Literal["rss"]
    urls: list[str] = Field(min_length=1)


class RssConnector(Connector):
    config_model = RssSource

    def fetch(self, cursor):
        raise NotImplementedError
