"""Sentiment lexicons and cue lists for the sentiment features, and the derivation of Rete's lexicon files.

What a language gets (all valences on VADER's -4..4 scale so one set of feature weights fits every source):
- English words: VADER's lexicon, read from the installed ``vaderSentiment`` package (MIT).
- Italian words: ``models/data/lexicon_it.tsv``, derived from Pattern's Italian lexicon (BSD-3, CLiPS).
- Emoji in any language: ``models/data/emoji_sentiment.tsv``, derived from the Emoji Sentiment Ranking
  (Kralj Novak et al. 2015, CC BY-SA 4.0 — the derived file carries the same licence); emoji newer than
  its 2013-2015 tweets (🤡, 🥰, 🤮) from ``emoji_recent.tsv``, written for Rete.
- ASCII emoticons (``emoticons.tsv``) and per-language cue lists (``cues_<lang>.txt``: negators, intensifiers,
  diminishers, contrast words, social slang, complaint and irony patterns), written for Rete.

``rete train lexicons`` (:func:`derive_lexicons`) rebuilds the derived files from ``../shared/data``.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
LANGUAGES = ("it", "en")

# Pattern scores words in [-1, 1]; VADER in [-4, 4] with its strongest words near 3.
PATTERN_TO_VADER_SCALE = 3.0
# Emoji Sentiment Ranking: drop emoji seen too rarely for a stable score.
EMOJI_MIN_OCCURRENCES = 5


@dataclass(frozen=True)
class Cues:
    """The lexical resources of one language, ready for the feature extractor."""

    lang: str
    valence: dict[str, float]  # word, emoji or emoticon -> valence in [-4, 4]
    negators: frozenset[str]
    intensifiers: frozenset[str]
    diminishers: frozenset[str]
    contrast: frozenset[str]
    complaint: CuePatterns
    irony: CuePatterns


def read_sections(path: Path) -> dict[str, list[str]]:
    """Read a ``[section]`` / one-entry-per-line file; ``#`` at line start or after a space starts a comment."""
    sections: dict[str, list[str]] = defaultdict(list)
    current: str | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        # "#sarcasm" is an entry, "  # why" is a comment: only a leading "# " or " #" comments out.
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("# ") or line == "#":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            continue
        if current is None:
            raise ValueError(f"{path}:{number}: entry before any [section] header")
        sections[current].append(line)
    return sections


def read_valence_tsv(path: Path) -> dict[str, float]:
    valence = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            term, value = line.split("\t")[:2]
            valence[term] = float(value)
        except ValueError:
            raise ValueError(f"{path}:{number}: expected 'term<TAB>valence', got {line!r}") from None
    return valence


def vader_lexicon() -> dict[str, float]:
    """VADER's word valences, as shipped in the installed vaderSentiment package."""
    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    valence = {}
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) >= 2:
            valence[fields[0]] = float(fields[1])
    return valence


KEY_LENGTH = 4
_LEADING_GROUP = re.compile(r"\(([^()]*)\)")
_LITERAL_RUN = re.compile(r"[^\s\\()\[\]?*+|]+")


