"""Rubric ratings: agreement per criterion, and what the ratings say about the outputs.

For a generation task the raters judge each output against the team's criteria
(``agreement.rubric``). Each criterion is its own reliability question, measured
at the level its scale implies, so the gap can say which criterion the raters
read differently. The same ratings, taken by majority, estimate how many outputs
of the whole set fail each criterion.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from auditor.core.findings import CheckResult, CodeInfo, Finding, Severity
from auditor.core.rubric import Criterion
from auditor.load.annotations import RawAnnotations

CRITERION = CodeInfo(
    code="AGR012",
    symbol="criterion-disagreement",
    severity=Severity.BLOCKER,
    summary="Raters judge one rubric criterion differently (its alpha is below the tentative limit; a warning when tentative).",
    why="A criterion people apply inconsistently is not defined clearly enough to judge outputs by, so the "
    "outputs cannot be said to meet it; it is usually its wording or a missing worked example.",
    fix="Sharpen the named criterion's question, add passing and failing examples for the cases raters split on "
    "(AGR007 lists them), and have the raters rate a fresh sample.",
    threshold="criterion alpha < agreement.tentative_alpha = 0.667 (blocker); < agreement.reliable_alpha = 0.800 (warning)",
)
FAILING = CodeInfo(
    code="AGR013",
    symbol="criterion-failure-estimate",
    severity=Severity.INFO,
    summary="The share of outputs failing a rubric criterion, estimated from the rated sample by majority.",
    why="The rated sample is a random draw from the set, so the share its raters fail by majority estimates the "
    "share of the whole set that falls short of the criterion: the size of the clean-up before fine-tuning.",
    fix="Read the failing items, fix or drop the outputs like them, and sample again to see the estimate fall.",
    threshold="reported for every criterion that is measured",
)

#: Findings every criterion would repeat alike: reported once, for the criterion that needs most.
ONCE = ("AGR004", "AGR008")


def majority_fails(units: np.ndarray, fails: np.ndarray, n_units: int) -> tuple[int, int]:
    """(items failed by a strict majority of their raters, items rated); a tie does not fail."""
    rated = np.bincount(units, minlength=n_units)
    failed = np.bincount(units, weights=fails.astype(np.float64), minlength=n_units)
    has = rated > 0
    return int((failed[has] * 2 > rated[has]).sum()), int(has.sum())


def wilson(k: int, n: int, confidence: float) -> tuple[float, float]:
    """Wilson score interval for k of n: honest near 0 % and 100 %, where the normal interval is not."""
    if n == 0:
        return float("nan"), float("nan")
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def failure_finding(criterion: Criterion, k: int, n: int, confidence: float) -> tuple[Finding, dict[str, Any]]:
    low, high = wilson(k, n, confidence)
    share = k / n if n else float("nan")
    metrics = {"items_rated": n, "items_failing": k, "fail_share": round(share, 6),
               "fail_ci_low": round(low, 6), "fail_ci_high": round(high, 6)}  # fmt: skip
    rule = "rated fail" if criterion.points is None else f"rated below {(criterion.points + 1) / 2:g} of {criterion.points}"
    finding = FAILING.finding(
        f"about {share:.0%} ({low:.0%}-{high:.0%}) of outputs fail {criterion.name!r}: {k} of {n} rated items were "
        f"{rule} by a majority of their raters ({confidence:.0%} interval for the whole set)",
        f"read the {k} failing items and fix or drop the outputs like them before fine-tuning" if k else
        f"no rated item fails {criterion.name!r}; keep it in the rubric to catch regressions",
        (),
        count=k,
        details={"criterion": criterion.name, **metrics},
    )
    return finding, metrics


def run_rubric(
    raw: RawAnnotations,
    rubric: Sequence[Criterion],
    run_one: Callable[[RawAnnotations, Criterion], CheckResult],
    not_rated: Callable[[Sequence[Criterion]], Finding],
    unusable: Callable[[str, int], Finding],
) -> tuple[list[Finding], dict[str, Any]]:
    """Every criterion run on its own rows; findings named by criterion, metrics per criterion and overall.

    The overall ``alpha`` is the weakest criterion's: the verdict's agreement
    part is met only when every criterion is.
    """
    parts = raw.by_criterion() if raw.criteria else {}
    findings: list[Finding] = []
    per: dict[str, dict[str, Any]] = {}
    names = {c.name for c in rubric}
    stray = {c: len(p.items) for c, p in parts.items() if c not in names}
    if stray:
        listed = ", ".join(f"{c!r} ({n} ratings)" if c else f"plain labels ({n})" for c, n in stray.items())
        findings.append(unusable(f"ratings of criteria not in agreement.rubric were left out: {listed}", sum(stray.values())))
    first_problems = True
    unrated = [c for c in rubric if c.name not in parts]
    if unrated:
        findings.append(not_rated(unrated))
    for criterion in rubric:
        part = parts.get(criterion.name)
        if part is None:
            per[criterion.name] = {"alpha": None, "level": criterion.level, "scale": criterion.scale, "units_pairable": 0}
            continue
        if first_problems:  # the file's own problems (unknown ids, bad rows) are reported with the first criterion run
            part.unknown_items, part.malformed = dict(raw.unknown_items), list(raw.malformed)
            first_problems = False
        else:
            part.unknown_items, part.malformed = {}, []
        result = run_one(part, criterion)
        per[criterion.name] = {**result.metrics, "scale": criterion.scale, "question": criterion.question}
        found = list(result.findings)
        if any(f.code == CRITERION.code and f.severity is Severity.BLOCKER for f in found):
            found = [f for f in found if f.code != "AGR006"]  # the criterion is named already: its categories add nothing
        findings += [_named(f, criterion.name) for f in found]
    return _once(findings), per


def summary(per: Mapping[str, Mapping[str, Any]], rubric: Sequence[Criterion]) -> dict[str, Any]:
    """Top-level metrics of a rubric run: the weakest criterion stands for agreement."""
    measured = [(float(m["alpha"]), name) for name, m in per.items() if m.get("alpha") is not None]
    out: dict[str, Any] = {"rubric": [c.to_dict() for c in rubric], "criteria": dict(per)}
    if len(measured) == len(per) and measured:
        alpha, weakest = min(measured)
        m = per[weakest]
        out.update(
            alpha=m["alpha"], alpha_ci_low=m.get("alpha_ci_low"), alpha_ci_high=m.get("alpha_ci_high"),
            level=m["level"], weakest_criterion=weakest,
        )  # fmt: skip
    out.update(
        units_pairable=min((int(m.get("units_pairable") or 0) for m in per.values()), default=0),
        annotators=max((int(m.get("annotators") or 0) for m in per.values()), default=0),
    )
    return out


def _named(finding: Finding, criterion: str) -> Finding:
    if finding.code == CRITERION.code or (finding.details or {}).get("criterion") == criterion:
        return finding
    return dataclasses.replace(
        finding, message=f"criterion {criterion!r}: {finding.message}", details={**(finding.details or {}), "criterion": criterion}
    )


def _once(findings: list[Finding]) -> list[Finding]:
    """One of each code in ONCE: the one with the largest count (the criterion that needs most)."""
    out: list[Finding] = []
    best: dict[str, Finding] = {}
    for f in findings:
        if f.code in ONCE:
            if f.code not in best or (f.count or 0) > (best[f.code].count or 0):
                best[f.code] = f
        else:
            out.append(f)
    return out + list(best.values())
