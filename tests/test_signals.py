"""Signals against a real DuckDB file with planted truth (tests/signals_fixture.py)."""

from __future__ import annotations

import math
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from scipy.stats import fisher_exact

import signals_fixture as planted_data
from signals.catalog import signals
import signals.rebuild as rebuild_module
from signals.rebuild import HORIZON_DAYS, MAX_INDEXED_IDS, RECENT_LOOKUP_DAYS, all_post_days, rebuild_signals
from signals_fixture import (
    CASCADE_DAY,
    COPY_DAY,
    EMERGING_WEEK,
    REQUEST_DAY,
    SPIKE_DAY,
    at,
)

SIGNAL_TABLES = sorted({t for s in signals().values() for t in s.tables}
                       | {"signal_post_keys", "signal_network_links", "signal_network_early_links"})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    planted = planted_data.build(tmp_path_factory.mktemp("signals") / "rete.duckdb")
    rebuild_signals(planted.warehouse, planted_data.all_days())
    return planted


@pytest.fixture
def fresh(built, tmp_path):
    """A copy of the built warehouse of its own, for tests that change data."""
    shutil.copy(built.path, tmp_path / "rete.duckdb")
    return planted_data.PlantedWarehouse(tmp_path / "rete.duckdb")


def rows(planted, sql, params=()):
    with planted.warehouse.read() as con:
        return con.execute(sql, list(params)).fetchall()


def one(planted, sql, params=()):
    with planted.warehouse.read() as con:
        cursor = con.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        found = cursor.fetchall()
    assert len(found) == 1, found
    return dict(zip(names, found[0]))


def snapshot(planted) -> dict[str, list[tuple]]:
    with planted.warehouse.read() as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in SIGNAL_TABLES}


def test_volume_sentiment_and_share_of_voice(built):
    acme = one(built, "SELECT * FROM v_brand_daily WHERE brand = 'Acme' AND day = ?", [SPIKE_DAY])
    assert (acme["mentions"], acme["unique_authors"]) == (80, 80)
    assert (acme["positive"], acme["negative"], acme["neutral"], acme["mixed"]) == (10, 64, 6, 0)
    assert acme["net_sentiment"] == pytest.approx((10 - 64) / 80)
    assert acme["negative_share"] == pytest.approx(0.8)
    assert acme["share_of_voice"] == pytest.approx(80 / 90)
    rival = one(built, "SELECT * FROM v_brand_daily WHERE brand = 'Rival' AND day = ?", [SPIKE_DAY])
    assert rival["share_of_voice"] == pytest.approx(10 / 90)
    assert rival["role"] == "competitor"


def test_brand_accounts_are_not_counted_as_mentions(built):
    # @acme's replies on REQUEST_DAY do not mention the brand; the requests add 3 to Acme, 1 to Rival.
    counts = dict(rows(built, "SELECT brand, mentions FROM signal_brand_daily WHERE day = ?", [REQUEST_DAY]))
    assert counts == {"Acme": 23, "Rival": 11}


def test_client_local_day_in_rome(built):
    # 23:30 UTC on 14 March is 00:30 on 15 March in Rome.
    counts = dict(rows(built, "SELECT day, mentions FROM signal_brand_daily WHERE brand = 'Rival' AND day IN (?, ?)",
                       [date(2026, 3, 14), date(2026, 3, 15)]))
    assert counts == {date(2026, 3, 14): 10, date(2026, 3, 15): 11}


def test_weekly_totals(built):
    week = one(built, "SELECT * FROM v_brand_weekly WHERE brand = 'Acme' AND week = ?", [date(2026, 3, 2)])
    assert week["mentions"] == 20 * 7 + 60
    assert week["unique_authors"] == 20 + 60


def test_spikes_volume_and_negative_share_with_explanation(built):
    found = rows(built, "SELECT brand, day, metric FROM signal_spikes ORDER BY ALL")
    assert found == [("Acme", SPIKE_DAY, "negative_share"), ("Acme", SPIKE_DAY, "volume")]
    volume = one(built, "SELECT * FROM v_spikes WHERE metric = 'volume'")
    assert volume["baseline_kind"] == "same_weekday_8w"
    assert (volume["value"], volume["baseline"]) == (80, 20)
    assert volume["baseline_spread"] == pytest.approx(math.sqrt(20))  # MAD is 0: the Poisson floor
    assert volume["robust_z"] == pytest.approx(60 / math.sqrt(20))
    assert volume["top_post_ids"] == ["x:spike59", "x:spike58", "x:spike57"]
    assert volume["top_post_urls"][0] == "https://x.example/spike59"
    assert volume["top_terms"][:2] == ["#ritardo", "consegna"]
    assert volume["explanation"].startswith("80 mentions of Acme against a usual 20")
    negative = one(built, "SELECT * FROM v_spikes WHERE metric = 'negative_share'")
    assert negative["value"] == pytest.approx(0.8)
    assert negative["baseline"] == pytest.approx(0.2)
    assert negative["robust_z"] == pytest.approx((0.8 - 0.2) / 0.05)
    assert set(negative["top_authors"]) <= {f"@angry{j}" for j in range(60)} | {f"@fan{i}" for i in range(10, 14)}