class CuePatterns:
    """Regular expressions that each start at a word, indexed by that word's first letters.

    One alternation of every cue, searched at every character, costs ~20 us a post; trying only the
    patterns whose first word could start at a token of the post costs ~1 us. A pattern must therefore
    start (after an optional ``\\b``) with a literal word or a group of literal alternatives.
    """

    def __init__(self, patterns: list[str], path: Path) -> None:
        self.by_key: dict[str, list[re.Pattern[str]]] = defaultdict(list)
        self._combined: dict[str, re.Pattern[str]] = {}
        for pattern in patterns:
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{path}: cue pattern {pattern!r} does not compile: {exc}") from None
            for key in self._first_word_keys(pattern, path):
                if compiled not in self.by_key[key]:
                    self.by_key[key].append(compiled)

    @staticmethod
    def _first_word_keys(pattern: str, path: Path) -> set[str]:
        body = pattern[2:] if pattern.startswith("\\b") else pattern
        group = _LEADING_GROUP.match(body)
        alternatives, rest = (group.group(1).split("|"), body[group.end():]) if group else ([body], "")
        keys = set()
        for alternative in alternatives:
            run = _LITERAL_RUN.match(alternative)
            if not run:
                raise ValueError(f"{path}: cue pattern {pattern!r} must start with a word or (word|word)")
            word, after = run.group(0), alternative[run.end():] or rest
            if after.startswith("?"):  # optional last letter: "arrived?"
                word = word[:-1]
            exact = after == "" or after[0] in " )" or after.startswith("\\b")
            if len(word) < KEY_LENGTH and not exact:
                raise ValueError(f"{path}: cue pattern {pattern!r}: a word stem needs {KEY_LENGTH} letters")
            keys.add(word[:KEY_LENGTH])
        return keys

    def at(self, word: str) -> re.Pattern[str] | None:
        """One alternation of the patterns that may start at this (normalised) word, if any."""
        key = word[:KEY_LENGTH]
        if key not in self.by_key:
            return None
        if key not in self._combined:
            self._combined[key] = re.compile("|".join(f"(?:{p.pattern})" for p in self.by_key[key]))
        return self._combined[key]


@cache
def load_cues(lang: str) -> Cues:
    if lang not in LANGUAGES:
        raise ValueError(f"no sentiment lexicon for language {lang!r} (have: {', '.join(LANGUAGES)})")
    cue_path = DATA_DIR / f"cues_{lang}.txt"
    sections = read_sections(cue_path)
    valence = vader_lexicon() if lang == "en" else read_valence_tsv(DATA_DIR / "lexicon_it.tsv")
    valence.update(read_valence_tsv(DATA_DIR / "emoji_sentiment.tsv"))
    valence.update(read_valence_tsv(DATA_DIR / "emoji_recent.tsv"))
    valence.update(read_valence_tsv(DATA_DIR / "emoticons.tsv"))
    for line in sections["slang"]:
        word, value = line.split("\t")
        valence[word] = float(value)
    return Cues(
        lang=lang,
        valence=valence,
        negators=frozenset(sections["negators"]),
        intensifiers=frozenset(sections["intensifiers"]),
        diminishers=frozenset(sections["diminishers"]),
        contrast=frozenset(sections["contrast"]),
        complaint=CuePatterns(sections["complaint"], cue_path),
        irony=CuePatterns(sections["irony"], cue_path),
    )


# --- derivation of the committed files from ../shared/data ------------------------------------------------

ITALIAN_HEADER = """\
# Italian word valences on VADER's -4..4 scale, derived for Rete from Pattern's Italian sentiment lexicon
# (pattern-it-sentiment.xml, CLiPS, University of Antwerp; BSD-3-Clause, see models/ATTRIBUTION.md).
# Derivation: mean polarity of each lower-cased word form over its part-of-speech entries, times 3; forms
# with polarity 0 dropped. Then the other inflections of each form's lemma, from spacy-lookups-data's Italian
# lemma tables (derived from Morph-it! 48, Baroni & Zanchetta, CC BY-SA 2.0 / LGPL), get the mean valence of
# that lemma's Pattern forms. Rebuild with `rete train lexicons`.
"""

EMOJI_HEADER = """\
# Emoji valences on VADER's -4..4 scale, derived for Rete from the Emoji Sentiment Ranking v1.0
# (Kralj Novak, Smailovic, Sluban, Mozetic 2015, "Sentiment of Emojis", PLoS ONE 10(12): e0144296).
# Licence: CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/) - this derived file is shared
# under the same licence. Changes: score = 4 * (positive - negative) / (occurrences + 3), the paper's sentiment
# score shrunk towards 0 for rarely seen emoji; emoji seen fewer than 5 times dropped.
# Rebuild with `rete train lexicons`.
"""


