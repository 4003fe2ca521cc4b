"""The precision ledger's machinery: flags, their fingerprints, the seeded sample,
the join with the judgement file, Wilson intervals and the Markdown table.

No auditing and no file reading happens here (that is benchmarks/precision.py):
these are pure functions over plain data, so tests/test_precision_ledger.py runs
them on a tiny synthetic fixture.

A *flag* is one record flagged by one finding code in one audited dataset (one
row of the findings export, rows of the same record and code merged). A
*judgement* is one line of benchmarks/precision_labels.jsonl saying whether that
flag is a true or a false alarm. A judgement belongs to the text it was made on:
its ``hash`` covers the code, the kind of flag, the record's own fields and the
context shown to the judge (the other members of a duplicate group, the nearest
training inputs of an uncovered item). When any of them changes the judgement is
*stale*, and the flag is asked for again.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

HASH_CHARS = 12
# Bars from issue 17: a rule that can block must be right 95 % of the time, a warning 90 %.
BARS = {"blocker": 0.95, "warning": 0.90}
SEVERITY_RANK = {"info": 0, "warning": 1, "blocker": 2}
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Context:
    """One piece of text shown beside the flagged record to judge it."""

    label: str
    text: str


@dataclass
class Flag:
    dataset: str
    code: str
    id: Any
    group: str | None
    severity: str
    kind: str = ""
    message: str = ""
    record: Mapping[str, Any] = field(default_factory=dict)
    context: list[Context] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)  # values the report masked in this record (shown to judge PII)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.dataset, self.code, str(self.id))

    def fingerprint(self) -> str:
        return fingerprint(self.code, self.kind, self.record, self.context)


def fingerprint(code: str, kind: str, record: Mapping[str, Any], context: Sequence[Context]) -> str:
    """A short, stable hash of everything a judgement was made on."""
    payload = orjson.dumps(
        {"code": code, "kind": kind, "record": record, "context": [[c.label, c.text] for c in context]},
        option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
        default=str,
    )
    return hashlib.sha256(payload).hexdigest()[:HASH_CHARS]


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (NaN, NaN without trials).

    Chosen over the normal approximation because the ledger's samples are small
    (about 20) and precisions sit near 1, where the normal interval overshoots 100 %.
    """
    if trials <= 0:
        return (math.nan, math.nan)
    p = successes / trials
    z2 = z * z
    denom = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def rank(seed: int, flag: Flag) -> str:
    """The flag's place in the seeded order: a hash, so a flag keeps its place when
    other flags appear or vanish after a rule change (its judgement stays in the sample)."""
    return hashlib.sha256(f"{seed}\x00{flag.dataset}\x00{flag.code}\x00{flag.id}\x00{flag.group}".encode()).hexdigest()


def allocate(counts: Mapping[str, int], target: int, per_dataset: int, judge_all_below: int) -> dict[str, int]:
    """How many flags of one code to sample from each dataset.

    Every flag when the code has at most ``judge_all_below`` in all; else at least
    ``per_dataset`` from each dataset (or all it has), then the rest of ``target``
    in proportion to what each dataset has left (largest remainder, ties by name).
    """
    total = sum(counts.values())
    if total <= judge_all_below:
        return dict(counts)
    take = {d: min(n, per_dataset) for d, n in counts.items()}
    left = target - sum(take.values())
    spare = {d: counts[d] - take[d] for d in counts}
    spare_total = sum(spare.values())
    if left > 0 and spare_total > 0:
        left = min(left, spare_total)
        shares = {d: left * s / spare_total for d, s in spare.items()}
        extra = {d: int(math.floor(v)) for d, v in shares.items()}
        rest = left - sum(extra.values())
        for d in sorted(shares, key=lambda d: (-(shares[d] - extra[d]), d))[:rest]:
            extra[d] += 1
        for d in take:
            take[d] += min(extra[d], spare[d])
    return take