def test_emerging_theme_by_fisher_exact_test(built):
    trend = one(built, "SELECT * FROM v_interest_trends WHERE term = 'sostenibilita' AND day = ?",
                [date(2026, 3, 15)])
    # window 9..15 March: 6 a day; baseline 9 Feb..8 Mar: the 4 Mondays with 1 post each
    assert (trend["posts_7d"], trend["baseline_28d"]) == (42, 4)
    # all interest posts: 30 a day + 3 + 1 requests + @carla + the late-night post; the copies excluded
    assert (trend["total_7d"], trend["baseline_total_28d"]) == (30 * 7 + 6, 30 * 28 + 60)
    assert trend["expected_7d"] == pytest.approx(216 * 4.5 / 901)
    expected_p = fisher_exact([[42, 216 - 42], [4, 900 - 4]], alternative="greater").pvalue
    assert trend["emerging"] and trend["p_value"] == pytest.approx(expected_p)
    # On the surge's first day the window holds 6 posts against 4 in the baseline: Fisher's test,
    # which doubts the baseline share too, calls it on the second day (12 posts).
    first = rows(built, "SELECT min(day) FROM v_emerging WHERE term = 'sostenibilita'")[0][0]
    assert first == EMERGING_WEEK + timedelta(days=1)
    steady = one(built, "SELECT * FROM v_interest_trends WHERE term = 'prodotto' AND day = ?", [date(2026, 3, 15)])
    assert not steady["emerging"]
    weekly = one(built, "SELECT * FROM v_interest_weekly WHERE term = 'sostenibilita' AND week = ?", [EMERGING_WEEK])
    assert weekly["posts_7d"] == 42


def test_nothing_is_tested_for_emergence_before_the_baseline_holds_a_week(built):
    """A baseline of a few days has 30 posts by the warehouse's second day: without the coverage rule every
    term of the first days would be tested against it."""
    eligible = """SELECT day, count(*) AS rows, count(p_value) AS tested FROM v_interest_trends
                  WHERE client = 'acme' AND baseline_total_28d >= 30 AND posts_7d >= 5 GROUP BY day ORDER BY day"""
    by_day = {day: (n, tested) for day, n, tested in rows(built, eligible)}
    first_tested = planted_data.START + timedelta(days=13)  # the baseline D-34..D-7 then holds 7 days with posts
    assert any(day < first_tested for day in by_day), "the fixture has eligible rows in its first weeks"
    assert all(tested == 0 for day, (_, tested) in by_day.items() if day < first_tested)
    assert all(tested == n for day, (n, tested) in by_day.items() if day >= first_tested)


def test_theme_brand_cooccurrence(built):
    row = one(built, "SELECT * FROM v_theme_brand_daily WHERE brand = 'Acme' AND theme = 'sostenibilita' AND day = ?",
              [date(2026, 3, 13)])
    assert row["posts"] == 6 and row["share_of_brand_posts"] == pytest.approx(6 / 20)


def test_relationship_answers_and_response_times(built):
    times = dict(rows(built, "SELECT post_id, response_minutes FROM v_relationship_requests WHERE brand = 'Acme'"))
    assert times == {"x:q1": 30.0, "x:q2": 120.0, "x:q3": None}
    daily = one(built, "SELECT * FROM v_relationship_daily WHERE brand = 'Acme' AND day = ?", [REQUEST_DAY])
    assert (daily["requests"], daily["questions"], daily["complaints"], daily["answered"]) == (3, 2, 1, 2)
    assert daily["share_answered"] == pytest.approx(2 / 3)
    assert daily["median_response_minutes"] == pytest.approx(75.0)
    assert daily["p90_response_minutes"] == pytest.approx(30 + 0.9 * 90)
    queue = rows(built, "SELECT post_id, kind, url FROM v_relationship_queue WHERE client = 'acme'")
    assert queue == [("x:q3", "complaint", "https://x.example/q3")]  # Rival's question is not our queue


def test_participation_new_returning_and_depth(built):
    spike = one(built, "SELECT * FROM v_brand_daily WHERE brand = 'Acme' AND day = ?", [SPIKE_DAY])
    assert (spike["new_authors"], spike["returning_authors"]) == (60, 20)
    first = one(built, "SELECT * FROM signal_participation_daily WHERE brand = 'Acme' AND day = ?",
                [planted_data.START])
    assert (first["new_authors"], first["returning_authors"]) == (20, 0)
    cascade = one(built, "SELECT * FROM signal_participation_daily WHERE brand = 'Acme' AND day = ?", [CASCADE_DAY])
    assert cascade["max_thread_depth"] == 2  # @carla -> @d1 -> @d2
    assert cascade["engagement"] == 40  # only @carla's post has likes that day


