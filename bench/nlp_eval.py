"""Evaluate `nlp.extract` on the held-out set `nlp/eval/cases.jsonl`, and time it.

    .venv/bin/python bench/nlp_eval.py [--cases PATH] [--texts N] [--errors]

Prints per-code precision, recall and F1 with micro and macro averages (categories, risk
indicators, and both together), then throughput in texts and words per second next to the bare
`spacy.blank("en")` tokenizer on the same texts. For timing, the eval texts are joined into
texts of about 80 words and repeated to N texts (default 3,000), processed one at a time as a
worker would. Figures only: this is not a test and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

import nlp  # noqa: E402
from nlp.codes import CATEGORY_CODES, RISK_INDICATOR_CODES  # noqa: E402

DEFAULT_CASES = ROOT / "nlp" / "eval" / "cases.jsonl"
WORDS_PER_TEXT = 80


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


def load_cases(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score(
    cases: list[dict[str, object]], show_errors: bool
) -> tuple[dict[str, Counts], dict[str, Counts]]:
    categories = {code: Counts() for code in CATEGORY_CODES}
    risks = {code: Counts() for code in RISK_INDICATOR_CODES}
    for case in cases:
        result = nlp.extract(str(case["text"]))
        for table, expected, found in (
            (categories, set(case["categories"]), set(result.categories)),  # type: ignore[arg-type]
            (risks, set(case["risk_indicators"]), set(result.risk_indicators)),  # type: ignore[arg-type]
        ):
            for code, counts in table.items():
                counts.tp += code in expected and code in found
                counts.fp += code not in expected and code in found
                counts.fn += code in expected and code not in found
            if show_errors and expected != found:
                missed = sorted(expected - found)
                extra = sorted(found - expected)
                print(f"{case['id']}: missed {missed} extra {extra}\n    {case['text']}")
    return categories, risks


def micro(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for c in counts:
        total.tp += c.tp
        total.fp += c.fp
        total.fn += c.fn
    return total


def macro(counts: list[Counts]) -> tuple[float, float, float]:
    present = [c for c in counts if c.support or c.fp]
    n = len(present) or 1
    return (
        sum(c.precision for c in present) / n,
        sum(c.recall for c in present) / n,
        sum(c.f1 for c in present) / n,
    )


def print_table(title: str, table: dict[str, Counts]) -> None:
    print(f"\n{title}")
    print(
        f"  {'code':32} {'prec':>6} {'rec':>6} {'f1':>6} {'supp':>5} {'tp':>4} {'fp':>4} {'fn':>4}"
    )
    for code, c in table.items():
        print(
            f"  {code:32} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.support:5d}"
            f" {c.tp:4d} {c.fp:4d} {c.fn:4d}"
        )
    print_averages(list(table.values()))


def print_averages(counts: list[Counts]) -> None:
    m = micro(counts)
    mp, mr, mf = macro(counts)
    print(f"  {'micro':32} {m.precision:6.3f} {m.recall:6.3f} {m.f1:6.3f} {m.support:5d}")
    print(f"  {'macro':32} {mp:6.3f} {mr:6.3f} {mf:6.3f}")


def timing_texts(cases: list[dict[str, object]], count: int) -> list[str]:
    """Texts of about 80 words made from the eval texts, repeated to `count` texts."""
    words = " ".join(str(case["text"]) for case in cases).split()
    chunks = [
        " ".join(words[i : i + WORDS_PER_TEXT])
        for i in range(0, len(words) - WORDS_PER_TEXT + 1, WORDS_PER_TEXT)
    ]
    return [chunks[i % len(chunks)] for i in range(count)]


def throughput(run: Callable[[str], object], texts: list[str]) -> tuple[float, float]:
    """Texts and words per CPU second of this process: one core's worth, whatever else the
    machine is doing (wall-clock time on a shared machine measures the neighbours too)."""
    words = sum(len(t.split()) for t in texts)
    started = time.process_time()
    for text in texts:
        run(text)
    elapsed = time.process_time() - started
    return len(texts) / elapsed, words / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--texts", type=int, default=3000, help="texts to time (default 3000)")
    parser.add_argument("--errors", action="store_true", help="print each case that differs")
    args = parser.parse_args()

    cases = load_cases(args.cases)
    started = time.perf_counter()
    nlp.load_pipeline()
    print(f"pipeline built in {time.perf_counter() - started:.2f}s")
    print(f"{len(cases)} eval cases from {args.cases}")

    categories, risks = score(cases, args.errors)
    print_table("Categories", categories)
    print_table("Risk indicators", risks)
    print("\nOverall (categories and risk indicators)")
    print_averages([*categories.values(), *risks.values()])

    texts = timing_texts(cases, args.texts)
    words = sum(len(t.split()) for t in texts) / len(texts)
    tokenizer = spacy.blank("en")
    nlp.extract(texts[0])  # warm caches before timing
    print(
        f"\nThroughput on {len(texts)} texts of {words:.0f} words, one at a time, "
        "per second of CPU time (one core)"
    )
    for name, run in (
        ('spacy.blank("en") tokenizer', tokenizer.make_doc),
        ("nlp.extract", nlp.extract),
    ):
        per_text, per_word = throughput(run, texts)
        print(f"  {name:30} {per_text:9,.0f} texts/s {per_word:11,.0f} words/s")


if __name__ == "__main__":
    main()
