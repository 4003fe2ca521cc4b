"""AGR: do people label the same items the same way? Krippendorff's alpha with its evidence.

The readiness rule: if the team cannot label examples consistently, the quality
criteria are not defined clearly enough to fine-tune on. Agreement is measured
on items labelled by two or more people, as Krippendorff's alpha at the
configured level of measurement, with a seeded bootstrap interval over items,
and broken down by annotator, label pair and category so the gap says where
the criteria are unclear.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from auditor.core.config import Config
from auditor.core.context import Context
from auditor.core.findings import CheckResult, CodeInfo, Finding, RecordId, Severity
from auditor.core.rubric import Criterion, rubric_of
from auditor.load.annotations import INLINE, AnnotationInputError, Annotations, RawAnnotations, clean, label_key, read_annotations
from checks import alpha as ka
from checks.agreement_rubric import CRITERION, FAILING, failure_finding, majority_fails, run_rubric, summary
from checks.agreement_scale import advice_text, infer_level, scale_advice

LOW = CodeInfo(
    code="AGR001",
    symbol="low-agreement",
    severity=Severity.BLOCKER,
    summary="Annotators agree too little (Krippendorff's alpha below the tentative limit).",
    why="When people labelling the same items disagree this much, the quality criteria are not clear enough "
    "to label consistently; a model fine-tuned on such labels learns the noise and the disagreement.",
    fix="Rewrite the guidelines where the named label pairs are confused, calibrate the named annotators on "
    "worked examples, relabel the most-disagreed items and measure agreement again.",
    threshold="alpha < agreement.tentative_alpha = 0.667",
)
TENTATIVE = CodeInfo(
    code="AGR002",
    symbol="tentative-agreement",
    severity=Severity.WARNING,
    summary="Agreement is tentative: alpha between the tentative and the reliable limit.",
    why="Between .667 and .800 labels are usable for tentative conclusions only: part of the training signal "
    "is one annotator's reading rather than a shared criterion.",
    fix="Tighten the guidelines on the most confused label pairs and re-check a sample of the most-disagreed items.",
    threshold="agreement.tentative_alpha = 0.667 <= alpha < agreement.reliable_alpha = 0.800",
)
NOT_MEASURED = CodeInfo(
    code="AGR003",
    symbol="agreement-not-measured",
    severity=Severity.BLOCKER,
    summary="Agreement was not measured: no item was labelled by two people (or alpha is undefined).",
    why="Without two people labelling the same items there is no evidence that the labelling criteria are "
    "clear; inconsistent labels are the most common reason a fine-tune underperforms.",
    fix="Have a second person label a sample of items independently (at least agreement.min_pairable_units), "
    "then pass the labels inline, as --annotations FILE, or as annotator columns.",
    threshold="a blocker while agreement.required = true, else a warning",
)
THIN_OVERLAP = CodeInfo(
    code="AGR004",
    symbol="too-little-overlap",
    severity=Severity.WARNING,
    summary="Too few items are labelled by two or more people to trust the agreement figure.",
    why="With few double-labelled items the confidence interval on alpha spans both thresholds, so a "
    "good-looking figure may be luck.",
    fix="Have a second person label the number of items the gap names, starting with items that already have one label.",
    threshold="agreement.min_pairable_units = 100 items with two or more labels",
)
OUTLIER = CodeInfo(
    code="AGR005",
    symbol="outlier-annotator",
    severity=Severity.WARNING,
    summary="Leaving one annotator out raises agreement markedly.",
    why="One person reading the guidelines differently injects a consistent bias into every item they label.",
    fix="Review the named annotator's labels against the guidelines, calibrate them on worked examples, and "
    "relabel their items if the difference is a misunderstanding.",
    threshold="alpha without the annotator >= alpha + agreement.annotator_margin = 0.05",
)
LOW_CATEGORY = CodeInfo(
    code="AGR006",
    symbol="low-agreement-category",
    severity=Severity.WARNING,
    summary="Within one category, annotators agree less than the tentative limit.",
    why="Overall agreement can hide a category whose criteria are unclear; the model will be unreliable there.",
    fix="Clarify the guidelines for the named category and relabel its most-disagreed items.",
    threshold="alpha < agreement.tentative_alpha within a category with >= agreement.min_category_units double-labelled items",
)
DISAGREED = CodeInfo(
    code="AGR007",
    symbol="disagreed-items",
    severity=Severity.INFO,
    summary="Items whose annotators disagree, most disagreed first.",
    why="These items carry contradictory training signal; they are also the best material for sharpening the guidelines.",
    fix="Adjudicate the listed items (export them with --export-findings) and add the hard ones to the guidelines as examples.",
)
UNKNOWN_ITEMS = CodeInfo(
    code="AGR008",
    symbol="unknown-annotated-items",
    severity=Severity.WARNING,
    summary="Annotations name item ids that are not in the data; they were left out.",
    why="Labels that match no record usually mean the annotation export and the data come from different "
    "versions or use different id fields, so agreement may be measured on the wrong items.",
    fix="Check that the annotations file uses the data's id field (agreement.item_column) and the same data version.",
)
DUPLICATES = CodeInfo(
    code="AGR009",
    symbol="duplicate-annotations",
    severity=Severity.WARNING,
    summary="The same annotator labelled the same item more than once; the last label was kept.",
    why="A reliability matrix holds one label per annotator and item; repeats that differ show the annotator "
    "changed their mind, which the guidelines should settle (agreeing repeats are harmless and reported as info).",
    fix="Deduplicate the annotation export, or confirm the last label is the one intended.",
)
UNUSABLE = CodeInfo(
    code="AGR010",
    symbol="unusable-labels",
    severity=Severity.WARNING,
    summary="Some annotations could not be used: empty labels, malformed entries, labels off the scale, or labels "
    "that name no criterion of agreement.rubric.",
    why="Unusable labels shrink the evidence silently and usually point at an export or configuration problem.",
    fix="Fix the listed records' annotations, or give the scale (agreement.level, agreement.label_order) that places every label.",
)
UNREADABLE = CodeInfo(
    code="AGR011",
    symbol="unreadable-annotations",
    severity=Severity.BLOCKER,
    summary="The annotations named by the user could not be read.",
    why="Agreement cannot be measured from annotations that cannot be read.",
    fix="Fix the path, the file format or the column names given in the message and run the audit again.",
)

SCALE_LEVEL = CodeInfo(
    code="AGR014",
    symbol="scale-level",
    severity=Severity.WARNING,
    summary="Numeric ratings judged as unordered categories (a warning), or the level inferred from the labels (info).",
    why="Judged nominally, a 4 against a 5 counts as far apart as a 1 against a 5: alpha understates agreement on "
    "a rating scale and the advice speaks of 'confused' numbers, which means nothing on a scale.",
    fix="Set agreement.level to 'ordinal' for a rating scale (Likert points), 'interval' for scores with equal "
    "steps, or keep 'nominal' only if the numbers are codes for categories.",
    threshold="numeric labels with 5 or more distinct values (fewer are as often codes for categories)",
)

#: Pairwise kappa is a table for people to read: the 20 busiest annotators,
#: pairs with at least 5 shared items (fewer makes kappa meaningless).
KAPPA_MAX_ANNOTATORS = 20
KAPPA_MIN_ITEMS = 5
#: Label pairs and items named in messages and details.
TOP_PAIRS = 5
TOP_ITEMS = 20


@dataclass(frozen=True)
class Scale:
    """Labels placed on the level's scale."""

    names: list[str]  # display name of each value column
    values: np.ndarray | None  # number of each value column (None for nominal)
    code_of: dict[str, int]  # label text -> value column; labels absent here are off the scale


