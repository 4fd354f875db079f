"""The report's charts as PNG images (matplotlib, Agg backend: no display, thread-safe enough for tasks).

One restrained palette shared with the HTML (``reports.style``); charts are drawn at 2x so that they stay
sharp on high-density screens and in the PDF, and shown at ``WIDTH_PX`` CSS pixels.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from reports.data import BrandShare, DayVolume  # noqa: E402
from reports.i18n import Translator  # noqa: E402
from reports.style import PALETTE  # noqa: E402

WIDTH_PX = 600
DPI = 200


def _figure(height_px: int):
    fig, ax = plt.subplots(figsize=(WIDTH_PX / 100, height_px / 100), dpi=DPI)
    fig.patch.set_facecolor("white")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(PALETTE["rule"])
    ax.tick_params(colors=PALETTE["muted"], labelsize=8, length=0)
    ax.grid(axis="y", color=PALETTE["rule"], linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.1)
    plt.close(fig)
    return buffer.getvalue()


def volume_sentiment(days: list[DayVolume], t: Translator) -> bytes:
    """Daily own-brand mentions as bars stacked by sentiment."""
    fig, ax = _figure(230)
    labels = [t.short_day(d.day) for d in days]
    bottom = [0] * len(days)
    for key, colour in (("positive", PALETTE["positive"]), ("neutral", PALETTE["neutral"]),
                        ("negative", PALETTE["negative"])):
        values = [getattr(d, key) for d in days]
        ax.bar(labels, values, bottom=bottom, color=colour, width=0.62, label=t(key))
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: t.number(v)))
    ax.legend(loc="upper left", bbox_to_anchor=(0, 1.16), ncol=3, frameon=False, fontsize=8,
              labelcolor=PALETTE["ink"], handlelength=1.0)
    return _png(fig)


def share_of_voice(shares: list[BrandShare], t: Translator) -> bytes:
    """Horizontal bars of each brand's share of the week's mentions, the client's brands highlighted."""
    rows = list(reversed(shares))
    fig, ax = _figure(40 + 30 * len(rows))
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color=PALETTE["rule"], linewidth=0.6)
    colours = [PALETTE["accent"] if s.own else PALETTE["neutral"] for s in rows]
    bars = ax.barh([s.brand for s in rows], [s.share for s in rows], color=colours, height=0.6)
    for bar, s in zip(bars, rows):
        ax.text(bar.get_width() + 0.01, bar.get_y() + bar.get_height() / 2, t.percent(s.share, 1),
                va="center", fontsize=8, color=PALETTE["ink"])
    ax.set_xlim(0, min(1.0, max(s.share for s in rows) + 0.15) if rows else 1.0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: t.percent(v)))
    ax.tick_params(axis="y", labelsize=9, labelcolor=PALETTE["ink"])
    return _png(fig)