# spacy-lookups-data's Italian lemma tables (from Morph-it!) whose words carry sentiment.
LEMMA_TABLES = ("adj", "adv", "noun", "verb")


def italian_lemma_forms() -> tuple[dict[str, str], dict[str, list[str]]]:
    """form -> lemma and lemma -> forms from spacy-lookups-data (Morph-it! 48, Baroni & Zanchetta)."""
    data = resources.files("spacy_lookups_data").joinpath("data")
    lemma_of: dict[str, str] = {}
    for table in LEMMA_TABLES:
        with data.joinpath(f"it_lemma_lookup_{table}.json.gz").open("rb") as raw:
            for form, lemma in json.loads(gzip.decompress(raw.read())).items():
                lemma_of.setdefault(form.lower(), lemma.lower())
    forms_of: dict[str, list[str]] = defaultdict(list)
    for form, lemma in lemma_of.items():
        forms_of[lemma].append(form)
    return lemma_of, forms_of


def derive_italian_lexicon(pattern_xml: Path) -> dict[str, float]:
    """Pattern's word forms, then every other inflection of their lemmas (Pattern lists "bello" and
    "belli", social posts also say "bellissimi"): a lemma's valence is the mean over its Pattern forms."""
    polarities: dict[str, list[float]] = defaultdict(list)
    for word in ET.parse(pattern_xml).getroot().iter("word"):
        polarities[word.get("form", "").strip().lower()].append(float(word.get("polarity", "0")))
    valence = {
        form: PATTERN_TO_VADER_SCALE * sum(values) / len(values)
        for form, values in polarities.items()
        if form and " " not in form and sum(values) != 0
    }
    lemma_of, forms_of = italian_lemma_forms()
    by_lemma: dict[str, list[float]] = defaultdict(list)
    for form, value in valence.items():
        by_lemma[lemma_of.get(form, form)].append(value)
    inflected = {}
    for lemma, values in by_lemma.items():
        for form in [lemma, *forms_of.get(lemma, [])]:
            if form not in valence and form.isalpha():
                inflected[form] = sum(values) / len(values)
    merged = {**inflected, **valence}
    return {form: round(merged[form], 3) for form in sorted(merged)}


def derive_emoji_lexicon(ranking_csv: Path) -> dict[str, float]:
    scores = {}
    with ranking_csv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            occurrences = int(row["Occurrences"])
            if occurrences < EMOJI_MIN_OCCURRENCES:
                continue
            positive, negative = int(row["Positive"]), int(row["Negative"])
            scores[row["Emoji"]] = round(4 * (positive - negative) / (occurrences + 3), 3)
    return scores


def _write_valence_tsv(path: Path, header: str, valence: dict[str, float]) -> None:
    body = "".join(f"{term}\t{value}\n" for term, value in valence.items())
    path.write_text(header + body, encoding="utf-8")


def derive_lexicons(shared_data: Path, out_dir: Path = DATA_DIR) -> list[Path]:
    """Rebuild ``lexicon_it.tsv`` and ``emoji_sentiment.tsv`` from the shared sources; returns the files written."""
    pattern_xml = shared_data / "lexicons" / "pattern-it-sentiment.xml"
    ranking_csv = shared_data / "sentiment" / "emoji-sentiment-ranking-v1.0.csv"
    for source in (pattern_xml, ranking_csv):
        if not source.is_file():
            raise FileNotFoundError(f"lexicon source not found: {source}")
    written = [out_dir / "lexicon_it.tsv", out_dir / "emoji_sentiment.tsv"]
    _write_valence_tsv(written[0], ITALIAN_HEADER, derive_italian_lexicon(pattern_xml))
    _write_valence_tsv(written[1], EMOJI_HEADER, derive_emoji_lexicon(ranking_csv))
    load_cues.cache_clear()
    return written
