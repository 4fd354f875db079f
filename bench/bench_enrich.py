"""Throughput of ``rete enrich`` (models.enrich.Enricher) on one core, language id included.

Generates N mixed Italian/English posts (deterministic, seeded; put together from clauses so nearly every
post is a different string) that name brands from a set of 500 by alias, @handle or #hashtag (15% name
none), with emoji, URLs, hashtags, questions and complaints, then times:

- baseline: spaCy's blank tokenizer alone (``spacy.blank(lang).make_doc``) on the same posts;
- language id alone (models.language);
- the Enricher (``Enricher.enrich``, what ``rete enrich`` and ``rete run`` call) with the components added
  one by one, so that the difference between two rows is what a component costs;
- ``rete enrich`` end to end without the terminal: ``enrich_jsonl`` reading and writing JSON lines.

The process is pinned to one CPU and BLAS threads are limited to one. Time is the process's CPU time
(``time.process_time``), so posts/s means posts per second of one core's work even when other processes
share the machine; each figure is the best of ``--repeat`` runs, each run on posts not seen before (after
the same warm-up posts for every row). Usage:

    .venv/bin/python bench/bench_enrich.py [--posts 20000] [--aliases 500] [--seed 7] [--repeat 3]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import spacy  # noqa: E402

from models.enrich import Enricher, enrich_jsonl  # noqa: E402
from models.language import COMMON_LANGUAGES, language_identifier  # noqa: E402
from rete.config import BrandEntry  # noqa: E402

SYLLABLES = ["ba", "ri", "lla", "mu", "li", "no", "ve", "ro", "ca", "sa", "lu", "ce", "ta", "po", "fi", "do", "ne",
             "gra", "nel", "lo", "tor", "mi", "zen", "qua", "vi", "stel", "ar", "co", "pel", "ti"]
# Posts are put together from clauses, so that nearly every post is a different string (the tokenizer and
# the components cache per token text, never per post). {b} is a brand (name or #hashtag), {p} a
# product, {c} a city, {n} a number.
CLAUSES = {
    "it": [
        "qualcuno sa se {b} spedisce anche in {c}?", "ancora nessuna risposta dopo {n} giorni",
        "il pacco non è mai arrivato", "adoro i prodotti di {b}", "la confezione è finalmente senza plastica",
        "ma perché {b} ha aumentato i prezzi così tanto?", "oggi pranzo con {p} {b} e un bicchiere di vino",
        "il servizio clienti di {b} è stato gentilissimo", "vorrei comprare {p} di {b}, dove lo trovo a {c}?",
        "delusa da {b}: prodotto arrivato danneggiato e nessun rimborso", "la filiera di {b} è davvero italiana?",
        "stasera cena con amici, {b} non delude mai", "non mi piace per niente il nuovo gusto di {p}",
        "sono {n} ore che aspetto una risposta", "grazie mille per l'aiuto", "prezzo onesto e qualità ottima",
        "l'azienda dovrebbe pensare di più all'ambiente", "ho scritto all'assistenza di {b} ma niente",
        "consegna veloce, tutto perfetto", "ingredienti semplici e di origine italiana",
        "come mai non si trova più {p} di {b} al supermercato", "mi sa che cambio marca", "che delusione",
        "lo consiglio a tutti", "qualità scesa parecchio negli ultimi mesi", "da {n} settimane aspetto il rimborso",
        "ottimo rapporto qualità prezzo", "secondo voi vale la pena?", "dell'{b} mi fido, dell'altra marca no",
        "a {c} {p} di {b} costa {n} euro", "sempre più buono", "filiera corta e packaging riciclabile",
    ],
    "en": [
        "does anyone know if {b} ships to {c}?", "still waiting {n} hours for a reply", "my order never arrived",
        "love the new {b} packaging", "finally plastic free", "why did {b} raise prices again?",
        "lunch with {b} {p} and a glass of wine", "customer service at {b} was so helpful",
        "I want to buy the new {b} {p}, where can I find it in {c}?", "disappointed with {b}: the box arrived damaged",
        "is the {b} supply chain really ethical?", "dinner with friends tonight, {b} never disappoints",
        "not impressed with the new {p} at all", "I've been waiting {n} days and no refund", "thanks for the help",
        "fair price and great quality", "they should care more about the environment",
        "I emailed {b} support but nothing", "fast delivery, all perfect", "simple ingredients, locally sourced",
        "how come I can't find {b} {p} anymore", "thinking of switching brands", "what a letdown",
        "highly recommend it", "quality went down a lot lately", "{n} weeks and still no refund from {b}",
        "great value for money", "is it worth it?", "the {p} from {b} costs {n} dollars in {c}",
        "better every time", "recyclable packaging and short supply chain", "can someone from {b} help me please",
    ],
}
PRODUCTS = {"it": ["la pasta", "i biscotti", "il caffè", "il latte", "lo shampoo", "le scarpe", "il gelato"],
            "en": ["pasta", "cookies", "coffee", "milk", "shampoo", "sneakers", "ice cream"]}
CITIES = ["Milano", "Torino", "Sardegna", "Dublin", "London", "Napoli", "Bologna", "Manchester", "Svizzera"]
HASHTAGS = ["#MadeInItaly", "#PlasticFree", "#foodporn", "#sostenibilità", "#ootd", "#colazione", "#zerowaste",
            "#customerservice", "#fail", "#buongiorno"]
EMOJI = ["😍", "👍🏽", "🙏🏻", "😡", "🇮🇹", "👨‍👩‍👧", "🔥", "😂😂", "❤️", "🤬", "👏", "1️⃣"]
URLS = ["https://example.com/p/{n}?ref=tw", "http://bit.ly/3xYz{n}", "https://www.shop.example.it/prodotti/{n}"]
NO_BRAND_SHARE = 0.15  # posts collected by keyword or hashtag that name none of the brands


def brand_set(count: int, rng: random.Random) -> list[BrandEntry]:
    names: set[str] = set()
    while len(names) < count:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize())
    brands = []
    for name in sorted(names):
        slug = name.lower()
        brands.append(BrandEntry(name=name, aliases=[name], handles=[f"@{slug}"], hashtags=[f"#{slug}"]))
    return brands


def post_text(lang: str, brands: list[BrandEntry], rng: random.Random) -> str:
    brand = rng.choice(brands)
    named = rng.random() >= NO_BRAND_SHARE

    def fill(clause: str) -> str:
        mention = (brand.name if rng.random() < 0.7 else brand.hashtags[0]) if named else "questa marca"
        if not named and lang == "en":
            mention = "this brand"
        return clause.format(b=mention, p=rng.choice(PRODUCTS[lang]), c=rng.choice(CITIES), n=rng.randint(2, 48))

    parts = [fill(rng.choice(CLAUSES[lang])) for _ in range(rng.choice((1, 2, 2, 3)))]
    if rng.random() < 0.5:
        text = ", ".join(parts)
    else:
        text = " ".join(part[:1].upper() + part[1:] + ("" if part.endswith("?") else ".") for part in parts)
    if named and rng.random() < 0.3:
        text = f"{brand.handles[0]} {text}"
    if rng.random() < 0.5:
        text += " " + "".join(rng.sample(EMOJI, rng.randint(1, 2)))
    if rng.random() < 0.3:
        text += " " + " ".join(rng.sample(HASHTAGS, rng.randint(1, 2)))
    if rng.random() < 0.2:
        text += " " + rng.choice(URLS).format(n=rng.randint(100, 99999))
    return text


def posts(count: int, brands: list[BrandEntry], rng: random.Random) -> tuple[list[dict], list[str]]:
    """Records (half Italian, half English, without a declared language) and each one's language."""
    langs = ["it" if index % 2 == 0 else "en" for index in range(count)]
    records = [{"id": f"bench:{index}", "text": post_text(lang, brands, rng), "source": "bench"}
               for index, lang in enumerate(langs)]
    return records, langs


