"""Throughput of ``rete enrich`` (models.enrich.Enricher) on one core, language id included.

Generates N mixed Italian/English posts (deterministic, seeded) that name brands from a set of 500 aliases
by alias, @handle or #hashtag, with emoji, URLs, questions and complaints, then times:

- baseline: spaCy's blank tokenizer alone (``spacy.blank(lang).make_doc``) on the same posts;
- language id alone (models.language);
- the Enricher without sentiment, and the full Enricher (what ``rete enrich`` runs).

The process is pinned to one CPU and BLAS threads are limited to one. Time is the process's CPU time
(``time.process_time``), so posts/s means posts per second of one core's work even when other processes
share the machine; each figure is the best of ``--repeat`` runs. Usage:

    .venv/bin/python bench/bench_enrich.py [--posts 20000] [--aliases 500] [--seed 7] [--repeat 3]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import spacy  # noqa: E402

from models.enrich import Enricher  # noqa: E402
from models.language import COMMON_LANGUAGES, language_identifier  # noqa: E402
from rete.config import BrandEntry  # noqa: E402

SYLLABLES = ["ba", "ri", "lla", "mu", "li", "no", "ve", "ro", "ca", "sa", "lu", "ce", "ta", "po", "fi", "do", "ne",
             "gra", "nel", "lo", "tor", "mi", "zen", "qua", "vi", "stel", "ar", "co", "pel", "ti"]
IT_TEMPLATES = [
    "Qualcuno sa se {b} spedisce anche in Sardegna? {e}",
    "{h} ancora nessuna risposta dopo 3 giorni, il pacco non è mai arrivato",
    "Adoro i prodotti di {b}, la confezione è finalmente senza plastica {e} #{t}",
    "Ma perché {b} ha aumentato i prezzi così tanto? {u}",
    "Oggi pranzo con la pasta {b} e un bicchiere di vino, giornata perfetta {e}",
    "Il servizio clienti di {b} è stato gentilissimo, grazie {h}",
    "Vorrei comprare la nuova linea {b}, dove la trovo a Milano?",
    "Delusa da {b}: prodotto arrivato danneggiato e nessun rimborso {e}",
    "La filiera di {b} è davvero italiana? Leggo cose diverse {u}",
    "#{t} stasera cena con amici, {b} non delude mai",
]
EN_TEMPLATES = [
    "Does anyone know if {b} ships to Ireland? {e}",
    "{h} still waiting 3 hours for a reply, my order never arrived",
    "Love the new {b} packaging, finally plastic free {e} #{t}",
    "Why did {b} raise prices again? {u}",
    "Lunch with {b} pasta and a glass of wine, perfect day {e}",
    "Customer service at {b} was so helpful, thanks {h}",
    "I want to buy the new {b} range, where can I find it in London?",
    "Disappointed with {b}: the box arrived damaged and no refund {e}",
    "Is the {b} supply chain really Italian? Reading mixed things {u}",
    "#{t} dinner with friends tonight, {b} never disappoints",
]
EMOJI = ["😍", "👍🏽", "🙏🏻", "😡", "🇮🇹", "👨‍👩‍👧", "🔥", "😂😂", "❤️", ""]
URLS = ["https://example.com/p/123?ref=tw", "http://bit.ly/3xYz", ""]


def brand_set(count: int, rng: random.Random) -> list[BrandEntry]:
    names: set[str] = set()
    while len(names) < count:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize())
    brands = []
    for name in sorted(names):
        slug = name.lower()
        brands.append(BrandEntry(name=name, aliases=[name], handles=[f"@{slug}"], hashtags=[f"#{slug}"]))
    return brands


def posts(count: int, brands: list[BrandEntry], rng: random.Random) -> list[dict]:
    records = []
    for index in range(count):
        brand = rng.choice(brands)
        templates = IT_TEMPLATES if index % 2 == 0 else EN_TEMPLATES
        text = rng.choice(templates).format(
            b=brand.name if rng.random() < 0.7 else brand.hashtags[0],
            h=brand.handles[0],
            e=rng.choice(EMOJI),
            u=rng.choice(URLS),
            t=rng.choice(["MadeInItaly", "PlasticFree", "foodporn", "sostenibilità", "ootd"]),
        )
        records.append({"id": f"bench:{index}", "text": text, "source": "bench"})
    return records


def rate(label: str, count: int, run: Callable[[], object], repeat: int, baseline: float | None = None) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    per_second = count / best
    ratio = f"  ({per_second / baseline:.2f}x baseline)" if baseline else ""
    print(f"{label:<44} {per_second:>10,.0f} posts/s{ratio}")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--aliases", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is reported")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    rng = random.Random(args.seed)
    brands = brand_set(args.aliases, rng)
    records = posts(args.posts, brands, rng)
    texts = [r["text"] for r in records]
    print(f"{len(records):,} posts (half Italian, half English), {len(brands)} brands "
          f"({len(brands)} aliases + handles + hashtags), one CPU")

    blank = {"it": spacy.blank("it"), "en": spacy.blank("en")}
    identifier = language_identifier(COMMON_LANGUAGES)
    identifier.identify_many(texts[:200])  # warm-up
    baseline = rate("baseline: spacy.blank tokenizer", len(texts),
                    lambda: [blank["it" if i % 2 == 0 else "en"].make_doc(t) for i, t in enumerate(texts)],
                    args.repeat)
    rate("language id", len(texts), lambda: identifier.identify_many(texts), args.repeat, baseline)

    for label, without in (("enrich without sentiment", ("sentiment",)), ("enrich (full: rete enrich)", ())):
        enricher = Enricher(brands, languages=("it", "en"), without=without)
        list(enricher.enrich(records[:500]))  # warm-up: caches, lazy loads
        enriched: list[dict] = []

        def run() -> None:
            enriched[:] = enricher.enrich(records)

        rate(label, len(records), run, args.repeat, baseline)
        found = sum(1 for r in enriched if r["mentions"])
        print(f"{'':<44} posts with a brand mention: {found / len(enriched):.1%}")


if __name__ == "__main__":
    main()
