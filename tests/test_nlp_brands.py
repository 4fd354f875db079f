"""Brand matching (``rete_brands``) alone, and the brand query language."""

from __future__ import annotations

import pytest
import spacy

import models.brands  # noqa: F401  (registers rete_brands)
from models.brand_query import QuerySyntaxError, parse_query
from models.extensions import MENTIONS_KEY
from models.tokenizer import build_social_tokenizer
from rete.config import BrandEntry, load_brand_set
from rete.yamlfile import ConfigError


def matcher(*brands: dict, lang: str = "it"):
    nlp = spacy.blank(lang)
    nlp.tokenizer = build_social_tokenizer(nlp)
    nlp.add_pipe("rete_brands", config={"brands": [BrandEntry(**b).model_dump(exclude_none=True) for b in brands]})

    def mentions(text: str, **meta) -> list[tuple[str, str]]:
        doc = nlp.make_doc(text)
        doc._.lang = meta.pop("lang", lang)
        doc._.meta = meta
        doc = nlp(doc)
        spans = doc.spans[MENTIONS_KEY]
        assert all(text[s.start_char : s.end_char] == s.text for s in spans)
        return [(s.label_, s.text) for s in spans]

    return mentions


BARILLA = {"name": "Barilla", "aliases": ["Barilla"], "handles": ["@barilla"], "hashtags": ["#barilla"]}
MULINO = {"name": "Mulino Bianco", "aliases": ["Mulino Bianco"], "handles": ["@mulinobianco"]}


def test_aliases_are_case_insensitive_and_whole_words():
    find = matcher(BARILLA, MULINO)
    assert find("BARILLA, barilla e Barilla") == [("Barilla", "BARILLA"), ("Barilla", "barilla"), ("Barilla", "Barilla")]
    assert find("MULINO bianco a colazione") == [("Mulino Bianco", "MULINO bianco")]
    assert find("Barillas e mulino") == []


def test_handles_hashtags_and_elision():
    find = matcher(BARILLA)
    assert find("dell'@barilla mi fido, #Barilla sempre") == [("Barilla", "@barilla"), ("Barilla", "#Barilla")]
    assert find("l'azienda Barilla e dell'Barilla") == [("Barilla", "Barilla"), ("Barilla", "Barilla")]


def test_someone_elses_handle_is_not_the_brand():
    assert matcher(BARILLA)("@barilla_fan scrive sempre") == []


@pytest.mark.parametrize("tag", ["#MulinoBianco", "#mulinobianco", "#mulino_bianco", "#MulinoBiancoLovers"])
def test_joined_and_camel_case_hashtags_name_the_brand(tag):
    assert matcher(MULINO)(f"colazione {tag}") == [("Mulino Bianco", tag)]


def test_exclusion_overlapping_a_mention_removes_only_that_mention():
    find = matcher({"name": "Apple", "aliases": ["Apple"], "exclude": ["apple pie"]}, lang="en")
    assert find("apple pie tonight") == []
    assert find("apple pie while waiting for the Apple keynote") == [("Apple", "Apple")]


def test_exclusion_sharing_a_name_word_never_removes_the_brand_elsewhere():
    find = matcher({"name": "Esempio", "aliases": ["Pastificio Esempio", "Esempio"], "exclude": ["per esempio"]})
    assert find("Pastificio Esempio, per esempio") == [("Esempio", "Pastificio Esempio")]
    assert find("per esempio la pasta") == []


def test_exclusion_elsewhere_in_the_post_removes_the_brand_from_the_post():
    find = matcher({"name": "Rete", "aliases": ["Rete"], "exclude": ["calcio", "gol"]})
    assert find("Rete lancia la nuova app") == [("Rete", "Rete")]
    assert find("Gol! La palla in rete, che partita di calcio") == []