def place_labels(labels: Sequence[str], level: str, order: Sequence[Any]) -> Scale:
    """Value columns for the labels at ``level``; labels that cannot be placed are left out of ``code_of``."""
    distinct = sorted(set(labels))
    if level == "nominal":
        return Scale(distinct, None, {label: i for i, label in enumerate(distinct)})
    if level == "ordinal" and order:
        names = [k for k in (label_key(o) for o in order) if k is not None]
        rank = {name: i for i, name in enumerate(dict.fromkeys(names))}
        names = list(rank)
        return Scale(names, np.arange(len(names), dtype=np.float64), {label: rank[label] for label in distinct if label in rank})
    numbers: dict[str, float] = {}
    for label in distinct:
        try:
            x = float(label)
        except ValueError:
            continue
        if np.isfinite(x):
            numbers[label] = x
    uniq = sorted(set(numbers.values()))
    column = {x: i for i, x in enumerate(uniq)}
    names = [label_key(x) or "" for x in uniq]  # "1" and "1.0" are one value on a numeric scale
    return Scale(names, np.asarray(uniq, dtype=np.float64), {label: column[x] for label, x in numbers.items()})


class AgreementCheck:
    """Krippendorff's alpha with a bootstrap interval, per-annotator, per-label and per-category diagnostics."""

    name = "agreement"
    codes = (LOW, TENTATIVE, NOT_MEASURED, THIN_OVERLAP, OUTLIER, LOW_CATEGORY, DISAGREED, UNKNOWN_ITEMS, DUPLICATES,
             UNUSABLE, UNREADABLE, CRITERION, FAILING, SCALE_LEVEL)  # fmt: skip

    def validate_config(self, config: Config) -> None:
        """A rubric that cannot be read is refused with the config, before any data is read."""
        rubric_of(config)

    def run(self, ctx: Context) -> CheckResult:
        data = ctx.dataset
        cfg = ctx.config.section("agreement")
        level = str(cfg["level"])
        metrics: dict[str, Any] = {
            "alpha": None,
            "alpha_ci_low": None,
            "alpha_ci_high": None,
            "level": level,
            "units_pairable": 0,
            "annotators": 0,
            "per_annotator": {},
        }
        try:
            raw = read_annotations(
                data.ids, data.annotations, getattr(data, "extra", None) or {}, ctx.paths.get("annotations"), cfg
            )
        except AnnotationInputError as exc:
            metrics["source"] = str(ctx.paths.get("annotations") or "columns")
            finding = UNREADABLE.finding(str(exc), "fix the annotations input named in the message and run the audit again")
            return CheckResult(name=self.name, metrics=metrics, findings=(finding,))
        if raw is None:
            metrics["source"] = None
            return CheckResult(name=self.name, metrics=metrics, findings=(not_measured(ctx, "no annotations were given", 0),))
        metrics["source"] = raw.source
        rubric = rubric_of(cfg)
        if rubric:
            return _rubric(ctx, raw, rubric, metrics)
        if raw.criteria:
            names = ", ".join(repr(c) for c in raw.criterion_names() if c)
            finding = UNREADABLE.finding(
                f"{raw.source} rates rubric criteria ({names}) but agreement.rubric lists none",
                "list the criteria in agreement.rubric (name, question, scale) or give one label per rater",
            )
            return CheckResult(name=self.name, metrics=metrics, findings=(finding,))
        ann = clean(raw)
        inferred = None if "agreement.level" in ctx.config.origins else infer_level(ann.label_names)
        if inferred is not None:  # not configured: numbers with many values are a scale, not categories
            level = inferred.level
            metrics.update(level=level, level_inferred=True)
        result = _Run(ctx, ann, level, metrics, inferred=inferred.reason if inferred else None).result()
        if raw.silent:
            return CheckResult(name=self.name, metrics=result.metrics, findings=(*result.findings, _silent(raw.silent)))
        return result

    def not_run(self, ctx: Context, reason: str) -> CheckResult:
        """An engine that holds no text does not measure agreement (``auditor.core.protocol.ReportsNotRun``).

        Agreement is a readiness criterion: not measuring it must weigh in the
        verdict exactly as missing annotations do, never read as a pass.
        """
        engine = ctx.config["scale.engine"]
        required = bool(ctx.config["agreement.required"])
        finding = NOT_MEASURED.finding(
            f"Agreement was not measured: the {engine} engine does not run the agreement check.",
            "Run `auditor check` with --engine memory on the annotated records (a file of them alone is small "
            "enough), or set agreement.required = false if agreement is measured elsewhere.",
            severity=Severity.BLOCKER if required else Severity.WARNING,
        )
        return CheckResult(name=self.name, metrics={"skipped": reason}, findings=(finding,))


