"""CNT: are there enough effective examples, overall and in every category?"""

from __future__ import annotations

from collections import Counter
from typing import Any

from auditor.core.context import Context
from auditor.core.findings import CheckResult, CodeInfo, Finding, Severity
from auditor.core.partitioned import FromFeatures
from checks.effective import FEATURES as EFFECTIVE_FEATURES
from checks.effective import effective
from checks.labels.vocabulary import same_label, spellings

TOO_FEW = CodeInfo(
    code="CNT001",
    symbol="too-few-examples",
    severity=Severity.BLOCKER,
    summary="Fewer effective examples than the readiness threshold.",
    why="Below about 500 good, unique, consistent input-output pairs, fine-tuning rarely beats a well "
    "prompted base model; duplicates and contradictions do not count because they teach nothing new.",
    fix="Label more examples where coverage is thinnest, and resolve duplicates and contradicting outputs, "
    "which are left out of the effective count until fixed.",
    threshold="min_examples = 500 effective examples",
)
THIN_CATEGORY = CodeInfo(
    code="CNT002",
    symbol="thin-category",
    severity=Severity.BLOCKER,
    summary="A category has fewer effective examples than the per-category minimum.",
    why="A category the model sees only a handful of times is learned poorly or not at all, however "
    "large the whole set is; production traffic in that category will fail.",
    fix="Label more examples of the named category, or merge it into a related one if the distinction "
    "does not matter for the task.",
    threshold="count.min_per_category = 20 effective examples",
)
UNREADABLE = CodeInfo(
    code="CNT003",
    symbol="unreadable-records",
    severity=Severity.WARNING,
    summary="Records that could not be read as input-output pairs.",
    why="An unreadable record is a labelled example lost; many of them usually mean a broken export "
    "(wrong encoding, truncated file, wrong field names) that also damaged records that did load.",
    fix="Open the file at the listed lines, fix the export or the fields, and run the audit again.",
    threshold="a blocker above count.invalid_share_blocker = 5% of records, a warning below; always a blocker "
    "when reading stopped early (load.max_bad_run)",
)
REPEATED_KEY = CodeInfo(
    code="CNT004",
    symbol="repeated-key",
    severity=Severity.WARNING,
    summary="Records whose JSON objects name the same key twice.",
    why="Which of the two values a tool reads is not defined by JSON: this audit, like most parsers, read the "
    "last one, but a trainer's loader may read the first, and then it trains on a record the audit never saw.",
    fix="Fix the export so each key appears once in each object, keeping the value that is meant.",
    threshold="any record",
)