@pytest.mark.parametrize("opening", ["alla", "della", "dalla", "nella", "sulla"])
def test_an_exclusion_opening_with_an_article_holds_after_the_fused_preposition(opening):
    find = matcher({"name": "Pergola", "aliases": ["Pergola Casa", "Pergola"], "exclude": ["La Pergola a Roma"]})
    assert find(f"cena {opening} Pergola a Roma, tre stelle") == []
    assert find(f"ordinato il gazebo {opening} Pergola Casa") == [("Pergola", "Pergola Casa")]
    elided = matcher({"name": "Orso", "aliases": ["Orso"], "exclude": ["l'Orso d'Oro"]})
    assert elided(f"{opening[:-1]}’Orso d’Oro vinto ieri") == []
    assert elided("capsule Orso finite") == [("Orso", "Orso")]


def test_overlapping_brands_keep_the_longest():
    find = matcher({"name": "Rete", "aliases": ["Rete"]}, {"name": "Rete Verde", "aliases": ["Rete Verde"]})
    assert find("Rete Verde e Rete") == [("Rete Verde", "Rete Verde"), ("Rete", "Rete")]


def test_the_name_is_always_an_alias():
    assert matcher({"name": "Lavazza"})("caffè lavazza") == [("Lavazza", "lavazza")]
    find = matcher({"name": "Vallerossa", "aliases": ["Pastificio Vallerossa"]})
    assert find("Vallerossa e Pastificio Vallerossa") == [("Vallerossa", "Vallerossa"), ("Vallerossa", "Pastificio Vallerossa")]


def test_five_hundred_brands_are_all_found():
    brands = [{"name": f"Brand{i:03d}", "aliases": [f"Marca {i:03d}"], "handles": [f"@brand{i:03d}"]} for i in range(500)]
    find = matcher(*brands)
    text = " e ".join(f"Marca {i:03d}" for i in range(0, 500, 7)) + " @brand499"
    expected = [(f"Brand{i:03d}", f"Marca {i:03d}") for i in range(0, 500, 7)] + [("Brand499", "@brand499")]
    assert find(text) == expected


# --- queries ---------------------------------------------------------------------------------------


def test_query_requires_context_for_an_ambiguous_name():
    delta = {"name": "Delta", "handles": ["@Delta"], "query": 'delta AND (volo OR flight OR airline*) NOT "delta del po"'}
    find = matcher(delta)
    assert find("Volo Delta in ritardo") == [("Delta", "Delta")]
    assert find("Delta Airlines lost my bag") == [("Delta", "Delta")]
    assert find("Gita al delta del Po") == []
    assert find("il delta di prezzo") == []
    assert find("@Delta nessuna risposta") == [("Delta", "@Delta")]  # own handles are unambiguous


def test_query_near_counts_words_in_either_order():
    find = matcher({"name": "Apple", "aliases": ["Apple"], "query": "apple NEAR/3 (iphone OR mac)"}, lang="en")
    assert find("Apple launched the iPhone") == [("Apple", "Apple")]
    assert find("my new iPhone from Apple") == [("Apple", "Apple")]
    assert find("Apple said a lot of things today about the new iPhone") == []
    # Punctuation, emoji and symbols between them are not words: three words apart, not seven tokens.
    assert find("Apple ⚡⚡, 20% off: new iPhone") == [("Apple", "Apple")]  # 20, off, new
    assert find("Apple ⚡⚡, 20% off: the new iPhone") == []  # 20, off, the, new


def test_query_terms_in_braces_match_only_as_written():
    volta = {"name": "Volta", "query": "{Volta} NEAR/4 (monopattin* OR sharing)"}
    find = matcher(volta)
    assert find("Volta ha messo 300 monopattini in centro") == [("Volta", "Volta")]
    assert find("per la prima volta ho preso un monopattino") == []  # the common word
    assert find("VOLTA monopattini ovunque") == []
    cased_phrase = matcher({"name": "Rete Verde", "aliases": ["Rete Verde"], "query": "{Rete Verde}"})
    assert cased_phrase("Rete Verde apre a Milano") == [("Rete Verde", "Rete Verde")]
    assert cased_phrase("una rete verde di parchi") == []