def sample(
    flags: Iterable[Flag],
    seed: int,
    target: int = 20,
    per_dataset: int = 3,
    judge_all_below: int = 25,
    unspread: Collection[str] = (),
) -> list[Flag]:
    """The flags to judge, per code, spread over datasets, and within a dataset one per
    group (a duplicate cluster, a shared output, a template) before a second from any
    group. Codes in ``unspread`` are sampled in plain seeded order: their groups are
    topics whose sizes are the finding itself (a topic of 90 uncovered inputs must weigh
    more than one of 5), so spreading would bias the sample towards small topics."""
    by_code: dict[str, dict[str, list[Flag]]] = defaultdict(lambda: defaultdict(list))
    for f in flags:
        by_code[f.code][f.dataset].append(f)
    chosen: list[Flag] = []
    for code in sorted(by_code):
        per = by_code[code]
        quota = allocate({d: len(v) for d, v in per.items()}, target, per_dataset, judge_all_below)
        for dataset in sorted(per):
            ordered = sorted(per[dataset], key=lambda f: rank(seed, f))
            picked: list[Flag] = []
            groups: set[str] = set()
            # First pass: one flag per group, so a sample of 20 is 20 groups, not 10 pairs twice.
            for f in ordered:
                if len(picked) >= quota[dataset]:
                    break
                if f.group is not None and f.group in groups and code not in unspread:
                    continue
                picked.append(f)
                if f.group is not None:
                    groups.add(f.group)
            for f in ordered:
                if len(picked) >= quota[dataset]:
                    break
                if f not in picked:
                    picked.append(f)
            chosen.extend(sorted(picked, key=lambda f: rank(seed, f)))
    return chosen


@dataclass
class Judgement:
    dataset: str
    code: str
    id: Any
    group: str | None
    hash: str
    verdict: str
    reason: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.dataset, self.code, str(self.id))

    def to_json(self) -> str:
        row = {"dataset": self.dataset, "code": self.code, "id": self.id, "group": self.group,
               "hash": self.hash, "verdict": self.verdict, "reason": self.reason}
        return orjson.dumps(row).decode("utf-8")


def parse_judgements(lines: Iterable[str]) -> list[Judgement]:
    """Judgements from the labels file; a malformed line is an error naming it."""
    out: list[Judgement] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
            j = Judgement(row["dataset"], row["code"], row["id"], row.get("group"), row["hash"], row["verdict"], row["reason"])
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"labels line {number}: {exc}") from exc
        if j.verdict not in ("true", "false"):
            raise ValueError(f"labels line {number}: verdict must be 'true' or 'false', not {j.verdict!r}")
        out.append(j)
    return out


@dataclass
class Joined:
    judged: list[tuple[Flag, Judgement]]  # flags with a current judgement (sampled or not)
    pending: list[Flag]  # sampled flags without one
    stale: dict[tuple[str, str, str], Judgement]  # pending flags whose old judgement no longer matches
    unused: list[Judgement]  # judgements matching no current flag


def join(sampled: Sequence[Flag], judgements: Sequence[Judgement], extra: Sequence[Flag] = ()) -> Joined:
    """Match judgements to flags by (dataset, code, id) and fingerprint.

    ``extra`` are flagged but unsampled flags that have a judgement key: a judgement
    made earlier stays evidence while its record is still flagged with the same text.
    """
    by_key: dict[tuple[str, str, str], list[Judgement]] = defaultdict(list)
    for j in judgements:
        by_key[j.key].append(j)
    used: set[int] = set()
    judged: list[tuple[Flag, Judgement]] = []
    pending: list[Flag] = []
    stale: dict[tuple[str, str, str], Judgement] = {}
    seen: set[tuple[tuple[str, str, str], str | None]] = set()
    for i, f in enumerate([*sampled, *extra]):
        if (f.key, f.group) in seen:
            continue
        seen.add((f.key, f.group))
        digest = f.fingerprint()
        match = next((j for j in by_key.get(f.key, ()) if j.hash == digest and id(j) not in used), None)
        if match is not None:
            used.add(id(match))
            judged.append((f, match))
        elif i < len(sampled):
            pending.append(f)
            if by_key.get(f.key):
                stale[f.key] = by_key[f.key][0]
    unused = [j for j in judgements if id(j) not in used]
    return Joined(judged, pending, stale, unused)


