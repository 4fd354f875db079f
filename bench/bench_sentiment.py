"""Cost per post of the sentiment component (``rete_sentiment``) on one core, against spaCy's tokenizer.

The posts are bench_enrich.py's generated mixed Italian/English corpus (seeded; brands named by alias,
@handle or #hashtag, with emoji, URLs, questions and complaints). They go through the real upstream pipeline
(language, brands; not timed) so that docs carry ``doc._.lang`` and brand mentions as in ``rete enrich``;
then the sentiment component's ``pipe()`` is timed on them, per-mention sentiment included. The baseline is
``spacy.blank(lang).make_doc`` on the same texts, timed side by side.

The process is pinned to one CPU, BLAS threads limited to one; time is the process's CPU time
(``time.process_time``), best of ``--repeat`` runs. Usage:

    .venv/bin/python bench/bench_sentiment.py [--posts 20000] [--aliases 500] [--seed 7] [--repeat 5]
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
from bench_enrich import brand_set, posts  # noqa: E402  (same corpus as the enrich benchmark)

from models.enrich import Enricher  # noqa: E402
from models.extensions import MENTIONS_KEY, set_doc_value  # noqa: E402
from models.sentiment import SentimentComponent  # noqa: E402


def cpu_microseconds(count: int, run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--aliases", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; the best is reported")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    rng = random.Random(args.seed)
    brands = brand_set(args.aliases, rng)
    records, langs = posts(args.posts, brands, rng)
    texts = [r["text"] for r in records]

    # Docs as the sentiment component receives them in `rete enrich`: language set, brands matched.
    enricher = Enricher(brands, languages=("it", "en"), without=("sentiment", "intent_model"))
    docs = {"it": [], "en": []}
    for text, lang in zip(texts, langs):
        nlp = enricher.pipelines[lang]
        doc = nlp.make_doc(text)
        set_doc_value(doc, "lang", lang)
        for _, component in nlp.pipeline:
            doc = component(doc)
        docs[lang].append(doc)
    mentioned = sum(1 for group in docs.values() for doc in group if doc.spans.get(MENTIONS_KEY))

    blank = {"it": spacy.blank("it"), "en": spacy.blank("en")}
    sentiment = {lang: SentimentComponent(enricher.pipelines[lang], "sentiment", "auto", {}, 1000) for lang in docs}
    for lang in docs:  # warm-up: word tables, lazy loads
        list(sentiment[lang].pipe(docs[lang][:500]))

    baseline = cpu_microseconds(len(texts), lambda: [blank[lang].make_doc(t) for t, lang in zip(texts, langs)], args.repeat)
    component = cpu_microseconds(
        len(texts), lambda: [list(sentiment[lang].pipe(group)) for lang, group in docs.items()], args.repeat
    )
    print(f"{len(texts):,} posts ({langs.count('it')} Italian, {langs.count('en')} English), {mentioned / len(texts):.0%} with a brand mention, one CPU")
    print(f"{'baseline: spacy.blank tokenizer (make_doc)':<46} {baseline:6.1f} us/post")
    print(f"{'sentiment component (pipe, per-mention incl.)':<46} {component:6.1f} us/post  "
          f"({component / baseline:.2f}x the tokenizer)")


if __name__ == "__main__":
    main()
