"""The weekly report rendered from a known warehouse: figures, languages, escaping, PDF, CSV, CLI."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pypdfium2
import pytest
from typer.testing import CliRunner

import report_fixture as fx
from reports import data
from reports.data import IsoWeek
from reports.render import render_report
from signals.warehouse import Warehouse

NOW = datetime(2026, 11, 10, 9, 0, tzinfo=timezone.utc)
WEEK = IsoWeek.parse(fx.WEEK)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return fx.build(tmp_path_factory.mktemp("ws"))


@pytest.fixture(scope="module")
def rossi(workspace, tmp_path_factory):
    return render_report(workspace, workspace.client("rossi"), WEEK, tmp_path_factory.mktemp("out"), NOW)


@pytest.fixture(scope="module")
def acme(workspace, tmp_path_factory):
    return render_report(workspace, workspace.client("acme"), WEEK, tmp_path_factory.mktemp("out"), NOW)


def test_iso_week_parsing_and_local_bounds(workspace):
    assert str(IsoWeek.parse("2026w7")) == "2026-W07"
    with pytest.raises(ValueError, match="no ISO week 54"):
        IsoWeek.parse("2026-W54")
    start, end = (b.astimezone(timezone.utc) for b in IsoWeek.parse("2026-W43").bounds(workspace.client("rossi")))
    # The week that ends with the switch from CEST to CET on Sunday 25 October is an hour longer.
    assert start.isoformat() == "2026-10-18T22:00:00+00:00"
    assert end.isoformat() == "2026-10-25T23:00:00+00:00"


def load(workspace, slug: str) -> data.WeekData:
    with Warehouse(workspace.warehouse_path).read() as con:
        return data.load_week(con, workspace.client(slug), WEEK, NOW)


def test_week_figures(workspace):
    d = load(workspace, "rossi")
    assert d.headline.mentions == 7 * 2 + 14 + 3 + 1 + 1  # daily, spike, questions, influencer, hostile
    assert d.previous.mentions == 14 and d.previous_complete and d.history_complete
    assert [day.total for day in d.days][2] == 2 + 14
    assert {s.brand: s.mentions for s in d.shares} == {"Rossi": 33, "Verdi": 7, "Bianchi": 0}
    assert (d.themes[0].term, d.themes[0].emerging) == ("packaging", True)
    assert {(s.day.isoformat(), s.kind) for s in d.spikes} == {("2026-11-04", "volume"), ("2026-11-04", "negative")}
    negative_spike = next(s for s in d.spikes if s.kind == "negative")
    assert negative_spike.terms[0] == "packaging" and negative_spike.posts[0].post_id == "x:s13"
    r = d.relationship
    assert (r.asked, r.answered) == (3, 2)
    # quantiles with linear interpolation over 2 h and 5 h, as v_relationship_daily computes them
    assert r.median_response.total_seconds() == 3.5 * 3600 and r.p90_response.total_seconds() == 4.7 * 3600
    assert [w.post.post_id for w in r.oldest_unanswered] == ["x:q3"]
    assert d.carriers[0].author == "@influencer" and (d.carriers[0].reach, d.carriers[0].responders) == (3, 3)
    assert d.carriers[0].name == "Giulia Influencer" and d.carriers[0].followers == 50_000
    assert "@rossi" not in {c.author for c in d.carriers}
    assert d.negative_posts[0].post_id == "x:evil"
    assert d.positive_posts[0].created_at.utcoffset().total_seconds() == 3600  # shown in Rome time


def test_headline_is_the_signal_table(workspace):
    """The report's figures are v_brand_weekly's, so a consultant's query and the e-mail agree."""
    d = load(workspace, "rossi")
    with Warehouse(workspace.warehouse_path).read() as con:
        mentions, authors, net, sov = con.execute(
            "SELECT mentions, unique_authors, net_sentiment, share_of_voice FROM v_brand_weekly "
            "WHERE client = 'rossi' AND brand = 'Rossi' AND week = ?", [WEEK.monday]).fetchone()
    assert (d.headline.mentions, d.headline.authors) == (mentions, authors)
    assert d.headline.net_sentiment == pytest.approx(net) and d.headline.share_of_voice == pytest.approx(sov)


def test_brand_accounts_are_not_notable_posts_and_answers_are_shown(workspace):
    d = load(workspace, "rossi")
    assert all(p.author.lower() != "@rossi" for p in d.positive_posts + d.negative_posts)
    assert d.positive_posts[0].post_id == "x:inf"  # not the brand's own 1000-like post
    complaint = next(p for p in d.negative_posts if p.post_id == "x:q2")
    assert complaint.answer == data.Answer("@Rossi", timedelta(hours=5))


def test_short_history_and_partly_collected_previous_week(acme):
    """Acme's data begins in the report week: no week-on-week change, no emerging call, both said plainly."""
    html = acme.html.read_text(encoding="utf-8")
    text = acme.text.read_text(encoding="utf-8")
    assert "Not enough history" in html and "Not enough history" in text
    assert "Data collection began on 6 November 2026" in html
    assert "on last week" not in html and "%" not in html.split("Unique authors")[1].split("</td>")[0]
    assert "emerging</span>" not in html


def test_theme_names_are_translated_or_made_readable():
    from reports.i18n import Translator

    assert Translator("it").theme("ingredients_health") == "Ingredienti e salute"
    assert Translator("en").theme("ingredients_health") == "Ingredients and health"
    assert Translator("it").theme("km_zero") == "Km zero"
    assert Translator("it").theme("#richiamo") == "#richiamo"


