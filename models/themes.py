"""Themes as a spaCy component, registered as ``rete_themes``: ``doc._.themes`` is the sorted list of themes
whose keywords occur in the post.

The taxonomy is a YAML file (default ``models/data/themes/default.yaml``: theme -> language -> keywords)
plus the workspace's own ``themes`` (theme -> keywords, any language), which add keywords to a default
theme of the same name or new themes. Keywords are case-insensitive and match whole tokens; a one-word
keyword ending in ``*`` matches any ending, which is how Italian inflection (sostenibile, sostenibili,
sostenibilità) is covered without a lemmatizer. A hashtag is read as its words too (#PlasticFree ->
"plastic free").

Matching: multi-word keywords with spaCy's ``PhraseMatcher`` (LOWER); one-word keywords and wildcards by
looking each token up in a table (one dict probe per distinct wildcard length), so the cost grows with
the post's length, not with the size of the taxonomy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from models.extensions import TokenTable, register_extensions, set_doc_value, token_orths
from models.intents import resolve_data_path
from models.tokenizer import apostrophe_variants, comparable_word, split_hashtag, straight_apostrophes


class TaxonomyError(ValueError):
    pass


def load_taxonomy(path: Path, lang: str) -> dict[str, list[str]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TaxonomyError(f"cannot read theme taxonomy {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"theme taxonomy {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise TaxonomyError(f"theme taxonomy {path} must map theme -> language -> keywords")
    taxonomy = {}
    for theme, by_language in data.items():
        if not isinstance(by_language, dict) or not all(isinstance(v, list) for v in by_language.values()):
            raise TaxonomyError(f"theme taxonomy {path}: {theme!r} must map language -> list of keywords")
        taxonomy[str(theme)] = [str(k) for k in by_language.get(lang, [])]
    return taxonomy


def merge_themes(base: Mapping[str, Sequence[str]], extra: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    merged = {theme: list(keywords) for theme, keywords in base.items()}
    for theme, keywords in extra.items():
        merged.setdefault(theme, []).extend(keywords)
    return merged


class ThemeTagger:
    def __init__(self, nlp: Language, themes: Mapping[str, Sequence[str]]):
        register_extensions()
        self.themes = sorted(theme for theme, keywords in themes.items() if keywords)
        self._words: dict[str, set[str]] = defaultdict(set)  # word -> themes
        self._prefixes: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._phrase_words: dict[tuple[str, ...], set[str]] = defaultdict(set)  # for hashtags
        for theme in self.themes:
            for keyword in themes[theme]:
                self._add(nlp, theme, " ".join(str(keyword).lower().split()))
        self._prefixes = {length: dict(table) for length, table in self._prefixes.items()}
        self._token_themes = TokenTable(nlp.vocab.strings, self._themes_of)
        self._theme_of_id = {nlp.vocab.strings.add(theme): theme for theme in self.themes}  # PhraseMatcher ids

    def _add(self, nlp: Language, theme: str, keyword: str) -> None:
        keyword = straight_apostrophes(keyword)  # tokens are compared in this form (see _themes_of)
        if keyword.endswith("*"):
            stem = keyword.rstrip("*")
            if not stem or " " in stem or len(nlp.make_doc(stem)) != 1:  # "eco-friendl*": "eco" + "-" + ...
                raise TaxonomyError(f"theme {theme!r}: a wildcard keyword must be one word (one token), got {keyword!r}")
            self._prefixes[len(stem)][stem].add(theme)
            return
        tokens = nlp.make_doc(keyword)
        if len(tokens) == 1:
            self._words[comparable_word(keyword)].add(theme)
        else:
            self._phrases.add(theme, [nlp.make_doc(variant) for variant in apostrophe_variants(keyword)])
            self._phrase_words[tuple(t.lower_ for t in tokens)].add(theme)

    def __call__(self, doc: Doc) -> Doc:
        found = {self._theme_of_id[match_id] for match_id, _start, _end in self._phrases(doc)}
        found.update(*self._token_themes.lookup(set(token_orths(doc))))
        set_doc_value(doc, "themes", sorted(found))
        return doc

    def _themes_of(self, text: str) -> frozenset[str]:
        """Themes of one token; a hashtag's words count too."""
        word = comparable_word(text)
        found = set(self._words.get(word, ()))
        for length, table in self._prefixes.items():
            found.update(table.get(word[:length], ()) if len(word) >= length else ())
        if word[:1] == "#" and len(word) > 1:
            words = split_hashtag(text)
            for single in words:
                found.update(self._themes_of(single))
            for phrase, themes in self._phrase_words.items():
                if _contains(words, phrase):
                    found.update(themes)
        return frozenset(found)


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


@Language.factory("rete_themes", default_config={"taxonomy": "default.yaml", "extra": {}})
def make_theme_tagger(nlp: Language, name: str, taxonomy: str, extra: dict[str, list[str]]) -> ThemeTagger:
    base = load_taxonomy(resolve_data_path(taxonomy, "themes"), nlp.lang)
    return ThemeTagger(nlp, merge_themes(base, extra))