def not_measured(ctx: Context, why: str, single: int, pairable: int = 0, *, uniform: bool = False) -> Finding:
    """AGR003, sized: how many items a second person should label."""
    need = max(0, min(int(ctx.config["agreement.min_pairable_units"]), len(ctx.dataset)) - pairable)
    required = bool(ctx.config["agreement.required"])
    start = f", starting with the {single} that already have one label" if single else ""
    action = (
        f"have a second person independently label {need} items{start}, then pass both sets of labels "
        "(inline annotations, --annotations FILE, or annotator columns); `auditor sample DATA --out sheet.csv` "
        "draws the items and writes the sheet"
    )
    if uniform:  # labels with no variation say nothing about agreement
        action = (
            "the labels show no variation: check the annotation export, and double-label items whose answer "
            "varies" + (f" ({need} more items)" if need else "")
        )
    return NOT_MEASURED.finding(
        f"agreement was not measured: {why}",
        action,
        (),
        severity=None if required else Severity.WARNING,
        count=need,
        details={"items_to_double_annotate": need, "required": required},
    )


def criterion_scale(criterion: Criterion, labels: Sequence[str]) -> Scale:
    """The criterion's own scale: pass/fail (with true/false, 1/0 read as pass/fail) or the points 1..N."""
    names = criterion.labels
    if criterion.points is None:
        code_of = {label: int(not fails) for label in labels if (fails := criterion.fails(label)) is not None}
        return Scale(names, None, code_of)
    code_of = {}
    for label in labels:
        try:
            x = float(label)
        except ValueError:
            continue
        if x.is_integer() and 1 <= x <= criterion.points:
            code_of[label] = int(x) - 1
    return Scale(names, np.arange(1, criterion.points + 1, dtype=np.float64), code_of)


def _rubric(ctx: Context, raw: RawAnnotations, rubric: Sequence[Criterion], metrics: dict[str, Any]) -> CheckResult:
    """Agreement per criterion; the weakest criterion stands for the whole in the top-level metrics."""

    def run_one(part: RawAnnotations, criterion: Criterion) -> CheckResult:
        m: dict[str, Any] = {"alpha": None, "alpha_ci_low": None, "alpha_ci_high": None, "level": criterion.level, "units_pairable": 0,
             "annotators": 0, "per_annotator": {}}  # fmt: skip
        return _Run(ctx, clean(part), criterion.level, m, criterion=criterion).result()

    def not_rated(criteria: Sequence[Criterion]) -> Finding:
        names = ", ".join(repr(c.name) for c in criteria)
        what = f"rubric criteri{'a' if len(criteria) > 1 else 'on'} {names} {'were' if len(criteria) > 1 else 'was'} not rated"
        return not_measured(ctx, f"{what} (no sheet column or exported answer names {'them' if len(criteria) > 1 else 'it'})", 0)

    def unusable(message: str, count: int) -> Finding:
        return UNUSABLE.finding(message, "name the columns or questions after the criteria in agreement.rubric", (), count=count)

    findings, per = run_rubric(raw, rubric, run_one, not_rated, unusable)
    if raw.silent:
        findings.append(_silent(raw.silent))
    plain = _plain_labels_left_out(ctx.dataset.annotations, raw)
    if plain is not None:
        findings.append(plain)
    metrics.update(summary(per, rubric))
    order = {c.code: i for i, c in enumerate(AgreementCheck.codes)}
    return CheckResult(name="agreement", metrics=metrics, findings=tuple(sorted(findings, key=lambda f: order[f.code])))


