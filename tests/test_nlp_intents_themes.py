"""Intents (``rete_intents``) and themes (``rete_themes``), each used alone."""

from __future__ import annotations

import json

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

import models.intents  # noqa: F401  (registers rete_intents)
import models.themes  # noqa: F401  (registers rete_themes)
from models.extensions import token_orths
from models.intents import DATA_DIR, MAX_MATCH_TOKENS, PatternFileError
from models.themes import TaxonomyError
from models.tokenizer import build_social_tokenizer


def blank(lang: str):
    nlp = spacy.blank(lang)
    nlp.tokenizer = build_social_tokenizer(nlp)
    return nlp


@pytest.fixture(scope="module")
def intents():
    pipelines = {}
    for lang in ("it", "en"):
        pipelines[lang] = blank(lang)
        pipelines[lang].add_pipe("rete_intents")

    def tag(text: str, lang: str, **meta) -> list[str]:
        nlp = pipelines[lang]
        doc = nlp.make_doc(text)
        doc._.meta = meta
        return nlp(doc)._.intents

    return tag


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("qualcuno sa se il pacco è riciclabile", "it", ["question"]),
        ("come mai le consegne sono sempre il martedì", "it", ["question"]),
        ("ma perché avete tolto il formato grande", "it", ["question"]),
        ("ancora nessuna risposta", "it", ["complaint"]),
        ("aspetto da 3 giorni", "it", ["complaint"]),
        ("still waiting 3 hours", "en", ["complaint"]),
        ("waited for 2 days and nothing", "en", ["complaint"]),
        ("pasta buonissima, la consiglio", "it", ["praise"]),
        ("love it, highly recommend", "en", ["praise"]),
        ("dove posso comprare la versione senza glutine", "it", ["purchase_intent", "question"]),
        ("I want to buy the new one", "en", ["purchase_intent"]),
        ("aiuto, non riesco a fare il reso", "it", ["support_request"]),
        ("please help, I need a refund", "en", ["support_request"]),
        ("Does it come in blue?", "en", ["question"]),
        ("la nuova confezione è bellissima, brava", "it", ["praise"]),
        ("ma è vero che usate grano canadese", "it", ["question"]),
        ("thanks for the quick reply", "en", ["praise"]),
        # the longer phrase says what the words mean: a complaint, not the praise "thanks for"
        ("thanks for nothing, three days without signal", "en", ["complaint"]),
        ("Oggi al mare con gli amici", "it", []),
        ("Reading the news", "en", []),
    ],
)
def test_intents(intents, text, lang, expected):
    assert intents(text, lang) == expected


def test_a_question_mark_inside_a_url_is_not_a_question(intents):
    assert intents("nuovo articolo https://example.com/p?id=3", "it") == []


def test_weak_question_cues_count_only_when_addressed(intents):
    assert intents("come si conserva la pasta fresca", "it") == []
    assert intents("@barilla come si conserva la pasta fresca", "it") == ["question"]
    assert intents("come si conserva la pasta fresca", "it", parent_id="x:1") == ["question"]
    assert intents("when does the store open", "en") == []
    assert intents("@tesco when does the store open", "en") == ["question"]


def test_italian_interrogatives_open_a_question_at_any_sentence_start(intents):
    assert intents("@assicura la scatola nera segna viaggi mai fatti 😅 come si sistema", "it") == ["question"]
    assert intents("@ottica gli occhiali risultano pronti. Come devo fare", "it") == ["question", "support_request"]
    assert intents("@palestra addebitata due volte, tessera 22781. a chi scrivo", "it") == ["question"]
    # A comma is not a sentence end; unaddressed posts need a stronger cue.
    assert intents("@forno buonissimo, come sempre", "it") == ["praise"]
    assert intents("la scatola nera segna viaggi mai fatti 😅 come si sistema", "it") == []
    # A line break ends a sentence too, and spaces between do not matter.
    assert intents("@assicura viaggi mai fatti\ncome si sistema", "it") == ["question"]
    assert intents("@assicura viaggi mai fatti.  Come si sistema", "it") == ["question"]
    # "Not" rules: "come sempre", "come al solito", "quando serve" open no question.
    assert intents("@volta grazie mille 🙏 come sempre gentilissimi", "it") == ["praise"]
    assert intents("@volta ritardo anche oggi. Come al solito.", "it") == []
    assert intents("@volta consegna rapida. Quando serve, ci siete sempre", "it") == []
    # English keeps post starts only: "Will update." closes many statements.
    assert intents("@ferry the 14:30 is delayed by 2 hours. Will update.", "en") == []