def test_cascade_carriers(built):
    carriers = rows(built, "SELECT author, cascade_reach, direct_responders, rank FROM v_network_carriers "
                           "WHERE week = ? ORDER BY rank LIMIT 2", [date(2026, 3, 9)])
    assert carriers == [("@carla", 4, 3, 1), ("@d1", 2, 2, 2)]
    edges = rows(built, "SELECT source, target, kind FROM v_network_edges WHERE week = ? AND target = '@carla' "
                        "ORDER BY ALL", [date(2026, 3, 9)])
    assert edges == [("@d1", "@carla", "reply"), ("@d3", "@carla", "quote"), ("@d4", "@carla", "repost")]


def test_bridge_between_communities(built):
    bridges = rows(built, "SELECT author, communities_touched, rank FROM v_network_bridges WHERE week = ? "
                          "ORDER BY rank LIMIT 1", [date(2026, 1, 19)])
    assert bridges == [("@bridge", 2, 1)]


def test_copy_paste_campaign_is_flagged_and_kept_out_of_interest(built):
    cluster = one(built, "SELECT * FROM v_coordinated_clusters")
    assert (cluster["posts"], cluster["authors"], cluster["sample_post_id"]) == (4, 4, "x:copy0")
    day = one(built, "SELECT mentions, coordinated_mentions FROM signal_brand_daily WHERE brand = 'Acme' AND day = ?",
              [COPY_DAY])
    assert day == {"mentions": 24, "coordinated_mentions": 4}
    assert rows(built, "SELECT term FROM signal_terms_daily WHERE term IN ('#boicottaacme', 'boicottaggio')") == []


def test_rerun_changes_nothing(fresh):
    before = snapshot(fresh)
    rebuild_signals(fresh.warehouse, planted_data.all_days(), refresh_search=False)
    assert snapshot(fresh) == before


def changed_keys(before, after, table, key_columns):
    """The key tuples of rows that differ between two snapshots of a table."""
    return {row[:key_columns] for row in set(before[table]) ^ set(after[table])}


def test_late_post_recomputes_its_day_and_documented_dependents_only(fresh):
    late_day = date(2026, 2, 10)
    before = snapshot(fresh)
    fresh.post("x:late", "@ritardatario", at(late_day, 10), "Acme scoperta tardi", brand="Acme",
               sentiment="positive", themes=("prodotto",))
    fresh.write(pending={late_day})
    summary = rebuild_signals(fresh.warehouse, refresh_search=False)  # pending days only
    assert summary.utc_days == [late_day]
    after = snapshot(fresh)
    assert changed_keys(before, after, "signal_brand_daily", 4) == {
        ("acme", "Acme", "own", late_day), ("acme", "Rival", "competitor", late_day)}  # share of voice moves
    participation = {k[2] for k in changed_keys(before, after, "signal_participation_daily", 3)}
    # the new author makes day D change; the days after are recomputed and stay the same
    assert participation == {late_day}
    trends = {k[1] for k in changed_keys(before, after, "signal_interest_trends", 4)}
    assert trends and min(trends) == late_day and max(trends) <= late_day + timedelta(days=34)
    assert changed_keys(before, after, "signal_brand_weekly", 4) == {
        ("acme", "Acme", "own", date(2026, 2, 9)), ("acme", "Rival", "competitor", date(2026, 2, 9))}
    assert rows(fresh, "SELECT count(*) FROM pending_signal_days") == [(0,)]
    assert rows(fresh, "SELECT mentions FROM signal_brand_daily WHERE brand = 'Acme' AND day = ?", [late_day]) == [(21,)]


def test_late_answer_updates_the_request_day(fresh):
    answer_day = REQUEST_DAY + timedelta(days=2)
    fresh.post("x:q3r", "@acme", at(answer_day, 9), "Ci scusiamo Leo, ti rimborsiamo", parent="x:q3", thread="x:q3")
    fresh.write(pending={answer_day})
    rebuild_signals(fresh.warehouse, refresh_search=False)
    daily = one(fresh, "SELECT answered, share_answered FROM signal_relationship_daily WHERE brand = 'Acme' AND day = ?",
                [REQUEST_DAY])
    assert daily == {"answered": 3, "share_answered": 1.0}
    assert rows(fresh, "SELECT response_minutes FROM signal_relationship_requests WHERE post_id = 'x:q3'") == [
        (38 * 60.0,)]
    assert rows(fresh, "SELECT * FROM v_relationship_queue") == []


