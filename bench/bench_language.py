"""Language id on real tweets: accuracy and cost, the shipped identifier against its low-accuracy-only baseline.

Reads the labelled tweets in ``../shared/data/sentiment`` (SENTIPOLC 2014 training tweets, Italian; VADER's
tweet ratings, English), whose language is known, and identifies each one as ``rete enrich`` does for a
workspace of Italian and English (candidates it, en, es, fr, de, pt; no language given by the source):

- baseline: lingua's low-accuracy answer taken as it is (the identifier before the high-accuracy check);
- now: an answer that is not a workspace language is asked again in high-accuracy mode.

It prints per set the share identified correctly (``und`` counts as wrong), the other answers, and µs a post
(CPU time, one process, best of ``--repeat``). Usage:

    .venv/bin/python bench/bench_language.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from models.language import COMMON_LANGUAGES, LanguageIdentifier
from models.train import SHARED_DATA, base_data

WORKSPACE = ("it", "en")


def best_time(identifier: LanguageIdentifier, texts: list[str], repeat: int) -> tuple[list[str], float]:
    answers, best = [], float("inf")
    for _ in range(repeat):
        started = time.process_time()
        answers = identifier.identify_many(texts)
        best = min(best, time.process_time() - started)
    return answers, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    candidates = tuple(dict.fromkeys([*WORKSPACE, *COMMON_LANGUAGES]))
    identifiers = {
        "baseline (low accuracy only)": LanguageIdentifier(candidates),
        "now (high-accuracy second look)": LanguageIdentifier(candidates, WORKSPACE),
    }
    print(f"data: {SHARED_DATA}/sentiment; candidates {', '.join(candidates)}; workspace {', '.join(WORKSPACE)}\n")
    print("| tweets | identifier | correct | other answers | µs/post | ratio |")
    print("|---|---|---|---|---|---|")
    for lang, name in (("it", "SENTIPOLC 2014 (it)"), ("en", "VADER tweets (en)")):
        texts = base_data(lang).texts
        baseline_seconds = None
        for label, identifier in identifiers.items():
            identifier.identify_many(texts[:200])  # warm-up: lingua's lazily built detectors
            answers, seconds = best_time(identifier, texts, args.repeat)
            counts = Counter(answers)
            others = ", ".join(f"{code} {n}" for code, n in counts.most_common() if code != lang)
            baseline_seconds = baseline_seconds or seconds
            print(f"| {name} (n = {len(texts):,}) | {label} | {counts[lang] / len(texts):.1%} | {others} | "
                  f"{seconds / len(texts) * 1e6:.1f} | {seconds / baseline_seconds:.2f}x |")


if __name__ == "__main__":
    main()
