"""The signal catalog: every signal is one SQL file in signals/ whose header comment documents it.

A header is the leading block of ``--`` lines::

    -- Name: brand_daily
    -- Table: signal_brand_daily
    -- Meaning: ...            (a section: ``Word:`` at the start, continuation lines indented)
    -- Columns:
    --   mentions: ...

``SIGNALS`` lists them in the order the rebuild runs them (each reads only tables filled before it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

# Rebuild order. coordinated_content first: the facts need its flags; mention_facts next: every
# brand signal reads it; spikes after brand_daily; network last (signals/network.py runs it).
SIGNAL_ORDER = [
    "coordinated_content",
    "mention_facts",
    "brand_daily",
    "brand_weekly",
    "participation_daily",
    "relationship_requests",
    "relationship_daily",
    "terms_daily",
    "theme_brand_daily",
    "interest_trends",
    "spikes",
    "network",
]

SECTION = re.compile(r"^([A-Z][A-Za-z ]*):\s?(.*)$")


@dataclass(frozen=True)
class Signal:
    name: str
    sql: str
    sections: dict[str, str]

    @property
    def tables(self) -> list[str]:
        return [t.strip() for t in re.split(r",", re.sub(r"\(.*?\)", "", self.sections["Table"]))]

    @property
    def table(self) -> str:
        """The main table: the one ``rete signals show`` reads."""
        return self.tables[0]

    @property
    def meaning(self) -> str:
        return self.sections.get("Meaning", "")

    @property
    def grain(self) -> str:
        return self.sections.get("Grain", "")

    def columns(self) -> list[tuple[str, str]]:
        """(column names, description) pairs of the Columns section."""
        found: list[tuple[str, str]] = []
        for line in self.sections.get("Columns", "").splitlines():
            match = re.match(r"^  (\S[^:]*):\s*(.*)$", line)
            if match:
                found.append((match.group(1), match.group(2)))
            elif found and line.strip():
                found[-1] = (found[-1][0], f"{found[-1][1]} {line.strip()}")
        return found


def parse_header(name: str, sql: str) -> dict[str, str]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        body = line[2:].removeprefix(" ")
        match = SECTION.match(body)
        if match and not body.startswith(" "):
            current = match.group(1)
            sections[current] = [match.group(2)] if match.group(2) else []
        elif current is not None:
            sections[current].append(body)
    if "Name" not in sections or "Table" not in sections:
        raise RuntimeError(f"signals/{name}.sql: header needs 'Name:' and 'Table:' lines")
    parsed = {key: "\n".join(lines).strip("\n") for key, lines in sections.items()}
    if parsed["Name"].strip() != name:
        raise RuntimeError(f"signals/{name}.sql: header says Name: {parsed['Name']!r}")
    return parsed


def sql_file(name: str) -> str:
    """The text of ``signals/<name>.sql`` (a signal, or a step such as network_links)."""
    return resources.files("signals").joinpath(f"{name}.sql").read_text(encoding="utf-8")


@cache
def signals() -> dict[str, Signal]:
    found = {}
    for name in SIGNAL_ORDER:
        sql = sql_file(name)
        found[name] = Signal(name, sql, parse_header(name, sql))
    return found


def signal(name: str) -> Signal:
    known = signals()
    if name not in known:
        raise KeyError(f"no signal {name!r} (known: {', '.join(known)})")
    return known[name]
