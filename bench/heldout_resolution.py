"""Accuracy on resolution stories from businesses the models have not seen: Rete's resolution posts held out.

``models/data/resolution_posts_<lang>.jsonl`` holds 120 posts a language, 12 in each of 10 businesses, about
what happens after a customer's problem: put right and thanked, put right badly, or still open. For each
half of the businesses (alternate ones, sorted by name) the sentiment and intent models are fitted without
that half's posts (``--without-resolution``: without any resolution post, as the models were before them),
and the pipeline scores the held-out posts. Prints per language the sentiment 4-class macro-F1 and
SENTIPOLC-style official F, and the F1 of each intent. Usage:

    .venv/bin/python bench/heldout_resolution.py [--without-resolution]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from functools import reduce
from operator import add
from pathlib import Path

from models.enrich import Enricher
from models.evaluation import class_scores
from models.intent_model import fit_intents, load_intent_jsonl
from models.intents import INTENT_LABELS
from models.train import (BRAND_NEWS, CUSTOMER_POSTS, RESOLUTION_POSTS, base_data, fit, load_jsonl, macro_f1,
                          sentipolc_polarity_f)


def held_out_scores(lang: str, with_resolution: bool, folder: Path) -> str:
    path = Path(str(RESOLUTION_POSTS).format(lang=lang))
    posts = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    domains = sorted({post["domain"] for post in posts})
    others = [Path(str(pattern).format(lang=lang)) for pattern in (CUSTOMER_POSTS, BRAND_NEWS)]
    gold_labels, labels, gold_intents, intents = [], [], [], []
    for number, held in enumerate((domains[0::2], domains[1::2])):
        kept = folder / f"{lang}-kept-{number}.jsonl"
        kept.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts if p["domain"] not in held),
                        encoding="utf-8")
        training = others + ([kept] if with_resolution else [])
        sentiment = fit(base_data(lang) + reduce(add, map(load_jsonl, training)), lang)
        learned = fit_intents(reduce(add, map(load_intent_jsonl, training)), lang)
        paths = {"sentiment": {lang: str(sentiment.save(folder / f"{lang}-sentiment-{number}.npz"))},
                 "intents": {lang: str(learned.save(folder / f"{lang}-intents-{number}.npz"))}}
        test = [p for p in posts if p["domain"] in held]
        outputs = list(Enricher([], (lang,), model_paths=paths).enrich(
            {"id": p["id"], "text": p["text"], "lang": lang} for p in test))
        gold_labels += [p["label"] for p in test]
        labels += [o["sentiment"]["label"] for o in outputs]
        gold_intents += [set(p["intents"]) for p in test]
        intents += [set(o["intents"]) for o in outputs]

    intent_f1 = [score.f1 for score in class_scores(gold_intents, intents, INTENT_LABELS)]
    return (f"| {lang} | {'with' if with_resolution else 'without'} | {macro_f1(gold_labels, labels):.3f} | "
            f"{sentipolc_polarity_f(gold_labels, labels):.3f} | " + " | ".join(f"{f1:.2f}" for f1 in intent_f1) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--without-resolution", action="store_true",
                        help="fit without any resolution post (the models before them)")
    args = parser.parse_args()
    print("| language | other businesses' resolution posts in training | sentiment macro-F1 (4 classes) | "
          "official F | " + " | ".join(INTENT_LABELS) + " |")
    print("|---" * (4 + len(INTENT_LABELS)) + "|")
    with tempfile.TemporaryDirectory() as folder:
        for lang in ("en", "it"):
            print(held_out_scores(lang, not args.without_resolution, Path(folder)))


if __name__ == "__main__":
    main()