@pytest.mark.parametrize("typo", ["Valmorra", "Valmra", "Vlamora", "VALMOTA"])
def test_a_brand_allowing_typos_is_found_one_typo_away(typo):
    find = matcher({"name": "Valmora", "typos": True})
    assert find(f"{typo} ha la linea per pelli sensibili") == [("Valmora", typo)]
    assert matcher({"name": "Valmora"})(f"{typo} ha la linea per pelli sensibili") == []  # off by default


def test_another_brands_exact_name_is_never_taken_for_a_typo():
    for brands in ([{"name": "Valmora", "typos": True}, {"name": "Valmore"}],
                   [{"name": "Valmore"}, {"name": "Valmora", "typos": True}]):
        assert matcher(*brands)("Valmore è meglio") == [("Valmore", "Valmore")]


def test_typos_leave_short_and_multi_word_names_handles_and_exact_words_alone():
    find = matcher({"name": "Tela", "typos": True}, {"name": "Pellegrini Viaggi", "typos": True},
                   {"name": "Valmora", "typos": True, "handles": ["@valmora"], "exclude": ["valmorra bassa"]})
    assert find("tele e tela") == [("Tela", "tela")]
    assert find("PELLEGRINI VIAGI non rimborsa") == []
    assert find("@valmorra e #valmorra") == []
    assert find("valmora e valmora") == [("Valmora", "valmora"), ("Valmora", "valmora")]  # no double count
    assert find("gita in Valmorra bassa") == []  # exclusions hold for typos as for the name
    assert find("valutare e valore") == []


@pytest.mark.parametrize("link", ["https://www.mulinobianco.it/biscotti", "www.mulinobianco.it",
                                  "mulinobianco.it/merende?x=1", "http://shop.mulinobianco.co.uk",
                                  "https://MulinoBianco.com"])
def test_a_link_whose_domain_spells_the_name_is_a_mention(link):
    assert matcher(MULINO)(f"guardate qui {link} che novità") == [("Mulino Bianco", link)]


@pytest.mark.parametrize("token", ["mulinobianco.wordpress.com", "mulinobianco.pdf", "https://www.mulino.it",
                                   "https://example.com/mulinobianco"])
def test_subdomains_file_names_and_paths_are_not_the_brand(token):
    assert matcher(MULINO)(f"guardate qui {token} che novità") == []


def test_a_link_spelling_the_brands_own_hashtag_is_a_name_not_the_hashtag():
    volta = {"name": "Volta", "hashtags": ["#volta"], "query": "volta AND monopattino"}
    find = matcher(volta)
    assert find("leggi volta.it oggi") == []  # the query does not match: a link is no own identifier
    assert find("#volta oggi") == [("Volta", "#volta")]
    assert find("Volta.io sono arrivata") == []  # a missing space, not a link


def test_a_link_spelling_the_name_counts_only_when_the_query_matches():
    volta = {"name": "Volta Mobility", "query": "monopattin* OR scooter*"}
    find = matcher(volta)
    assert find("i monopattini di https://voltamobility.it/napoli") == [
        ("Volta Mobility", "https://voltamobility.it/napoli")]
    assert find("prenota su https://voltamobility.it/napoli") == []


def test_query_wildcards_phrases_hashtags_and_handles():
    eco = {"name": "EcoPasta", "query": '(sostenib* OR "filiera corta") AND (#ecopasta OR @ecopasta)'}
    find = matcher(eco)
    assert find("pasta sostenibilissima #EcoPasta") == [("EcoPasta", "#EcoPasta")]  # the name, as a hashtag
    # The name does not occur: the mentions are where the query's positive terms matched.
    assert find("la filiera corta di @ecopasta") == [("EcoPasta", "filiera corta"), ("EcoPasta", "@ecopasta")]
    assert find("filiera lunga di @ecopasta") == []
    assert find("sostenibile ma senza tag") == []


def test_query_filters_on_lang_source_and_author():
    brand = {"name": "Coop", "aliases": ["Coop"], "query": "coop AND lang:it AND NOT source:rss AND NOT author:@coop_italia"}
    find = matcher(brand)
    assert find("spesa alla Coop", source="x", author={"handle": "@maria"}) == [("Coop", "Coop")]
    assert find("spesa alla Coop", lang="en") == []
    assert find("spesa alla Coop", source="rss") == []
    assert find("offerte Coop", author={"handle": "coop_italia"}) == []


