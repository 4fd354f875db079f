"""Small normalizations several connectors need: HTML to plain text, timestamps to UTC."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rete.post import utc

# Tags that end a line of text when rendered; everything else is inline.
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr "
    "li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in SKIPPED_TAGS:
            self.skip_depth += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of an HTML fragment: entities decoded, block elements on their own lines,
    runs of spaces collapsed, scripts and styles dropped."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in "".join(extractor.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def time_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or ValueError saying what is expected."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Europe/Rome)") from None


def parse_timestamp(value: object, zone: ZoneInfo | timezone = timezone.utc) -> datetime:
    """An aware UTC datetime from ISO 8601, RFC 2822 or epoch seconds (int, float or digits).

    A timestamp without offset is read in ``zone``. Raises ValueError saying what was expected.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, bool) or value is None:
        raise ValueError(f"not a timestamp: {value!r}")
    elif isinstance(value, (int, float)) or re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", str(value)):
        seconds = float(value)
        # Exports from Twitter-era tools give epoch milliseconds; no real post is dated after year 5000.
        if abs(seconds) >= 1e11:
            seconds /= 1000
        return datetime.fromtimestamp(seconds, timezone.utc)
    else:
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            try:
                parsed = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                raise ValueError(
                    f"not a timestamp: {text[:40]!r} (expected ISO 8601, RFC 2822 or epoch seconds)"
                ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return utc(parsed)
