"""The weekly report rendered from a known warehouse: figures, languages, escaping, PDF, CSV, CLI."""

from __future__ import annotations

import csv
from datetime import datetime, timezone
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


def test_week_figures(workspace):
    client = workspace.client("rossi")
    with Warehouse(workspace.warehouse_path).read() as con:
        d = data.load_week(con, client, WEEK, NOW)
    assert d.headline.mentions == 7 * 2 + 14 + 3 + 1 + 1  # daily, spike, questions, influencer, hostile
    assert d.previous.mentions == 14
    assert [day.total for day in d.days][2] == 2 + 14
    assert {s.brand: s.mentions for s in d.shares} == {"Rossi": 33, "Verdi": 7, "Bianchi": 0}
    assert d.themes[0].theme == "packaging" and d.themes[0].emerging
    assert {(s.day.isoformat(), s.kind) for s in d.spikes} == {("2026-11-04", "volume"), ("2026-11-04", "negative")}
    r = d.relationship
    assert (r.asked, r.answered) == (3, 2)
    assert r.median_response.total_seconds() == 3.5 * 3600 and r.p90_response.total_seconds() == 5 * 3600
    assert [w.post.post_id for w in r.oldest_unanswered] == ["x:q3"]
    assert [(c.author, c.participants) for c in d.carriers] == [("@influencer", 3)]  # brand replies excluded
    assert d.negative_posts[0].post_id == "x:evil"
    assert d.positive_posts[0].created_at.utcoffset().total_seconds() == 3600  # shown in Rome time


def test_italian_report_files_and_numbers(rossi):
    html = rossi.html.read_text(encoding="utf-8")
    text = rossi.text.read_text(encoding="utf-8")
    assert rossi.subject == "Report settimanale · Pasta Rossi · 2026-W45"
    assert "Quota di voce" in html and "82,5%" in html and "Relazione con il pubblico" in html
    assert "3,5 h" in text and "Settimana 2026-W45" in text
    assert set(rossi.images) == {"volume_sentiment", "share_of_voice"}
    for cid in rossi.images:
        assert f'src="cid:{cid}"' in html
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


def test_spikes_come_from_the_signal_table_once_signals_are_built(tmp_path):
    from signals.rebuild import all_post_days, rebuild_signals

    workspace = fx.build(tmp_path / "ws")
    warehouse = Warehouse(workspace.warehouse_path)
    client = workspace.client("rossi")
    with warehouse.read() as con:
        computed = data.spikes(con, client, WEEK.days[0], WEEK.days[-1])
    rebuild_signals(warehouse, all_post_days(warehouse), refresh_search=False)
    with warehouse.read() as con:
        assert data._signals_built(con)
        stored = data.spikes(con, client, WEEK.days[0], WEEK.days[-1])
    assert [(s.day, s.kind, s.volume, [p.post_id for p in s.posts][:1], s.terms[:1]) for s in stored] == \
        [(s.day, s.kind, s.volume, [p.post_id for p in s.posts][:1], s.terms[:1]) for s in computed]
