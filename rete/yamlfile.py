"""Load YAML into pydantic models with errors that name the file and line.

PyYAML's composed node tree keeps the line of every key and item; pydantic's error ``loc`` is the path
to the bad value. Mapping one onto the other lets a consultant read "workspace.yaml, line 14:
clients[0].brands[1].handles[0]: must start with '@'" instead of a stack trace.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)
Loc = tuple[str | int, ...]


class ConfigError(ValueError):
    """A configuration file is unreadable or invalid; the message names the file and line."""


def _line_index(node: yaml.Node, path: Loc, lines: dict[Loc, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[path + (key,)] = key_node.start_mark.line + 1
            _line_index(value_node, path + (key,), lines)
            # A pydantic error on the key itself (extra field) points at the key line.
            lines[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_index(item, path + (index,), lines)


def _line_for(loc: Loc, lines: dict[Loc, int]) -> int | None:
    """The line of the deepest YAML key on ``loc``. Parts that are no key are skipped: a discriminated
    union puts its tag in the location (``sources[1].mastodon.hashtags``)."""
    path: Loc = ()
    for part in loc:
        if path + (part,) in lines:
            path += (part,)
    return lines.get(path)


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def read_yaml(path: Path) -> tuple[Any, dict[Loc, int]]:
    """Parse ``path``; return the data and a map from key path to line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: invalid YAML: {exc.problem or exc.context}") from None
    lines: dict[Loc, int] = {}
    if node is not None:
        _line_index(node, (), lines)
    return data, lines


def validation_message(path: Path, exc: ValidationError, lines: dict[Loc, int], prefix: Loc = ()) -> str:
    problems = []
    for error in exc.errors():
        loc = prefix + tuple(part for part in error["loc"] if not str(part).startswith("function-"))
        line = _line_for(loc, lines)
        where = f"{path}, line {line}" if line else str(path)
        problems.append(f"{where}: {_dotted(loc)}: {error['msg']}")
    return "\n".join(problems)


def load_model(path: Path, model: type[Model], context: dict[str, Any] | None = None) -> Model:
    """Read ``path`` as YAML and validate it as ``model``; raise ConfigError naming file and line."""
    data, lines = read_yaml(path)
    if data is None:
        data = {}
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise ConfigError(validation_message(path, exc, lines)) from None