def rate(label: str, batches: list, run: Callable[[list], object], baseline: float | None = None) -> float:
    """Posts/s of ``run`` over each batch (a different set of posts each time), best batch reported."""
    best = float("inf")
    for batch in batches:
        start = time.process_time()
        run(batch)
        best = min(best, (time.process_time() - start) / len(batch))
    per_second = 1 / best
    ratio = f"{per_second / baseline:6.2f}x" if baseline else "  1.00x"
    print(f"| {label:<52} | {per_second:>9,.0f} | {best * 1e6:>8.1f} | {ratio} |")
    return per_second


# Enricher stages, each timed with the components before it: the difference between two rows is what
# a component costs. "language" stays in every row: the Enricher identifies the language itself and the
# component then has nothing to do.
STAGES = (
    ("enrich: tokenizer + language id", ("brands", "sentiment", "intents", "intent_model", "themes")),
    ("enrich: + brands", ("sentiment", "intents", "intent_model", "themes")),
    ("enrich: + brands, intents", ("sentiment", "intent_model", "themes")),
    ("enrich: + brands, intents, themes (no sentiment)", ("sentiment", "intent_model")),
    ("enrich: + sentiment (no learned intents)", ("intent_model",)),
    ("enrich: full (Enricher.enrich)", ()),
)
WARM_UP_POSTS = 2000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000, help="posts per timed run")
    parser.add_argument("--aliases", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure, each on new posts")
    parser.add_argument("--cpu", type=int, help="CPU to pin to (default: the first allowed)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu if args.cpu is not None else sorted(os.sched_getaffinity(0))[0]})

    rng = random.Random(args.seed)
    brands = brand_set(args.aliases, rng)
    # Every timed run gets posts it has never seen: no tokenizer or component cache is warm for them
    # beyond what earlier, different posts left (as in a daily run).
    warm_up, _ = posts(WARM_UP_POSTS, brands, rng)
    batches = [posts(args.posts, brands, rng) for _ in range(args.repeat)]
    records = [batch_records for batch_records, _ in batches]
    texts = sum(len({r["text"] for r in batch}) for batch in records)
    print(f"{args.repeat} x {args.posts:,} posts ({texts:,} distinct; half Italian, half English), "
          f"{len(brands)} brands ({len(brands)} aliases + handles + hashtags), one CPU, CPU time, best run\n")
    print(f"| {'stage':<52} | {'posts/s':>9} | {'µs/post':>8} | {'ratio':>6} |")
    print(f"|{'-' * 54}|{'-' * 11}|{'-' * 10}|{'-' * 8}|")

    blank = {"it": spacy.blank("it"), "en": spacy.blank("en")}
    for record in warm_up:
        blank["it"].make_doc(record["text"])
        blank["en"].make_doc(record["text"])
    texts_and_langs = [[(r["text"], lang) for r, lang in zip(*batch)] for batch in batches]
    baseline = rate("baseline: spacy.blank tokenizer", texts_and_langs,
                    lambda batch: [blank[lang].make_doc(text) for text, lang in batch])
    identifier = language_identifier(COMMON_LANGUAGES)
    identifier.identify_many(r["text"] for r in warm_up)
    rate("language id alone", records, lambda batch: identifier.identify_many(r["text"] for r in batch), baseline)

    enricher = None
    for label, without in STAGES:
        enricher = Enricher(brands, languages=("it", "en"), without=without)
        list(enricher.enrich(warm_up))
        rate(label, records, lambda batch: list(enricher.enrich(batch)), baseline)

    lines = [[json.dumps(record, ensure_ascii=False) + "\n" for record in batch] for batch in records]
    rate("rete enrich: JSONL in -> full enrich -> JSONL out", lines,
         lambda batch: enrich_jsonl(batch, io.StringIO(), enricher, on_problem=lambda number, reason: None),
         baseline)
    enriched = list(enricher.enrich(records[0]))
    print(f"\nposts with a brand mention: {sum(1 for r in enriched if r['mentions']) / len(enriched):.1%}")


if __name__ == "__main__":
    main()
