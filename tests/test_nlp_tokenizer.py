"""The social tokenizer and language id, each used alone."""

from __future__ import annotations

import pytest
import spacy

from models.extensions import TokenTable, token_orths
from models.language import UNDETERMINED, LanguageIdentifier, normalize_code
from models.tokenizer import MAX_RUN, accented, build_social_tokenizer, compact, split_hashtag


@pytest.fixture(scope="module", params=["it", "en"])
def nlp(request):
    nlp = spacy.blank(request.param)
    nlp.tokenizer = build_social_tokenizer(nlp)
    return nlp


def texts(nlp, text: str) -> list[str]:
    return [token.text for token in nlp(text)]


def test_hashtags_are_one_flagged_token(nlp):
    doc = nlp("Pranzo (#MadeInItaly) #pasta_fresca!")
    tags = [t.text for t in doc if t._.is_hashtag]
    assert tags == ["#MadeInItaly", "#pasta_fresca"]
    assert not any(t._.is_hashtag for t in doc if t.text in ("(", ")", "!"))


def test_handles_and_urls_stay_whole(nlp):
    words = texts(nlp, "@barilla.it: guarda https://example.com/a?b=1&c=2. @Mulino_Bianco @rete@mastodon.social.")
    assert "@barilla.it" in words and "@Mulino_Bianco" in words and "@rete@mastodon.social" in words
    assert "https://example.com/a?b=1&c=2" in words
    assert words[1] == ":"


@pytest.mark.parametrize(
    "emoji",
    ["👍🏽", "👨‍👩‍👧", "🇮🇹", "1️⃣", "❤️", "🏳️‍🌈", "🙏🏻"],
    ids=["skin-tone", "zwj-family", "flag", "keycap", "variation-selector", "zwj-flag", "folded-hands"],
)
def test_emoji_sequences_are_single_tokens(nlp, emoji):
    assert texts(nlp, f"grazie{emoji}{emoji} ok") == ["grazie", emoji, emoji, "ok"]


def test_keycap_hash_is_not_a_hashtag(nlp):
    (token,) = nlp("#️⃣")
    assert not token._.is_hashtag


def test_italian_elision_before_handles_and_words():
    nlp = spacy.blank("it")
    nlp.tokenizer = build_social_tokenizer(nlp)
    assert texts(nlp, "dell'@barilla e l'azienda nell’#estate") == [
        "dell'", "@barilla", "e", "l'", "azienda", "nell’", "#estate"
    ]


def test_italian_accents_typed_as_apostrophes_stay_on_their_word():
    """Keyboards without accented keys type "è" as "e'": spaCy cuts the apostrophe off as a closing
    quote, so "e'" read as the conjunction "e" and "perche'" matched no rule written "perché"."""
    nlp = spacy.blank("it")
    nlp.tokenizer = build_social_tokenizer(nlp)
    assert texts(nlp, "Perche' il pacco non e’ arrivato? C'e' un po' di ritardo, pero'.") == [
        "Perche'", "il", "pacco", "non", "e’", "arrivato", "?", "C'", "e'", "un", "po'", "di", "ritardo", ",",
        "pero'", ".",
    ]
    # A word in single quotes keeps its quotes apart, and an elision stays an elision.
    assert texts(nlp, "la parola 'vela' e' bella, l'ordine") == [
        "la", "parola", "'", "vela", "'", "e'", "bella", ",", "l'", "ordine"
    ]
    assert texts(nlp, "'ciao'") == ["'", "ciao", "'"]
    # Phones open single quotes with ‘; a clipped word ('sto, 'na) opens no quote.
    assert texts(nlp, "la pasta ‘Barilla’ e’ buona") == ["la", "pasta", "‘", "Barilla", "’", "e’", "buona"]
    assert texts(nlp, "'sto telefono e' rotto") == ["'", "sto", "telefono", "e'", "rotto"]


def test_english_closing_quotes_are_not_accents():
    nlp = spacy.blank("en")
    nlp.tokenizer = build_social_tokenizer(nlp)
    assert texts(nlp, "they said 'no' to me'") == ["they", "said", "'", "no", "'", "to", "me", "'"]


@pytest.mark.parametrize(
    ("typed", "word"),
    [("e'", "è"), ("perche'", "perché"), ("ne'", "né"), ("citta'", "città"), ("piu'", "più"), ("comprero'", "comprerò"),
     ("ventitre'", "ventitré"), ("po'", "po'"), ("de'", "de'"), ("l'", "l'"), ("vela", "vela")],
)
def test_typed_accents_read_as_the_accented_word(typed, word):
    assert accented(typed) == word


def test_offsets_cover_the_original_text(nlp):
    text = "Ciao @x!! 👨‍👩‍👧 #Tag https://a.b/c l'azienda e' qui"
    doc = nlp(text)
    assert doc.text == text
    assert all(text[t.idx : t.idx + len(t.text)] == t.text for t in doc)


@pytest.mark.parametrize("run", ["😀" * 100_000, "!" * 100_000, "ab" * 50_000])
def test_a_run_without_spaces_is_read_from_its_start_and_offsets_hold(nlp, run):
    """spaCy's affix splitting is quadratic on such a run (100,000 emoji took minutes): only MAX_RUN
    characters of it are tokenized, the rest blanked, so the doc keeps the text's length."""
    text = f"Barilla {run} Barilla"
    doc = nlp(text)
    assert len(doc.text) == len(text)
    assert sum(len(t.text) for t in doc if not t.is_space) <= 2 * len("Barilla") + MAX_RUN
    assert [t.text for t in doc if t.text == "Barilla"] == ["Barilla", "Barilla"]
    assert all(text[t.idx : t.idx + len(t.text)] == t.text for t in doc if not t.is_space)