def test_an_english_auxiliary_asks_after_a_handle_but_states_after_a_brand_name(enrich_one):
    assert "question" in enrich_one("@ferroviablu is there a discount for students", "en")
    assert "question" not in enrich_one("Ferrovia Blu is fine. Not great, not terrible.", "en")
    assert "question" not in enrich_one("Ferrovia Blu did refund my ticket eventually", "en")
    assert "question" in enrich_one("Ferrovia Blu when does the 8:15 leave on Sundays", "en")


def test_an_alternative_offered_to_a_brand_is_a_question(intents):
    assert intents("@assicura la polizza copre la grandine o serve l'estensione", "it") == ["question"]
    assert intents("la polizza copre la grandine o serve l'estensione", "it") == []


def test_negated_praise_is_a_complaint_and_negated_purchase_is_nothing(intents):
    assert intents("non è il migliore, anzi", "it") == ["complaint"]
    assert intents("not impressed at all", "en") == ["complaint"]
    assert intents("not going to buy that", "en") == []


def test_an_italian_question_to_a_brand_about_the_authors_own_case_is_a_support_request(intents):
    assert "support_request" in intents("@palestra mi avete addebitato la quota due volte, a chi scrivo?", "it")
    assert "support_request" not in intents("@ottica accettate i buoni welfare?", "it")  # no first person
    assert "support_request" not in intents("mi avete addebitato la quota due volte, a chi scrivo?", "it")  # addressed to no one
    assert "support_request" not in intents("@palestra mi avete addebitato la quota due volte.", "it")  # no question
    assert "support_request" not in intents("@fibra vorrei passare alla fibra, quanto costa l'attivazione?", "it")  # buying
    assert "support_request" not in intents("@forno mi piace tantissimo il vostro pane, lo fate senza glutine?", "it")  # praise


def test_an_elided_word_is_one_token_before_its_word(tmp_path):
    path = tmp_path / "rules.jsonl"
    path.write_text('{"label": "complaint", "pattern": [{"LOWER": "dell\'"}, {"LOWER": "ordine"}, {"LOWER": "perso"}]}\n')
    nlp = blank("it")
    nlp.add_pipe("rete_intents", config={"patterns": str(path)})
    assert nlp("mai visto, dell'ordine perso nessuna notizia")._.intents == ["complaint"]


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("@shop order no. 12345 never arrived", "en", "support_request"),
    ("@shop order id 12345 never arrived", "en", "support_request"),  # the tokenizer reads "id" as "i" + "d"
    ("@negozio ordine nr. 12345 mai arrivato", "it", "support_request"),
    ("gonna get the annual subscription", "en", "purchase_intent"),  # "gon" + "na"
])
def test_rules_match_words_the_tokenizer_cuts_in_two(intents, text, lang, expected):
    assert expected in intents(text, lang)


def test_if_and_unless_rules_count_beside_a_label_and_never_beside_the_other(tmp_path):
    path = tmp_path / "rules.jsonl"
    path.write_text('{"label": "support_request", "words": ["mi"], "if": "question", "unless": "praise"}\n'
                    '{"label": "praise", "words": ["grazie"]}\n')
    nlp = blank("it")
    nlp.add_pipe("rete_intents", config={"patterns": str(path)})
    assert nlp("mi rispondete?")._.intents == ["question", "support_request"]
    assert nlp("mi rispondete")._.intents == []
    assert nlp("grazie, mi rispondete?")._.intents == ["praise", "question"]


