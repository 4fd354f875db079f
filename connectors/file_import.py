"""File import (placeholder until the connector lands)."""
from typing import Literal

from connectors.base import Connector, SourceBase


class FileSource(SourceBase):
    type: Literal["file"]
    path: str


class FileImportConnector(Connector):
    config_model = FileSource

    def fetch(self, cursor):
        raise NotImplementedError