def _plain_labels_left_out(inline: Sequence[Any] | None, raw: RawAnnotations) -> Finding | None:
    """AGR010 under a rubric: the records' own annotations are plain labels that name no criterion, so they are not used.

    Read as the only annotations (no file, no annotator columns) they leave
    every criterion unrated: a warning, since the labels the team gave count
    for nothing. Beside a sheet or export that the ratings come from, they
    were never read: info, said so the team does not think they were.
    """
    action = (
        "rate each criterion instead (`auditor sample DATA --out sheet.csv` writes a column per rater and criterion; "
        "pass the filled sheet with --annotations), or remove agreement.rubric to measure agreement on these labels"
    )
    why = "they name no rubric criterion, and with agreement.rubric set agreement is measured per criterion"
    if raw.source == INLINE:
        records = len(set(raw.items))
        return UNUSABLE.finding(
            f"{len(raw.items)} inline labels on {records} records were left out: {why}",
            action,
            (),
            count=len(raw.items),
            details={"inline_labels": len(raw.items), "records": records},
        )
    carried = sum(1 for v in inline if v is not None) if inline is not None else 0
    if not carried:
        return None
    return UNUSABLE.finding(
        f"{carried} records carry inline annotations that were not read: the ratings come from {raw.source}, and {why}",
        "nothing to do if the ratings are complete; " + action,
        (),
        severity=Severity.INFO,
        count=carried,
        details={"records": carried, "ratings_from": raw.source},
    )


def _silent(columns: Sequence[str]) -> Finding:
    listed = ", ".join(map(repr, columns[:10]))
    return UNUSABLE.finding(
        f"{len(columns)} sheet column{'s' * (len(columns) > 1)} nobody filled: {listed}",
        "have the rater fill their column, or delete it from the sheet if they dropped out",
        (),
        count=len(columns),
        details={"empty_columns": list(columns)},
    )


