"""Intents as a spaCy component, registered as ``rete_intents``: ``doc._.intents`` is a sorted list of
``question``, ``complaint``, ``praise``, ``purchase_intent``, ``support_request`` (a post may carry several).

Rule-based on purpose: the patterns live in ``models/data/intents/<lang>.jsonl`` where a consultant can
read and extend them, and there is no labelled intent corpus to train on. Each line is one of::

    {"label": "question", "phrase": "qualcuno sa"}              token by token, case-insensitive
    {"label": "praise", "words": ["ottimo", "adoro"]}           any one of these tokens, case-insensitive
    {"label": "complaint", "pattern": [{"LIKE_NUM": true}, ...]} a spaCy Matcher pattern
    {"label": "question", "words": [...], "weak": true, "at_start": true}
    {"label": "question", "phrase": "come sempre", "not": true}   no question starts where this does
    {"label": "support_request", "words": ["mi"], "weak": true, "if": "question", "unless": ["praise"]}

``weak`` patterns count only when the post is addressed to someone (it mentions an @handle, replies to a
post or opens with a brand name): "come si cucina?" to a brand, not any sentence starting with "come".
``at_start`` patterns count only at the start of the post (after leading @handles and a brand name it opens
with: "Verdefilo any chance of a restock"); ``"at_start": "sentence"`` ones also at the start of a later
sentence, after ".", "!", "…", an emoji or a line break, for Italian interrogatives: a question often follows
the facts it is about and Italian posts often drop its "?" ("la scatola nera segna viaggi mai fatti 😅 come si
sistema"). English keeps post starts only: its posts mostly keep the "?", and a sentence opening with "did",
"will" or "when" is more often a statement ("Will update."). ``"at_start": "after_handles"`` patterns count
only at the start of the post or right after leading @handles, not after a brand name it opens with: English
auxiliaries ask after a handle ("@taskwell is there a discount") but state after a name, the subject of the
sentence ("Taskwell is fine", "Isles Link did refund our crossing"). A ``"not": true`` rule vetoes its label
where it starts: "come sempre", "come al solito", "quando serve" open no question, "what a" and "how nice"
open exclamations. An ``"if"`` rule counts only in a post that also carries the label it names, and an
``"unless"`` rule only in one that carries none of its labels (one, or a list), as the other rules decide
them: in Italian, first-person words in a post addressed to someone (an @handle, a reply, a brand name first)
that asks a question are most often about the author's own case, a support request ("@palestra mi avete
addebitato due volte la quota, a chi scrivo"), unless the author is about to buy ("vorrei passare alla fibra,
quanto costa") or is praising ("mi piace tantissimo il vostro pane, lo fate senza glutine?"). Praise and
purchase intent right after a negation ("non è il migliore", "not going to buy") do not count; negated praise
("not impressed", "non mi piace") is a complaint. A post with negative or mixed sentiment
(``doc._.sentiment``, so intents run after sentiment) that opens with an @handle, or names one of the
workspace's brands (by name, alias, hashtag or its own @handle, anywhere) and speaks in the first or second
person, or replies to a post and names a brand, is a complaint.
A "?" outside a URL is a question.

Phrases go to a ``PhraseMatcher``, single words to a table of lowercase words (looked up once per distinct
token text), and only real multi-token patterns to a ``Matcher``, which runs only on posts that have the
words and numbers its patterns require, and there only from the first token that can start a pattern to
the end of the longest match it can make from the last one (``MAX_MATCH_TOKENS`` at most): a Matcher
holding a hundred one-word patterns was the slowest part of the pipeline, and even a few patterns cost
some microseconds per token they look at.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import reduce
from itertools import count
from operator import attrgetter, or_
from pathlib import Path
from typing import NamedTuple, NoReturn

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from models.extensions import (
    MENTIONS_KEY,
    TokenTable,
    doc_value,
    is_feed_item,
    is_tag,
    register_extensions,
    set_doc_value,
    token_orths,
)
from models.jsonl import read_objects
from models.tokenizer import apostrophe_variants, comparable_word

INTENT_LABELS = ("question", "complaint", "praise", "purchase_intent", "support_request")
DATA_DIR = Path(__file__).parent / "data" / "intents"
NEGATIONS = frozenset({"non", "not", "n't", "never", "mai", "no", "nessun", "nessuna", "niente", "nothing",
                       "don't", "didn't", "won't", "isn't", "wasn't", "nemmeno", "neanche"})
NEGATION_WINDOW = 3
# The longest match a Matcher pattern can make; longer ones (possible only with the "*" and "+" operators)
# are not found. Bounds the stretch of a post the Matcher looks at.
MAX_MATCH_TOKENS = 12
# First and second person: a post that names a brand and speaks as "I" or to "you" is a customer's voice
# ("Vallerossa mi è arrivato un articolo diverso", "Returned the car full, @rentova charged me anyway"); a
# headline naming it does not ("BT announces it will cut 10,000 jobs").
PERSONAL_WORDS = frozenset({"io", "mi", "me", "mio", "mia", "miei", "mie", "ho", "vi", "voi", "vostro", "vostra",
                            "vostri", "vostre", "avete", "siete", "i", "i'm", "i've", "me", "my", "you", "your",
                            "you're", "yours", "u", "ur", "we", "our", "us"})
_NEGATABLE = frozenset({"praise", "purchase_intent"})
_STARTS = {False: None, True: "post", "sentence": "sentence", "after_handles": "after_handles"}
_OPPOSITE = {"praise": "complaint", "complaint": "praise"}


class PatternFileError(ValueError):
    pass


_URL = re.compile(r"https?://\S+|www\.\S+")
_FLAGS = attrgetter("flags")
_PATTERN_WORDS = attrgetter("pattern_words")
# Bits of _TokenInfo.flags: a post's flags (all its tokens' OR-ed together, one pass) say whether any token
# is a handle, a first/second person word, carries a "?", has word rules or is a negation.
HANDLE, PERSONAL, QUESTION_MARK, RULE_WORD, NEGATION, SENTENCE_END, SPACE = 1, 2, 4, 8, 16, 32, 64
# What ends a sentence for ``at_start`` rules: ".", "!", "…" or emoji (symbols from U+2190 on, no letters);
# a comma or colon does not ("come sempre, ottimo servizio").
_SENTENCE_END = re.compile(r"[.!…]+|[^\w\u0000-\u200c\u200e-\u218f]+")  # one class: no backtracking


class _TokenInfo(NamedTuple):
    """What the tagger needs to know about one token text, computed once per distinct text."""

    rule_keys: tuple[int, ...]
    is_punct: bool
    flags: int  # HANDLE, PERSONAL (first or second person, PERSONAL_WORDS), QUESTION_MARK (outside a URL),
    # RULE_WORD, NEGATION (NEGATIONS), SENTENCE_END (sentence-final punctuation, an emoji or a line break),
    # SPACE (whitespace)
    pattern_words: int  # bit i set: the token meets the i-th requirement of the Matcher patterns
    pattern_starts: int  # bit j set: the token meets the first token of the j-th Matcher pattern


class _MatcherRule(NamedTuple):
    matcher: Matcher  # holding one pattern
    requirements: int  # the bits of pattern_words this pattern needs
    start_bit: int | None  # its bit in pattern_starts; None when its first token may be anything
    reach: int  # tokens the Matcher looks at from the last token that can start a match (see _reach)


class IntentTagger:
    def __init__(self, nlp: Language, patterns_path: Path):
        register_extensions()
        self.vocab = nlp.vocab
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._longest_phrase = 0  # in tokens
        # Rules are known by the hash of their key ("question|12"), which is what the matchers report.
        self._word_rules: dict[str, list[int]] = defaultdict(list)  # lowercase word -> rule key hashes
        # rule key hash -> (label, weak, where it may start: None anywhere, "post", "sentence", "after_handles")
        self._rules: dict[int, tuple[str, bool, str | None]] = {}
        self._vetoes: set[int] = set()  # "not" rules: their label does not start where they do
        # "if"/"unless" rules: rule key hash -> (the label the post must also carry, the labels it must not carry)
        self._conditions: dict[int, tuple[str | None, frozenset[str]]] = {}
        # What a Matcher pattern needs (one word of each of its required word sets, a number), as bit
        # masks: bit i of a token stands for the i-th requirement it meets, a pattern's mask has the bits
        # of its requirements; a pattern's Matcher runs only when its requirements are all met.
        self._word_set_bits: dict[str, int] = defaultdict(int)
        self._like_num_bits = 0  # the bits of the "a number" requirements
        self._word_set_numbers = count()
        # And what a pattern's first token must be, as bit j of a token for the j-th pattern: the Matcher
        # looks at the post from the first such token on.
        self._start_bits: dict[str, int] = defaultdict(int)
        self._like_num_start_bits = 0
        self._matcher_rules: list[_MatcherRule] = []
        rule_file = RuleFile(patterns_path, "label", INTENT_LABELS, ("phrase", "words", "pattern"), nlp,
                             options=("weak", "at_start", "not", "if", "unless"))
        for number, rule in rule_file:
            label, weak, at_start = rule["label"], bool(rule.get("weak")), rule.get("at_start", False)
            if at_start not in _STARTS:
                rule_file.fail(number, 'at_start must be true, false, "sentence" or "after_handles"')
            key = f"{label}|{number}"
            key_id = nlp.vocab.strings.add(key)
            self._rules[key_id] = (label, weak, _STARTS[at_start])
            if rule.get("not", False) is not False:
                if rule["not"] is not True:
                    rule_file.fail(number, "not must be true or false")
                self._vetoes.add(key_id)
            if "if" in rule or "unless" in rule:
                self._conditions[key_id] = _condition(rule_file, number, rule)
            if "phrase" in rule:
                docs = phrasings(nlp, rule["phrase"])
                self._longest_phrase = max(self._longest_phrase, *map(len, docs))
                self._phrases.add(key, docs)
            elif "words" in rule:
                for word in rule["words"]:
                    self._word_rules[comparable_word(str(word))].append(key_id)
            else:
                matcher = Matcher(nlp.vocab)
                rule_file.add_pattern(matcher, key, number, rule["pattern"])
                self._matcher_rules.append(_MatcherRule(
                    matcher=matcher,
                    requirements=self._add_required_words(rule["pattern"]),
                    start_bit=self._add_first_token(rule["pattern"], len(self._matcher_rules)),
                    reach=_reach(rule["pattern"]),
                ))
        self._token_info = TokenTable(nlp.vocab.strings, self._describe)

    def _add_required_words(self, pattern: list[dict]) -> int:
        mask = 0
        for need in _required_words(pattern):
            bit = 1 << next(self._word_set_numbers)
            if need == LIKE_NUM:
                self._like_num_bits |= bit
            else:
                for word in need:
                    self._word_set_bits[word] |= bit
            mask |= bit
        return mask

    def _add_first_token(self, pattern: list[dict], index: int) -> int | None:
        """The start bit of the index-th pattern; None when its first token may be anything."""
        first = _required_words(pattern[:1])
        if not first:
            return None
        bit = 1 << index
        if first[0] == LIKE_NUM:
            self._like_num_start_bits |= bit
        else:
            for word in first[0]:
                self._start_bits[word] |= bit
        return bit

    def _describe(self, text: str) -> _TokenInfo:
        lower = comparable_word(text)
        lexeme = self.vocab[text]
        like_num = lexeme.like_num
        rule_keys = tuple(self._word_rules.get(lower, ()))
        return _TokenInfo(
            rule_keys=rule_keys,
            is_punct=lexeme.is_punct,
            flags=(HANDLE * is_tag(lower, "@") | PERSONAL * (lower in PERSONAL_WORDS)
                   | QUESTION_MARK * ("?" in _URL.sub(" ", lower)) | RULE_WORD * bool(rule_keys)
                   | NEGATION * (lower in NEGATIONS) | SPACE * text.isspace()
                   | SENTENCE_END * bool(_SENTENCE_END.fullmatch(text) or (text.isspace() and "\n" in text))),
            pattern_words=self._word_set_bits.get(lower, 0) | (self._like_num_bits if like_num else 0),
            pattern_starts=self._start_bits.get(lower, 0) | (self._like_num_start_bits if like_num else 0),
        )

    def _phrase_hits(self, doc: Doc) -> list[tuple[int, int]]:
        """(rule key, start) of the phrases, less those inside a longer phrase of the opposite label: the
        longer one says what the words mean ("thanks for nothing" is a complaint, not the praise "thanks
        for"). Other labels stand together: "dove posso comprare" is a question and a purchase intent."""
        found = self._phrases(doc)
        rules = self._rules
        if not _OPPOSITE.keys() <= {rules[key][0] for key, _, _ in found}:
            return [(key, start) for key, start, _ in found]
        # A container starts at most the longest phrase's length before what it contains: look only there,
        # so that a hostile post repeating "thanks for nothing" 10,000 times stays linear.
        by_start: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for key, start, end in found:
            by_start[start].append((end, rules[key][0]))
        return [
            (key, start) for key, start, end in found
            if not any(other_end >= end and other_end - other_start > end - start and label == _OPPOSITE.get(rules[key][0])
                       for other_start in range(max(0, start - self._longest_phrase), start + 1)
                       for other_end, label in by_start.get(other_start, ()))
        ]

    def _pattern_hits(self, doc: Doc, tokens: list[_TokenInfo]) -> list[tuple[int, int]]:
        """(rule key, start) of the Matcher patterns. A Matcher costs some microseconds per token and
        pattern (its IN lists are Python predicates), and most posts lack the words a pattern needs: each
        pattern has its own Matcher, run only on posts holding its required words, and only on the stretch
        from the first token that can start it to its reach (see _reach) after the last."""
        present = reduce(or_, map(_PATTERN_WORDS, tokens), 0)
        hits = []
        for rule in self._matcher_rules:
            if rule.requirements & present != rule.requirements:
                continue
            if rule.start_bit is None:
                first, last = 0, len(tokens)
            else:
                starts = [position for position, info in enumerate(tokens) if info.pattern_starts & rule.start_bit]
                if not starts:  # cannot happen while the first token is one of the requirements; cheap to check
                    continue
                first, last = starts[0], starts[-1]
            stretch = doc[first : last + rule.reach]
            hits += [(match_id, first + start) for match_id, start, _ in rule.matcher(stretch)]
        return hits

    def __call__(self, doc: Doc) -> Doc:
        if is_feed_item(doc):
            set_doc_value(doc, "intents", [])
            return doc
        tokens = self._token_info.lookup(token_orths(doc))
        flags = reduce(or_, map(_FLAGS, tokens), 0)
        hits = self._phrase_hits(doc)
        if self._matcher_rules:
            hits += self._pattern_hits(doc, tokens)
        if flags & RULE_WORD:
            hits += [(key, position) for position, info in enumerate(tokens) for key in info.rule_keys]
        found: set[str] = set()
        conditional: set[int] = set()  # the "if"/"unless" rules that hit, decided once the other labels are known
        polarity = (doc_value(doc, "sentiment") or {}).get("label")
        negative = polarity == "negative"
        complains = negative or polarity == "mixed"  # a mixed post holds a grievance, beside its praise
        if hits or complains:
            mentions = doc.spans.get(MENTIONS_KEY)  # a brand's own @handles are mentions too
            names_brand = bool(mentions)
            handles_end, opening_end, opened_by = _opening(tokens, mentions[0] if names_brand else None)
            is_reply = bool(doc_value(doc, "meta").get("parent_id"))
            addressed = bool(opened_by) or is_reply or bool(flags & HANDLE)
            # A negative post that opens by addressing a brand, names one in a customer's voice, or replies to
            # a post and names one is a complaint even in words no rule knows: "@brand la consegna è ferma a
            # Bologna da una settimana".
            if complains and (
                opened_by == "handle"
                or (names_brand and flags & PERSONAL)
                or (is_reply and names_brand)
            ):
                found.add("complaint")
            vetoed = {(self._rules[key][0], start) for key, start in hits if key in self._vetoes}
            for key, start in hits:
                label, weak, starts = self._rules[key]
                if label in found or key in conditional or (weak and not addressed):
                    continue
                if key in self._vetoes or (label, start) in vetoed:
                    continue
                if starts == "after_handles" and start != handles_end:
                    continue
                if starts and start > opening_end and not (starts == "sentence" and _opens_sentence(tokens, start)):
                    continue
                if label in _NEGATABLE and flags & NEGATION and any(
                    info.flags & NEGATION for info in tokens[max(0, start - NEGATION_WINDOW) : start]
                ):
                    if label == "praise":
                        found.add("complaint")
                    continue
                if label == "praise" and negative:
                    continue  # thanks in a negative post are ironic: "grazie @x per avermi fatto aspettare"
                if key in self._conditions:
                    conditional.add(key)
                else:
                    found.add(label)
        if flags & QUESTION_MARK:
            found.add("question")
        found |= {self._rules[key][0] for key in conditional if _holds(self._conditions[key], found)}
        set_doc_value(doc, "intents", sorted(found))
        return doc


def _condition(rule_file: RuleFile, number: int, rule: dict) -> tuple[str | None, frozenset[str]]:
    """An "if"/"unless" rule's condition: the label the post must also carry, the labels it must not carry."""
    needed, excluded = rule.get("if"), rule.get("unless", [])
    excluded = [excluded] if isinstance(excluded, str) else excluded
    if not (needed is None or (isinstance(needed, str) and needed in INTENT_LABELS)) or not (
        isinstance(excluded, list) and all(isinstance(label, str) and label in INTENT_LABELS for label in excluded)
    ):
        rule_file.fail(number, f"if must name one label and unless one or a list of them, among {', '.join(INTENT_LABELS)}")
    if rule["label"] == needed or rule["label"] in excluded:
        rule_file.fail(number, f"an if or unless rule cannot name its own label ({rule['label']})")
    if rule.get("not"):
        rule_file.fail(number, "a not rule vetoes its label; it cannot also have if or unless")
    return needed, frozenset(excluded)


def _holds(condition: tuple[str | None, frozenset[str]], found: set[str]) -> bool:
    """Whether an "if"/"unless" rule's label counts, given the labels the other rules gave (not those of
    other "if"/"unless" rules: their conditions are decided together)."""
    needed, excluded = condition
    return (needed is None or needed in found) and not excluded & found


def _opens_sentence(tokens: list[_TokenInfo], start: int) -> bool:
    """Whether the token at ``start`` follows a sentence end, looking back over spaces ("fatti.  Come")."""
    before = start - 1
    while before >= 0 and tokens[before].flags & SPACE and not tokens[before].flags & SENTENCE_END:
        before -= 1
    return before >= 0 and bool(tokens[before].flags & SENTENCE_END)


def _opening(tokens: list[_TokenInfo], first_mention: Span | None) -> tuple[int, int, str | None]:
    """Where the post's own words begin — after leading @handles and punctuation, and then after a brand
    name it opens with ("Verdefilo any chance of a restock", the post's first brand mention) — and what it
    opens with: ``"handle"``, ``"brand"`` (a brand name, no handle) or ``None`` (punctuation alone or
    nothing)."""
    handles_end = 0
    while handles_end < len(tokens) and (tokens[handles_end].flags & HANDLE or tokens[handles_end].is_punct):
        handles_end += 1
    end = handles_end
    opened_by = "handle" if any(info.flags & HANDLE for info in tokens[:end]) else None
    if first_mention is not None and first_mention.start == end:
        end, opened_by = first_mention.end, opened_by or "brand"
    return handles_end, end, opened_by


LIKE_NUM = "LIKE_NUM"


def either_apostrophe(pattern: list[dict]) -> list[dict]:
    """A Matcher pattern whose LOWER words (a value, or IN / NOT_IN lists) match straight and
    typographic apostrophes alike: rule files write ``l'``, phones type ``l’``."""
    def variants(words) -> list[str]:
        return list(dict.fromkeys(v for word in words for v in apostrophe_variants(str(word))))

    specs = []
    for spec in pattern:
        value = spec.get("LOWER") if isinstance(spec, dict) else None
        if isinstance(value, str) and len(variants([value])) > 1:
            spec = {**spec, "LOWER": {"IN": variants([value])}}
        elif isinstance(value, dict):
            spec = {**spec, "LOWER": {op: variants(words) if op in ("IN", "NOT_IN") and isinstance(words, list)
                                      else words for op, words in value.items()}}
        specs.append(spec)
    return specs


# The most post tokens one pattern token can match, by its operator ("1" when it has none). Operators that
# repeat ("*", "+", "{n,m}") or negate ("!") are left out: a pattern holding one gets MAX_MATCH_TOKENS.
_OPERATOR_WIDTH = {"1": 1, "?": 1}


def _reach(pattern: list[dict]) -> int:
    """How many tokens from a match's start the Matcher must see: the longest match the pattern can make
    (order, optional "#", number: 3) when every token has a bounded width, else MAX_MATCH_TOKENS. The
    Matcher then finds the same matches, in the same order, as on the whole post: a partial match started
    at a token never looks further than that, and a token that cannot start the pattern starts nothing
    (tests/test_nlp_intents_themes.py checks this against the whole post)."""
    widths = [_OPERATOR_WIDTH.get(spec.get("OP", "1")) for spec in pattern]
    if None in widths:
        return MAX_MATCH_TOKENS
    return min(sum(widths), MAX_MATCH_TOKENS)


def _required_words(pattern: list[dict]) -> list[frozenset[str] | str]:
    """For each token a pattern requires (not optional): the words it allows when it is a LOWER value or
    IN list, or ``LIKE_NUM`` when it must be a number. Tokens with other conditions are not checked."""
    needs: list[frozenset[str] | str] = []
    for spec in pattern:
        if spec.get("OP", "1") not in ("1", "+"):
            continue
        value = spec.get("LOWER")
        words = [value] if isinstance(value, str) else value.get("IN") if isinstance(value, dict) else None
        if words:
            needs.append(frozenset(comparable_word(str(w)) for w in words))
        elif spec.get("LIKE_NUM") is True and len(spec) == 1 + ("OP" in spec):
            needs.append(LIKE_NUM)
    return needs


class RuleFile:
    """A JSONL rule file: one rule a line, keyed by ``field`` (one of ``allowed``), written in exactly one
    of the ``forms``: ``phrase`` (matched token by token, case-insensitive, either apostrophe), ``words``
    (a non-empty list) or ``pattern`` (a spaCy Matcher pattern). The intents and the resolution cues
    share it, and with it their errors, which name the file and the line. A word of a ``words`` list or of a
    pattern's token must be one token for the pipeline's tokenizer, which is checked here: spaCy's English
    rules cut "gonna" into "gon" + "na" and "id" into "i" + "d", so such a word would silently never match."""

    def __init__(self, path: Path, field: str, allowed: tuple[str, ...], forms: tuple[str, ...], nlp: Language,
                 options: tuple[str, ...] = ()):
        """``options``: the other keys a rule may have (a misspelt one would otherwise be ignored in silence)."""
        self.path, self.field, self.allowed, self.forms, self.options = path, field, allowed, forms, options
        self.nlp = nlp

    def __iter__(self):
        for number, rule in read_objects(self.path, PatternFileError):
            if rule.get(self.field) not in self.allowed:
                self.fail(number, f"{self.field} must be one of {', '.join(self.allowed)}")
            if sum(form in rule for form in self.forms) != 1:
                self.fail(number, f"give exactly one of {', '.join(repr(form) for form in self.forms)}")
            if unknown := sorted(set(rule) - {self.field, *self.forms, *self.options}):
                known = ", ".join(map(repr, [self.field, *self.forms, *self.options]))
                self.fail(number, f"unknown key {', '.join(map(repr, unknown))}: the keys a rule may have are {known}")
            if "words" in self.forms and "words" in rule and not (isinstance(rule["words"], list) and rule["words"]):
                self.fail(number, "'words' must be a non-empty list")
            for word in _token_words(rule):
                if len(tokens := _tokens_of(self.nlp, word)) != 1:
                    self.fail(number, f"{word!r} is {len(tokens)} tokens for the tokenizer ({' + '.join(map(repr, tokens))}), "
                                      "and a word or a pattern token matches one: write it as a phrase, or as one "
                                      "pattern token each")
            yield number, rule

    def fail(self, number: int, problem: str) -> NoReturn:
        # from None: the error names the file and line; spaCy's own traceback would only bury it
        raise PatternFileError(f"{self.path}, line {number}: {problem}") from None

    def add_pattern(self, matcher: Matcher, key: str, number: int, pattern: list[dict]) -> None:
        try:
            matcher.add(key, [either_apostrophe(pattern)])
        except (ValueError, KeyError, TypeError) as exc:
            self.fail(number, f"bad pattern: {exc}")


_TOKEN_KEYS = ("LOWER", "ORTH", "TEXT", "NORM")


def _token_words(rule: dict) -> list[str]:
    """The words a rule compares single tokens with: its ``words``, and its pattern tokens' values and IN lists."""
    words = list(rule.get("words", []))
    for spec in rule.get("pattern", []) if isinstance(rule.get("pattern"), list) else []:
        for value in (spec.get(key) for key in _TOKEN_KEYS) if isinstance(spec, dict) else ():
            if isinstance(value, str):
                words.append(value)
            elif isinstance(value, dict) and isinstance(value.get("IN"), list):
                words.extend(value["IN"])
    return [str(word) for word in words]


def _tokens_of(nlp: Language, word: str) -> list[str]:
    """How the tokenizer cuts a rule's word. An elided article or preposition ("l'", "dell'") is a token of its
    own only before its word, so it is cut as it is there."""
    if word[-1:] in ("'", "’") and word[:-1].isalpha():
        tokens = [token.text for token in nlp.make_doc(word + "a")]
        return tokens[:-1] if tokens[-1:] == ["a"] else tokens
    return [token.text for token in nlp.make_doc(word)]


def phrasings(nlp: Language, phrase: str) -> list[Doc]:
    """A rule's phrase as the docs a PhraseMatcher needs: one per apostrophe spelling."""
    return [nlp.make_doc(variant) for variant in apostrophe_variants(phrase)]


def resolve_data_path(value: str, kind: str) -> Path:
    """A path from a pipeline config: absolute, or relative to ``models/data/<kind>/``."""
    path = Path(value)
    return path if path.is_absolute() else Path(__file__).parent / "data" / kind / path


@Language.factory("rete_intents", default_config={"patterns": None})
def make_intent_tagger(nlp: Language, name: str, patterns: str | None) -> IntentTagger:
    return IntentTagger(nlp, resolve_data_path(patterns or f"{nlp.lang}.jsonl", "intents"))