def test_answers_refreshed_from_the_rebuilt_range_are_those_of_a_full_rebuild(fresh):
    # A daily update reads posts from its own range on; an older request's answer must still be
    # the first brand post in its conversation after it, whatever the order the posts arrive in.
    minutes = "SELECT first_response_post_id, response_minutes FROM signal_relationship_requests WHERE post_id = 'x:q3'"
    answered = "SELECT answered FROM signal_relationship_daily WHERE brand = 'Acme' AND day = ?"
    later_day, earlier_day = REQUEST_DAY + timedelta(days=3), REQUEST_DAY + timedelta(days=1)
    fresh.post("x:q3late", "@acme", at(later_day, 9), "Leo, ti rimborsiamo", parent="x:q3", thread="x:q3")
    fresh.write(pending={later_day})
    rebuild_signals(fresh.warehouse, refresh_search=False)
    assert rows(fresh, minutes) == [("x:q3late", (3 * 24 - 10) * 60.0)]
    # an earlier answer is stored later, by a backfill of its day: the stored answer lies after the range
    fresh.post("x:q3early", "@acme", at(earlier_day, 9), "Leo, ci scusiamo", parent="x:q3", thread="x:q3")
    fresh.write()
    rebuild_signals(fresh.warehouse, {earlier_day}, refresh_search=False)
    assert rows(fresh, minutes) == [("x:q3early", (24 - 10) * 60.0)]
    assert_incremental_equals_full_rebuild(fresh)
    # the earlier answer turns out to belong to another conversation (its day is queued by the
    # loader): the request's conversation got no post in the range, yet its answer left it
    with fresh.warehouse.write() as con:
        con.execute("UPDATE posts SET parent_id = 'x:q1', thread_id = 'x:q1' WHERE id = 'x:q3early'")
        con.execute("INSERT INTO pending_signal_days VALUES (?) ON CONFLICT DO NOTHING", [earlier_day])
    rebuild_signals(fresh.warehouse, refresh_search=False)
    assert rows(fresh, minutes) == [("x:q3late", (3 * 24 - 10) * 60.0)]
    assert rows(fresh, answered, [REQUEST_DAY]) == [(3,)]
    assert_incremental_equals_full_rebuild(fresh)
    # and then out of every conversation: the request is open again
    with fresh.warehouse.write() as con:
        con.execute("UPDATE posts SET parent_id = NULL, thread_id = NULL WHERE id = 'x:q3late'")
        con.execute("INSERT INTO pending_signal_days VALUES (?) ON CONFLICT DO NOTHING", [later_day])
    rebuild_signals(fresh.warehouse, refresh_search=False)
    assert rows(fresh, minutes) == [(None, None)]
    assert rows(fresh, answered, [REQUEST_DAY]) == [(2,)]
    assert_incremental_equals_full_rebuild(fresh)


def test_a_conversation_is_measured_on_its_root_and_its_last_28_days(fresh):
    # A day's row counts a conversation as it stood at the day's end: its root, of any age, and its
    # posts from 28 days before the day's first post in it. A daily update reads the recent posts only
    # and gives what a full rebuild gives. A reply to an older post other than the root starts a chain
    # of its own, and a reply stored on a later day leaves the earlier day as it was.
    first_day, later_day = date(2026, 2, 10), date(2026, 3, 20)
    fresh.post("x:longroot", "@primo", at(date(2026, 2, 1), 10), "Acme, apro io", brand="Acme")
    fresh.post("x:longmid", "@secondo", at(first_day, 10), "Acme, rispondo", brand="Acme",
               parent="x:longroot", thread="x:longroot")
    fresh.post("x:longnew", "@terzo", at(later_day, 10), "Acme, ci ripenso", brand="Acme",
               parent="x:longmid", thread="x:longroot")
    fresh.post("x:longnew2", "@quarto", at(later_day, 11), "Acme, anche io", brand="Acme",
               parent="x:longnew", thread="x:longroot")
    # and a conversation whose root is not stored
    fresh.post("x:rootless1", "@primo", at(first_day, 11), "Rival, ne parlavamo", brand="Rival",
               parent="x:unseen_root", thread="x:unseen_root")
    fresh.post("x:rootless2", "@secondo", at(later_day, 10), "Rival, ne riparliamo", brand="Rival",
               parent="x:rootless1", thread="x:unseen_root")
    fresh.write(pending={date(2026, 2, 1), first_day})
    rebuild_signals(fresh.warehouse, refresh_search=False)
    # The update of later_day comes after four days without posts, whose trend rows it writes as a
    # full rebuild does, and with a backfill of an older day queued with it.
    fresh.write(pending={later_day, date(2026, 1, 20)})
    rebuild_signals(fresh.warehouse, refresh_search=False)
    shape = ("SELECT threads, avg_thread_posts, max_thread_depth FROM signal_participation_daily "
             "WHERE brand = ? AND day = ?")
    assert rows(fresh, shape, ["Acme", later_day]) == [(1, 3.0, 1)]  # root, x:longnew (0), x:longnew2 (1)
    assert rows(fresh, shape, ["Rival", later_day]) == [(1, 1.0, 0)]  # x:rootless1 is 38 days older
    # on first_day, the Acme conversation is the root and x:longmid, among the day's one-post threads
    assert rows(fresh, "SELECT max_thread_depth FROM signal_participation_daily WHERE brand = 'Acme' AND day = ?",
                [first_day]) == [(1,)]
    assert_incremental_equals_full_rebuild(fresh)


