"""Benchmark: results for 5,000 entries x 5 judges x 5 criteria with normalisation and trimming.

Target (issue 4): <= 1 s.  Prints ``name: value unit (ratio vs reference)`` lines, returns a dict.
Run: .venv/bin/python bench/judging_aggregation.py
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from judging.aggregation import JudgeScore, aggregate, rank_results  # noqa: E402
from judging.assignment import EntryInfo, JudgeInfo, assign_judges  # noqa: E402
from judging.quality import flag_outliers, judge_quality  # noqa: E402
from judging.scores import CriterionSpec, validate_criterion_score, weighted_total  # noqa: E402

REFERENCE_SECONDS = 1.0


def make_round(n_entries=5000, n_judges=5, n_criteria=5, seed=1):
    rng = random.Random(seed)
    criteria = [CriterionSpec(f"c{i}", f"c{i}", Decimal(20), Decimal("0.5")) for i in range(n_criteria)]
    raw = []
    for e in range(n_entries):
        for j in range(n_judges):
            raw.append((e, f"j{j}", {c.key: str(rng.randrange(0, 41) / 2) for c in criteria}))
    return criteria, raw


def bench_results(criteria, raw):
    """Validate every criterion score, compute totals, aggregate (zscore_trimmed) and rank."""
    start, start_cpu = time.perf_counter(), time.process_time()
    scores = []
    for entry_id, judge_id, values in raw:
        checked = {c.key: validate_criterion_score(values[c.key], c.maximum, c.step) for c in criteria}
        scores.append(
            JudgeScore(
                entry_id, judge_id, float(weighted_total(checked, criteria)), {k: float(v) for k, v in checked.items()}
            )
        )
    validated, validated_cpu = time.perf_counter(), time.process_time()
    results = aggregate(scores, "zscore_trimmed")
    ranked = rank_results(results.values(), ["raw_sum", "criterion:c0"])
    end, end_cpu = time.perf_counter(), time.process_time()
    cpu = (validated_cpu - start_cpu) + (end_cpu - validated_cpu)
    return validated - start, end - validated, cpu, len(ranked), scores


def main() -> dict:
    criteria, raw = make_round()
    validate_s, aggregate_s, cpu_total, n, scores = bench_results(criteria, raw)
    out = {
        "judging_validate_totals_s": validate_s,
        "judging_aggregate_rank_s": aggregate_s,
        "judging_results_total_s": validate_s + aggregate_s,
    }
    t0 = time.perf_counter()
    judge_quality(scores)
    flag_outliers(scores)
    out["judging_quality_s"] = time.perf_counter() - t0
    entries = [EntryInfo(i, f"cat{i % 10}", frozenset({f"school{i % 300}"})) for i in range(5000)]
    judges = [
        JudgeInfo(f"j{i}", frozenset({f"cat{i % 10}", f"cat{(i + 1) % 10}"}), frozenset({f"school{i * 7 % 300}"}))
        for i in range(100)
    ]
    t0 = time.perf_counter()
    plan = assign_judges(entries, judges, 5)
    out["judging_assign_5000x100_k5_s"] = time.perf_counter() - t0
    loads = list(plan.loads.values())
    total = out["judging_results_total_s"]
    print(f"judging_validate_totals (125,000 criterion scores): {validate_s:.3f} s")
    print(f"judging_aggregate_rank (zscore_trimmed, 5,000 entries): {aggregate_s:.3f} s")
    print(f"judging_results_total: {total:.3f} s ({total / REFERENCE_SECONDS:.2f}x of the 1 s budget)")
    out["judging_results_total_cpu_s"] = cpu_total
    print(
        f"judging_results_total_cpu: {cpu_total:.3f} s ({cpu_total / REFERENCE_SECONDS:.2f}x of the 1 s budget; "
        f"CPU time, steady on a shared machine)"
    )
    print(f"judging_quality (stats + outliers): {out['judging_quality_s']:.3f} s")
    print(
        f"judging_assign_5000x100_k5: {out['judging_assign_5000x100_k5_s']:.3f} s "
        f"(load spread {max(loads) - min(loads)}, {n} entries ranked)"
    )
    return out


if __name__ == "__main__":
    main()
