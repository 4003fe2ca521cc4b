"""What kind of task the data is, per task group, and which repeated inputs with different outputs contradict.

Shared judgement of the duplicates, count (through ``checks.effective``),
quality and coverage checks: the task type decides whether short outputs and
length rules apply and whether several outputs per input are valid by
design. A file mixing tasks is judged per task group (``task_groups``): the
records' category or template field, else the prompt wording their inputs
share (``auditor.features.template_nodes``), each group with its kind (a
label from a closed set, a short answer, open generation, generation). The thresholds are the checks' config (``task``,
``duplicates.open_*``); the facts they judge (hashes, repeated-input groups)
are engine features in ``auditor.features``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from auditor.core.columns import Coded, index_width, width_for
from auditor.core.context import Context
from auditor.core.partitioned import Partitions
from auditor.features import (
    HASHES,
    REPEATED_INPUTS,
    TEMPLATE_NODES,
    TemplateNodes,
    group_field,
    input_groups,
    norm_outputs,
    normalizer,
    output_runs,
    raw_output_words,
    template_nodes,
)
from auditor.similarity import Normalizer


def task_type(ctx: Context) -> str:
    """The configured task type, or a guess from the outputs when 'auto'.

    Classification: outputs are short labels drawn from a small set (at most
    50 distinct values covering at least 90% of records, median length at
    most three words). Anything else is treated as generation; 'open' (several
    valid outputs per input) is never guessed for the whole dataset, since a
    wrong guess would hide real contradictions; ``conflict_split`` may find it
    per category (template), where the evidence is much stronger.
    """
    configured = str(ctx.config["task"])
    if configured != "auto":
        return configured
    return guess_task(ctx.cached(output_runs).sizes, lambda: _median_words(ctx))


def _median_words(ctx: Context) -> int:
    return _median(ctx.cached(output_words))


def words_of(norm: Normalizer, texts: Sequence[str]) -> np.ndarray:
    """Word counts of normalised texts, as the task-type rule counts them."""
    if norm.whitespace:  # single spaces only: counting them is splitting, without the lists
        return np.fromiter((t.count(" ") + 1 if t else 0 for t in texts), np.int64, len(texts))
    return np.fromiter((len(t.split()) for t in texts), np.int64, len(texts))


def _median(words: np.ndarray) -> int:
    """The upper median, a word count of the data itself."""
    n = len(words)
    return int(np.partition(words, n // 2)[n // 2])


def guess_task(sizes: np.ndarray, median_words: Callable[[], int]) -> str:
    """The task-type rule of ``task_type`` on the records per distinct normalised output.

    ``median_words`` is asked only when the counts allow classification.
    """
    records, distinct_outputs = int(sizes.sum()), len(sizes)
    if records == 0:
        return "generation"
    top50_records = int(np.sort(sizes)[::-1][:50].sum())
    if top50_records < 0.9 * records or distinct_outputs > max(50, records // 20):
        return "generation"  # decided without looking at a single word
    if median_words() <= 3:
        return "classification"
    return "generation"


# --- repeated inputs: contradictions, or several valid outputs by design -------


@dataclass(frozen=True)
class ConflictSplit:
    """Input groups with different outputs, split into contradictions and open-task groups.

    ``open_categories`` are the task groups judged open (several valid outputs
    per input by design); ``open_reason`` says why groups count as open.
    """

    contradictions: list[list[int]]
    open_groups: list[list[int]]
    open_categories: tuple[str, ...] = ()
    open_reason: str = ""
    equivalent: tuple[list[int], ...] = ()  # outputs that are one answer in other words (``same_answer``)

    @property
    def contradicting_records(self) -> int:
        return sum(len(g) for g in self.contradictions)


def conflict_split(ctx: Context) -> ConflictSplit:
    """Which repeated inputs with different outputs are contradictions (``_conflict_split``).

    Outputs that are one answer in other words (``same_answer``: a comma, a
    wrapper word, the same tool call worded differently) are left out first:
    they disagree on nothing.
    """
    groups = ctx.cached(input_groups)
    outputs, inputs = ctx.dataset.outputs, ctx.dataset.inputs
    equivalent = tuple(g for g in groups.conflicts if _one_answer([outputs[i] for i in g], lambda: inputs[g[0]]))
    split = _conflict_split(ctx)
    if not equivalent:
        return split
    same = {g[0] for g in equivalent}
    return ConflictSplit(
        [g for g in split.contradictions if g[0] not in same],
        split.open_groups,
        split.open_categories,
        split.open_reason,
        equivalent,
    )


_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NEGATIONS = frozenset({"not", "no", "never", "t", "cannot", "none", "nor", "neither", "nothing", "without"})
SAME_ANSWER = 0.9  # word-set Jaccard between every two long outputs
_LONG = 20  # words: below it one changed word is a tenth of the text ("a glowing review" / "a scathing review")
# A tool call whose argument is one quoted query: news('latest Mars rover news'), wolfram("100 USD to EUR").
_CALL = re.compile(r"\b([A-Za-z_]\w*)\(\s*(?:'([^'\n]*)'|\"([^\"\n]*)\")\s*\)")
_PREFIX = 3  # letters a word shares with a longer one it begins, to match it (EUR / Euros, vaccine / vaccines)


def same_answer(outputs: Sequence[str], prompt: str = "") -> bool:
    """Whether different outputs are one answer in other words, so they contradict nothing.

    The same words in the same order, punctuation aside ("The capital of France
    is wolfram(...)." / "The capital of France is: wolfram(...)"), or long
    outputs (20 words or more) sharing 90% of their words with the same
    numbers and no negation among the words that differ ("taiwan share prices
    closed down …" / "taiwan shares closed down …"), or the same tool calls
    (``same_action``, given the ``prompt`` that offers the tools). A changed
    number, a "not", or one word of a short output is a different answer.
    """
    words = [_WORD.findall(o.lower()) for o in outputs]
    if all(w == words[0] for w in words[1:]):
        return True
    if prompt and same_action(outputs, prompt):
        return True
    if min(len(w) for w in words) < _LONG:
        return False
    numbers = [sorted(_NUMBER.findall(o)) for o in outputs]
    if any(n != numbers[0] for n in numbers[1:]):
        return False
    for a, b in itertools.combinations([set(w) for w in words], 2):
        if len(a & b) < SAME_ANSWER * len(a | b) or (a ^ b) & _NEGATIONS:
            return False
    return True


def _one_answer(outputs: Sequence[str], prompt: Callable[[], str]) -> bool:
    """``same_answer``, reading the prompt (a lazy column in a partitioned run) only for outputs that call a tool."""
    return same_answer(outputs, prompt() if any(_CALL.search(o) for o in outputs) else "")


def same_action(outputs: Sequence[str], prompt: str) -> bool:
    """Whether tool-use outputs to one prompt make the same calls, however each wraps or words them.

    A tool-use example's target is its action: which of the tools the prompt
    offers it calls (a name the prompt shows as ``name(``) with which query.
    The query is free words the tool resolves, so two outputs act alike when
    every output calls a tool, they call the same tools as often, carry the
    same numbers (as a set: a number in the sentence and again in the query
    is one number) and no negation among the words they do not share, and
    each pair of calls to one tool looks up the same thing: more than half of
    one query's content words (stop words aside, a word matching one it
    begins) occur in the other output, its query or its sentence. That
    admits a query worded differently ("Mars rover mission" / "latest Mars
    Rover mission news", "100 USD to EUR" / "100 USD to Euros") and an output
    that answers and cites the tool beside one that defers to it ("… was
    Abraham Lincoln. Learn more: wikipedia('Abraham Lincoln')" / "… was
    wikipedia('16th president of the United States')": the first names the
    second's query). Another tool, another number, a query about something
    else ("weather in Paris" / "London weather"), or a call of a name the
    prompt does not offer (code: ``print('…')``) is a different answer.
    The sentence around the calls is not compared beyond its numbers and
    negations: telling its claims apart needs meaning.
    """
    calls = [[(m[1], m[2] if m[2] is not None else m[3]) for m in _CALL.finditer(o)] for o in outputs]
    offered = {name for c in calls for name, _ in c if re.search(r"\b" + re.escape(name) + r"\(", prompt)}
    if not all(c and all(name in offered for name, _ in c) for c in calls):
        return False
    names = [sorted(name for name, _ in c) for c in calls]
    numbers = [set(_NUMBER.findall(o)) for o in outputs]
    if any(n != names[0] for n in names[1:]) or any(n != numbers[0] for n in numbers[1:]):
        return False
    words = [set(_WORD.findall(o.lower())) for o in outputs]
    if any((a ^ b) & _NEGATIONS for a, b in itertools.combinations(words, 2)):
        return False
    stop = _stop_words()
    for (ca, wa), (cb, wb) in itertools.combinations(zip(calls, words), 2):
        for name in set(names[0]):
            for qa, qb in zip((q for n, q in ca if n == name), (q for n, q in cb if n == name)):
                if not (_WORD.findall(qa.lower()) == _WORD.findall(qb.lower()) or _names_mostly(qa, wb, stop) or _names_mostly(qb, wa, stop)):
                    return False
    return True


def _names_mostly(query: str, words: set[str], stop: frozenset[str]) -> bool:
    """Whether more than half of the query's content words occur in ``words`` (a word matching one it begins)."""
    content = [w for w in _WORD.findall(query.lower()) if w not in stop] or _WORD.findall(query.lower())
    found = sum(1 for w in content if w in words or any(_begins(w, x) for x in words))
    return 2 * found > len(content)


def _begins(a: str, b: str) -> bool:
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= _PREFIX and long.startswith(short)


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # lazy: only tool-call outputs need it

    return frozenset(ENGLISH_STOP_WORDS)


def _conflict_split(ctx: Context) -> ConflictSplit:
    """Which repeated inputs with different outputs are contradictions.

    Task 'open' (configured): none are. Task 'auto': those of task groups
    judged open (``task_groups``: at least ``duplicates.open_min_groups`` of
    the group's repeated inputs, and at least ``duplicates.open_share`` of
    them, have several outputs; label noise hits a minority of repeats, a
    generate-a-review template hits them all) are several valid outputs, the
    others contradictions. A file that is one task, and the records sharing no
    template wording, are never judged open: a wrong guess would hide real
    contradictions. Any other configured task: every such group contradicts.
    """
    groups = ctx.cached(input_groups)
    kind = ctx.cached(task_type)
    if kind == "open":
        return ConflictSplit([], list(groups.conflicts), (), "task = 'open'")
    if str(ctx.config["task"]) != "auto" or not groups.conflicts:
        return ConflictSplit(list(groups.conflicts), [])
    tasks = ctx.cached(task_groups)
    is_open = np.array([g.kind == OPEN for g in tasks.groups], np.bool_)
    opened = [g for g in groups.conflicts if is_open[tasks.of_record[g[0]]]]
    if not opened:
        return ConflictSplit(list(groups.conflicts), [])
    contradictions = [g for g in groups.conflicts if not is_open[tasks.of_record[g[0]]]]
    names = tuple(sorted({tasks.groups[tasks.of_record[g[0]]].name for g in opened}))
    share = float(ctx.config["duplicates.open_share"])
    min_groups = int(ctx.config["duplicates.open_min_groups"])
    reason = (
        f"in {_plural(len(names), 'task group')} ({tasks.described}) at least {share:.0%} of repeated inputs (and at "
        f"least {min_groups}) have several outputs, so several outputs are valid there by design"
    )
    return ConflictSplit(contradictions, opened, names, reason)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


# --- task groups and their kinds ----------------------------------------------

LABEL, SHORT, OPEN, GENERATION = "label", "short", "open", "generation"
#: What each kind means, for the report.
KINDS = {
    LABEL: "a label from a small closed set",
    SHORT: "a short answer",
    OPEN: "open generation, several valid outputs per input",
    GENERATION: "generation",
}
REST = "(no shared wording)"  # the inferred group of records whose input holds no template wording
WHOLE = "(whole file)"  # the one group of a file that has no task field and no shared wording
_SHORT_WORDS = 3  # a median output of at most three words: labels or short answers (the task-type rule)
_PHRASE_WORDS = 12  # five outputs of a phrase's length covering the group are labels spelt out
_LABEL_COVER = 0.9  # the most frequent outputs cover 90% of the group's records: a closed set
_OWN_WORDING = 4  # k-grams of its own wording that keep a template node a group of its own


@dataclass(frozen=True)
class TaskGroup:
    name: str
    kind: str  # LABEL, SHORT, OPEN or GENERATION
    records: int
    wording: tuple[str, ...] = ()  # an inferred group's template wording, slots left out

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "records": self.records}
        if self.wording:
            out["wording"] = list(self.wording)
        return out


@dataclass(frozen=True)
class TaskGroups:
    """Every record's task group (``of_record`` indexes ``groups``) and where the groups came from.

    ``source``: "category" or a field's name (the records name their task),
    "inferred" (the prompt wording their inputs share), or "none" (one task).
    """

    source: str
    groups: tuple[TaskGroup, ...]
    of_record: np.ndarray

    @property
    def described(self) -> str:
        if self.source == "inferred":
            return "grouped by the instruction wording their inputs share"
        if self.source == "none":
            return "the file as one task"
        return f"grouped by the {self.source} field"

    def values(self) -> Sequence[str]:
        """Each record's group name: the per-record grouping the quality rules judge within
        (codes into the names, a Sequence of str: no string pointer per record)."""
        return Coded(self.of_record, [g.name for g in self.groups])

    def kinds(self) -> np.ndarray:
        """Each record's group kind."""
        return np.array([g.kind for g in self.groups], dtype=object)[self.of_record] if len(self.of_record) else np.zeros(0, object)

    def to_metrics(self, limit: int = 100) -> dict[str, Any]:
        ranked = sorted(self.groups, key=lambda g: (-g.records, g.name))
        counts = {k: sum(1 for g in self.groups if g.kind == k) for k in KINDS}
        return {
            "source": self.source,
            "count": len(self.groups),
            "kinds": {k: v for k, v in counts.items() if v},
            "groups": [g.to_dict() for g in ranked[:limit]],
        }


def task_grouping(ctx: Context) -> tuple[str, Sequence[str]] | None:
    """The grouping the output-shape rules judge within (its name, each record's group), or None for one task.

    The seam of the quality check: a template, source or category field, else
    the inferred prompt-template groups.
    """
    tasks = ctx.cached(task_groups)
    if tasks.source == "none":
        return None
    return ("task group" if tasks.source == "inferred" else tasks.source), tasks.values()


class _Evidence:
    """What a group's kind is judged from, per record: output identity, output words, repeated inputs."""

    def __init__(self, ctx: Context) -> None:
        n = len(ctx.dataset)
        runs = ctx.cached(output_runs)
        width = index_width(n)  # 4 bytes a record while positions fit: a partitioned run's driver holds these for every record
        self.output = runs.run_ids()  # per record, its distinct output's number
        self.words = ctx.cached(output_words)
        repeats = ctx.cached(input_groups)
        self.repeat = np.full(n, -1, width)  # per record, its repeated input (-1: not repeated)
        both = [*repeats.conflicts, *repeats.redundant]
        for k, g in enumerate(both):
            self.repeat[g] = k
        self.varied = np.zeros(len(both), np.bool_)
        self.varied[: len(repeats.conflicts)] = True
        self.min_records = int(ctx.config["tasks.min_records"])
        self.min_open = int(ctx.config["duplicates.open_min_groups"])
        self.open_share = float(ctx.config["duplicates.open_share"])
        configured = str(ctx.config["task"])
        self.configured = configured
        self.file_kind = ctx.cached(task_type)

    def kind(self, records: np.ndarray, may_be_open: bool) -> str:
        """The kind of the task the records form.

        Label: the most frequent max(5, min(50, n / 10)) outputs cover 90% of
        the records and the median output has at most three words (for 500
        records or more, the file-level classification rule), or five outputs
        of at most twelve words (median) cover 90%: labels spelt out as phrases. Open: see
        ``conflict_split``. Short answer: a median of at most three words.
        Under ``tasks.min_records`` records the file-level task type stands
        in for the label rule: too few outputs to tell a closed set.
        """
        n = len(records)
        if n == 0:
            return GENERATION
        words = self.words[records]
        median = int(np.partition(words, n // 2)[n // 2])
        if self.configured == "classification":
            return LABEL
        if self.configured == "open":
            return OPEN
        if self.configured == "auto":
            if n >= self.min_records:
                counts = np.sort(np.unique(self.output[records], return_counts=True)[1])[::-1]
                if median <= _SHORT_WORDS and counts[: max(5, min(50, n // 10))].sum() >= _LABEL_COVER * n:
                    return LABEL
                if median <= _PHRASE_WORDS and counts[:5].sum() >= _LABEL_COVER * n:
                    return LABEL  # verbalised labels: "They didn't like it!", "not impacting any step"
            elif self.file_kind == "classification":
                return LABEL
            if may_be_open:
                repeated = np.unique(self.repeat[records])
                repeated = repeated[repeated >= 0]
                varied = int(self.varied[repeated].sum())
                if varied >= self.min_open and varied >= self.open_share * len(repeated):
                    return OPEN
        return SHORT if median <= _SHORT_WORDS else GENERATION


def task_groups(ctx: Context) -> TaskGroups:
    """Every record's task group and the kind of each: a field that names the task, else inferred wording.

    Without a field, template nodes (``features.template_nodes``) become groups
    bottom-up: a node with ``tasks.min_records`` records or more stays a group
    of its own when its kind differs from the rest of its parent's records or
    its own wording is substantial (four k-grams or more, a template's own
    instruction rather than a shared phrase); otherwise it joins its parent.
    A file with neither is one group whose kind is the file's task type.
    """
    n = len(ctx.dataset)
    evidence = _Evidence(ctx)
    field = ctx.cached(group_field)
    if field is not None:
        if isinstance(field.values, Coded):  # a partitioned run's column: the same numbering from its codes
            coded = field.values.relabel(_named)
            of_record, real = coded.codes, coded.values
        else:
            index: dict[str, int] = {}
            of_record = np.fromiter((index.setdefault(_named(v), len(index)) for v in field.values), np.int64, n)
            real = list(index)
        members = _members(of_record, len(real))
        groups = tuple(
            TaskGroup(name, evidence.kind(members[k], field.values[int(members[k][0])] is not None), len(members[k]))
            for k, name in enumerate(real)
        )
        return TaskGroups(field.name, groups, of_record)
    nodes = ctx.cached(template_nodes)
    if nodes.found:
        inferred = _inferred(nodes, evidence)
        if len(inferred.groups) > 1:
            return inferred
        # Shared wording that leaves one group (a set-wide prefix, a few phrases merged back) is one task:
        # judged as the file, never opened (chosen vs rejected replies to one prompt must stay contradictions).
    # One task: its kind is the file's task type, as every rule judged it before groups existed.
    words = evidence.words
    median = int(np.partition(words, n // 2)[n // 2]) if n else 0
    kind = {"classification": LABEL, "open": OPEN}.get(evidence.file_kind, SHORT if median <= _SHORT_WORDS else GENERATION)
    return TaskGroups("none", (TaskGroup(WHOLE, kind, n),), np.zeros(n, np.int8))


def _named(value: str | None) -> str:
    return "(none)" if value is None else value


def _members(of_record: np.ndarray, count: int) -> list[np.ndarray]:
    order = np.argsort(of_record, kind="stable")
    bounds = np.searchsorted(of_record[order], np.arange(count + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(count)]


def _inferred(nodes: TemplateNodes, evidence: _Evidence) -> TaskGroups:
    tree = nodes.tree
    size = len(tree)
    members = _members(nodes.node + 1, size + 1)  # members[0]: the records under no node
    children: list[list[int]] = [[] for _ in range(size + 1)]
    for x, p in enumerate(tree.parents.tolist()):
        children[p + 1].append(x + 1)
    order: list[int] = []
    stack = [0]
    while stack:
        x = stack.pop()
        order.append(x)
        stack.extend(children[x])
    pool: list[np.ndarray] = [np.zeros(0, np.int64)] * (size + 1)
    kept: set[int] = set()
    for x in reversed(order):  # children before their parents
        records = np.concatenate([members[x], *(pool[c] for c in children[x])])
        for c in children[x]:
            if len(pool[c]) < evidence.min_records:
                continue
            rest = np.setdiff1d(records, pool[c], assume_unique=True)
            own = len(tree.signatures[c - 1]) >= _OWN_WORDING
            if own or (
                len(rest) >= evidence.min_records and evidence.kind(pool[c], True) != evidence.kind(rest, x != 0)
            ):
                kept.add(c)
                records = rest
        pool[x] = records
    finals = [x for x in order if x == 0 or x in kept]
    finals = [x for x in finals if len(pool[x])]
    of_record = np.zeros(len(nodes.node), width_for(len(finals)))
    groups: list[TaskGroup] = []
    for k, x in enumerate(finals):
        of_record[pool[x]] = k
        wording = tuple(tree.wording(x - 1)) if x else ()
        name = REST if x == 0 else f"template {k}: " + " … ".join(wording)[:80]
        groups.append(TaskGroup(name, evidence.kind(pool[x], x != 0), len(pool[x]), wording))
    return TaskGroups("inferred", tuple(groups), of_record)


def repeats_by_design(ctx: Context) -> np.ndarray:
    """Per record, whether its task group's outputs repeat across different inputs by design (bool).

    Labels do; so do short answers when the task is guessed ('auto'): a
    multiple-choice letter, "more" or "less", a yes/no answer recur across
    the inputs of one task. With task = 'generation' set, only labels do.
    """
    tasks = ctx.cached(task_groups)
    kinds = (LABEL, SHORT) if str(ctx.config["task"]) == "auto" else (LABEL,)
    by_group = np.array([g.kind in kinds for g in tasks.groups], np.bool_)
    return by_group[tasks.of_record]


def output_words(ctx: Context) -> np.ndarray:
    """Per record, the word count of its normalised output (as the task-type rule counts words):
    ``words_of`` the normalised outputs, counted from the written ones (normalising every output
    again for it cost more than the rule; the coverage check reads the written counts too)."""
    return ctx.cached(normalizer).word_counts(ctx.dataset.outputs, ctx.cached(raw_output_words))


class TaskWords:
    """``task_type`` in a partitioned run (``auditor.core.partitioned.PartitionedFeature``).

    The rule needs the records per distinct output (from the hashes) and the
    median word count of the normalised outputs, which each partition counts
    while its outputs are in memory.
    """

    requires = (HASHES,)

    def measure(self, part: Context) -> np.ndarray:
        # 32-bit counts (a text of 2 billion words aside): sent to and held per record on a partitioned run's driver.
        return _words32(words_of(part.cached(normalizer), part.cached(norm_outputs)))

    def merge(self, ctx: Context, parts: Sequence[np.ndarray], partitions: Partitions) -> None:
        words = np.concatenate([_words32(p) for p in parts]) if parts else np.zeros(0, np.int64)
        ctx.provide(output_words, words)
        configured = str(ctx.config["task"])
        kind = configured if configured != "auto" else guess_task(ctx.cached(output_runs).sizes, lambda: _median(words))
        ctx.provide(task_type, kind)


def _words32(words: np.ndarray) -> np.ndarray:
    return words.astype(np.int32, copy=False) if int(words.max(initial=0)) < 2**31 else words


TASK_WORDS = TaskWords()

#: The partitioned features ``task_groups`` reads (the kinds need the repeated inputs and the word counts).
TASK_GROUP_FEATURES = (HASHES, REPEATED_INPUTS, TASK_WORDS, TEMPLATE_NODES)