_SUPPORT_RULE = '{"label": "support_request", "words": ["mi"], %s}\n'


@pytest.mark.parametrize(("lang", "content", "problem"), [
    ("it", b'{"label": "question", "phrase": "ok"}\n{"label": "nope", "phrase": "x"}\n', r"it.jsonl, line 2: label must be one of"),
    ("it", b'{"label": "question", "pattern": [{"NOPE": 1}]}\n', "line 1: bad pattern"),
    ("it", b'{"label": "question", "phrase": "ok"}\n\n["not", "an", "object"]\n', r"it.jsonl, line 3: expected a JSON object, got list"),
    ("it", b'{"label": "question", "phrase": "ok", "at_start": "post"}\n', r'line 1: at_start must be true, false, "sentence" or "after_handles"'),
    ("it", b'{"label": "question", "phrase": "come sempre", "not": "yes"}\n', "line 1: not must be true or false"),
    ("en", b'{"label": "purchase_intent", "pattern": [{"LOWER": "gonna"}, {"LOWER": "buy"}]}\n', r"line 1: 'gonna' is 2 tokens for the tokenizer \('gon' \+ 'na'\)"),
    ("it", b'{"label": "complaint", "words": ["ordine n. 5"]}\n', "line 1: 'ordine n. 5' is 3 tokens"),
    ("it", (_SUPPORT_RULE % '"if": "domanda"').encode(), "line 1: if must name one label and unless one or a list of them, among question"),
    ("it", (_SUPPORT_RULE % '"if": ["question"]').encode(), "line 1: if must name one label"),
    ("it", (_SUPPORT_RULE % '"unless": {"praise": 1}').encode(), "line 1: if must name one label"),
    ("it", (_SUPPORT_RULE % '"if": "support_request"').encode(), "line 1: an if or unless rule cannot name its own label"),
    ("it", (_SUPPORT_RULE % '"if": "question", "not": true').encode(), "line 1: a not rule vetoes its label"),
    ("it", (_SUPPORT_RULE % '"unles": "praise"').encode(), "line 1: unknown key 'unles'"),
    ("it", b'{"label": "question", "phrase": "caff\xe8"}\n', "is not UTF-8"),
])
def test_bad_pattern_file_names_the_line(tmp_path, lang, content, problem):
    path = tmp_path / f"{lang}.jsonl"
    path.write_bytes(content)
    with pytest.raises(PatternFileError, match=problem):
        blank(lang).add_pipe("rete_intents", config={"patterns": str(path)})


def themes_of(text: str, lang: str = "it", extra: dict | None = None) -> list[str]:
    nlp = blank(lang)
    nlp.add_pipe("rete_themes", config={"extra": extra or {}})
    return nlp(text)._.themes


def test_matcher_patterns_match_anywhere_in_a_post_and_only_there(tmp_path):
    """Each Matcher pattern runs only on the stretch of a post where it can start: a match late in a
    long post is found at its true position (``at_start`` reads it), a pattern starting with any token
    still runs, and a post without a pattern's words gets nothing from it."""
    path = tmp_path / "en.jsonl"
    rules = [
        {"label": "complaint", "pattern": [{"LOWER": "still"}, {"LOWER": "waiting", "OP": "+"}]},
        {"label": "support_request", "pattern": [{"IS_DIGIT": True}, {"LOWER": "euro"}]},
        {"label": "question", "at_start": True, "pattern": [{"LOWER": "any"}, {"LOWER": "news"}]},
    ]
    path.write_text("".join(json.dumps(rule) + "\n" for rule in rules))
    nlp = blank("en")
    nlp.add_pipe("rete_intents", config={"patterns": str(path)})
    filler = " ".join(["word"] * 30)

    def tag(text):
        return nlp(text)._.intents

    assert tag(f"{filler} and still waiting waiting") == ["complaint"]
    assert tag(f"{filler} charged 40 euro") == ["support_request"]
    assert tag("any news on my order") == ["question"]
    assert tag(f"{filler} any news") == []  # not at the start
    assert tag(f"{filler} waiting still") == []