class CountCheck(FromFeatures):
    """Counts total, valid, invalid and effective examples against the thresholds.

    It reads shared features only, so a partitioned run judges it unchanged.
    """

    name = "count"
    codes = (TOO_FEW, THIN_CATEGORY, UNREADABLE, REPEATED_KEY)
    features = EFFECTIVE_FEATURES

    def run(self, ctx: Context) -> CheckResult:
        data = ctx.dataset
        cfg = ctx.config
        eff = ctx.cached(effective)
        min_examples = int(cfg["min_examples"])
        min_per_category = int(cfg["count.min_per_category"])
        findings: list[Finding] = []

        metrics: dict[str, Any] = {
            "total_records": data.total_records,
            "valid_records": data.valid_records,
            "invalid_records": data.invalid_records,
            "blank_lines": data.blank_lines,
            "effective_examples": eff.count,
            "removed_exact_duplicates": eff.removed_exact,
            "removed_near_duplicates": eff.removed_near,
            "removed_conflicting": eff.removed_conflicting,
            "min_examples": min_examples,
        }
        if data.unread_from is not None:  # only then: reports of files read to the end keep their shape
            metrics["unread_from_line"] = data.unread_from

        thin: list[tuple[str, int]] = []
        if data.categories is not None:
            per_category = Counter(c for c, k in zip(data.categories, eff.keep) if k and c is not None)
            per_category_records = Counter(c for c in data.categories if c is not None)
            for name in per_category_records:
                per_category.setdefault(name, 0)
            metrics["per_category"] = dict(sorted(per_category.items()))
            metrics["per_category_records"] = dict(sorted(per_category_records.items()))
            metrics["uncategorised_records"] = sum(1 for c in data.categories if c is None)
            metrics["min_per_category"] = min_per_category
            thin = sorted(((c, n) for c, n in per_category.items() if n < min_per_category), key=lambda t: (t[1], t[0]))
            # A thin category may be another spelling of a category ('Billing ' beside 'billing', LBL002).
            written = same_label(spellings(data.categories)) if thin else {}
            for category, n in thin:
                ids = [data.ids[i] for i, c in enumerate(data.categories) if c == category]
                action = f"label {min_per_category - n} more {category!r} examples"
                details: dict[str, Any] = {"category": category, "effective": n, "minimum": min_per_category}
                if category in written:
                    others = written[category]
                    action += f", or merge it with {', '.join(map(repr, others))}: the same label written another way (LBL002)"
                    details["same_label_as"] = others
                findings.append(
                    THIN_CATEGORY.finding(
                        f"category {category!r} has {n} effective example{'s' * (n != 1)}, "
                        f"{min_per_category} needed: {min_per_category - n} short",
                        action,
                        ids,
                        count=min_per_category - n,
                        details=details,
                    )
                )

        baseline = ctx.others.get("baseline")
        if baseline is not None:
            # How this batch moves the accepted set: what a labelling lead asks first.
            metrics["baseline_records"] = baseline.valid_records
            if data.categories is not None or baseline.categories is not None:
                before = Counter(c for c in baseline.categories or [] if c is not None)
                batch = Counter(c for c in data.categories or [] if c is not None)
                metrics["per_category_baseline"] = dict(sorted(before.items()))
                metrics["per_category_after_batch"] = dict(sorted((before + batch).items()))

        if eff.count < min_examples:
            findings.insert(0, self._too_few(ctx, eff.count, min_examples, thin))

        if data.problems:
            findings.append(self._unreadable(ctx))
        if data.notes:
            findings.append(self._repeated_keys(ctx))
        return CheckResult(name=self.name, metrics=metrics, findings=tuple(findings))

    def _unreadable(self, ctx: Context) -> Finding:
        data = ctx.dataset
        share = data.invalid_records / max(data.total_records, 1)
        # Reading that stopped early leaves the rest of the file uncounted: the
        # counts cannot be trusted whatever the share, so it always blocks.
        blocker = share > float(ctx.config["count.invalid_share_blocker"]) or data.unread_from is not None
        reasons = Counter(_reason_kind(p.reason) for p in data.problems)
        summary = ", ".join(f"{n} {r}" for r, n in reasons.most_common(3))
        first = data.problems[0]
        message = (
            f"{data.invalid_records} of {data.total_records} records ({share:.1%}) could not be read "
            f"({summary}); first at line {first.line}: {first.reason}"
        )
        if data.unread_from is not None and first.line != data.unread_from:  # else the first reason says it
            message += f"; stopped reading at line {data.unread_from}, so the file was not read to its end"
        return UNREADABLE.finding(
            message,
            "fix the export at the listed lines and run the audit again",
            [p.id if p.id is not None else p.line for p in data.problems],
            severity=Severity.BLOCKER if blocker else Severity.WARNING,
            details={"lines": [p.line for p in data.problems[:20]], "reasons": dict(reasons)},
        )

    def _repeated_keys(self, ctx: Context) -> Finding:
        data = ctx.dataset
        notes = data.notes
        keys = Counter(n.key for n in notes)
        named = ", ".join(f"{k!r}" + (f" in {n}" if n > 1 else "") for k, n in keys.most_common(5))
        lines = list(dict.fromkeys(n.line for n in notes))
        where = {line: i for i, line in enumerate(data.lines)}  # a note's line is its record's (valid) line
        ids = [data.ids[where[line]] if line in where else line for line in lines]
        many = len(lines) != 1
        return REPEATED_KEY.finding(
            f"{len(lines)} record{'s' * many} {'name' if many else 'names'} a key twice in one object ({named}); "
            f"the last value was read; first at line {notes[0].line}",
            "keep one value per key in the export; check which of the two values the trainer's loader reads",
            ids,
            details={"lines": lines[:20], "keys": dict(keys)},
        )

    def _too_few(self, ctx: Context, n: int, needed: int, thin: list[tuple[str, int]]) -> Finding:
        eff = ctx.cached(effective)
        lacking = needed - n
        message = f"{n} effective example{'s' * (n != 1)}, {needed} needed: {lacking} more"
        left_out = []
        if eff.removed_exact:
            left_out.append(f"{eff.removed_exact} exact duplicates")
        if eff.removed_near:
            left_out.append(f"{eff.removed_near} near-duplicates")
        if eff.removed_conflicting:
            left_out.append(f"{eff.removed_conflicting} records with contradicting outputs")
        if left_out:
            message += f" ({ctx.dataset.valid_records} valid records; left out: {', '.join(left_out)})"
        action = f"label {lacking} more examples"
        if thin:
            action += ", mostly in " + ", ".join(f"{c!r}" for c, _ in thin[:5])
        if eff.removed_conflicting:
            action += f"; resolving the contradicting outputs would bring back up to {eff.removed_conflicting}"
        return TOO_FEW.finding(
            message,
            action,
            (),
            count=lacking,
            details={"effective_examples": n, "min_examples": needed},
        )


def _reason_kind(reason: str) -> str:
    """The reason up to its first colon: 'invalid JSON: ...' -> 'invalid JSON'."""
    return reason.split(":", 1)[0]