def test_reply_links_that_loop_or_run_deep_give_one_depth_whatever_the_rebuild_covers(fresh):
    # Hostile data: x:loop_a replies to x:loop_b, which comes the next day as a reply to x:loop_a. A
    # chain follows a reply to an older parent only, so x:loop_a tops a chain of its own on both days,
    # whether the rebuild covers one day or both; and a depth counts at most 100 posts.
    day1, day2 = date(2026, 4, 6), date(2026, 4, 7)
    fresh.post("x:loop_root", "@uno", at(day1, 8), "Acme, chi mi aiuta?", brand="Acme")
    fresh.post("x:loop_a", "@due", at(day1, 9), "Acme, io", brand="Acme", parent="x:loop_b", thread="x:loop_root")
    fresh.post("x:loop_c", "@tre", at(day1, 10), "Acme, anche io", brand="Acme",
               parent="x:loop_a", thread="x:loop_root")
    fresh.post("x:deep_root", "@radice", at(day1, 11), "Rival, si parte", brand="Rival")
    for n in range(102):  # 102 replies, each to the one before
        fresh.post(f"x:deep{n}", f"@deep{n}", at(day1, 12 + n // 60, n % 60), "Rival, rispondo", brand="Rival",
                   parent=f"x:deep{n - 1}" if n else "x:deep_root", thread="x:deep_root")
    fresh.write(pending={day1})
    rebuild_signals(fresh.warehouse, refresh_search=False)
    shape = ("SELECT threads, avg_thread_posts, max_thread_depth FROM signal_participation_daily "
             "WHERE brand = ? AND day = ?")
    assert rows(fresh, shape, ["Acme", day1]) == [(1, 3.0, 1)]  # x:loop_c under x:loop_a, a chain top
    assert rows(fresh, shape, ["Rival", day1]) == [(1, 103.0, 100)]
    fresh.post("x:loop_b", "@quattro", at(day2, 9), "Acme, e io", brand="Acme",
               parent="x:loop_a", thread="x:loop_root")
    fresh.write(pending={day2})
    rebuild_signals(fresh.warehouse, refresh_search=False)
    assert rows(fresh, shape, ["Acme", day2]) == [(1, 4.0, 1)]
    assert rows(fresh, shape, ["Acme", day1]) == [(1, 3.0, 1)]
    assert_incremental_equals_full_rebuild(fresh)


def test_late_copy_flags_older_posts(fresh):
    # Two accounts post the same text; a third repeats it days later: only then is it a campaign,
    # and the first day's counts change although only the later day was pending.
    text = "Acme regala buoni sconto a tutti quelli che condividono questo messaggio oggi"
    first, later = date(2026, 2, 24), date(2026, 2, 27)
    for n in range(2):
        fresh.post(f"x:chain{n}", f"@chain{n}", at(first, 14, n), text, brand="Acme")
    fresh.write(pending={first})
    rebuild_signals(fresh.warehouse, refresh_search=False)
    count = "SELECT coordinated_mentions FROM signal_brand_daily WHERE brand = 'Acme' AND day = ?"
    assert rows(fresh, count, [first]) == [(0,)]
    fresh.post("x:chain2", "@chain2", at(later, 9), f"{text}!!! https://t.example/x", brand="Acme")
    fresh.write(pending={later})
    rebuild_signals(fresh.warehouse, refresh_search=False)
    assert rows(fresh, count, [first]) == [(2,)]
    assert rows(fresh, count, [later]) == [(1,)]
    assert rows(fresh, "SELECT posts, authors FROM signal_coordinated_clusters ORDER BY posts") == [(3, 3), (4, 4)]



def test_a_text_repeated_weeks_apart_is_not_a_campaign(fresh):
    # Three accounts post the same text, a week apart each: no coordination window (a UTC ISO week)
    # holds three authors. A fourth copy in the last one's week makes only that week a cluster.
    text = "Acme ha finalmente aperto un negozio vicino a casa mia, lo consiglio a tutti quanti"
    days = [date(2026, 2, 3), date(2026, 2, 10), date(2026, 2, 17)]
    for n, day in enumerate(days):
        fresh.post(f"x:slow{n}", f"@slow{n}", at(day, 11), text, brand="Acme")
    fresh.write(pending=set(days))
    rebuild_signals(fresh.warehouse, refresh_search=False)
    clusters = "SELECT week, posts, authors FROM signal_coordinated_clusters WHERE sample_text = ?"
    assert rows(fresh, clusters, [text]) == []
    fresh.post("x:slow3", "@slow3", at(days[2], 15), text, brand="Acme")
    fresh.post("x:slow4", "@slow4", at(days[2] + timedelta(days=1), 9), text, brand="Acme")
    fresh.write(pending={days[2], days[2] + timedelta(days=1)})
    rebuild_signals(fresh.warehouse, refresh_search=False)
    assert rows(fresh, clusters, [text]) == [(date(2026, 2, 16), 3, 3)]
    flagged = "SELECT post_id FROM signal_coordinated_posts WHERE post_id LIKE 'x:slow%' ORDER BY post_id"
    assert rows(fresh, flagged) == [("x:slow2",), ("x:slow3",), ("x:slow4",)]

NETWORK_TABLES = ("signal_network_links", "signal_network_early_links", "signal_network_edges",
                  "signal_network_carriers", "signal_network_bridges")


def test_network_links_follow_a_late_target_like_a_full_rebuild(fresh):
    # A reply whose root is not stored yet, then the root, stored late in an older week: the reply's
    # link gets the root's author and the reply's week is recomputed, as a full rebuild would do.
    reply_day, root_day = CASCADE_DAY + timedelta(days=1), date(2026, 2, 17)
    before = snapshot(fresh)
    fresh.post("x:echo", "@eco", at(reply_day, 10), "Acme, proprio come diceva lei", brand="Acme",
               parent="x:origin", thread="x:origin")
    fresh.write(pending={reply_day})
    rebuild_signals(fresh.warehouse, refresh_search=False)
    link = "SELECT kind, target_id, target_author FROM signal_network_links WHERE post_id = 'x:echo'"
    assert rows(fresh, link) == [("reply", "x:origin", None)]
    after_reply = snapshot(fresh)
    assert {row[1] for row in set(before["signal_network_links"]) ^ set(after_reply["signal_network_links"])} == {
        "x:echo"}

    fresh.post("x:origin", "@origine", at(root_day, 9), "Acme ha cambiato la ricetta?", brand="Acme")
    fresh.write(pending={root_day})
    rebuild_signals(fresh.warehouse, refresh_search=False)
    assert rows(fresh, link) == [("reply", "x:origin", "@origine")]
    edge = "SELECT week, source, target, kind FROM signal_network_edges WHERE target = '@origine'"
    assert rows(fresh, edge) == [(date(2026, 3, 9), "@eco", "@origine", "reply")]
    incremental = snapshot(fresh)
    rebuild_signals(fresh.warehouse, planted_data.all_days(), refresh_search=False)
    full = snapshot(fresh)
    for table in NETWORK_TABLES:
        assert incremental[table] == full[table], table


def test_backfill_recomputes_exactly_the_given_days(fresh):
    kept, redone = date(2026, 2, 3), date(2026, 2, 20)
    with fresh.warehouse.write() as con:
        con.execute("UPDATE signal_brand_daily SET mentions = 999 WHERE day IN (?, ?)", [kept, redone])
    rebuild_signals(fresh.warehouse, {redone}, refresh_search=False)
    by_day = dict(rows(fresh, "SELECT day, mentions FROM signal_brand_daily WHERE brand = 'Acme' AND day IN (?, ?)",
                       [kept, redone]))
    assert by_day == {kept: 999, redone: 20}


def test_failed_rebuild_keeps_pending_days_and_signals(fresh):
    day = date(2026, 2, 11)
    before = snapshot(fresh)
    fresh.write(pending={day})
    with fresh.warehouse.write() as con:  # a client whose zone DuckDB cannot resolve fails mid-rebuild
        con.execute("INSERT INTO clients VALUES ('broken', 'Broken', 'it', 'Mars/Olympus')")
    with pytest.raises(Exception, match="Mars/Olympus"):
        rebuild_signals(fresh.warehouse, refresh_search=False)
    assert rows(fresh, "SELECT day FROM pending_signal_days") == [(day,)]
    assert snapshot(fresh) == before


def client_days(planted, client: str) -> list[tuple]:
    return rows(planted, "SELECT day, mentions FROM signal_brand_daily WHERE client = ? AND brand = 'Rival' "
                         "AND day IN (?, ?) ORDER BY day", [client, date(2026, 3, 14), date(2026, 3, 15)])


def test_changed_client_settings_recompute_every_day_and_a_removed_client_leaves_nothing(fresh):
    """The loader syncs clients and client_brands from workspace.yaml at every load; nothing else queues a
    day when a client moves to another time zone, arrives with its brands, or is removed."""
    every_day = sorted(planted_data.all_days())

    def sync(*statements: str) -> None:
        with fresh.warehouse.write() as con:
            for statement in statements:
                con.execute(statement)

    sync("INSERT INTO clients VALUES ('beta', 'Beta', 'en', 'America/New_York')",
         "INSERT INTO client_brands VALUES ('beta', 'Rival', 'own', ['@rival'])")
    summary = rebuild_signals(fresh.warehouse, refresh_search=False)
    assert summary.utc_days == every_day and summary.everything_because and "every day" in str(summary)
    # 23:30 UTC on 14 March: the 15th in Rome, still the 14th in New York
    assert client_days(fresh, "acme") == [(date(2026, 3, 14), 10), (date(2026, 3, 15), 11)]
    assert client_days(fresh, "beta") == [(date(2026, 3, 14), 11), (date(2026, 3, 15), 10)]

    sync("UPDATE clients SET timezone = 'America/New_York' WHERE client = 'acme'")
    assert rebuild_signals(fresh.warehouse, refresh_search=False).utc_days == every_day
    assert client_days(fresh, "acme") == client_days(fresh, "beta")

    sync("DELETE FROM client_brands WHERE client = 'beta'", "DELETE FROM clients WHERE client = 'beta'")
    assert rebuild_signals(fresh.warehouse, refresh_search=False).utc_days == every_day
    for table in SIGNAL_TABLES:
        with fresh.warehouse.read() as con:
            if "client" in {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}:
                assert con.execute(f"SELECT count(*) FROM {table} WHERE client = 'beta'").fetchone()[0] == 0, table
    assert rebuild_signals(fresh.warehouse, refresh_search=False).utc_days == []  # settled


def test_a_rebuild_made_by_other_signal_code_is_redone_whole(fresh, monkeypatch):
    """An upgrade that changes a signal's SQL recomputes every day once (as after migration 0008, whose
    older rebuilds carry no fingerprint)."""
    with fresh.warehouse.write() as con:
        con.execute("UPDATE signal_rebuilds SET fingerprint = NULL")
    assert rebuild_signals(fresh.warehouse, refresh_search=False).utc_days == sorted(planted_data.all_days())
    assert rebuild_signals(fresh.warehouse, refresh_search=False).utc_days == []


def test_history_horizon_covers_every_lookback():
    # spikes look back 8 weeks; interest 35 days; participation 28 days
    assert HORIZON_DAYS >= 56


def test_every_signal_documents_meaning_grain_and_columns():
    for signal in signals().values():
        for section in ("Meaning", "Grain", "Columns", "Late data"):
            assert signal.sections.get(section), f"{signal.name}: no {section}"
        assert signal.columns(), signal.name


def test_readme_sql_examples_run(built):
    """Every SQL block of signals/README.md runs on a real warehouse (placeholders: client 'C', week 'W')."""
    readme = (Path(__file__).parents[1] / "signals" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", readme, flags=re.S)
    statements = [s.strip() for block in blocks for s in block.split(";") if s.strip()]
    assert len(statements) >= 15
    with built.warehouse.read() as con:
        for statement in statements:
            sql = statement.replace("'C'", "'acme'").replace("DATE 'W'", "DATE '2026-03-09'")
            sql = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
            if "match_bm25" in sql:
                continue  # needs the extension loaded: test_signals_cli covers search
            con.execute(sql).fetchall()


def test_a_post_moved_to_another_day_leaves_no_trace_on_its_old_day(fresh):
    # An update that changes a post's time and engagement (the loader queues its old and new day:
    # tests/test_warehouse.py) gives the signals a full rebuild would give: no stale per-post row
    # (signal_post_keys, mention facts, network links) is left on the day it left.
    old_day, new_day = date(2026, 2, 12), date(2026, 2, 19)
    fresh.post("x:moved", "@spostato", at(old_day, 10), "Acme, che confezione! @rival", brand="Acme", likes=3)
    fresh.write(pending={old_day})
    rebuild_signals(fresh.warehouse, refresh_search=False)
    with fresh.warehouse.write() as con:
        con.execute("UPDATE posts SET created_at = ?, likes = 40 WHERE id = 'x:moved'", [at(new_day, 15)])
        con.execute("INSERT INTO pending_signal_days VALUES (?), (?) ON CONFLICT DO NOTHING", [old_day, new_day])
    rebuild_signals(fresh.warehouse, refresh_search=False)
    assert rows(fresh, "SELECT count(*) FROM signal_post_keys WHERE post_id = 'x:moved'") == [(1,)]
    incremental = snapshot(fresh)
    rebuild_signals(fresh.warehouse, planted_data.all_days(), refresh_search=False)
    assert snapshot(fresh) == incremental


def assert_incremental_equals_full_rebuild(planted):
    """Every signal row is what a full rebuild of every day gives."""
    incremental = snapshot(planted)
    rebuild_signals(planted.warehouse, all_post_days(planted.warehouse), refresh_search=False)
    full = snapshot(planted)
    for table in SIGNAL_TABLES:
        assert incremental[table] == full[table], table


@pytest.mark.parametrize("recent_days, max_indexed_ids", [(RECENT_LOOKUP_DAYS, MAX_INDEXED_IDS), (0, 0)],
                         ids=["recent-window-then-index", "whole-table-join"])
def test_lookups_of_any_age_give_what_a_full_rebuild_gives(fresh, monkeypatch, recent_days, max_indexed_ids):
    # The daily update looks targets and conversation roots up in a recent window first, then the
    # rest by the primary-key index (or, past MAX_INDEXED_IDS, by one join), and finds older links
    # to a late post by time or in signal_network_early_links: each path must give a full rebuild's
    # rows. The second case sends every lookup past the window through the join.
    monkeypatch.setattr(rebuild_module, "RECENT_LOOKUP_DAYS", recent_days)
    monkeypatch.setattr(rebuild_module, "MAX_INDEXED_IDS", max_indexed_ids)
    link = "SELECT target_author FROM signal_network_links WHERE post_id = ? AND kind = ?"
    early = "SELECT post_id, target_author FROM signal_network_early_links ORDER BY post_id"
    new_day, dated_early = CASCADE_DAY + timedelta(days=2), date(2026, 2, 2)

    # a reply to a conversation two months old, a quote of an old post, a reply to a post never
    # stored, and a reply dated before its target, which is not stored yet
    fresh.post("x:old_reply", "@nostalgico", at(new_day, 10), "Acme, ci ripenso ancora", brand="Acme",
               parent="x:a011003", thread="x:a011003")
    fresh.post("x:old_quote", "@citatore", at(new_day, 11), "Rival lo diceva già", brand="Rival", quoted="x:r012005")
    fresh.post("x:to_ghost", "@fantasma", at(new_day, 12), "Acme, rispondo a chi?", brand="Acme",
               parent="x:ghost", thread="x:ghost")
    fresh.post("x:early", "@anticipo", at(dated_early, 9), "Acme, lo sapevo prima", brand="Acme",
               parent="x:future", thread="x:future")
    fresh.write(pending={new_day, dated_early})
    rebuild_signals(fresh.warehouse, refresh_search=False)
    assert rows(fresh, link, ["x:old_reply", "reply"]) == [("@fan3",)]
    assert rows(fresh, link, ["x:old_quote", "quote"]) == [("@rfan5",)]
    assert rows(fresh, early) == [("x:early", None), ("x:to_ghost", None)]
    depth = "SELECT max_thread_depth, avg_thread_posts FROM signal_participation_daily WHERE brand = ? AND day = ?"
    # 20 one-post threads, the old root's (2 posts, depth 1) and the ghost's (1 post)
    assert rows(fresh, depth, ["Acme", new_day]) == [(1, pytest.approx(23 / 22))]
    assert_incremental_equals_full_rebuild(fresh)

    # the target arrives, dated weeks after the reply: only the early links reach the reply
    fresh.post("x:future", "@futuro", at(date(2026, 3, 1), 9), "Acme, novità", brand="Acme")
    fresh.write(pending={date(2026, 3, 1)})
    rebuild_signals(fresh.warehouse, refresh_search=False)
    assert rows(fresh, link, ["x:early", "reply"]) == [("@futuro",)]
    assert rows(fresh, early) == [("x:early", "@futuro"), ("x:to_ghost", None)]
    assert ("@anticipo", "@futuro") in rows(
        fresh, "SELECT source, target FROM signal_network_edges WHERE week = ?", [date(2026, 2, 2)])
    assert_incremental_equals_full_rebuild(fresh)

    # the target moves before the reply and changes author (the loader queues both of its days):
    # the link is no longer early, and its week, between the two rebuilt days, is recomputed too
    moved_to = at(date(2026, 1, 28), 9)
    with fresh.warehouse.write() as con:
        con.execute("UPDATE posts SET created_at = ?, author_handle = '@passato', author_id = 'passato' "
                    "WHERE id = 'x:future'", [moved_to])
        for table in ("mentions", "enrichments"):
            con.execute(f"UPDATE {table} SET created_at = ? WHERE post_id = 'x:future'", [moved_to])
        con.execute("INSERT INTO pending_signal_days VALUES (?), (?) ON CONFLICT DO NOTHING",
                    [date(2026, 3, 1), moved_to.date()])
    rebuild_signals(fresh.warehouse, refresh_search=False)
    assert rows(fresh, link, ["x:early", "reply"]) == [("@passato",)]
    assert rows(fresh, early) == [("x:to_ghost", None)]
    assert_incremental_equals_full_rebuild(fresh)

    # a backfill of old days with a reply dated before its stored target
    backdated = date(2026, 1, 12)
    fresh.post("x:backdated", "@indietro", at(backdated, 10), "Acme, in anticipo", brand="Acme",
               parent="x:old_reply", thread="x:a011003")
    fresh.write()
    rebuild_signals(fresh.warehouse, {backdated - timedelta(days=1), backdated}, refresh_search=False)
    assert rows(fresh, link, ["x:backdated", "reply"]) == [("@nostalgico",)]
    assert ("x:backdated", "@nostalgico") in rows(fresh, early)
    assert_incremental_equals_full_rebuild(fresh)