@dataclass
class CodeRow:
    code: str
    default_severity: str
    seen_severities: set[str]
    flagged: dict[str, int]
    sampled: int
    judged: int
    true: int
    per_dataset: dict[str, tuple[int, int]]  # dataset -> (judged, true)

    @property
    def bar(self) -> float | None:
        worst = max([self.default_severity, *self.seen_severities], key=lambda s: SEVERITY_RANK.get(s, 0))
        return BARS.get(worst)

    @property
    def precision(self) -> float:
        return self.true / self.judged if self.judged else math.nan

    @property
    def weighted(self) -> float:
        """Precision over all flags: each dataset's judged precision weighted by its flagged count."""
        num = den = 0.0
        for d, n in self.flagged.items():
            judged, true = self.per_dataset.get(d, (0, 0))
            if judged:
                num += n * true / judged
                den += n
        return num / den if den else math.nan

    @property
    def status(self) -> str:
        if not self.judged:
            return "not judged" if sum(self.flagged.values()) else "not raised"
        if self.bar is None:
            return "info (no bar)"
        return "meets bar" if self.precision >= self.bar else "BELOW BAR"


def summarise(codes: Mapping[str, str], flags: Sequence[Flag], sampled: Sequence[Flag], joined: Joined) -> list[CodeRow]:
    """One row per code in ``codes`` (code -> default severity), flagged or not."""
    rows: dict[str, CodeRow] = {
        c: CodeRow(c, sev, set(), {}, 0, 0, 0, {}) for c, sev in sorted(codes.items())
    }
    seen: set[tuple[tuple[str, str, str], str | None]] = set()
    for f in flags:
        row = rows.get(f.code)
        if row is None or (f.key, f.group) in seen:
            continue
        seen.add((f.key, f.group))
        row.flagged[f.dataset] = row.flagged.get(f.dataset, 0) + 1
        row.seen_severities.add(f.severity)
    for f in sampled:
        if f.code in rows:
            rows[f.code].sampled += 1
    for f, j in joined.judged:
        row = rows.get(f.code)
        if row is None:
            continue
        row.judged += 1
        judged, true = row.per_dataset.get(f.dataset, (0, 0))
        hit = j.verdict == "true"
        row.true += hit
        row.per_dataset[f.dataset] = (judged + 1, true + hit)
    return list(rows.values())


def _pct(x: float) -> str:
    return "–" if math.isnan(x) else f"{100 * x:.0f} %"


def render_table(rows: Sequence[CodeRow]) -> str:
    lines = [
        "| code | default severity (seen) | bar | flagged | sampled | judged | true | precision [95 % CI] | weighted by flags | status |",
        "|---|---|---:|---|---:|---:|---:|---|---:|---|",
    ]
    for r in rows:
        seen = sorted(r.seen_severities - {r.default_severity}, key=lambda s: SEVERITY_RANK.get(s, 0))
        severity = r.default_severity + (f" ({', '.join(seen)})" if seen else "")
        flagged = "; ".join(f"{d} {n:,}" for d, n in sorted(r.flagged.items(), key=lambda kv: (-kv[1], kv[0]))) or "0"
        low, high = wilson(r.true, r.judged)
        precision = f"{_pct(r.precision)} [{_pct(low)}–{_pct(high)}]" if r.judged else "–"
        bar = "–" if r.bar is None else _pct(r.bar)
        lines.append(
            f"| {r.code} | {severity} | {bar} | {flagged} | {r.sampled} | {r.judged} | {r.true} | {precision} | {_pct(r.weighted)} | {r.status} |"
        )
    return "\n".join(lines)


def render_per_dataset(rows: Sequence[CodeRow]) -> str:
    lines = ["| code | dataset | flagged | judged | true | precision |", "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        for d in sorted(r.flagged):
            judged, true = r.per_dataset.get(d, (0, 0))
            lines.append(f"| {r.code} | {d} | {r.flagged[d]:,} | {judged} | {true} | {_pct(true / judged) if judged else '–'} |")
    return "\n".join(lines)


def replace_section(document: str, name: str, body: str) -> str:
    """Replace the text between ``<!-- ledger:NAME -->`` and ``<!-- /ledger:NAME -->``
    (appending the section when the markers are missing); the rest stays as written."""
    start, end = f"<!-- ledger:{name} -->", f"<!-- /ledger:{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in document and end in document:
        head, rest = document.split(start, 1)
        _, tail = rest.split(end, 1)
        return head + block + tail
    return document.rstrip() + "\n\n" + block + "\n"
