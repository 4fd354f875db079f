"""The ``rete`` command line. Each area registers its commands from ``rete/commands/<area>.py``."""

from __future__ import annotations

import typer

from rete.commands import register_all

app = typer.Typer(
    name="rete",
    help="Rete: social listening and interest signals for consultants.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
register_all(app)

if __name__ == "__main__":
    app()