class _Run:
    """One run of the check over cleaned annotations: holds the arrays the parts share."""

    def __init__(self, ctx: Context, ann: Annotations, level: str, metrics: dict[str, Any], *,
                 criterion: Criterion | None = None, inferred: str | None = None) -> None:  # fmt: skip
        self.ctx, self.ann, self.level, self.metrics = ctx, ann, level, metrics
        self.cfg = ctx.config.section("agreement")
        self.ids: list[RecordId] = ctx.dataset.ids
        self.findings: list[Finding] = []
        self.criterion, self.inferred = criterion, inferred
        self.advice: dict[str, Any] | None = None

    def result(self) -> CheckResult:
        ctx, ann, cfg, m = self.ctx, self.ann, self.cfg, self.metrics
        if self.criterion is not None:
            scale = criterion_scale(self.criterion, ann.label_names)
        else:
            scale = place_labels(ann.label_names, self.level, cfg["label_order"])
        self.scale = scale
        column = np.asarray([scale.code_of.get(n, -1) for n in ann.label_names] or [0], dtype=np.int64)
        on_scale = column[ann.label]
        off = on_scale < 0
        self._input_findings(off)
        keep = ~off
        used = np.unique(ann.annotator[keep])
        names = sorted(ann.annotator_names[a] for a in used.tolist())
        position = {name: i for i, name in enumerate(names)}
        annotator_code = np.full(len(ann.annotator_names), -1, dtype=np.int64)
        annotator_code[used] = [position[ann.annotator_names[a]] for a in used.tolist()]
        self.units = ann.items[keep]
        self.codes = on_scale[keep]
        self.raters = annotator_code[ann.annotator[keep]]
        self.names = names
        n_units, n_values = len(self.ids), max(len(scale.names), 1)
        self.counts = ka.count_matrix(self.units, self.codes, n_units, n_values)
        per_unit = np.asarray(self.counts.sum(axis=1)).ravel()
        pairable = per_unit >= 2
        self.pairable = pairable
        m.update(
            annotations=int(len(self.units)),
            annotators=len(names),
            units_annotated=int((per_unit >= 1).sum()),
            units_pairable=int(pairable.sum()),
            pairable_values=int(per_unit[pairable].sum()),
            labels=len(scale.names),
            anonymous_annotators=ann.anonymous,
        )
        single = int((per_unit == 1).sum())
        if not pairable.any():
            why = "no usable annotations" if len(self.units) == 0 else "no item has labels from two or more annotators"
            self.findings.insert(0, not_measured(ctx, f"{why} ({m['units_annotated']} items have one label)", single))
            return self._done()
        alpha, engine = ka.alpha_point(self.counts, self.level, scale.values)
        m["engine"] = engine
        if not np.isfinite(alpha):
            seen = sorted({scale.names[c] for c in self.codes[pairable[self.units]]})
            why = f"every pairable label is {seen[0]!r}, so alpha is undefined" if len(seen) == 1 else "alpha is undefined"
            self.findings.insert(0, not_measured(ctx, why, single, int(pairable.sum()), uniform=True))
            return self._done()
        m["alpha"] = round(alpha, 6)
        self._level_note(alpha)
        self._bootstrap(alpha)
        self._annotators(alpha)
        self._kappa()
        self._confusions()
        self._categories()
        self._scale_advice()
        self._verdict(alpha, single)
        self._disagreed()
        self._failures()
        return self._done()

    def _done(self) -> CheckResult:
        order = {c.code: i for i, c in enumerate(AgreementCheck.codes)}
        findings = sorted(self.findings, key=lambda f: order[f.code])
        return CheckResult(name="agreement", metrics=self.metrics, findings=tuple(findings))

    # --- parts ----------------------------------------------------------------

    def _level_note(self, alpha: float) -> None:
        """AGR014: the level was inferred (info), or a numeric scale is judged nominally (warning)."""
        if self.criterion is not None:
            return
        if self.inferred is not None:
            nominal = self._alpha_at("nominal")
            self.findings.append(
                SCALE_LEVEL.finding(
                    f"the labels are {self.inferred}: alpha is computed at the {self.level} level ({alpha:.3f}; judged as "
                    f"unordered categories it would be {nominal:.3f})",
                    "set agreement.level to keep this choice explicit ('ordinal' for rating points, 'interval' for "
                    "equal steps, 'nominal' if the numbers are codes for categories)",
                    severity=Severity.INFO,
                    details={"level": self.level, "inferred": True, "alpha": _num(alpha), "alpha_nominal": _num(nominal)},
                )
            )
            return
        found = infer_level(self.scale.names) if self.level == "nominal" else None
        if found is None:
            return
        other = self._alpha_at(found.level)
        self.findings.append(
            SCALE_LEVEL.finding(
                f"the labels are {found.reason}, judged as unordered categories (agreement.level = 'nominal'): alpha "
                f"{alpha:.3f} counts a near miss as a full disagreement; at the {found.level} level it is {other:.3f}",
                f"set agreement.level = '{found.level}' if the numbers are a scale",
                details={"level": self.level, "suggested_level": found.level, "alpha": _num(alpha), f"alpha_{found.level}": _num(other)},
            )
        )

    def _alpha_at(self, level: str) -> float:
        """Alpha of the same labels at another level (for the AGR014 comparison)."""
        scale = place_labels(self.ann.label_names, level, [])
        column = np.asarray([scale.code_of.get(n, -1) for n in self.ann.label_names] or [0], dtype=np.int64)
        codes = column[self.ann.label]
        keep = codes >= 0
        counts = ka.count_matrix(self.ann.items[keep], codes[keep], len(self.ids), max(len(scale.names), 1))
        return float(ka.alpha_point(counts, level, scale.values)[0])

    def _scale_advice(self) -> None:
        """On a rating scale: offsets, spread and widest items instead of confused label pairs."""
        if self.level == "nominal":
            return
        values = self.scale.values[self.codes] if self.scale.values is not None else self.codes.astype(np.float64)
        self.advice = scale_advice(self.units, self.raters, values, self.names, self.ids, self.scale.names)
        self.metrics["scale_advice"] = self.advice

    def _failures(self) -> None:
        """AGR013: the share of rated outputs a majority fails on this criterion, with its interval."""
        if self.criterion is None:
            return
        fails = np.asarray([self.criterion.fails(n) is True for n in self.scale.names], dtype=bool)[self.codes]
        k, n = majority_fails(self.units, fails, len(self.ids))
        finding, metrics = failure_finding(self.criterion, k, n, float(self.cfg["confidence"]))
        self.metrics.update(metrics)
        self.findings.append(finding)

    def _bootstrap(self, alpha: float) -> None:
        cfg, m = self.cfg, self.metrics
        samples, confidence = int(cfg["bootstrap_samples"]), float(cfg["confidence"])
        m.update(confidence=confidence, bootstrap_samples=samples)
        if samples <= 0:
            return
        with self.ctx.progress.stage("agreement bootstrap", total=samples) as advance:
            draws = ka.bootstrap(self.counts, self.level, self.scale.values, samples=samples, seed=self.ctx.seed, progress=advance)
        low, high = ka.interval(draws, confidence)
        finite = draws[np.isfinite(draws)]
        m.update(
            alpha_ci_low=_num(low),
            alpha_ci_high=_num(high),
            p_below_reliable=_num(float((finite < float(cfg["reliable_alpha"])).mean()) if len(finite) else float("nan")),
            p_below_tentative=_num(float((finite < float(cfg["tentative_alpha"])).mean()) if len(finite) else float("nan")),
        )

    def _annotators(self, alpha: float) -> None:
        without = ka.alpha_without_each(
            self.units, self.raters, self.codes, len(self.ids), self.counts.shape[1], len(self.names), self.level, self.scale.values
        )
        items = np.bincount(self.raters, minlength=len(self.names))
        self.without = without
        self.metrics["per_annotator"] = {
            name: {"items": int(items[i]), "alpha_without": _num(without[i])} for i, name in enumerate(self.names)
        }
        margin = float(self.cfg["annotator_margin"])
        raised = [i for i in np.argsort(-np.nan_to_num(without - alpha, nan=-np.inf), kind="stable") if without[i] - alpha >= margin]
        if not raised or self.ann.anonymous:  # position is not identity: naming "#2" would mislead
            return
        ids: list[RecordId] = []
        groups: list[str] = []
        for i in raised:
            for u in sorted(set(self.units[self.raters == i].tolist())):
                ids.append(self.ids[u])
                groups.append(self.names[i])
        listed = ", ".join(f"{self.names[i]!r} ({items[i]} items: alpha {without[i]:.3f} without them)" for i in raised[:5])
        self.findings.append(
            OUTLIER.finding(
                f"leaving out {len(raised)} annotator{'s' * (len(raised) > 1)} raises alpha from {alpha:.3f} by "
                f"{margin:.2f} or more: {listed}",
                f"review {', '.join(repr(self.names[i]) for i in raised[:5])} against the guidelines and calibrate "
                "them on worked examples; relabel their items if they misread the criteria",
                ids,
                groups=groups,
                count=len(raised),
                details={
                    "annotators": {self.names[i]: {"items": int(items[i]), "alpha_without": _num(without[i])} for i in raised},
                    "alpha": _num(alpha),
                },
            )
        )

    def _kappa(self) -> None:
        self.metrics["pairwise_kappa"] = pairwise_kappa(
            self.units, self.raters, self.codes, self.names, self.level, self.scale.values
        )

    def _confusions(self) -> None:
        pairs = ka.confused_pairs(self.counts, self.level, self.scale.values, top=TOP_PAIRS)
        names = self.scale.names
        self.confused = [(names[p.c], names[p.k], p) for p in pairs]
        self.metrics["confused_pairs"] = [
            {"labels": [a, b], "items": p.items, "coincidences": round(p.coincidences, 6), "share_of_disagreement": round(p.share, 6)}
            for a, b, p in self.confused
        ]

    def _categories(self) -> None:
        categories = self.ctx.dataset.categories
        if categories is None:
            return
        tentative, minimum = float(self.cfg["tentative_alpha"]), int(self.cfg["min_category_units"])
        rows_of: dict[str, list[int]] = {}
        for u in np.flatnonzero(self.pairable):
            if categories[u] is not None:
                rows_of.setdefault(str(categories[u]), []).append(int(u))
        per: dict[str, Any] = {}
        for category in sorted(rows_of):
            rows = rows_of[category]
            value, _ = ka.alpha_point(self.counts[rows], self.level, self.scale.values)
            per[category] = {"alpha": _num(value), "units_pairable": len(rows)}
            if len(rows) >= minimum and np.isfinite(value) and value < tentative:
                self.findings.append(
                    LOW_CATEGORY.finding(
                        f"in category {category!r}, alpha is {value:.3f} over {len(rows)} double-labelled items, "
                        f"below {tentative:.3f}",
                        f"clarify the guidelines for {category!r} and relabel its most-disagreed items",
                        [self.ids[u] for u in rows],
                        count=len(rows),
                        details={"category": category, "alpha": _num(value), "units_pairable": len(rows)},
                    )
                )
        self.metrics["per_category"] = per

    def _verdict(self, alpha: float, single: int) -> None:
        cfg, m = self.cfg, self.metrics
        reliable, tentative = float(cfg["reliable_alpha"]), float(cfg["tentative_alpha"])
        on_bound = cfg["judge_on"] == "lower_bound" and m.get("alpha_ci_low") is not None
        judged = float(m["alpha_ci_low"]) if on_bound else alpha
        m.update(judged_on="lower_bound" if on_bound else "estimate", reliable_alpha=reliable, tentative_alpha=tentative)
        pairable = int(m["units_pairable"])
        minimum = int(cfg["min_pairable_units"])
        if pairable < minimum:
            need = minimum - pairable
            start = f", starting with the {single} that already have one label" if single else ""
            self.findings.append(
                THIN_OVERLAP.finding(
                    f"only {pairable} items are labelled by two or more annotators, {minimum} needed to trust alpha"
                    + f" (now {alpha:.3f}{self._interval_text()})",
                    f"have a second person label {need} more items{start}",
                    (),
                    count=need,
                    details={"units_pairable": pairable, "minimum": minimum, "items_to_double_annotate": need},
                )
            )
        if judged >= reliable:
            return
        if self.criterion is not None:
            self._criterion_gap(alpha, judged, tentative, on_bound)
            return
        code, limit = (LOW, f"below {tentative:.3f}, the lowest limit for tentative conclusions") if judged < tentative else (
            TENTATIVE, f"below {reliable:.3f}, the limit for reliable labels")  # fmt: skip
        basis = f"its {m['confidence']:.0%} lower bound {judged:.3f} is " if on_bound else ""
        message = (
            f"Krippendorff's alpha ({self.level}) is {alpha:.3f}{_parenthesised(self._interval_text())} "
            f"over {_n(pairable, 'item')} labelled by two or more of {_n(m['annotators'], 'annotator')}; {basis}{limit}"
        )
        self.findings.append(
            code.finding(message, self._remedy(), (), count=pairable, details={"alpha": _num(alpha), "judged": _num(judged)})
        )

    def _criterion_gap(self, alpha: float, judged: float, tentative: float, on_bound: bool) -> None:
        """AGR012: the criterion named, as the raters' reading of it is what needs the work."""
        assert self.criterion is not None
        name, m = self.criterion.name, self.metrics
        low = judged < tentative
        basis = f" (its {m['confidence']:.0%} lower bound {judged:.3f})" if on_bound else ""
        reading = "the raters read it differently" if low else "the raters' reading of it is only tentatively shared"
        message = (
            f"criterion {name!r} alpha {alpha:.3f}{basis}: {reading} ({self.level}, "
            f"{_n(int(m['units_pairable']), 'item')} rated by two or more{self._interval_text()})"
        )
        advice = advice_text(self.advice) if self.advice else "relabel the most-disagreed items (AGR007) and measure again"
        self.findings.append(
            CRITERION.finding(
                message,
                f"sharpen the wording of {name!r} ({self.criterion.question!r}) and its examples; {advice}",
                (),
                severity=None if low else Severity.WARNING,
                count=int(m["units_pairable"]),
                details={"criterion": name, "alpha": _num(alpha), "judged": _num(judged), "level": self.level},
            )
        )

    def _interval_text(self) -> str:
        m = self.metrics
        if m.get("alpha_ci_low") is None:
            return ""
        text = f", {m['confidence']:.0%} CI {m['alpha_ci_low']:.3f} to {m['alpha_ci_high']:.3f}"
        if m.get("p_below_reliable") is not None:
            text += f", P(alpha < {float(self.cfg['reliable_alpha']):.3f}) = {m['p_below_reliable']:.2f}"
        return text

    def _remedy(self) -> str:
        if self.advice is not None:  # a scale: offsets and spread, not "confused" numbers
            return advice_text(self.advice)
        parts = []
        if self.confused:
            pairs = "; ".join(f"{a!r} vs {b!r} ({_n(p.items, 'item')}, {p.share:.0%} of disagreement)" for a, b, p in self.confused[:3])
            parts.append(f"rewrite the guidelines where annotators confuse {pairs}")
        alpha = float(self.metrics["alpha"])
        gains = [(float(self.without[i]) - alpha, i) for i in range(len(self.names)) if np.isfinite(self.without[i])]
        gains = sorted((g for g in gains if g[0] > 0), reverse=True)[:3]
        if gains and not self.ann.anonymous:
            named = ", ".join(f"{self.names[i]!r} (alpha {alpha + g:.3f} without them)" for g, i in gains)
            parts.append(f"calibrate {named} on worked examples")
        parts.append("relabel the most-disagreed items (AGR007) and measure agreement again")
        return "; ".join(parts)

    def _disagreed(self) -> None:
        scores = ka.unit_scores(self.counts, self.level, self.scale.values)
        hit = np.flatnonzero(scores > 0)
        if len(hit) == 0:
            return
        hit = hit[np.lexsort((hit, -scores[hit]))]
        worst = []
        for u in hit[:TOP_ITEMS]:
            row = self.counts[int(u)]
            labels = {self.scale.names[c]: int(n) for c, n in zip(row.indices, row.data)}
            worst.append({"id": self.ids[u], "disagreement": round(float(scores[u]), 4), "labels": labels})
        shown = "; ".join(f"{w['id']} ({', '.join(f'{k} x{v}' for k, v in w['labels'].items())})" for w in worst[:3])
        self.findings.append(
            DISAGREED.finding(
                f"{len(hit)} of {int(self.pairable.sum())} double-labelled items have disagreeing labels; most disagreed: {shown}",
                "adjudicate these items (export them with --export-findings) and add the hard cases to the guidelines",
                [self.ids[u] for u in hit],
                details={"most_disagreed": worst},
            )
        )

    def _input_findings(self, off: np.ndarray) -> None:
        ann, ids, m = self.ann, self.ids, self.metrics
        m.update(
            missing_labels=ann.missing,
            empty_labels=len(ann.empty_items),
            duplicate_annotations=ann.duplicate_rows,
            conflicting_duplicates=ann.conflicting_duplicates,
            unknown_items=len(ann.unknown_items),
            off_scale_labels=int(off.sum()),
        )
        if ann.unknown_items:
            rows = sum(ann.unknown_items.values())
            listed = list(ann.unknown_items)
            self.findings.append(
                UNKNOWN_ITEMS.finding(
                    f"{_n(rows, 'annotation row')} name {_n(len(listed), 'item id')} not in the data "
                    f"(first: {', '.join(map(repr, listed[:5]))}); they were left out",
                    "make the annotations use the data's id field (agreement.item_column) and the same data version",
                    (),
                    count=len(listed),
                    details={"unknown_ids": listed[:100], "rows": rows},
                )
            )
        if ann.duplicate_rows:
            conflicting = ann.conflicting_duplicates
            self.findings.append(
                DUPLICATES.finding(
                    f"{_n(ann.duplicate_rows, 'repeated annotation row')} (an annotator labelling an item again, "
                    f"{conflicting} with a different label) on {_n(len(ann.duplicate_items), 'item')}; "
                    "the last label of each was kept",
                    "deduplicate the annotation export, or confirm the last label is the intended one",
                    [ids[i] for i in ann.duplicate_items],
                    severity=None if conflicting else Severity.INFO,
                    count=ann.duplicate_rows,
                    details={"duplicate_rows": ann.duplicate_rows, "conflicting": conflicting},
                )
            )
        problems: list[str] = []
        affected: set[int] = set(ann.empty_items)
        if ann.empty_items:
            problems.append(f"{len(ann.empty_items)} items with an empty label")
        if off.any():
            off_labels = Counter(ann.label[off].tolist())
            shown = ", ".join(f"{ann.label_names[c]!r}" for c, _ in off_labels.most_common(5))
            scale = f"{self.criterion.scale} scale of {self.criterion.name!r}" if self.criterion else f"{self.level} scale"
            problems.append(f"{int(off.sum())} labels off the {scale} ({shown})")
            affected.update(ann.items[off].tolist())
        malformed_lines: list[int] = []
        if ann.malformed:
            if ann.source == INLINE:
                affected.update(ann.malformed)
                problems.append(f"{len(ann.malformed)} records whose annotations are not a list or mapping")
            else:
                malformed_lines = ann.malformed
                problems.append(f"{len(ann.malformed)} unreadable rows in the annotations file (first at row {ann.malformed[0]})")
        if problems:
            fix = "fix the listed annotations"
            if off.any() and self.criterion is not None:
                fix += f"; {self.criterion.name!r} takes {', '.join(self.criterion.labels)}"
            elif off.any():
                fix += "; set agreement.label_order for ordinal text labels" if self.level == "ordinal" else (
                    f"; {self.level} agreement needs numeric labels (or use agreement.level = 'nominal')")  # fmt: skip
            self.findings.append(
                UNUSABLE.finding(
                    "annotations left out: " + "; ".join(problems),
                    fix,
                    [ids[i] for i in sorted(affected)],
                    count=len(ann.empty_items) + int(off.sum()) + len(ann.malformed),
                    details={"empty": len(ann.empty_items), "off_scale": int(off.sum()), "malformed": len(ann.malformed),
                             "malformed_rows": malformed_lines[:100]},  # fmt: skip
                )
            )


