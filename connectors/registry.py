"""Which connector serves which ``type:`` of source block in workspace.yaml."""

from __future__ import annotations

from typing import Union

from connectors.base import Connector, SourceBase
from connectors.file_import import FileImportConnector, FileSource
from connectors.rss import RssConnector, RssSource

CONNECTORS: dict[str, type[Connector]] = {
    "rss": RssConnector,
    "file": FileImportConnector,
}

# The discriminated union workspace.yaml's ``sources:`` list is validated against.
SourceConfig = Union[RssSource, FileSource]  # noqa: UP007 - pydantic needs a real Union here


def build_connector(config: SourceBase, workspace_root=None) -> Connector:
    return CONNECTORS[config.type](config, workspace_root)
