"""The RSS/Atom connector against a real HTTP server on 127.0.0.1 and the real feedparser."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest
from werkzeug import Request, Response

from connectors.base import SourceError
from connectors.rss import RssConnector, RssSource


def rss_feed(items: list[dict], encoding: str = "utf-8", language: str = "it-IT") -> str:
    body = "".join(
        "<item>"
        + "".join(f"<{tag}>{value}</{tag.split()[0]}>" for tag, value in item.items() if value is not None)
        + "</item>"
        for item in items
    )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:slash="http://purl.org/rss/1.0/modules/slash/">'
        f"<channel><title>Notizie</title><link>https://example.it/</link><language>{language}</language>"
        f"{body}</channel></rss>"
    )


def item(n: int, **extra) -> dict:
    return {
        "title": f"Notizia {n}",
        "guid": f"https://example.it/n/{n}",
        "pubDate": f"Tue, 0{n} Jun 2025 10:00:00 +0200",
        "description": f"Testo {n}",
        **extra,
    }


def connector(*urls: str, **options) -> RssConnector:
    return RssConnector(RssSource(name="news", type="rss", urls=list(urls), **options))


def run(rss: RssConnector, cursor=None):
    batches = list(rss.fetch(cursor))
    posts = [post for batch in batches for post in batch.posts]
    problems = [problem for batch in batches for problem in batch.problems]
    return posts, problems, batches[-1].cursor


def test_rss20_entries_become_posts(httpserver):
    feed = rss_feed(
        [
            item(
                1,
                link="/articoli/1",
                description="&lt;p&gt;Il nuovo &lt;b&gt;caff&amp;egrave;&lt;/b&gt; &amp;amp; la tazza&lt;/p&gt;"
                "&lt;script&gt;alert(1)&lt;/script&gt;&lt;p&gt;Secondo paragrafo&lt;/p&gt;",
                **{"dc:creator": "Maria Rossi", "slash:comments": "7"},
            ),
            {"title": "Senza data né guid", "link": "https://example.it/n/2"},
        ]
    )
    httpserver.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")
    before = datetime.now(timezone.utc)

    posts, problems, _ = run(connector(httpserver.url_for("/feed.xml")))

    assert problems == []
    first, undated = posts
    assert first.id == "rss:https://example.it/n/1" and first.native_id == "https://example.it/n/1"
    assert first.platform == "rss" and first.source == "news"
    assert first.title == "Notizia 1"
    assert first.text == "Notizia 1\n\nIl nuovo caffè & la tazza\nSecondo paragrafo"
    assert first.url == httpserver.url_for("/articoli/1")  # relative links resolve against the feed URL
    assert first.author.display_name == "Maria Rossi"
    assert first.engagement.replies == 7
    assert first.lang == "it"
    assert first.created_at == datetime(2025, 6, 1, 8, 0, tzinfo=timezone.utc)
    json.dumps(first.raw)  # JSON-safe, dates included
    assert first.raw["published_parsed"] == "2025-06-01T08:00:00+00:00"
    # No guid: the link identifies it; no date: dated when first seen.
    assert undated.native_id == "https://example.it/n/2"
    assert undated.created_at >= before


def test_atom_feed(httpserver):
    atom = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Brand blog</title><id>urn:uuid:feed</id><updated>2025-05-01T10:00:00Z</updated>
  <author><name>Brand Team</name></author>
  <entry>
    <id>tag:brand.example,2025:1</id>
    <title type="html">Our &lt;em&gt;new&lt;/em&gt; bottle</title>
    <link href="/blog/bottle"/>
    <updated>2025-05-01T10:00:00+02:00</updated>
    <content type="xhtml">
      <div xmlns="http://www.w3.org/1999/xhtml"><p>Made from <b>recycled</b> glass.</p></div>
    </content>
  </entry>
</feed>"""
    httpserver.expect_request("/atom").respond_with_data(atom, content_type="application/atom+xml")

    (post,), problems, _ = run(connector(httpserver.url_for("/atom")))

    assert problems == []
    assert post.id == "rss:tag:brand.example,2025:1"
    assert post.title == "Our new bottle"
    assert post.text == "Our new bottle\n\nMade from recycled glass."
    assert post.url == httpserver.url_for("/blog/bottle")
    assert post.author.display_name == "Brand Team"
    assert post.lang == "en"
    assert post.created_at == datetime(2025, 5, 1, 8, 0, tzinfo=timezone.utc)


