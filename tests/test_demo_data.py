"""The demo workspace and its generated data: valid config, deterministic generator, planted signals.

The signals are checked from the export itself (not from planted_truth.json alone), so a generator
change that loses a signal, or a truth file that no longer matches the data, fails here.
"""

from __future__ import annotations

import importlib.util
import json
import re
import statistics
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from connectors.base import SourceError
from connectors.fakes import drain
from connectors.fakes.demo import DEMO_PORTS, credential_environment, serve_demo_platforms
from connectors.file_import import FileImportConnector
from connectors.registry import build_connector
from connectors.rss import RssConnector, RssSource
from rete.config import load_workspace
from rete.post import post_id

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
EXPORT = DEMO / "data" / "social_export.jsonl"
TRUTH = DEMO / "data" / "planted_truth.json"
FEEDS = sorted((DEMO / "feeds").glob("*.xml"))
SOCIAL = ("x", "reddit", "mastodon", "bluesky")


def _load_generator():
    spec = importlib.util.spec_from_file_location("demo_generate", DEMO / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


generate = _load_generator()


@pytest.fixture(scope="module")
def workspace():
    return load_workspace(DEMO)


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with EXPORT.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads(TRUTH.read_text(encoding="utf-8"))


def _published(row: dict) -> datetime:
    return datetime.fromisoformat(row["published"].replace("Z", "+00:00"))


def _day(row: dict) -> date:
    return _published(row).date()


# -- the workspace -----------------------------------------------------------------------------------


def test_workspace_validates_with_two_clients_competitors_and_an_ambiguous_brand(workspace):
    assert [c.slug for c in workspace.clients] == ["vallerossa", "verdefilo"]
    for client in workspace.clients:
        assert client.timezone == "Europe/Rome"
        assert client.report.recipients and all(r.endswith("@example.com") for r in client.report.recipients)
        assert 2 <= len(client.competitors) <= 3
    assert {s.type for s in workspace.sources} == {"file", "rss", *SOCIAL}
    assert any(brand.exclude for brand in workspace.all_brands)


def test_generator_brands_agree_with_the_workspace(workspace):
    configured = {brand.name: brand for brand in workspace.all_brands}
    assert sorted(configured) == sorted(b.name for b in generate.BRANDS)
    for brand in generate.BRANDS:
        entry = configured[brand.name]
        assert "@" + brand.x_handle in entry.handles, brand.name
        assert brand.hashtag in entry.hashtags, brand.name
        for account in brand.accounts:
            assert "@" + account.screen_name in entry.handles, account.screen_name
        client = workspace.client(brand.client)
        assert brand.name in [b.name for b, _ in client.brand_roles()]


def test_the_file_source_imports_every_row_with_its_platform(workspace, rows):
    connector = FileImportConnector(workspace.source("social-export"), workspace.root)
    posts, problems = [], []
    for batch in connector.fetch(None):
        posts += batch.posts
        problems += batch.problems
    assert problems == []
    assert len(posts) == len(rows)
    assert Counter(p.platform for p in posts) == Counter(r["network"] for r in rows)
    by_id = {p.id: p for p in posts}
    replies = [p for p in posts if p.parent_id]
    assert replies and all(p.parent_id in by_id and p.thread_id in by_id for p in replies)
    assert all(p.author.handle and p.author.followers is not None for p in posts)


def test_bundled_feeds_parse_through_the_real_rss_connector_over_http(httpserver, workspace):
    httpserver.no_handler_status_code = 418
    for feed in FEEDS:
        httpserver.expect_request(f"/feeds/{feed.name}").respond_with_data(
            feed.read_bytes(), content_type="application/xml"
        )
    configured = workspace.source("industry-news")
    assert sorted(url.rsplit("/", 1)[1] for url in configured.urls) == [f.name for f in FEEDS]
    local = RssSource(name="industry-news", type="rss", urls=[httpserver.url_for(f"/feeds/{f.name}") for f in FEEDS])
    batches = list(RssConnector(local, workspace.root).fetch(None))
    assert all(batch.problems == [] for batch in batches)
    posts = [post for batch in batches for post in batch.posts]
    assert 90 <= len(posts) <= 150
    days = {post.created_at.date() for post in posts}
    assert min(days) >= generate.FIRST_DAY and max(days) <= generate.FIRST_DAY + timedelta(days=13)
    brand_names = [b.name for b in generate.BRANDS]
    assert sum(any(name in f"{post.title} {post.text}" for name in brand_names) for post in posts) >= 60


@pytest.fixture(scope="module")
def served_platforms():
    """The demo's fake platforms over its export, on free ports (``rete demo`` uses DEMO_PORTS)."""
    with serve_demo_platforms(DEMO, ports=dict.fromkeys(DEMO_PORTS, 0)) as urls:
        yield urls


def _served(source, urls):
    assert source.api_base == f"http://127.0.0.1:{DEMO_PORTS[source.type]}", "workspace.yaml and DEMO_PORTS agree"
    return build_connector(source.model_copy(update={"api_base": urls[source.type]}), DEMO)


def test_social_sources_fetch_the_exports_posts_through_the_real_connectors(workspace, rows, served_platforms,
                                                                          monkeypatch):
    for name, value in credential_environment().items():
        monkeypatch.setenv(name, value)
    exported = Counter(r["network"] for r in rows)
    export_ids = {post_id(r["network"], r["post_id"]) for r in rows}
    fetched: dict[str, set[str]] = defaultdict(set)
    for source in workspace.sources:
        if source.type in SOCIAL:
            posts, cursor, problems = drain(_served(source, served_platforms))
            assert problems == [], source.name
            assert posts and cursor["streams"], source.name
            assert {p.platform for p in posts} == {source.type}
            fetched[source.type] |= {p.id for p in posts}
    assert sorted(fetched) == sorted(SOCIAL)
    for platform, ids in fetched.items():
        # Served under the export's own ids: the warehouse upsert merges them, nothing is new.
        assert ids <= export_ids, f"{platform}: {sorted(ids - export_ids)[:3]} are not in the export"
        assert len(ids) >= 0.4 * exported[platform], f"{platform}: the queries select too few posts"
    brand_replies = {post_id("x", r["post_id"]) for r in rows if r["network"] == "x" and r["in_reply_to"]
                     and "@" + r["user"]["screen_name"] in workspace.source("x-brands").brand_accounts}
    assert brand_replies and brand_replies <= fetched["x"]


def test_the_fake_platforms_refuse_other_credentials(workspace, served_platforms, monkeypatch):
    monkeypatch.setenv("RETE_X_BEARER_TOKEN", "not-the-demo-token")
    with pytest.raises(SourceError, match="RETE_X_BEARER_TOKEN") as failure:
        drain(_served(workspace.source("x-brands"), served_platforms))
    assert "not-the-demo-token" not in str(failure.value)


# -- the generator -----------------------------------------------------------------------------------


def test_generator_is_deterministic_and_the_committed_files_are_current(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    generate.main(["--out", str(first)])
    generate.main(["--out", str(second)])
    committed = sorted(p.relative_to(DEMO) for p in [EXPORT, TRUTH, *FEEDS])
    assert sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file()) == committed
    for relative in committed:
        fresh = (first / relative).read_bytes()
        assert fresh == (second / relative).read_bytes(), f"{relative} differs between two runs"
        assert fresh == (DEMO / relative).read_bytes(), f"{relative} is stale: run python examples/demo/generate.py"


def test_another_seed_gives_other_data():
    assert generate.generate_posts(seed=7)[:50] != generate.generate_posts()[:50]


# -- the export --------------------------------------------------------------------------------------


def test_export_volume_languages_days_and_platforms(rows):
    assert len(rows) >= 2000
    languages = Counter(r.get("lang") for r in rows)
    known = languages["it"] + languages["en"]
    assert 0.55 <= languages["it"] / known <= 0.75
    assert 0 < languages[None] < 0.25 * len(rows), "the tool leaves lang out now and then, not always"
    days = sorted({_day(r) for r in rows})
    assert days == [generate.FIRST_DAY + timedelta(days=n) for n in range(14)]
    assert days[-1] == date(2026, 11, 20)
    assert {r["network"] for r in rows} == {"x", "reddit", "mastodon", "bluesky"}
    assert all(r["published"].endswith("Z") for r in rows)
    assert [r["published"] for r in rows] == sorted(r["published"] for r in rows)


def test_daily_rhythm_and_weekday_effect(rows):
    hours = Counter(int(r["published"][11:13]) for r in rows)
    assert hours[3] * 5 < hours[19], "nights are quieter than evenings (UTC 19 = 20:00 in Rome)"
    roots = [r for r in rows if not r["in_reply_to"] and not r["repost_of"]]
    per_day = Counter(_day(r) for r in roots)
    weekend = [n for d, n in per_day.items() if d.weekday() >= 5 and d != generate.SPIKE_DAY]
    weekdays = [n for d, n in per_day.items() if d.weekday() < 5 and d != generate.SPIKE_DAY]
    assert statistics.mean(weekend) < statistics.mean(weekdays)


def test_every_reference_points_at_an_earlier_post_of_the_same_platform(rows):
    by_key = {(r["network"], r["post_id"]): r for r in rows}
    assert len(by_key) == len(rows), "post ids are unique per platform"
    for row in rows:
        for column in ("in_reply_to", "conversation", "quote_of", "repost_of"):
            reference = row[column]
            if reference is None:
                continue
            target = by_key.get((row["network"], reference))
            assert target is not None, f"{row['post_id']}: {column} {reference} is not in the export"
            assert target["published"] <= row["published"], f"{row['post_id']}: {column} is newer than the post"
    assert sum(1 for r in rows if r["in_reply_to"]) > 0.3 * len(rows)
    assert sum(1 for r in rows if r["quote_of"]) > 20 and sum(1 for r in rows if r["repost_of"]) > 50


def test_text_is_varied_and_only_the_campaign_repeats(rows, truth):
    originals = [r for r in rows if not r["repost_of"]]
    # A Reddit submission's words are its title plus its body.
    def words(row):
        return f"{row.get('title') or ''}\n{row['content']}"

    repeated = {text for text, n in Counter(words(r) for r in originals).items() if n > 1}
    campaign = set(truth["campaign"]["accounts"])
    assert repeated and all(
        r["user"]["screen_name"] in campaign for r in originals if words(r) in repeated
    )
    # Not a handful of templates: the first four words of non-campaign posts vary a lot.
    openings = Counter(" ".join(words(r).split()[:4]) for r in originals if words(r) not in repeated)
    assert len(openings) > 0.5 * len(originals)
    assert len({r["user"]["screen_name"] for r in rows}) >= 550


def test_hashtags_emoji_questions_and_sector_vocabulary(rows):
    texts = [r["content"] for r in rows]
    assert any("#MadeInItaly" in t for t in texts)
    assert any("\u200d" in t for t in texts), "ZWJ emoji sequences"
    assert any(re.search("[\U0001f3fb-\U0001f3ff]", t) for t in texts), "skin-tone modifiers"
    addressed = [t for t in texts if t.startswith("@")]
    assert any(t.rstrip().endswith("?") for t in addressed) and any("?" not in t for t in addressed)
    assert any("ancora nessuna risposta" in t for t in texts) and any("still waiting" in t for t in texts)
    assert any("aurora boreale" in t.lower() for t in texts), "ambiguous brand name in a non-brand sense"
    assert any("<script>" in t for t in texts) and any("\r\nBcc:" in t for t in texts), "hostile text"


def test_brand_accounts_answer_some_questions_at_realistic_delays(rows, workspace, truth):
    own_accounts = {h.lstrip("@").lower() for b in workspace.all_brands for h in b.handles}
    by_key = {(r["network"], r["post_id"]): r for r in rows}
    delays = []
    for row in rows:
        if row["user"]["screen_name"].lower() in own_accounts and row["in_reply_to"]:
            parent = by_key[(row["network"], row["in_reply_to"])]
            assert parent["user"]["screen_name"].lower() not in own_accounts
            delays.append((_published(row) - _published(parent)).total_seconds() / 60)
    assert len(delays) >= 100
    assert min(delays) < 15 and max(delays) > 12 * 60, "from minutes to about a day"
    assert len(truth["unanswered"]) > len(truth["answered"]) / 2
    for item in truth["unanswered"][:50]:
        post = by_key[(item["network"], item["post_id"])]
        answers = [r for r in rows if r["in_reply_to"] == post["post_id"] and r["network"] == post["network"]]
        assert all(r["user"]["screen_name"].lower() not in own_accounts for r in answers)


def test_planted_negative_spike(rows, truth):
    spike = truth["negative_spike"]
    brand_posts = Counter(_day(r) for r in rows if spike["brand"] in r["content"] and not r["repost_of"])
    top_day, top = brand_posts.most_common(1)[0]
    assert top_day.isoformat() == spike["day"]
    others = [n for d, n in brand_posts.items() if d.isoformat() != spike["day"] and d != top_day + timedelta(days=1)]
    assert top > 3 * statistics.median(others)


def test_planted_growing_theme(rows, truth):
    assert truth["growing_theme"]["theme"] == "packaging"
    words = re.compile(r"plastic|imballagg|packaging", re.IGNORECASE)
    first_week = generate.FIRST_DAY + timedelta(days=7)
    counts = Counter(_day(r) >= first_week for r in rows if words.search(r["content"]) and not r["repost_of"])
    assert counts[True] > 2 * counts[False]


def test_planted_carriers_and_campaign(rows, truth):
    replied_to = {(r["network"], r["post_id"]): r["user"]["screen_name"] for r in rows}
    repliers = defaultdict(set)
    for row in rows:
        if row["in_reply_to"]:
            author = replied_to[(row["network"], row["in_reply_to"])]
            if row["user"]["screen_name"] != author:
                repliers[author].add(row["user"]["screen_name"])
    top = sorted(repliers, key=lambda a: len(repliers[a]), reverse=True)[:4]
    assert sorted(top) == sorted(c["screen_name"] for c in truth["carriers"])
    for carrier in truth["carriers"]:
        assert len(repliers[carrier["screen_name"]]) == carrier["distinct_repliers"] >= 30

    accounts = truth["campaign"]["accounts"]
    campaign_rows = [r for r in rows if r["user"]["screen_name"] in accounts]
    assert len(accounts) == 15 and len(campaign_rows) == 15
    assert {_day(r).isoformat() for r in campaign_rows} == {truth["campaign"]["day"]}
    assert all(r["user"]["followers"] < 100 for r in campaign_rows)
