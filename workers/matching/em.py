"""Estimating m and u probabilities from a hub's own data (used by bench/matching.py --fit).

u (how often different people agree) is counted on random pairs, which are almost all different
people. m (how often the same person agrees) is estimated by expectation-maximisation on the
blocked candidate pairs, where matches and non-matches are mixed: the classic Fellegi-Sunter
recipe. The result is printed as weights.yaml fields for a person to review, not applied
automatically: a fit on one data set's errors should not silently change who matches.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workers.matching.compare import Level

# A level never seen keeps this much probability, so no weight is infinite.
SMOOTHING = 1e-4

Vector = Sequence[tuple[str, Level]]


@dataclass(frozen=True, slots=True)
class Fit:
    m: dict[str, dict[Level, float]]
    u: dict[str, dict[Level, float]]
    proportion_matched: float
    iterations: int


def count_u(vectors: Iterable[Vector]) -> dict[str, dict[Level, float]]:
    """Level frequencies per table over pairs of (almost surely) different people."""
    counts: dict[str, Counter[Level]] = defaultdict(Counter)
    for vector in vectors:
        for table, level in vector:
            if level is not Level.MISSING:
                counts[table][level] += 1
    return {table: _normalised(found) for table, found in counts.items()}


def _normalised(found: Counter[Level] | dict[Level, float]) -> dict[Level, float]:
    total = sum(found.values()) + SMOOTHING * len(found)
    return {level: (n + SMOOTHING) / total for level, n in found.items()}


def fit_m(
    vectors: Sequence[Vector],
    u: dict[str, dict[Level, float]],
    start_m: dict[str, dict[Level, float]],
    proportion: float = 0.5,
    max_iterations: int = 100,
    tolerance: float = 1e-6,
) -> Fit:
    """EM for m with u held fixed; tables or levels without a u estimate are left out of a pair."""
    m = {table: dict(levels) for table, levels in start_m.items()}
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        sums: dict[str, dict[Level, float]] = defaultdict(lambda: defaultdict(float))
        total_weight = 0.0
        for vector in vectors:
            log_ratio = math.log(proportion / (1.0 - proportion))
            for table, level in vector:
                if level in u.get(table, {}) and level in m.get(table, {}):
                    log_ratio += math.log(m[table][level] / u[table][level])
            posterior = 1.0 / (1.0 + math.exp(-max(min(log_ratio, 50.0), -50.0)))
            total_weight += posterior
            for table, level in vector:
                if level is not Level.MISSING:
                    sums[table][level] += posterior
        new_m = {table: _normalised(dict(levels)) for table, levels in sums.items()}
        new_proportion = min(max(total_weight / len(vectors), 1e-6), 1 - 1e-6)
        change = abs(new_proportion - proportion) + max(
            abs(new_m[t][lv] - m.get(t, {}).get(lv, 0.0)) for t in new_m for lv in new_m[t]
        )
        m, proportion = new_m, new_proportion
        if change < tolerance:
            break
    return Fit(m=m, u=u, proportion_matched=proportion, iterations=iterations)


def as_yaml_fields(fit: Fit) -> str:
    lines = ["fields:"]
    for table in sorted(fit.m):
        lines.append(f"  {table}:")
        for level, m in sorted(fit.m[table].items()):
            u = fit.u.get(table, {}).get(level)
            shown_u = f"{u:.6f}" if u is not None else "(none: keep the hand-set value)"
            lines.append(f"    {level}: {{m: {m:.4f}, u: {shown_u}}}")
    return "\n".join(lines)
