"""Reading the JSON-lines files Rete's models are configured and evaluated with (intent rules, labelled
posts): one object per non-blank line, every problem named by file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path


def read_objects(path: Path, error: type[Exception]) -> Iterator[tuple[int, dict]]:
    """``(line number, object)`` for each non-blank line of ``path``. An unreadable or non-UTF-8 file,
    or a line that is not a JSON object, raises ``error`` with a message naming the file (and line)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise error(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path} is not UTF-8: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{path}, line {number}: not valid JSON: {exc.msg}") from None
        if not isinstance(value, dict):
            raise error(f"{path}, line {number}: expected a JSON object, got {type(value).__name__}")
        yield number, value
