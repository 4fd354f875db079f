"""Every word a client reads, in Italian and English, and locale-aware number and date formatting.

Reports speak the client's language (``Client.language``). Strings live here and nowhere else, so a
translation is one edit; numbers and dates go through Babel so that Italian reads 1.234,5 and 12 mar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LOCALES = {"it": "it_IT", "en": "en_GB"}

STRINGS: dict[str, dict[str, str]] = {
    "report_title": {"it": "Report settimanale", "en": "Weekly report"},
    "alert_title": {"it": "Allerta picco", "en": "Spike alert"},
    "week_of": {"it": "Settimana {week} · {start} – {end}", "en": "Week {week} · {start} – {end}"},
    "times_in": {"it": "Orari nel fuso {zone}.", "en": "Times in the {zone} time zone."},
    "prepared_by": {"it": "Preparato con Rete", "en": "Prepared with Rete"},
    "no_data": {
        "it": "Nessuna menzione dei vostri marchi in questa settimana: non ci sono dati da riportare.",
        "en": "No mentions of your brands this week: there is no data to report.",
    },
    "no_data_short": {"it": "Nessun dato.", "en": "No data."},
    "headline": {"it": "In sintesi", "en": "At a glance"},
    "mentions": {"it": "Menzioni", "en": "Mentions"},
    "authors": {"it": "Autori unici", "en": "Unique authors"},
    "net_sentiment": {"it": "Sentiment netto", "en": "Net sentiment"},
    "net_sentiment_note": {
        "it": "Sentiment netto: menzioni positive meno negative, su 100 menzioni (da −100 a +100).",
        "en": "Net sentiment: positive minus negative mentions per 100 mentions (−100 to +100).",
    },
    "share_of_voice": {"it": "Quota di voce", "en": "Share of voice"},
    "engagement": {"it": "Interazioni", "en": "Engagement"},
    "answered_share": {"it": "Domande con risposta", "en": "Questions answered"},
    "vs_previous": {"it": "sulla sett. prec.", "en": "on last week"},
    "previous_partial": {
        "it": "– La raccolta dei dati è iniziata il {day}: la settimana precedente è coperta solo in parte, "
        "quindi le variazioni non sono confrontabili.",
        "en": "– Data collection began on {day}: the previous week is only partly covered, so changes are "
        "not comparable.",
    },
    "new": {"it": "nuovo", "en": "new"},
    "points": {"it": "pt", "en": "pt"},
    "volume_sentiment": {"it": "Volume e sentiment giorno per giorno", "en": "Volume and sentiment by day"},
    "day": {"it": "Giorno", "en": "Day"},
    "positive": {"it": "Positive", "en": "Positive"},
    "neutral": {"it": "Neutre", "en": "Neutral"},
    "negative": {"it": "Negative", "en": "Negative"},
    "sov_intro": {
        "it": "Menzioni dei vostri marchi e dei concorrenti nella settimana.",
        "en": "Mentions of your brands and of competitors this week.",
    },
    "brand": {"it": "Marchio", "en": "Brand"},
    "share": {"it": "Quota", "en": "Share"},
    "change": {"it": "Variazione", "en": "Change"},
    "yours": {"it": "vostro", "en": "yours"},
    "themes": {"it": "Temi emergenti", "en": "Emerging themes"},
    "themes_intro": {
        "it": "Temi delle conversazioni sui vostri marchi e sui concorrenti; «emergente» quando la crescita "
        "rispetto alle 4 settimane precedenti è statisticamente significativa.",
        "en": "Themes in the conversation about your brands and your competitors; 'emerging' when growth "
        "against the previous 4 weeks is statistically significant.",
    },
    "history_short": {
        "it": "Storico insufficiente: servono almeno 4 settimane di dati prima della settimana per dire quali "
        "temi stanno emergendo. Qui sotto, i temi della settimana.",
        "en": "Not enough history: at least 4 weeks of data before this week are needed to tell which themes "
        "are emerging. Below, this week's themes.",
    },
    "theme": {"it": "Tema", "en": "Theme"},
    "this_week": {"it": "Questa settimana", "en": "This week"},
    "baseline": {"it": "Media 4 sett.", "en": "4-week avg"},
    "growth": {"it": "Crescita", "en": "Growth"},
    "times": {"it": "×{n}", "en": "×{n}"},
    "emerging": {"it": "emergente", "en": "emerging"},
    "no_themes": {"it": "Nessun tema riconosciuto questa settimana.", "en": "No themes recognised this week."},
    "spikes": {"it": "Picchi e cosa li ha causati", "en": "Spikes and what drove them"},
    "no_spikes": {
        "it": "Nessun picco insolito questa settimana.",
        "en": "No unusual spike this week.",
    },
    "spike_line": {
        "it": "{volume} menzioni contro le {baseline} abituali.",
        "en": "{volume} mentions against the usual {baseline}.",
    },
    "spike_negative_line": {
        "it": "{share} di menzioni negative contro il {baseline} abituale.",
        "en": "{share} negative mentions against the usual {baseline}.",
    },
    "driven_by": {"it": "Trainato da", "en": "Driven by"},
    "terms": {"it": "Termini", "en": "Terms"},
    "relationship": {"it": "Relazione con il pubblico", "en": "Relationship with the public"},
    "relationship_intro": {
        "it": "Domande, reclami e richieste di assistenza rivolti ai vostri marchi, e le risposte dei "
        "vostri account.",
        "en": "Questions, complaints and support requests addressed to your brands, and your accounts' replies.",
    },
    "asked": {"it": "Domande e reclami", "en": "Questions and complaints"},
    "answered": {"it": "Con risposta", "en": "Answered"},
    "median_response": {"it": "Tempo di risposta mediano", "en": "Median response time"},
    "p90_response": {"it": "Tempo di risposta (90%)", "en": "Response time (90th pct)"},
    "oldest_unanswered": {
        "it": "In attesa di risposta nelle ultime 4 settimane: {n}; i più vecchi",
        "en": "Waiting for an answer from the last 4 weeks: {n}; the oldest",
    },
    "none_waiting": {"it": "Nessuno è in attesa di risposta.", "en": "Nobody is waiting for an answer."},
    "waiting_for": {"it": "in attesa da {age}", "en": "waiting for {age}"},
    "answered_by": {"it": "risposta di {author} dopo {after}", "en": "answered by {author} after {after}"},
    "no_questions": {
        "it": "Nessuna domanda o reclamo rivolto ai vostri marchi questa settimana.",
        "en": "No questions or complaints addressed to your brands this week.",
    },
    "carriers": {"it": "Chi porta la conversazione", "en": "Who carries the conversation"},
    "carriers_intro": {
        "it": "Autori i cui post nelle conversazioni sui vostri marchi e sui concorrenti hanno coinvolto il "
        "maggior numero di altre persone: direttamente (risposte, citazioni, condivisioni) e lungo le "
        "catene di risposte che ne sono nate.",
        "en": "Authors whose posts in the conversations about your brands and your competitors drew in the most "
        "other people: directly (replies, quotes, shares) and along the chains of replies they started.",
    },
    "reach": {"it": "Persone raggiunte", "en": "People reached"},
    "responders": {"it": "Risposte dirette", "en": "Direct responders"},
    "author": {"it": "Autore", "en": "Author"},
    "posts": {"it": "Post", "en": "Posts"},
    "followers": {"it": "Follower", "en": "Followers"},
    "no_carriers": {
        "it": "Nessun post sui vostri marchi ha suscitato risposte o condivisioni questa settimana.",
        "en": "No post about your brands drew replies or shares this week.",
    },
    "notable": {"it": "Post da leggere", "en": "Posts worth reading"},
    "notable_positive": {"it": "Positivi", "en": "Positive"},
    "notable_negative": {"it": "Negativi", "en": "Negative"},
    "none": {"it": "Nessuno.", "en": "None."},
    "open_post": {"it": "apri", "en": "open"},
    "interactions": {"it": "{n} interazioni", "en": "{n} interactions"},
    "charts_note": {"it": "Grafici e tabelle complete nel PDF e nei CSV allegati.",
                    "en": "Charts and full tables are in the attached PDF and CSV files."},
    "hours": {"it": "{n} h", "en": "{n} h"},
    "days": {"it": "{n} g", "en": "{n} d"},
    "minutes": {"it": "{n} min", "en": "{n} min"},
    "alert_intro": {
        "it": "È stato rilevato un picco insolito per {brand}.",
        "en": "An unusual spike was detected for {brand}.",
    },
    "kind_volume": {"it": "volume di menzioni", "en": "mention volume"},
    "kind_negative": {"it": "quota di menzioni negative", "en": "share of negative mentions"},
    "spike_kind": {"it": "Tipo", "en": "Kind"},
}

# The default taxonomy's themes (models/data/themes/default.yaml); a workspace's own themes are shown
# with their key made readable (see Translator.theme).
THEME_NAMES: dict[str, dict[str, str]] = {
    "sustainability": {"it": "Sostenibilità", "en": "Sustainability"},
    "origin_supply_chain": {"it": "Origine e filiera", "en": "Origin and supply chain"},
    "packaging_plastic": {"it": "Imballaggi e plastica", "en": "Packaging and plastic"},
    "ingredients_health": {"it": "Ingredienti e salute", "en": "Ingredients and health"},
    "price": {"it": "Prezzo", "en": "Price"},
    "customer_service": {"it": "Servizio clienti", "en": "Customer service"},
    "delivery": {"it": "Consegne", "en": "Delivery"},
}


@dataclass(frozen=True)
class Translator:
    language: str

    @property
    def locale(self) -> str:
        return LOCALES[self.language]

    def __call__(self, key: str, **values: object) -> str:
        try:
            text = STRINGS[key][self.language]
        except KeyError:
            raise KeyError(f"reports/i18n.py: no {self.language!r} text for {key!r}") from None
        return text.format(**values) if values else text

    def theme(self, key: str) -> str:
        """A theme's name for the client: translated for the default taxonomy, else the key made readable
        ("km_zero" -> "Km zero"); hashtags stay as written."""
        if key.startswith("#"):
            return key
        if key in THEME_NAMES:
            return THEME_NAMES[key][self.language]
        words = " ".join(key.replace("_", " ").replace("-", " ").split())
        return words[:1].upper() + words[1:]

    def number(self, value: float | int | None, decimals: int = 0) -> str:
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, fraction: float | None, decimals: int = 0) -> str:
        if fraction is None:
            return "–"
        return self.number(fraction * 100, decimals) + "%"

    def signed(self, value: float | None, decimals: int = 0, suffix: str = "") -> str:
        if value is None:
            return "–"
        sign = "+" if value > 0 else ("−" if value < 0 else "±")
        return f"{sign}{self.number(abs(value), decimals)}{suffix}"

    def change(self, current: float, previous: float | None) -> str:
        """Week-on-week change of a count, as a signed percentage ("new" when there was nothing)."""
        if previous is None:
            return "–"
        if previous == 0:
            return self("new") if current else "±0%"
        return self.signed((current - previous) / previous * 100, 0, "%")

    def day(self, value: date) -> str:
        return format_date(value, "EEE d MMM", locale=self.locale)

    def short_day(self, value: date) -> str:
        return format_date(value, "EEE d", locale=self.locale)

    def long_date(self, value: date) -> str:
        return format_date(value, "d MMMM y", locale=self.locale)

    def moment(self, value: datetime) -> str:
        """A local date and time (``value`` must already be in the client's zone)."""
        return format_datetime(value, "d MMM y, HH:mm", locale=self.locale)

    def duration(self, value: timedelta | None) -> str:
        if value is None:
            return "–"
        hours = value.total_seconds() / 3600
        if hours < 1:
            return self("minutes", n=self.number(value.total_seconds() / 60))
        if hours < 48:
            return self("hours", n=self.number(hours, 1))
        return self("days", n=self.number(hours / 24, 1))