def _intent_rules(lang: str) -> list[dict]:
    return [json.loads(line) for line in (DATA_DIR / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()]


def _rule_words(lang: str) -> list[str]:
    """Every word the shipped intent rules of a language name, in phrases, word lists and patterns."""
    words = set()
    for rule in _intent_rules(lang):
        words.update(rule.get("phrase", "").split())
        words.update(map(str, rule.get("words", [])))
        for spec in rule.get("pattern", []):
            value = spec.get("LOWER")
            words.update([value] if isinstance(value, str) else map(str, (value or {}).get("IN", [])))
    return sorted(words)


_OTHER_TOKENS = ["2", "15", "tre", "#A12345", "n.", "123-456", "ORD98765", "cancellare", "?", ",", ".", "@barilla",
                 "l’", "E'", "word"]
_SOUP = {lang: _rule_words(lang) + _OTHER_TOKENS for lang in ("it", "en")}
_PATTERNS = {lang: [rule["pattern"] for rule in _intent_rules(lang) if "pattern" in rule] for lang in ("it", "en")}
_REPEATS = {"?": (0, 1), "*": (0, 3), "+": (1, 3)}


def _token_choices(spec: dict) -> list[str]:
    """Words that may meet one token of a Matcher pattern."""
    value = spec.get("LOWER")
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and "IN" in value:
        return [str(word) for word in value["IN"]]
    if "LIKE_NUM" in spec or "IS_DIGIT" in spec:
        return ["2", "15", "40"]
    return _OTHER_TOKENS


@st.composite
def _pattern_shaped(draw, lang: str) -> list[str]:
    """The words of a post that meets one of the language's Matcher patterns (or nearly: the words of each
    token are drawn, not checked), so that posts hold matches at any place, overlapping and repeated."""
    words = []
    for spec in draw(st.sampled_from(_PATTERNS[lang])):
        low, high = _REPEATS.get(spec.get("OP", "1"), (1, 1))
        words += [draw(st.sampled_from(_token_choices(spec))) for _ in range(draw(st.integers(low, high)))]
    return words


@pytest.fixture(scope="module")
def intent_pipelines():
    pipelines = {lang: blank(lang) for lang in ("it", "en")}
    for nlp in pipelines.values():
        nlp.add_pipe("rete_intents")
    return pipelines


@settings(max_examples=300, deadline=None)
@given(data=st.data(), lang=st.sampled_from(["it", "en"]))
def test_matcher_rules_find_what_each_pattern_finds_on_the_whole_post(intent_pipelines, data, lang):
    """The word prefilter and the stretch each Matcher pattern looks at (from its first possible start to
    its longest match after the last) drop nothing: the hits, in order, are what every pattern's Matcher
    finds on the whole post, on posts made of the rules' own words in any order and case."""
    pieces = data.draw(st.lists(st.one_of(st.sampled_from(_SOUP[lang]).map(lambda word: [word]),
                                          _pattern_shaped(lang)), max_size=12))
    words = [word for piece in pieces for word in piece]
    cased = [data.draw(st.sampled_from([word, word.upper(), word.capitalize()])) for word in words]
    nlp = intent_pipelines[lang]
    tagger = nlp.get_pipe("rete_intents")
    doc = nlp.make_doc(" ".join(cased))
    on_whole_post = [match for rule in tagger._matcher_rules for match in rule.matcher(doc)]
    # Longer matches are not looked for (MAX_MATCH_TOKENS); none of them, none to compare.
    if any(end - start > MAX_MATCH_TOKENS for _, start, end in on_whole_post):
        return
    tokens = tagger._token_info.lookup(token_orths(doc))
    assert tagger._pattern_hits(doc, tokens) == [(key, start) for key, start, _ in on_whole_post]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("La sostenibilità della filiera", "it", ["origin_supply_chain", "sustainability"]),
        ("confezione in plastica, che spreco", "it", ["packaging_plastic"]),
        ("Costa 5€ ed è arrivato in ritardo", "it", ["delivery", "price"]),
        ("senza glutine e senza olio di palma", "it", ["ingredients_health"]),
        ("il servizio clienti non risponde", "it", ["customer_service"]),
        ("Plastic free at last #PlasticFree", "en", ["packaging_plastic"]),
        ("#MadeInItaly", "it", ["origin_supply_chain"]),
        ("way too expensive and the courier was late", "en", ["delivery", "price"]),
        ("Oggi al mare", "it", []),
    ],
)
def test_default_themes(text, lang, expected):
    assert themes_of(text, lang) == expected