def test_conditional_get_and_304(httpserver):
    url = httpserver.url_for("/feed")
    stamp = "Wed, 04 Jun 2025 08:00:00 GMT"
    httpserver.expect_ordered_request("/feed").respond_with_data(
        rss_feed([item(1)]), headers={"ETag": '"v1"', "Last-Modified": stamp}, content_type="application/rss+xml"
    )
    httpserver.expect_ordered_request("/feed").respond_with_data("", status=304)

    posts, _, cursor = run(connector(url))
    assert len(posts) == 1
    posts, problems, second_cursor = run(connector(url), cursor)

    assert posts == [] and problems == []
    sent = httpserver.log[1][0].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == stamp
    assert httpserver.log[1][1].status_code == 304
    assert second_cursor["feeds"][url]["etag"] == '"v1"'  # kept for the next run


def test_second_run_yields_only_new_and_edited_entries(httpserver):
    # No ETag: the server sends the whole feed every time, as many do.
    url = httpserver.url_for("/feed")
    httpserver.expect_ordered_request("/feed").respond_with_data(rss_feed([item(2), item(1)]))
    httpserver.expect_ordered_request("/feed").respond_with_data(
        rss_feed([item(3), item(2, description="Testo 2, corretto"), item(1)])
    )
    httpserver.expect_ordered_request("/feed").respond_with_data(
        rss_feed([item(3), item(2, description="Testo 2, corretto"), item(1)])
    )

    first, _, cursor = run(connector(url))
    second, _, cursor = run(connector(url), cursor)
    third, _, _ = run(connector(url), cursor)

    assert [p.title for p in first] == ["Notizia 2", "Notizia 1"]
    assert sorted(p.title for p in second) == ["Notizia 2", "Notizia 3"]
    assert next(p for p in second if p.title == "Notizia 2").text.endswith("Testo 2, corretto")
    assert third == []


def test_slow_server_hits_the_read_timeout(httpserver):
    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return Response(rss_feed([item(1)]))

    httpserver.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()

    with pytest.raises(SourceError) as error:
        list(connector(httpserver.url_for("/slow"), read_timeout_seconds=0.3).fetch(None))

    assert time.monotonic() - started < 1.4
    assert httpserver.url_for("/slow") in str(error.value)
    assert "timed out" in str(error.value)


def test_malformed_xml_is_reported(httpserver):
    httpserver.expect_request("/broken").respond_with_data(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Rotto</title></chan'
    )
    with pytest.raises(SourceError) as error:
        list(connector(httpserver.url_for("/broken")).fetch(None))
    assert "malformed XML" in str(error.value) and httpserver.url_for("/broken") in str(error.value)


def test_recoverable_xml_error_keeps_entries_and_warns(httpserver):
    # A bare "&" is invalid XML but common; the lenient parser still reads the entries.
    httpserver.expect_request("/amp").respond_with_data(rss_feed([item(1, title="Pane & Salame")]))

    (post,), problems, _ = run(connector(httpserver.url_for("/amp")))

    assert post.title == "Pane & Salame"
    assert len(problems) == 1 and "malformed XML" in problems[0] and "/amp" in problems[0]


def test_html_page_instead_of_feed(httpserver):
    httpserver.expect_request("/").respond_with_data(
        "<!DOCTYPE html><html><head><title>Home</title></head><body><p>Benvenuti</p></body></html>",
        content_type="text/html; charset=utf-8",
    )
    with pytest.raises(SourceError, match="HTML page, not an RSS/Atom feed"):
        list(connector(httpserver.url_for("/")).fetch(None))


def test_latin1_feed_declared_properly(httpserver):
    body = rss_feed([item(1, title="Perché è così caro?")], encoding="iso-8859-1").encode("latin-1")
    httpserver.expect_request("/latin1").respond_with_data(body, content_type="application/rss+xml")

    (post,), problems, _ = run(connector(httpserver.url_for("/latin1")))

    assert problems == []
    assert post.title == "Perché è così caro?"