@pytest.mark.parametrize(
    ("tag", "words"),
    [
        ("#MadeInItaly", ("made", "in", "italy")),
        ("#iPhone15", ("i", "phone", "15")),
        ("#made_in_italy", ("made", "in", "italy")),
        ("#NYCMarathon", ("nyc", "marathon")),
        ("#SostenibilitàAmbientale", ("sostenibilità", "ambientale")),
        ("#madeinitaly", ("madeinitaly",)),
    ],
)
def test_split_hashtag(tag, words):
    assert split_hashtag(tag) == words


def test_compact_joins_names_the_way_hashtags_write_them():
    assert compact("Mulino Bianco") == compact("#mulino_bianco") == compact("#MulinoBianco") == "mulinobianco"


@pytest.fixture(scope="module")
def identifier():
    return LanguageIdentifier(("it", "en", "es", "fr", "de", "pt"))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Qualcuno sa se il nuovo pacco di pasta è riciclabile? @barilla", "it"),
        ("Il servizio clienti non risponde da tre giorni", "it"),
        ("Still waiting three hours for my delivery, nobody answers the phone", "en"),
        ("Hola, el producto es muy bueno pero el envío es caro", "es"),
        ("Bonjour, je ne suis pas content du produit reçu hier", "fr"),
        ("Ich bin mit der Lieferung sehr zufrieden, danke schön", "de"),
    ],
)
def test_language_of_ordinary_posts(identifier, text, lang):
    assert identifier.identify(text) == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # Function words of the post's language outweigh a neighbour's ("le" is also French).
        ("Non mi piace per niente il nuovo gusto, le scarpe invece sono belle", "it"),
        # One long function word and no other language's: enough.
        ("Pasta sfoglia della nonna", "it"),
        ("Pizza night with friends", "en"),
        # Trailing punctuation and emoji glued to words do not hide them.
        ("Grazie, davvero... che servizio!!! 😍", "it"),
    ],
)
def test_language_from_function_words(identifier, text, lang):
    assert identifier.identify(text) == lang


@pytest.mark.parametrize(
    "text",
    ["", "ciao", "😀😀🇮🇹", "https://example.com/x http://y.z", "@barilla #pasta", "ok 👍", "שלום עליכם חברים יקרים"],
)
def test_too_little_to_tell_is_und(identifier, text):
    assert identifier.identify(text) == UNDETERMINED


@pytest.mark.parametrize(("text", "closest"), [
    ("I love it", "en"), ("so bad", "en"), ("Good morning!", "en"), ("terrible", "en"), ("well done", "en"),
    ("grazie mille", "it"), ("non mi piace", "it"), ("Buongiorno!", "it"), ("bravi", "it"), ("che schifo", "it"),
    ("😍😍", None), ("@barilla https://x.example", None),
])
def test_a_post_too_short_to_tell_still_has_a_closest_pipeline_language(identifier, text, closest):
    assert identifier.closest(text, ("it", "en")) == closest
    assert identifier.closest("Muy bien, gracias", ("it", "en")) in ("it", "en")  # another language: a guess


def test_an_answer_outside_the_workspace_languages_gets_a_high_accuracy_second_look(identifier):
    # lingua's low-accuracy mode takes this for German; its high-accuracy mode knows better.
    assert identifier.identify("Hungry as hell") == "de"
    workspace = LanguageIdentifier(identifier.languages, primary=("it", "en"))
    assert workspace.identify("Hungry as hell") == "en"
    assert workspace.identify("Bonjour, je ne suis pas content du produit reçu") == "fr"  # still French


def test_a_language_the_source_gives_is_trusted(identifier):
    assert identifier.identify("This is clearly English text, but the source says otherwise", "it-IT") == "it"
    assert identifier.identify("This is clearly English text, no doubt about it", "und") == "en"


@pytest.mark.parametrize(("value", "code"), [("en_US", "en"), ("IT", "it"), ("und", None), ("", None), (7, None)])
def test_normalize_code(value, code):
    assert normalize_code(value) == code


def test_language_id_needs_known_languages():
    with pytest.raises(ValueError, match="unknown language code"):
        LanguageIdentifier(("it", "xx"))


def test_token_orths_are_the_tokens_orth_hashes(nlp):
    doc = nlp("Adoro #MadeInItaly, grazie @barilla 👍🏽 https://example.com/x")
    assert token_orths(doc) == [token.orth for token in doc]
    assert token_orths(nlp("")) == []


def test_token_table_describes_each_text_once_and_stays_bounded(nlp):
    described = []

    def describe(text: str) -> str:
        described.append(text)
        return text.upper()

    table = TokenTable(nlp.vocab.strings, describe, max_size=3)
    doc = nlp("uno due uno tre quattro cinque uno")
    assert table.lookup(token_orths(doc)) == ["UNO", "DUE", "UNO", "TRE", "QUATTRO", "CINQUE", "UNO"]
    assert described.count("uno") == 1
    assert table.lookup(token_orths(doc)) == ["UNO", "DUE", "UNO", "TRE", "QUATTRO", "CINQUE", "UNO"]
    assert len(table) <= len(set(token_orths(doc)))  # cleared when over max_size, then refilled


def test_hashtag_words_extension(nlp):
    doc = nlp("#PlasticFree ok")
    assert doc[0]._.hashtag_words == ("plastic", "free")
    assert doc[1]._.hashtag_words == ()
