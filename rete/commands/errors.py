"""One way for every command to fail: a clear one-line message on stderr and a non-zero exit."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from connectors.base import SourceError
from rete.commands.output import stderr
from rete.yamlfile import ConfigError


# Errors whose message is already written for a person; anything else is a bug and keeps its traceback.
USER_ERRORS = (ConfigError, SourceError, FileNotFoundError, PermissionError)


def fail(message: str, code: int = 1) -> typer.Exit:
    stderr.print("[bold red]error:[/]", end=" ")
    stderr.print(message, markup=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn expected failures into ``error: ...`` and exit code 1 (2 for usage errors)."""
    try:
        yield
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        stderr.print("interrupted")
        sys.exit(130)