def test_workspace_themes_add_themes_and_keywords():
    extra = {"animal_welfare": ["benessere animale", "gabbi*"], "price": ["salasso"]}
    assert themes_of("uova da galline in gabbia, un salasso", extra=extra) == ["animal_welfare", "price"]
    assert themes_of("più benessere animale", extra=extra) == ["animal_welfare"]


@pytest.mark.parametrize("keyword", ["impatto ambiental*", "eco-friendl*"])
def test_multi_word_wildcard_is_refused(keyword):
    with pytest.raises(TaxonomyError, match="one word"):
        themes_of("x", extra={"bad": [keyword]})


def test_bad_taxonomy_file_is_named(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("sustainability: [green]\n")
    nlp = blank("it")
    with pytest.raises(TaxonomyError, match="t.yaml: 'sustainability' must map language"):
        nlp.add_pipe("rete_themes", config={"taxonomy": str(path)})


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # questions without "?": polite forms and interrogative openers
        ("@telco any chance of a student plan", "en", ["question"]),
        ("is there a shop near the station or online only", "en", ["question"]),
        ("@airline do you ship gift cards abroad", "en", ["question"]),
        ("@banca avete anche un conto per minorenni", "it", ["question"]),
        ("@banca c'è un limite ai prelievi", "it", ["question"]),
        ("Domanda: la carta funziona anche all'estero", "it", ["question"]),
        # no answer, waiting
        ("quarta mail a @negozio senza risposta", "it", ["complaint"]),
        ("dopo un mese nessuna notizia del mio ordine", "it", ["complaint"]),
        ("day 5 of waiting for @shop to reply", "en", ["complaint"]),
        # delivery and order problems
        ("ordine non ancora arrivato", "it", ["complaint"]),
        ("@corriere la spedizione è ferma a Verona", "it", ["complaint"]),
        ("tracking says delivered, the box is not here", "en", ["complaint"]),
        ("@shop parcel returned to sender", "en", ["complaint", "support_request"]),
        ("@shop order 556677 cancelled", "en", ["support_request"]),
        ("@negozio mi è arrivato un articolo sbagliato", "it", ["complaint", "support_request"]),
        # refusal, payment and app failures, demands
        ("il negozio non mi vuole rimborsare la spesa", "it", ["complaint", "support_request"]),
        ("@banca impossibile accedere all'app", "it", ["complaint", "support_request"]),
        ("@bank the app won't let me pay", "en", ["complaint", "support_request"]),
        ("@azienda dovete spiegare cosa è successo", "it", ["complaint"]),
    ],
)
def test_brand_requests_without_the_usual_cues(intents, text, lang, expected):
    assert intents(text, lang) == expected


def test_ordinals_and_numbers_alone_are_not_complaints_or_support(intents):
    assert intents("second time ordering from them", "en") == []
    assert intents("I'll order 3 more for the party", "en") == []
    assert intents("no one has ever made pasta this good", "en") == []


@pytest.fixture(scope="module")
def enrich_one():
    from models.enrich import Enricher
    from rete.config import BrandEntry

    enricher = Enricher([BrandEntry(name="Ferrovia Blu", handles=["@ferroviablu"])], ("it", "en"))

    def run(text: str, lang: str, **fields) -> list[str]:
        return next(iter(enricher.enrich([{"id": "t:1", "text": text, "lang": lang, **fields}])))["intents"]

    return run