def pairwise_kappa(
    units: np.ndarray, raters: np.ndarray, codes: np.ndarray, names: Sequence[str], level: str, values: np.ndarray | None
) -> dict[str, dict[str, float | None]]:
    """Cohen's kappa for each pair of the busiest annotators on their shared items.

    The same formula as ``sklearn.metrics.cohen_kappa_score`` with
    ``labels`` = the whole scale (the tests hold it to scikit-learn's figure),
    computed from one confusion matrix per pair: scikit-learn's per-call
    validation costs ~10 ms, which across 190 pairs would dominate the check.
    Weighted on the label order for ordered levels: linear for ordinal,
    quadratic for interval and ratio (close to alpha's squared distances).
    """
    v = len(values) if values is not None else (int(codes.max()) + 1 if len(codes) else 1)
    rank = np.argsort(np.argsort(values, kind="stable"), kind="stable") if values is not None else np.arange(v)
    grid = np.subtract.outer(np.arange(v), np.arange(v)).astype(np.float64)
    weight = {"nominal": (grid != 0).astype(np.float64), "ordinal": np.abs(grid)}.get(level, grid * grid)
    busiest = np.argsort(-np.bincount(raters, minlength=len(names)), kind="stable")[:KAPPA_MAX_ANNOTATORS]
    size = int(units.max()) + 1 if len(units) else 0
    position = np.full((len(busiest), size), -1, dtype=np.int64)  # each busy annotator's label position per item
    for row, a in enumerate(busiest):
        mine = raters == a
        position[row, units[mine]] = rank[codes[mine]]
    out: dict[str, dict[str, float | None]] = {}
    for i in range(len(busiest)):
        for j in range(i + 1, len(busiest)):
            shared = (position[i] >= 0) & (position[j] >= 0)
            if shared.sum() < KAPPA_MIN_ITEMS:
                continue
            kappa = cohen_kappa(position[i][shared], position[j][shared], weight)
            out.setdefault(names[int(busiest[i])], {})[names[int(busiest[j])]] = _num(kappa)
    return out


def cohen_kappa(y1: np.ndarray, y2: np.ndarray, weight: np.ndarray) -> float:
    """Cohen's kappa of two label arrays (positions on the scale) under a disagreement weight matrix."""
    v = weight.shape[0]
    confusion = np.bincount(y1 * v + y2, minlength=v * v).reshape(v, v).astype(np.float64)
    chance = np.outer(confusion.sum(axis=1), confusion.sum(axis=0)) / confusion.sum()
    expected_cost = float((weight * chance).sum())
    return 1.0 - float((weight * confusion).sum()) / expected_cost if expected_cost > 0 else float("nan")


def _parenthesised(text: str) -> str:
    """", a, b" -> " (a, b)"; "" stays "" (no interval when the bootstrap is off)."""
    return f" ({text[2:]})" if text else ""


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def _num(x: float) -> float | None:
    """A JSON-safe figure: rounded, None when undefined."""
    x = float(x)
    return round(x, 6) if np.isfinite(x) else None
