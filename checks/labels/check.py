"""The label check: runs the LBL rules on every label the data carries.

Labels are the category field's values and the outputs of every task group
whose outputs are labels from a small closed set (``checks.tasks``: kind
LABEL; a plain classification file is one such group). LBL002 reads both;
LBL001 learns each label group's outputs from its inputs. The check needs
the texts, so a partitioned run skips it (a category written several ways is
still named there, beside its CNT002).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from auditor.core.context import Context
from auditor.core.findings import CheckResult, Finding
from checks.labels import confident, vocabulary
from checks.tasks import LABEL, WHOLE, task_groups

#: Flagged records a finding's details list with their labels and probabilities, most confident first.
LISTED = 100


class LabelsCheck:
    """LBL: are the labels right, and is each written one way?"""

    name = "labels"
    codes = (confident.CODE, vocabulary.CODE)

    def run(self, ctx: Context) -> CheckResult:
        data = ctx.dataset
        if len(data) == 0:
            return CheckResult.skipped(self.name, "no valid records to judge")
        findings: list[Finding] = []
        metrics: dict[str, Any] = {}
        if data.categories is not None:
            found = self._spellings(ctx, "category", None, list(data.categories), np.arange(len(data)))
            findings += found
        groups = label_groups(ctx)
        metrics["label_groups"] = len(groups)
        judged: dict[str, Any] = {}
        with ctx.progress.stage("labels: learning each label group's labels", total=len(groups)) as advance:
            for name, members in groups:
                outputs = [data.outputs[i] for i in members]
                findings += self._spellings(ctx, "output", name, outputs, members)
                result = confident.find(
                    [data.inputs[i] for i in members],
                    [vocabulary.canonical(o) for o in outputs],
                    folds=int(ctx.config["labels.folds"]),
                    min_per_label=int(ctx.config["labels.min_per_label"]),
                    min_evidence=float(ctx.config["labels.min_evidence"]),
                    min_explained=float(ctx.config["labels.min_explained"]),
                    seed=ctx.seed,
                )
                judged[name] = result.to_metrics()
                if result.issues:
                    findings.append(_mislabelled(ctx, name, result, members, outputs))
                advance(1)
        metrics["mislabelled"] = judged
        return CheckResult(name=self.name, metrics=metrics, findings=tuple(findings))

    def _spellings(self, ctx: Context, source: str, group: str | None, labels: Sequence[str | None], members: np.ndarray) -> list[Finding]:
        found = vocabulary.spellings(labels)
        if not found:
            return []
        ids = ctx.dataset.ids
        where = "the category field" if group is None else _where(group)
        shown = "; ".join(s.describe() for s in found[:3]) + ("; …" if len(found) > 3 else "")
        minority = [int(members[i]) for i in vocabulary.minority(labels, found)]
        many = len(found) != 1
        return [
            vocabulary.CODE.finding(
                f"{len(found)} label{'s' * many} in {where} {'are' if many else 'is'} written several ways: {shown}",
                f"map the {len(minority):,} record{'s' * (len(minority) != 1)} with another spelling to the most used one",
                [ids[i] for i in minority],
                details={"source": source, "group": group, "labels": [s.to_dict() for s in found]},
            )
        ]


def label_groups(ctx: Context) -> list[tuple[str, np.ndarray]]:
    """Each task group of kind LABEL (its name and record indices), largest first."""
    tasks = ctx.cached(task_groups)
    out = []
    for k, group in enumerate(tasks.groups):
        if group.kind == LABEL:
            out.append((group.name, np.flatnonzero(tasks.of_record == k)))
    return sorted(out, key=lambda g: (-len(g[1]), g[0]))


def _where(group: str) -> str:
    return "the labels" if group == WHOLE else f"label group {group!r}"


def _mislabelled(ctx: Context, group: str, result: confident.GroupResult, members: np.ndarray, outputs: Sequence[str]) -> Finding:
    ids = ctx.dataset.ids
    issues = result.issues
    share = len(issues) / max(result.judged, 1)
    # The model learns canonical labels; a suggestion is shown as the group writes that label most often.
    written: dict[str, Counter[str]] = {}
    for output in outputs:
        written.setdefault(vocabulary.canonical(output), Counter())[output] += 1

    def record(issue: confident.Issue) -> dict[str, Any]:
        return {
            "id": ids[int(members[issue.index])],
            "given": outputs[issue.index],
            "suggested": written[issue.suggested].most_common(1)[0][0],
            "probability": round(issue.probability, 3),
            "given_probability": round(issue.given_probability, 3),
        }

    listed = [record(issue) for issue in issues[:LISTED]]
    shown = "; ".join(f"id {r['id']}: {r['given']!r}, likely {r['suggested']!r} (p={r['probability']:.2f})" for r in listed[:2])
    return confident.CODE.finding(
        f"{len(issues):,} of {result.judged:,} records ({share:.1%}) in {_where(group)} are likely mislabelled: "
        f"the input points to another label (e.g. {shown})",
        "read the listed records, most confident first, and correct the labels that are wrong",
        [ids[int(members[issue.index])] for issue in issues],
        details={"group": group, "judged": result.judged, "flagged": len(issues), "share": round(share, 4), "records": listed},
    )