def test_brand_named_first_makes_weak_cues_count(enrich_one):
    assert enrich_one("Ferrovia Blu quanto costa l'abbonamento annuale", "it") == ["purchase_intent", "question"]
    assert enrich_one("Ferrovia Blu avete treni notturni per Vienna", "it") == ["question"]
    assert enrich_one("avete treni notturni per Vienna", "it") == []


def test_negative_post_addressed_to_a_brand_is_a_complaint(enrich_one):
    # no complaint rule matches these words; the negative sentiment and the address make it one
    text = "il treno delle 8 era sporco e pieno, orribile"
    assert "complaint" in enrich_one(f"@ferroviablu {text}", "it")
    assert "complaint" in enrich_one(f"Ferrovia Blu {text}, mi avete rovinato la giornata", "it")
    assert "complaint" in enrich_one(f"{text}, brava Ferrovia Blu", "it", parent_id="x:1")
    assert "complaint" not in enrich_one(text, "it")


@pytest.mark.parametrize(("text", "lang"), [
    ("Complimenti @ferroviablu, terzo treno soppresso questa settimana, vergognatevi", "it"),
    ("Well done @ferroviablu, third cancelled train this week, pathetic", "en"),
])
def test_praise_words_in_a_negative_post_are_irony_not_praise(enrich_one, text, lang):
    assert enrich_one(text, lang) == ["complaint"]


def test_feed_articles_carry_no_intents(enrich_one):
    """A news item quoting a complaint or asking a rhetorical question is not a customer addressing the brand:
    it must not enter the relationship signals."""
    text = "@ferroviablu ancora nessuna risposta ai pendolari? Sono 3 giorni che aspettano il rimborso"
    assert "complaint" in enrich_one(text, "it")
    assert enrich_one(text, "it", platform="rss") == []


def test_negative_headline_naming_a_brand_first_is_not_a_complaint(enrich_one):
    assert enrich_one("Ferrovia Blu taglia 300 posti di lavoro, crollo in borsa", "it") == []
    assert enrich_one("@ferroviablu grazie, servizio ottimo oggi", "it") == ["praise"]


def test_rules_written_with_straight_apostrophes_match_typographic_ones(intents):
    """Phones type ’; the rule files use '. Phrases, single words, token patterns and theme keywords
    match either."""
    assert "question" in intents("c’è modo di cambiare la consegna", "it")
    assert "support_request" in intents("vorrei annullare l’ordine", "it")
    assert "complaint" in intents("non l’ho ancora ricevuto", "it")  # a token pattern
    nlp = blank("it")
    nlp.add_pipe("rete_themes", config={"extra": {"filiera": ["dall'origine", "l'olio d'oliva"]}})
    assert "filiera" in nlp("tracciato dall’origine")._.themes
    assert "filiera" in nlp("compro l’olio d’oliva")._.themes


def test_rules_written_with_accents_match_accents_typed_as_apostrophes(intents):
    """"è" typed "e'", "perché" typed "perche'": phrases, single words, token patterns and theme keywords."""
    assert "question" in intents("c'e' modo di cambiare la consegna", "it")  # phrase "c'è modo di"
    assert "complaint" in intents("il pacco non e' mai arrivato", "it")  # phrase "non è mai arrivato"
    assert "question" in intents("@ferroviablu perche' il treno e' fermo", "it")  # word "perché", weak
    assert "complaint" in intents("sono 3 giorni che aspetto", "it")
    assert "complaint" in intents("e' 3 giorni che aspetto", "it")  # token pattern listing "è"
    nlp = blank("it")
    nlp.add_pipe("rete_themes", config={"extra": {"qualità": ["qualità", "più buono"]}})
    assert "qualità" in nlp("ottima qualita' davvero")._.themes
    assert "qualità" in nlp("sempre piu’ buono")._.themes
