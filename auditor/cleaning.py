"""``clean(source, drop=...)``: the data with chosen findings removed, and what was dropped.

What to drop is decided by an audit's findings, through one table
(``DROPS``): a drop name, the finding code that marks the records, and what
to keep of each flagged group. The original is never modified: a
``datasets.Dataset`` is narrowed with ``select`` (a new object over the same
Arrow table), a DataFrame with ``iloc`` (a new frame), a file is only read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.runtime.errors import AuditorError

if TYPE_CHECKING:
    import datasets
    import pandas

    from auditor.core.config import Config
    from auditor.core.records import Dataset
    from auditor.report.model import Report

KEEP_FIRST = "keep-first"  # keep the first record of each group, drop the others
DROP_ALL = "drop-all"  # drop every flagged record


@dataclass(frozen=True)
class Drop:
    code: str  # the finding code that marks the records
    check: str  # the check that raises it (named in the error when it is not installed)
    keep: str  # KEEP_FIRST or DROP_ALL
    core_fallback: bool = False  # computable from the engine's shared features without the check


#: Drop name -> how to find and thin the records. One table: a new drop is one line.
DROPS: dict[str, Drop] = {
    "exact_duplicates": Drop("DUP001", "duplicates", KEEP_FIRST, core_fallback=True),
    "near_duplicates": Drop("DUP003", "duplicates", KEEP_FIRST),
    "conflicting": Drop("DUP002", "duplicates", DROP_ALL),
    "eval_leakage": Drop("DUP006", "duplicates", DROP_ALL),
    "baseline_duplicates": Drop("DUP007", "duplicates", DROP_ALL),
    "empty_inputs": Drop("QLT001", "quality", DROP_ALL),
    "empty_outputs": Drop("QLT002", "quality", DROP_ALL),
    "truncated_outputs": Drop("QLT004", "quality", DROP_ALL),
    "over_token_limit": Drop("QLT006", "quality", DROP_ALL),
    "refusals": Drop("QLT007", "quality", DROP_ALL),
    "boilerplate": Drop("QLT008", "quality", DROP_ALL),
    "personal_data": Drop("QLT009", "quality", DROP_ALL),
    "secrets": Drop("QLT010", "quality", DROP_ALL),
    "malformed_chats": Drop("QLT012", "quality", DROP_ALL),
}
#: What ``clean(source)`` drops when not told: those of these whose check is installed.
DEFAULT_DROP: tuple[str, ...] = ("exact_duplicates", "near_duplicates", "empty_outputs")


@dataclass(frozen=True)
class Dropped:
    """One removed record: its id, why (the drop name), and the group it was flagged with."""

    id: Any
    reason: str
    code: str
    group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "reason": self.reason, "code": self.code, "group": self.group}


@dataclass(frozen=True)
class CleanResult:
    data: datasets.Dataset | pandas.DataFrame  # a DataFrame for a DataFrame source, else a datasets.Dataset
    dropped: tuple[Dropped, ...]
    report: Report

    @property
    def kept(self) -> int:
        return len(self.data)


def check_drops(drop: Iterable[str], installed_codes: Iterable[str]) -> list[str]:
    """The drop names, validated: unknown names and names whose check is not installed are errors."""
    names = [drop] if isinstance(drop, str) else list(drop)
    codes = set(installed_codes)
    for name in names:
        if name not in DROPS:
            raise AuditorError(f"clean: unknown drop {name!r}; choose from {', '.join(DROPS)}")
        spec = DROPS[name]
        if spec.code not in codes and not spec.core_fallback:
            raise AuditorError(
                f"clean: drop {name!r} needs the {spec.check} check ({spec.code}), which is not installed in this auditor"
            )
    return names


def clean(
    source: Any,
    drop: Sequence[str] | None = None,
    config: Config | str | Mapping[str, Any] | None = None,
    *,
    report: Report | None = None,
    split: str | None = None,
    **overrides: Any,
) -> CleanResult:
    """``source`` without the records the chosen findings flag, and a record of what was dropped.

    ``source`` is a path, a ``datasets.Dataset`` or a pandas DataFrame. The
    result is a DataFrame for a DataFrame and a ``datasets.Dataset`` otherwise
    (for a path, built from the normalised records: id, input, output, and
    category, messages, annotations where the source has them). Pass the
    ``report`` of an earlier ``audit(source)`` to reuse its findings.

    ``drop`` names what to remove (keys of ``DROPS``); a name whose check is
    not installed is an error. Without ``drop``: exact duplicates, near
    duplicates and empty outputs, as far as the installed checks find them.
    """
    from auditor.api import audit
    from auditor.core.registry import all_codes

    installed = set(all_codes())
    if drop is None:
        drop = [n for n in DEFAULT_DROP if DROPS[n].code in installed or DROPS[n].core_fallback]
    names = check_drops(drop, installed)
    if report is None:
        report = audit(source, config, split=split, **overrides)
    dataset = report.dataset
    if dataset is None:
        raise AuditorError("clean: the report carries no dataset; pass the source to audit again")
    dropped = _choose(report, dataset, names, installed)
    drop_index = {i for i, _ in dropped}
    keep = [i for i in range(len(dataset)) if i not in drop_index]
    # Rows that could not be read are not training examples either: they are
    # left out of every result kind, and listed so nothing vanishes silently.
    unreadable = [Dropped(p.id if p.id is not None else p.line, "unreadable", "CNT003", None) for p in dataset.problems]
    records = tuple(d for _, d in sorted(dropped, key=lambda t: t[0])) + tuple(unreadable)
    return CleanResult(data=_narrow(source, dataset, keep), dropped=records, report=report)


def _choose(report: Report, dataset: Dataset, names: list[str], installed: set[str]) -> list[tuple[int, Dropped]]:
    """(record index, why) for every record to drop; a record dropped for two reasons counts once, for the first."""
    positions: dict[Any, list[int]] = defaultdict(list)
    for index, rid in enumerate(dataset.ids):
        positions[rid].append(index)
    by_code: dict[str, list[Any]] = defaultdict(list)
    for _, finding in report.findings():
        by_code[finding.code].append(finding)
    chosen: dict[int, Dropped] = {}
    for name in names:
        spec = DROPS[name]
        groups = _flagged_groups(by_code.get(spec.code, []), positions)
        if spec.core_fallback and spec.code not in installed:
            groups = _exact_groups(dataset, report)
        for label, members in groups:
            members = sorted(members)
            if spec.keep == KEEP_FIRST:
                # A member already dropped for another reason cannot be the one kept:
                # a near-duplicate cluster overlapping an exact group must keep one record.
                survivors = [i for i in members if i not in chosen]
                victims = survivors[1:]
            else:
                victims = members
            for i in victims:
                chosen.setdefault(i, Dropped(dataset.ids[i], name, spec.code, label))
    return list(chosen.items())


def _flagged_groups(findings: list[Any], positions: Mapping[Any, list[int]]) -> list[tuple[str | None, list[int]]]:
    """Record indices per group label; ids of other datasets (a baseline's) are not this data's and are skipped."""
    out: list[tuple[str | None, list[int]]] = []
    for n, finding in enumerate(findings):
        groups: dict[str | None, list[int]] = {}
        used: dict[Any, int] = defaultdict(int)
        for k, rid in enumerate(finding.ids):
            spots = positions.get(rid)
            if not spots:
                continue
            # Two records sharing a given id are told apart by order of appearance.
            index = spots[min(used[rid], len(spots) - 1)]
            used[rid] += 1
            label = finding.group_of(k)
            groups.setdefault(label if label is not None else f"{finding.code}-{n + 1}", []).append(index)
        out.extend(groups.items())
    return out


def _exact_groups(dataset: Dataset, report: Report) -> list[tuple[str | None, list[int]]]:
    """Exact duplicate groups from the engine's shared feature (when the duplicates check is not installed)."""
    from auditor.core.config import resolve
    from auditor.core.context import Context
    from auditor.features import exact_groups

    # The run's own normalisation settings decide what "identical" means.
    ctx = Context(dataset=dataset, config=resolve(search=False, base=report.config))
    return [(f"exact-{k}", list(g)) for k, g in enumerate(ctx.cached(exact_groups).groups, 1)]


def _narrow(source: Any, dataset: Dataset, keep: list[int]) -> Any:
    kind = type(source).__module__.split(".")[0] + "." + type(source).__name__
    # Records map back to source rows through their 1-based row numbers.
    rows = [dataset.lines[i] - 1 for i in keep]
    if kind == "pandas.DataFrame":
        return source.iloc[rows].copy()
    if kind.startswith("datasets.") and type(source).__name__ == "Dataset":
        return source.select(rows)
    return _to_hf(dataset, keep)


def _to_hf(dataset: Dataset, keep: list[int]) -> Any:
    import datasets

    ids = [dataset.ids[i] for i in keep]
    if not all(isinstance(i, int) for i in ids):
        ids = [str(i) for i in ids]  # one Arrow type per column
    columns: dict[str, list[Any]] = {
        "id": ids,
        "input": [dataset.inputs[i] for i in keep],
        "output": [dataset.outputs[i] for i in keep],
    }
    if dataset.categories is not None:
        columns["category"] = [dataset.categories[i] for i in keep]
    if dataset.messages is not None:
        columns["messages"] = [dataset.messages[i] for i in keep]
    if dataset.annotations is not None:
        columns["annotations"] = [dataset.annotations[i] for i in keep]
    # Straight to an Arrow table: Dataset.from_dict encodes row by row and is
    # about three times slower at 100k records.
    from datasets.table import InMemoryTable

    return datasets.Dataset(InMemoryTable.from_pydict(columns))
