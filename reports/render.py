"""Render one client's weekly report: e-mail HTML, plain text, PDF, chart PNGs and CSV tables.

The e-mail and the PDF come from the same template: the e-mail points its images at ``cid:`` parts,
the PDF at the PNG files beside it and adds a print stylesheet (WeasyPrint reads ``<style>``, mail
clients do not). Post text and author names are untrusted: Jinja2 autoescapes every HTML template.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from weasyprint import HTML

from rete.config import Client, Workspace
from rete.post import now_utc
from reports import charts, data
from reports.data import IsoWeek, WeekData
from reports.i18n import Translator
from reports.style import PALETTE, PRINT_CSS, STYLE
from signals.warehouse import Warehouse

CHARTS = ("volume_sentiment", "share_of_voice")
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _oneline(text: str) -> str:
    return " ".join(str(text).split())


ENV = Environment(
    loader=PackageLoader("reports", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters["oneline"] = _oneline


@dataclass
class RenderedReport:
    """The files of one report, as written to ``directory``."""

    client: Client
    week: IsoWeek
    subject: str
    directory: Path
    html: Path
    text: Path
    pdf: Path
    images: dict[str, Path] = field(default_factory=dict)  # Content-ID -> PNG
    csvs: list[Path] = field(default_factory=list)
    empty: bool = False


def _kpis(d: WeekData, t: Translator) -> list[dict]:
    now, before = d.headline, d.previous

    def direction(delta: float | None) -> str:
        return "" if not delta else ("up" if delta > 0 else "down")

    def points(a: float | None, b: float | None) -> tuple[str, str]:
        if a is None or b is None:
            return "–", ""
        delta = (a - b) * 100
        return t.signed(delta, 0, " " + t("points")), direction(round(delta))

    def count(label: str, a: int, b: int) -> dict:
        return {"label": t(label), "value": t.number(a), "change": t.change(a, b), "direction": direction(a - b)}

    net_change, net_dir = points(now.net_sentiment, before.net_sentiment)
    sov_change, sov_dir = points(now.share_of_voice, before.share_of_voice)
    kpis = [
        count("mentions", now.mentions, before.mentions),
        count("authors", now.authors, before.authors),
        count("engagement", now.engagement, before.engagement),
        {"label": t("net_sentiment"), "change": net_change, "direction": net_dir,
         "value": t.signed(now.net_sentiment * 100 if now.net_sentiment is not None else None)},
        {"label": t("share_of_voice"), "value": t.percent(now.share_of_voice, 1), "change": sov_change,
         "direction": sov_dir},
        {"label": t("answered_share"), "value": t.percent(d.relationship.answered_share), "change": "–",
         "direction": ""},
    ]
    if not d.previous_complete:
        # Against a week only partly collected, +600% would only measure when collection began.
        kpis = [{**k, "change": "–", "direction": ""} for k in kpis]
    return kpis


def previous_note(d: WeekData, t: Translator) -> str:
    """The footnote explaining the "–" changes, or "" when the previous week is fully collected."""
    if d.previous_complete or d.first_day is None:
        return ""
    return t("previous_partial", day=t.long_date(d.first_day))



def spike_line(spike: data.Spike, t: Translator) -> str:
    """What spiked and against what, e.g. "209 menzioni contro le 44 abituali." (the day is said apart)."""
    if spike.kind == "volume":
        return t("spike_line", volume=t.number(spike.value), baseline=t.number(spike.baseline))
    return t("spike_negative_line", share=t.percent(spike.value), baseline=t.percent(spike.baseline))


def _spike_entries(d: WeekData, t: Translator) -> list[dict]:
    """One entry per brand and day: a volume spike and a negative-share spike the same day are one story."""
    entries: dict[tuple, dict] = {}
    for spike in sorted(d.spikes, key=lambda s: (s.day, s.brand, s.kind != "volume")):
        entry = entries.setdefault((spike.day, spike.brand), {"brand": spike.brand, "day": t.day(spike.day),
                                                              "lines": [], "terms": [], "posts": []})
        entry["lines"].append(spike_line(spike, t))
        entry["terms"] += [t.theme(x) for x in spike.terms if t.theme(x) not in entry["terms"]]
        seen = {p.post_id for p in entry["posts"]}
        entry["posts"] += [p for p in spike.posts if p.post_id not in seen]
    for entry in entries.values():
        entry["posts"] = entry["posts"][:3]
    return list(entries.values())


def subject(client: Client, week: IsoWeek) -> str:
    """Built only from configuration and the week: nothing from a post reaches a header."""
    return f"{Translator(client.language)('report_title')} · {client.name} · {week}"


def _context(d: WeekData, t: Translator, generated: datetime) -> dict:
    first, last = d.week.days[0], d.week.days[-1]
    return {
        "d": d, "t": t, "s": STYLE, "palette": PALETTE, "client": d.client,
        "subject": subject(d.client, d.week),
        "period": t("week_of", week=str(d.week), start=t.long_date(first), end=t.long_date(last)),
        "kpis": _kpis(d, t), "spikes": _spike_entries(d, t), "previous_note": previous_note(d, t),
        "generated": t.moment(generated.astimezone(d.client.zone)),
    }


def _safe_cell(value: object) -> object:
    if isinstance(value, str):
        value = _oneline(value)
        if value.startswith(FORMULA_START):
            return "'" + value
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 3600, 2)
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return value


def _write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([[_safe_cell(v) for v in row] for row in rows])
    return path


def _tables(d: WeekData) -> dict[str, tuple[list[str], list[list]]]:
    """Every table the report shows, as CSV header + rows (column names in English, values raw)."""
    # A previous week only partly collected leaves its column empty: its figures would mislead.
    h, p = d.headline, d.previous
    post_cols = ["created_at_local", "author", "author_name", "sentiment", "interactions", "url", "text"]

    def post_row(post: data.PostRef) -> list:
        return [post.created_at, post.author, post.author_name, post.sentiment, post.engagement, post.url, post.text]

    r = d.relationship
    return {
        "headline": (["metric", "this_week", "previous_week"], [
            [name, getattr(h, attr), getattr(p, attr) if d.previous_complete else None]
            for name, attr in (("mentions", "mentions"), ("unique_authors", "authors"), ("engagement", "engagement"),
                               ("net_sentiment", "net_sentiment"), ("share_of_voice", "share_of_voice"))
        ] + [["questions_answered_share", r.answered_share, None]]),
        "daily_volume": (["day", "mentions", "positive", "neutral", "negative"],
                         [[x.day, x.total, x.positive, x.neutral, x.negative] for x in d.days]),
        "share_of_voice": (["brand", "own", "mentions", "share", "net_sentiment", "previous_week_mentions"],
                           [[b.brand, b.own, b.mentions, b.share, b.net_sentiment,
                             b.previous if d.previous_complete else None] for b in d.shares]),
        "themes": (["kind", "term", "posts", "baseline_weekly_mean", "growth", "emerging"],
                   [[x.kind, x.term, x.posts, x.baseline, x.growth, x.emerging] for x in d.themes]),
        "spikes": (["day", "brand", "kind", "value", "baseline", "volume", "terms", "top_post_urls"],
                   [[x.day, x.brand, x.kind, x.value, x.baseline, x.volume, " ".join(x.terms),
                     " ".join(q.url or q.post_id for q in x.posts)] for x in d.spikes]),
        "relationship": (["asked", "answered", "answered_share", "median_response_hours", "p90_response_hours"],
                         [[r.asked, r.answered, r.answered_share, r.median_response, r.p90_response]]),
        "unanswered": (["waiting_hours", *post_cols], [[w.age, *post_row(w.post)] for w in r.oldest_unanswered]),
        "carriers": (["author", "name", "followers", "posts", "people_reached", "direct_responders"],
                     [[c.author, c.name, c.followers, c.posts, c.reach, c.responders] for c in d.carriers]),
        "notable_posts": (post_cols, [post_row(x) for x in d.positive_posts + d.negative_posts]),
    }


def render(d: WeekData, out_dir: Path, generated: datetime | None = None) -> RenderedReport:
    """Write the report of ``d`` into ``out_dir/<client>-<week>/`` and return its files."""
    t = Translator(d.client.language)
    directory = Path(out_dir) / f"{d.client.slug}-{d.week}"
    directory.mkdir(parents=True, exist_ok=True)
    context = _context(d, t, generated or now_utc())

    images: dict[str, Path] = {}
    if not d.empty:
        for name, png in (("volume_sentiment", charts.volume_sentiment(d.days, t)),
                          ("share_of_voice", charts.share_of_voice(d.shares, t))):
            images[name] = directory / f"{name}.png"
            images[name].write_bytes(png)

    template = ENV.get_template("report.html")
    html_path = directory / "report.html"
    html_path.write_text(template.render(context, images={n: f"cid:{n}" for n in images}, print_css=""),
                         encoding="utf-8")
    print_html = template.render(context, images={n: p.name for n, p in images.items()}, print_css=PRINT_CSS)
    pdf_path = directory / "report.pdf"
    HTML(string=print_html, base_url=str(directory)).write_pdf(pdf_path)
    text_path = directory / "report.txt"
    text_path.write_text(ENV.get_template("report.txt").render(context), encoding="utf-8")

    csvs = [_write_csv(directory / f"{name}.csv", header, rows) for name, (header, rows) in _tables(d).items()]
    return RenderedReport(d.client, d.week, context["subject"], directory, html_path, text_path, pdf_path,
                          images, csvs, d.empty)


def render_report(workspace: Workspace, client: Client, week: IsoWeek, out_dir: Path,
                  now: datetime | None = None) -> RenderedReport:
    now = now or now_utc()
    with Warehouse(workspace.warehouse_path).read() as con:
        week_data = data.load_week(con, client, week, now)
    return render(week_data, out_dir, now)
