"""CLI command modules. Each exposes ``register(app)`` adding its commands to the ``rete`` app."""

from __future__ import annotations

import importlib

import typer

# Order is the order of ``rete --help``.
MODULES = ["workspace", "nlp", "train", "signals", "report", "sources"]


def register_all(app: typer.Typer) -> None:
    for module in MODULES:
        importlib.import_module(f"rete.commands.{module}").register(app)