def test_italian_report_files_and_numbers(rossi):
    html = rossi.html.read_text(encoding="utf-8")
    text = rossi.text.read_text(encoding="utf-8")
    assert rossi.subject == "Report settimanale · Pasta Rossi · 2026-W45"
    assert "Quota di voce" in html and "82,5%" in html and "Relazione con il pubblico" in html
    assert "3,5 h" in text and "Settimana 2026-W45" in text
    assert set(rossi.images) == {"volume_sentiment", "share_of_voice"}
    for cid in rossi.images:
        assert f'src="cid:{cid}"' in html
    assert "Packaging" in html and "packaging</td>" not in html  # workspace themes are humanised
    assert "sulla sett. prec." in html  # the previous week was fully collected: changes are shown
    assert "<style" not in html  # mail clients drop style blocks: every style is inline
    assert "max-width:640px" in html


def test_english_report(acme):
    html = acme.html.read_text(encoding="utf-8")
    assert "Weekly report" in html and "Share of voice" in html and "100.0%" in html
    assert "Settimana" not in html


def test_hostile_post_text_is_escaped(rossi):
    html = rossi.html.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert fx.HOSTILE_AUTHOR not in html and "&lt;img src=x onerror=" in html
    assert "javascript:" not in html and "alert(document.cookie)" not in html  # a link only for web URLs
    assert "<script>" not in rossi.subject and "Bcc" not in rossi.subject


def test_csv_files_hold_the_tables_and_neutralise_formulas(rossi):
    names = {p.stem for p in rossi.csvs}
    assert {"headline", "daily_volume", "share_of_voice", "themes", "spikes", "relationship", "unanswered",
            "carriers", "notable_posts"} <= names
    with (rossi.directory / "share_of_voice.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["brand"], r["mentions"]) for r in rows] == [("Rossi", "33"), ("Verdi", "7"), ("Bianchi", "0")]
    with (rossi.directory / "notable_posts.csv").open(encoding="utf-8") as handle:
        authors = [r["author"] for r in csv.DictReader(handle)]
    assert all(a.startswith("'@") for a in authors)  # '@…' would run as a formula in a spreadsheet


def pdf_pages_with_ink(path: Path) -> list[float]:
    """Share of non-white pixels on each page, rendered with pypdfium2."""
    shares = []
    for page in pypdfium2.PdfDocument(path):
        image = page.render(scale=0.5).to_pil().convert("L")
        pixels = list(image.getdata())
        shares.append(sum(1 for p in pixels if p < 240) / len(pixels))
    return shares


def test_pdf_has_content_on_every_page(rossi):
    shares = pdf_pages_with_ink(rossi.pdf)
    assert len(shares) >= 2
    assert all(share > 0.01 for share in shares), shares


def test_empty_week_says_so(tmp_path):
    workspace = fx.build(tmp_path / "ws", with_data=False)
    for slug, sentence in (("rossi", "Nessuna menzione"), ("acme", "No mentions of your brands")):
        report = render_report(workspace, workspace.client(slug), WEEK, tmp_path / "out", NOW)
        assert report.empty and report.images == {}
        assert sentence in report.html.read_text(encoding="utf-8")
        assert sentence in report.text.read_text(encoding="utf-8")
        assert pdf_pages_with_ink(report.pdf)[0] > 0.001


def test_cli_writes_the_report(workspace, tmp_path):
    import typer

    from rete.commands import report as report_command

    app = typer.Typer()
    report_command.register(app)
    app.command("noop")(lambda: None)  # a second command keeps `report` a named subcommand
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", "--client", "acme", "--week", fx.WEEK, "--out", str(out),
                                      "--workspace", str(workspace.root)])
    assert result.exit_code == 0, result.output
    assert (out / "acme-2026-W45" / "report.pdf").stat().st_size > 1000
    bad = CliRunner().invoke(app, ["report", "--client", "acme", "--week", "2026-13", "--out", str(out),
                                   "--workspace", str(workspace.root)])
    assert bad.exit_code == 2 and "2026-W07" in bad.output


def test_spike_in_the_second_week_of_collection_is_reported(tmp_path):
    """Five days of history are enough for the signal layer's trailing baseline: a recall on day six
    (5x the usual volume, a jump in negative share) is in the report."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "workspace.yaml").write_text(fx.WORKSPACE_YAML, encoding="utf-8")
    workspace = fx.load_workspace(root)
    writer = fx.PostWriter()
    thursday = fx.MONDAY_UTC + timedelta(days=3)
    for back in range(1, 6):
        for i in range(10):
            writer.add(f"d{back}-{i}", thursday - timedelta(days=back, minutes=i), "Rossi come sempre",
                       sentiment="negative" if i == 0 else "neutral", author=f"@p{i}")
    for i in range(50):
        writer.add(f"r{i}", thursday + timedelta(minutes=i), "Rossi richiama un lotto", author=f"@r{i}",
                   sentiment="negative" if i < 20 else "neutral", themes=("richiamo",), likes=i)
    writer.write(workspace.warehouse_path)
    fx.finish(workspace)
    d = load(workspace, "rossi")
    assert {(s.day, s.kind) for s in d.spikes} == {(thursday.date(), "volume"), (thursday.date(), "negative")}
    assert not d.previous_complete and not d.history_complete