def test_query_without_alias_occurrence_falls_back_to_its_terms():
    find = matcher({"name": "Pasta Verde", "query": "#pastaverde OR \"pasta verde\""})
    assert find("ottima #PastaVerde") == [("Pasta Verde", "#PastaVerde")]


@pytest.mark.parametrize(
    ("query", "column", "problem"),
    [
        ("apple AND", 10, "the query ends after AND"),
        ("apple AND (iphone OR mac", 11, "never closed"),
        ("apple)", 6, "unbalanced ')'"),
        ('apple "iphone', 7, "quote is never closed"),
        ("apple NEAR iphone", 7, "NEAR needs a distance"),
        ("apple AND {Apple", 11, "this { is never closed"),
        ("apple OR Apple}", 15, "this } was never opened"),
        ("apple OR {}", 10, "empty {}"),
        ("apple NEAR/x iphone", 7, "NEAR needs a distance"),
        ("ap* iphone", 1, "at least 3 letters"),
        ("app*le", 4, "only allowed at the end"),
        ("apple foo:bar", 7, "unknown filter foo"),
        ("lang: apple", 1, "needs a value"),
        ("NOT apple", 1, "needs at least one word"),
        ("(apple AND mac) NEAR/2 store", 1, "NEAR joins words"),
        ("apple OR OR mac", 10, "expected a term, found 'OR'"),
        ("", 1, "empty"),
        ("apple #", 7, "is not a hashtag"),
    ],
)
def test_malformed_query_points_at_the_column(query, column, problem):
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(query)
    assert caught.value.position + 1 == column
    assert f"column {column}" in str(caught.value)
    assert problem in str(caught.value)
    assert caught.value.pointer().splitlines()[1] == " " * (column - 1) + "^"


def test_malformed_query_is_a_config_error_with_file_and_line(tmp_path):
    path = tmp_path / "brands.yaml"
    path.write_text("brands:\n  - name: Apple\n    aliases: [Apple]\n    query: apple AND (mac OR\n")
    with pytest.raises(ConfigError) as caught:
        load_brand_set(path)
    message = str(caught.value)
    assert "brands.yaml, line 4" in message and "column 18" in message


def test_query_text_with_config_variable_syntax_is_kept_literally():
    find = matcher({"name": "Dollar", "aliases": ["${x}"], "query": '"${x}" OR dollar'}, lang="en")
    assert find("I love ${x} and dollar") == [("Dollar", "${x}"), ("Dollar", "dollar")]


def test_mastodon_handles_are_one_mention():
    find = matcher({"name": "Rete", "aliases": ["Rete Spa"], "handles": ["@rete@mastodon.social"]})
    assert find("grazie @rete@mastodon.social!") == [("Rete", "@rete@mastodon.social")]
    assert find("grazie @rete@altro.social") == []


@pytest.mark.parametrize("text", ["capsule Caffè Dell’Orso", "capsule Caffè Dell'Orso"])
@pytest.mark.parametrize("alias", ["Caffè Dell'Orso", "Caffè Dell’Orso"])
def test_straight_and_typographic_apostrophes_match_each_other(alias, text):
    find = matcher({"name": "Orso", "aliases": [alias], "exclude": ["Orso d'Oro"]})
    assert find(text) == [("Orso", text.removeprefix("capsule "))]
    assert find("premio Orso d’Oro") == []


def test_own_hashtags_count_like_handles_when_the_query_does_not_match():
    find = matcher({"name": "Sole", "aliases": ["Sole"], "handles": ["@solefood"], "hashtags": ["#SoleFood"],
                    "query": "sole NEAR/3 (passata OR pelati)"})
    assert find("che bel sole oggi") == []
    assert find("scorta di #SoleFood per l'inverno") == [("Sole", "#SoleFood")]
    assert find("scorta di #SoleLovers per l'inverno") == []  # spells the name, not one of its tags
    assert find("passata Sole, buonissima") == [("Sole", "Sole")]