def test_utf8_feed_served_as_text_xml_is_not_flagged(httpserver):
    # text/xml without charset means us-ascii by RFC 3023; the feed's own declaration is what counts.
    body = rss_feed([item(1, title="Perché è così caro?")]).encode("utf-8")
    httpserver.expect_request("/textxml").respond_with_data(body, content_type="text/xml")

    (post,), problems, _ = run(connector(httpserver.url_for("/textxml")))

    assert problems == [] and post.title == "Perché è così caro?"


@pytest.mark.parametrize("declaration", ["utf-8", None], ids=["declared-utf8", "undeclared"])
def test_latin1_feed_declared_as_utf8_is_reported(httpserver, declaration):
    body = rss_feed([item(1, title="Perché è così caro?")], encoding=declaration or "").encode("latin-1")
    if declaration is None:
        body = body.replace(b' encoding=""', b"")
    httpserver.expect_request("/wrong").respond_with_data(body, content_type="application/rss+xml")

    (post,), problems, _ = run(connector(httpserver.url_for("/wrong")))

    # feedparser falls back to another encoding and reads it: the posts come, with a warning.
    assert post.title == "Perché è così caro?"
    assert len(problems) == 1
    assert "wrong character encoding" in problems[0] and "but parsed as windows-1252" in problems[0]
    assert httpserver.url_for("/wrong") in problems[0]


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_oversize_body_hits_the_cap(httpserver, streamed):
    big = rss_feed([item(1, description="x" * 5000)]).encode()
    if streamed:  # no Content-Length: the cap is enforced while reading
        response = Response((big[i : i + 512] for i in range(0, len(big), 512)), content_type="application/rss+xml")
    else:
        response = Response(big, content_type="application/rss+xml")
    httpserver.expect_request("/big").respond_with_response(response)

    with pytest.raises(SourceError, match="over the 2,000-byte limit"):
        list(connector(httpserver.url_for("/big"), max_bytes=2000).fetch(None))


def test_one_bad_feed_does_not_stop_the_good_one(httpserver):
    httpserver.expect_request("/missing").respond_with_data("gone", status=404)
    httpserver.expect_request("/good").respond_with_data(rss_feed([item(1), item(2)]))
    bad, good = httpserver.url_for("/missing"), httpserver.url_for("/good")

    posts, problems, cursor = run(connector(bad, good))

    assert [p.title for p in posts] == ["Notizia 1", "Notizia 2"]
    assert problems == [f"feed {bad}: HTTP 404 NOT FOUND"]
    assert set(cursor["feeds"]) == {good}


def test_redirect_is_followed(httpserver):
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(rss_feed([item(1, link="/n/1")]))

    (post,), _, _ = run(connector(httpserver.url_for("/old")))

    assert post.url == httpserver.url_for("/n/1")  # resolved against where the feed was found


def test_bare_guids_are_qualified_by_feed(httpserver):
    # A non-permalink guid is only unique within its feed.
    bare = {"guid": None, 'guid isPermaLink="false"': "42"}
    httpserver.expect_request("/a").respond_with_data(rss_feed([{**item(1), **bare}]))
    httpserver.expect_request("/b").respond_with_data(rss_feed([{**item(1), **bare}]))

    posts, _, _ = run(connector(httpserver.url_for("/a"), httpserver.url_for("/b")))

    assert [p.native_id for p in posts] == [httpserver.url_for("/a") + "#42", httpserver.url_for("/b") + "#42"]


def test_credentials_in_feed_url_stay_out_of_errors(httpserver):
    httpserver.expect_request("/private").respond_with_data("no", status=403)

    with pytest.raises(SourceError) as error:
        list(connector(httpserver.url_for("/private") + "?token=s3cr3t&page=1").fetch(None))

    assert "s3cr3t" not in str(error.value)
    assert "token=***" in str(error.value) and "HTTP 403" in str(error.value)


def test_local_feed_file_relative_to_workspace(tmp_path):
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "brand.xml").write_text(rss_feed([item(1)]), encoding="utf-8")
    rss = RssConnector(RssSource(name="local", type="rss", urls=["feeds/brand.xml"]), tmp_path)

    posts, problems, cursor = run(rss)
    again, _, _ = run(rss, cursor)

    assert [p.title for p in posts] == ["Notizia 1"] and problems == []
    assert again == []


def test_config_rejects_other_schemes():
    with pytest.raises(ValueError, match="http"):
        RssSource(name="x", type="rss", urls=["ftp://example.it/feed"])
