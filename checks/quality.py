"""QLT: the quality of each record: empty, short, truncated, over-long, refusing,
boilerplate, personal-data, badly encoded and malformed-chat records.

One pass over the texts runs every per-text rule (compiled patterns with cheap
substring prefilters, see ``checks/quality_rules``); the dataset-wide rules
(length outliers, short outputs against their group's norm) then work on the
arrays that pass collected. Every finding is broken down by the grouping
fields the records carry (template, source, category): a defect concentrated
in a few groups is named as one systematic cause.

Secrets and personal data are reported by kind and record only; the matched
text never reaches a message or a detail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from auditor.core.context import Context
from auditor.core.findings import CheckResult, CodeInfo, Finding, Severity
from auditor.core.partitioned import PartitionedFeature
from auditor.core.records import Dataset
from auditor.features.tokens import AUTO, Budget, TokenCounter, token_budget, token_counter
from auditor.privacy.pii import LABELS, NOT_PERSONAL_SHORT, PII_KINDS, SECRET_KINDS
from checks.quality_rules.chat import PROBLEMS as CHAT_PROBLEMS
from checks.quality_rules.chat import chat_problems
from checks.quality_rules.groups import Breakdown, GroupField, breakdown, members
from checks.quality_rules.output_shape import CAPPED, CapFound, capped_outputs, length_outliers, short_outputs, styled_groups
from checks.quality_rules.scan import ScanResult, options_from, scan
from checks.quality_rules.scan import merge as merge_scans
from checks.quality_rules.truncation import UNPUNCTUATED, endings
from checks.tasks import TASK_WORDS, task_type

#: A set is judged to teach refusals (see ``QualityCheck._refusals``) only from this many
#: refusals on: two or three say nothing about the set.
SAFETY_SET_MIN = 5

EMPTY_INPUT = CodeInfo(
    code="QLT001",
    symbol="empty-input",
    severity=Severity.WARNING,
    summary="Records whose input is empty or whitespace only.",
    why="An example with no prompt teaches the model to produce its output unprompted; it is usually an export "
    "that lost the input field.",
    fix="Restore the missing inputs from the source, or drop these records.",
    threshold="any record",
)
EMPTY_OUTPUT = CodeInfo(
    code="QLT002",
    symbol="empty-output",
    severity=Severity.BLOCKER,
    summary="Records whose output is empty or whitespace only.",
    why="Training on an empty target teaches the model to answer with nothing; a batch of them usually comes "
    "from one broken labelling or export step.",
    fix="Write the missing outputs or drop the records; when they cluster in a few templates or sources, fix "
    "that step first.",
    threshold="any record",
)
SHORT_OUTPUT = CodeInfo(
    code="QLT003",
    symbol="short-output",
    severity=Severity.WARNING,
    summary="Outputs of a word or two where the input asks for a piece of writing, an explanation or several things.",
    why="A one- or two-word answer to 'write a review' or 'list five ways' is usually a placeholder, a cut export or a "
    "label in the wrong field, and teaches the model to answer curtly.",
    fix="Rewrite the outputs in full, or drop them. Labels, short answers, code, regexes and tool calls are whole "
    "answers in a word or two and are not flagged.",
    threshold="quality.min_output_words = 3 words, in groups whose median output has at least "
    "quality.short_output_norm_words = 10 words, where the input asks for writing, an explanation or several things; "
    "never for classification",
)
TRUNCATED = CodeInfo(
    code="QLT004",
    symbol="truncated-output",
    severity=Severity.WARNING,
    summary="Outputs with evidence of a cut: many outputs stopped at one length cap, an unclosed code fence or JSON "
    "document, a list ending on its marker, an ending no finished text has, or prose stopping mid-sentence.",
    why="A model trained on cut-off answers learns to stop mid-thought; truncation usually comes from a length "
    "limit in generation or export.",
    fix="Regenerate or complete the outputs, or drop them; look for a max-length setting in the step that "
    "produced them. Lists ending on their last item, source lines, signatures, code and quoted messages are not "
    "flagged.",
    threshold="a length cap found in the data's own length distribution; stop-without-punctuation only after "
    "closed sentences, on a last sentence of quality.truncation_min_words = 3 words (or a word cut short)",
)
LENGTH_OUTLIER = CodeInfo(
    code="QLT005",
    symbol="length-outlier",
    severity=Severity.INFO,
    summary="Inputs or outputs far longer or shorter than the rest of their group that show a problem: a text "
    "repeating itself, an output holding several records, an input of a word or two, an output too short for its ask.",
    why="Extreme lengths are often pasted logs, concatenated records or stubs, and very long examples dominate "
    "the loss of a batch; an odd length that is natural for its task (a long context, a short answer) is not reported.",
    fix="Read the listed records; split, trim or drop the ones that are not real examples.",
    threshold="modified z-score above quality.outlier_z = 3.5 on log length within the group, and a problem shown",
)
OVER_TOKENS = CodeInfo(
    code="QLT006",
    symbol="over-token-limit",
    severity=Severity.BLOCKER,
    summary="Records whose input plus output exceed the token budget.",
    why="Trainers cut or drop examples longer than the context; a cut example loses the end of its output, the "
    "part the model is meant to learn.",
    fix="Shorten or split the records, drop them, or set quality.max_tokens (or quality.model_family) to your "
    "training context.",
    threshold="quality.max_tokens = 8192 tokens, or the context of quality.model_family; counted exactly where "
    "quality.tokenizer has a tokenizer offline (records that could exceed the budget), else estimated",
)
REFUSAL = CodeInfo(
    code="QLT007",
    symbol="refusal",
    severity=Severity.WARNING,
    summary="Outputs that refuse an ordinary request or speak as an AI model ('As an AI language model', "
    "'I'm sorry, but I cannot').",
    why="Refusals copied from a model teach the fine-tuned model to refuse ordinary requests and to sound like "
    "the model the data came from. Declining a request that looks harmful (weapons, crime, someone's address) is "
    "the intended reply and is not flagged.",
    fix="Replace them with real answers or drop them; keep them only when teaching refusals is the point "
    "(then ignore QLT007).",
    threshold="built-in phrases plus quality.refusal_phrases, where the request shows no harm cue; in a set whose "
    "refusals mostly answer harmful requests (quality.safety_set_share) only outputs speaking as an AI model",
)
BOILERPLATE = CodeInfo(
    code="QLT008",
    symbol="boilerplate",
    severity=Severity.WARNING,
    summary="Outputs holding placeholder text (<noinput>, TODO, lorem ipsum, [insert ...]) that the input does not "
    "give as the task's data.",
    why="Placeholders are unfinished labelling; the model learns to emit them.",
    fix="Finish the outputs or drop them.",
    threshold="built-in phrases plus quality.boilerplate_phrases",
)
PERSONAL_DATA = CodeInfo(
    code="QLT009",
    symbol="personal-data",
    severity=Severity.WARNING,
    summary="Records containing personal data: e-mail addresses, phone numbers, card numbers (Luhn-checked), "
    "IBANs (checksum), national ids or IP addresses. Values that identify no one are counted, not flagged: "
    "reserved and placeholder values, toll-free and service numbers, organisations' role addresses and help "
    "lines, private and public-infrastructure addresses, the digits of a calculation.",
    why="A fine-tuned model can reproduce personal data from its training set verbatim; keeping it may also "
    "break data-protection law.",
    fix="Redact or pseudonymise the values (e.g. <EMAIL>), or drop the records; the report names the kind and "
    "the record, never the value.",
    threshold="any record; kinds in quality.pii_kinds",
)
SECRET = CodeInfo(
    code="QLT010",
    symbol="secret",
    severity=Severity.BLOCKER,
    summary="Records containing secrets: API keys or tokens, private-key blocks.",
    why="A model trained on a live credential can leak it to anyone who prompts for it, and the dataset itself "
    "now holds it.",
    fix="Revoke the credentials, then remove them from the records; the report never repeats them.",
    threshold="any record; kinds in quality.pii_kinds",
)
ENCODING = CodeInfo(
    code="QLT011",
    symbol="encoding-damage",
    severity=Severity.WARNING,
    summary="Texts with encoding damage: mojibake ('cafÃ©'), replacement characters, control characters.",
    why="Damaged characters are learned like any others; the model will produce 'â€™' for apostrophes.",
    fix="Re-export the source as UTF-8, or repair the text (e.g. with ftfy), then audit again.",
    threshold="any record",
)
MALFORMED_CHAT = CodeInfo(
    code="QLT012",
    symbol="malformed-chat",
    severity=Severity.WARNING,
    summary="Chats with structural problems: unknown roles, empty turns, a system turn not first, two user "
    "turns in a row, no final assistant turn.",
    why="Chat templates assume a well-formed turn order; a broken conversation is rendered wrongly or trains the "
    "model on the wrong speaker.",
    fix="Repair the turns (merge, reorder, fill or drop) or drop the conversation.",
    threshold="any record; quality.allow_consecutive_user = false",
)
MIXED_LANGUAGE = CodeInfo(
    code="QLT013",
    symbol="mixed-language",
    severity=Severity.WARNING,
    summary="Texts not in the language named by quality.language (offline script and stopword heuristic).",
    why="A few examples in another language teach the model to switch language unprompted.",
    fix="Translate or drop the records, or leave quality.language empty if the set is multilingual on purpose.",
    threshold="off unless quality.language is set; texts of at least 20 letters",
)

@dataclass
class Measures:
    """Everything the quality judgement needs from the texts, per record, and no text.

    Indices are record indices. A partitioned run measures each partition
    apart (indices from 0) and merges them with the partitions' first indices.
    """

    found: ScanResult
    in_chars: np.ndarray  # characters per input
    out_chars: np.ndarray
    out_words: np.ndarray  # spaces and newlines plus one: the fast word count the short-output norm uses
    tokens: np.ndarray | None  # input plus output tokens; None when the token budget is off
    chats: dict[str, list[int]] | None  # chat problem kind -> records; None when the records are not chats
    malformed_chats: int = 0
    tokens_counted: int = 0  # records whose tokens were counted exactly (the others could not exceed the budget)
    out_end: np.ndarray | None = None  # how each output ends: truncation.CLOSED, OPEN or ELLIPSIS (int8)
    out_tokens: np.ndarray | None = None  # output tokens, when counted exactly (a token cap shows only in them)

    def packed(self) -> Measures:
        """The per-record counts in 32 bits where they fit: what a partition sends to a partitioned run's driver,
        which holds them per record (16 bytes a record instead of 32); every rule reads them the same way."""
        def pack(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else _counts32(a)

        return replace(
            self,
            in_chars=_counts32(self.in_chars),
            out_chars=_counts32(self.out_chars),
            out_words=_counts32(self.out_words),
            tokens=pack(self.tokens),
            out_tokens=pack(self.out_tokens),
        )

    @classmethod
    def merge(cls, parts: Sequence[Measures], starts: Sequence[int]) -> Measures:
        """Measures of consecutive partitions (each indexed from 0; ``starts[k]`` is partition k's
        first record) as the measures of them all: exactly what one pass gives."""

        def cat(name: str) -> np.ndarray:
            arrays = [getattr(p, name) for p in parts]
            if not arrays:
                return np.zeros(0, np.int64)
            if all(a.dtype.kind == "i" and (not len(a) or int(a.max()) < 2**31) for a in arrays):
                arrays = [_counts32(a) for a in arrays]
            return np.concatenate(arrays)

        chats: dict[str, list[int]] | None = None
        if parts and parts[0].chats is not None:
            chats = {}
            for p, start in zip(parts, starts):
                for kind, indices in (p.chats or {}).items():
                    chats.setdefault(kind, []).extend(start + i for i in indices)
        tokens = None if not parts or parts[0].tokens is None else cat("tokens")
        out_tokens = None if not parts or parts[0].out_tokens is None else cat("out_tokens")
        return cls(
            merge_scans([p.found for p in parts], starts),
            cat("in_chars"),
            cat("out_chars"),
            cat("out_words"),
            tokens,
            chats,
            sum(p.malformed_chats for p in parts),
            sum(p.tokens_counted for p in parts),
            cat("out_end"),
            out_tokens,
        )


def _counts32(a: np.ndarray) -> np.ndarray:
    """Counts in 32 bits when every one fits (always, short of a 2-billion-character text)."""
    if a.dtype.kind == "i" and a.dtype.itemsize > 4 and (not len(a) or int(a.max()) < 2**31):
        return a.astype(np.int32)
    return a


def measure_texts(
    inputs: Sequence[str],
    outputs: Sequence[str],
    messages: Sequence[Any] | None,
    cfg: dict[str, Any],
    counter: TokenCounter,
    budget: int,
    advance: Callable[[int], None] = lambda n: None,
) -> Measures:
    """The one pass over the texts: every per-text rule, plus the per-record numbers the dataset-wide rules use."""
    found = scan(inputs, outputs, options_from(cfg), advance)
    n = len(outputs)
    in_chars = np.fromiter(map(len, inputs), dtype=np.int64, count=n)
    out_chars = np.fromiter(map(len, outputs), dtype=np.int64, count=n)
    out_words = np.fromiter((o.count(" ") + o.count("\n") + 1 for o in outputs), dtype=np.int64, count=n)
    out_end = endings(outputs)
    tokens, counted, out_tokens = None, 0, None
    if budget > 0:
        # Exact counts only for records that could exceed the budget: the decision stays exact.
        counts = counter.record_tokens(inputs, outputs, budget)
        tokens, counted = counts.tokens, counts.counted
        if counter.exact and str(cfg["tokenizer"]).strip() != AUTO:
            # A token cap shows only in exact counts of every output. Those cost a pass of the
            # tokenizer over all outputs (T0: 0.28 CPU s, +15 % of the check), so they are taken
            # when the user names the tokenizer their pipeline cut with, not for the default one.
            out_tokens = np.asarray(counter.count_many(outputs), dtype=np.int64)
    chats: dict[str, list[int]] | None = None
    bad = 0
    if messages is not None:
        chats = {}
        allow = bool(cfg["allow_consecutive_user"])
        for i, turns in enumerate(messages):
            problems = chat_problems(turns, allow)
            bad += bool(problems)
            for p in problems:
                chats.setdefault(p, []).append(i)
    return Measures(found, in_chars, out_chars, out_words, tokens, chats, bad, counted, out_end, out_tokens)


class QualityCheck:
    """Record quality: one pass of compiled per-text rules, then dataset-wide length rules.

    The pass over the texts (``measure_texts``) keeps per-record numbers and
    no text, and the judgement reads only those, so the check runs
    partitioned (``auditor.core.partitioned.PartitionedCheck``): each
    partition is measured apart, the measures merged, then judged.
    """

    name = "quality"
    codes = (
        EMPTY_INPUT,
        EMPTY_OUTPUT,
        SHORT_OUTPUT,
        TRUNCATED,
        LENGTH_OUTLIER,
        OVER_TOKENS,
        REFUSAL,
        BOILERPLATE,
        PERSONAL_DATA,
        SECRET,
        ENCODING,
        MALFORMED_CHAT,
        MIXED_LANGUAGE,
    )
    features: tuple[PartitionedFeature, ...] = (TASK_WORDS,)

    def run(self, ctx: Context) -> CheckResult:
        data = ctx.dataset
        cfg = ctx.config.section("quality")
        n = len(data)
        if n == 0:
            return CheckResult.skipped(self.name, "no valid records to judge")
        counter = ctx.cached(token_counter)  # fails early, before the long pass, on a bad tokenizer
        budget = token_budget(ctx.config)
        with ctx.progress.stage("quality: scanning records", total=n) as advance:
            measured = measure_texts(data.inputs, data.outputs, data.messages, cfg, counter, budget.tokens, advance)
        return self._judge(ctx, measured, counter)

    # -- partitioned: one partition's records measured in a worker, merged, judged ------

    def measure(self, part: Context) -> Measures:
        data, cfg = part.dataset, part.config.section("quality")
        counter = part.cached(token_counter)  # the engine keeps one per worker process
        return measure_texts(data.inputs, data.outputs, data.messages, cfg, counter, token_budget(part.config).tokens).packed()

    def merge(self, parts: Sequence[Measures], starts: Sequence[int]) -> Measures:
        return Measures.merge(parts, starts)

    def judge(self, ctx: Context, merged: Measures) -> CheckResult:
        return self._judge(ctx, merged, ctx.cached(token_counter))

    def _judge(self, ctx: Context, measured: Measures, counter: TokenCounter) -> CheckResult:
        """Findings from what the pass over the texts measured: the texts themselves are not needed.

        The in-memory run measures the whole dataset at once; a partitioned run
        measures each partition apart and merges (``Measures.merge``) first.
        """
        cfg = ctx.config.section("quality")
        n = len(ctx.dataset)
        if n == 0:
            return CheckResult.skipped(self.name, "no valid records to judge")
        task = ctx.cached(task_type)
        reporter = _Reporter(ctx, _group_fields(ctx, cfg["group_fields"]), cfg)
        found = measured.found
        findings: list[Finding] = []
        metrics: dict[str, Any] = {"records": n, "task_type": task}

        findings += self._emptiness(reporter, found, n, metrics)
        findings += self._short(reporter, measured, task, cfg, ctx.dataset, metrics)
        findings += self._truncated(reporter, measured, cfg, counter.name, metrics)
        findings += self._outliers(reporter, measured, task, cfg, ctx.dataset, metrics)
        findings += self._tokens(reporter, measured, counter, token_budget(ctx.config), metrics)
        findings += self._refusals(reporter, found, n, float(cfg["safety_set_share"]), metrics)
        findings += self._boilerplate(reporter, found, n, metrics)
        findings += self._pii(reporter, found, metrics)
        findings += self._encoding(reporter, found, metrics)
        findings += self._chats(reporter, measured, metrics)
        if cfg["language"]:
            findings += self._language(reporter, found, str(cfg["language"]), metrics)
        metrics["group_fields"] = [f.name for f in reporter.fields]
        return CheckResult(name=self.name, metrics=metrics, findings=tuple(findings))

    # -- one method per family of findings; each fills its metrics -------------------

    def _emptiness(self, rep: _Reporter, found: ScanResult, n: int, metrics: dict[str, Any]) -> list[Finding]:
        metrics["empty_inputs"] = len(found.empty_in)
        metrics["empty_outputs"] = len(found.empty_out)
        return _share_findings(
            rep,
            n,
            (EMPTY_OUTPUT, found.empty_out, "outputs", "are empty or whitespace only", "write the missing outputs or drop these records"),
            (EMPTY_INPUT, found.empty_in, "inputs", "are empty or whitespace only", "restore the missing inputs from the source or drop these records"),
        )

    def _short(
        self, rep: _Reporter, measured: Measures, task: str, cfg: dict[str, Any], data: Dataset, metrics: dict[str, Any]
    ) -> list[Finding]:
        min_words = int(cfg["min_output_words"])
        norm = int(cfg["short_output_norm_words"])
        candidates = measured.found.short_candidates
        if task == "classification" or not candidates:
            metrics["too_short_outputs"] = 0
            return []
        grouping = _task_grouping(rep)
        flagged = short_outputs(candidates, measured.out_words, grouping[1] if grouping else None, norm, data.inputs, data.outputs)
        metrics["too_short_outputs"] = len(flagged)
        if not flagged:
            return []
        return [
            rep.finding(
                SHORT_OUTPUT,
                flagged,
                f"{len(flagged):,} outputs have fewer than {min_words} words where the input asks for a piece of "
                f"writing, an explanation or several things (and the typical output of the group has {norm} or more)",
                "rewrite these outputs in full or drop them",
            )
        ]

    def _truncated(
        self, rep: _Reporter, measured: Measures, cfg: dict[str, Any], token_counting: str, metrics: dict[str, Any]
    ) -> list[Finding]:
        found = measured.found
        min_words = int(cfg["truncation_min_words"])
        grouping = _task_grouping(rep)
        values = grouping[1] if grouping else None
        by_reason = dict(found.truncated)
        unpunctuated = by_reason.pop(UNPUNCTUATED, [])
        out_end = measured.out_end if measured.out_end is not None else np.zeros(len(rep.ids), np.int8)
        styled = styled_groups(out_end, measured.out_words, values, min_words, float(cfg["unpunctuated_style_share"]))
        kept = [i for i in unpunctuated if (values[i] if values is not None else "") not in styled]
        if kept:
            by_reason[UNPUNCTUATED] = kept
        metrics["truncation_style_exempt"] = len(unpunctuated) - len(kept)
        lengths = [("characters", measured.out_chars)]
        if measured.out_tokens is not None:
            lengths.append((f"tokens ({token_counting})", measured.out_tokens))
        caps = capped_outputs(lengths, out_end, measured.out_words, values, min_words)
        capped = sorted({i for cap in caps for i in cap.records})
        if capped:
            by_reason[CAPPED] = capped
        metrics["length_caps"] = [cap.to_dict() for cap in caps]
        indices = sorted({i for members_ in by_reason.values() for i in members_})
        metrics["truncated_outputs"] = len(indices)
        metrics["truncated_by_reason"] = {r: len(m) for r, m in sorted(by_reason.items())}
        if not indices:
            return []
        reasons = ", ".join(
            f"{len(m):,} {_cap_reason(caps) if r == CAPPED else r}" for r, m in sorted(by_reason.items(), key=lambda t: -len(t[1]))
        )
        details: dict[str, Any] = {"reasons": metrics["truncated_by_reason"]}
        if caps:
            details["caps"] = metrics["length_caps"]
        return [
            rep.finding(
                TRUNCATED,
                indices,
                f"{len(indices):,} outputs look truncated ({reasons})",
                "complete or regenerate these outputs, and check the max-length setting that produced them",
                details=details,
            )
        ]

    def _outliers(
        self, rep: _Reporter, measured: Measures, task: str, cfg: dict[str, Any], data: Dataset, metrics: dict[str, Any]
    ) -> list[Finding]:
        z = float(cfg["outlier_z"])
        # Within the task group: a story template's outputs are long by design and are only outliers among themselves.
        grouping = _task_grouping(rep)
        parts = members(grouping[1]) if grouping else {"": np.arange(len(measured.in_chars))}
        where = f" of its {grouping[0]}" if grouping else ""
        sides: list[tuple[str, np.ndarray, Sequence[str]]] = [("input", measured.in_chars, data.inputs)]
        if task != "classification":
            sides.append(("output", measured.out_chars, data.outputs))
        found = length_outliers(sides, data.inputs, parts, z, int(cfg["min_output_words"]))
        metrics["length_outliers"] = sum(len(v) for v in found.flagged.values())
        metrics["length_outliers_natural"] = found.natural
        out: list[Finding] = []
        for (side, word), indices in sorted(found.flagged.items()):
            median = float(np.median(found.medians[side]))
            shows = ", ".join(f"{k:,} {why}" for why, k in found.shows[(side, word)].most_common())
            out.append(
                rep.finding(
                    LENGTH_OUTLIER,
                    indices,
                    f"{len(indices):,} {side}s are far {word} than the typical {side}{where} and show why ({shows}; "
                    f"modified z-score above {z:g} on log length; median {median:,.0f} characters)",
                    f"read these {side}s; split, trim or drop the ones that are not real examples",
                    details={"side": side, "direction": word, "shows": dict(found.shows[(side, word)])},
                )
            )
        return out

    def _tokens(
        self, rep: _Reporter, measured: Measures, counter: TokenCounter, budget: Budget, metrics: dict[str, Any]
    ) -> list[Finding]:
        tokens, max_tokens = measured.tokens, budget.tokens
        metrics["max_tokens"] = max_tokens
        metrics["token_budget_source"] = budget.source
        metrics["token_counting"] = counter.name
        if max_tokens <= 0 or tokens is None:
            metrics["over_token_limit"] = 0
            return []
        metrics["tokens_counted_exactly"] = measured.tokens_counted
        over = np.flatnonzero(tokens > max_tokens).tolist()
        metrics["over_token_limit"] = len(over)
        metrics["tokens_p50"] = int(np.percentile(tokens, 50))
        metrics["tokens_p95"] = int(np.percentile(tokens, 95))
        metrics["tokens_max"] = int(tokens.max())
        if not over:
            return []
        how = (
            f"counted with {counter.name}"
            if counter.exact
            else "estimated offline (install auditor[tokens] or set quality.tokenizer for exact counts)"
        )
        where = "" if budget.source in ("default", "quality.max_tokens") else f" ({budget.source})"
        return [
            rep.finding(
                OVER_TOKENS,
                over,
                f"{len(over):,} records exceed {max_tokens:,} tokens{where} of input plus output (longest "
                f"{int(tokens[over].max()):,}; tokens {how})",
                "shorten, split or drop these records, or set quality.max_tokens (or quality.model_family) to your "
                "training context",
                details={"max_tokens": max_tokens, "tokenizer": counter.name, "budget": budget.source},
            )
        ]

    def _refusals(self, rep: _Reporter, found: ScanResult, n: int, safety_share: float, metrics: dict[str, Any]) -> list[Finding]:
        """Refusals judged with their request: declining a harmful request is the intended reply.

        A set whose refusals mostly (``safety_share``, and at least ``SAFETY_SET_MIN``) answer
        requests with harm cues teaches refusals; there a refusal without a cue more likely
        answers a harm the cue list misses than an ordinary request, so only outputs that speak
        as an AI model (the model's voice, a defect whatever was asked) are flagged.
        """
        harmful, voice = set(found.refusal_harmful), set(found.refusal_voice)
        matched = found.refusals
        safety_set = len(matched) >= SAFETY_SET_MIN and len(harmful) >= safety_share * len(matched)
        flagged = [i for i in matched if i not in harmful and (i in voice or not safety_set)]
        metrics["refusals"] = len(flagged)
        metrics["refusals_to_harmful_requests"] = len(harmful)
        metrics["refusal_safety_set"] = safety_set
        if not flagged:
            return []
        message = f"{len(flagged):,} of {n:,} outputs ({len(flagged) / n:.1%}) refuse or speak as an AI model"
        message += " where the request does not look harmful" if harmful else ""
        if harmful:
            message += f"; {len(harmful):,} more decline requests that look harmful, the intended reply"
        excused = len(matched) - len(flagged) - len(harmful)
        if excused:
            message += (
                f", and {excused:,} plain refusals are taken as intended too: most refusals of this set answer "
                "harmful requests"
            )
        return [
            rep.finding(
                REFUSAL,
                flagged,
                message,
                "replace them with real answers or drop them, unless teaching refusals is the point",
            )
        ]

    def _boilerplate(self, rep: _Reporter, found: ScanResult, n: int, metrics: dict[str, Any]) -> list[Finding]:
        metrics["boilerplate_outputs"] = len(found.boilerplate)
        metrics["boilerplate_given_by_input"] = len(found.boilerplate_given)
        return _share_findings(
            rep,
            n,
            (BOILERPLATE, found.boilerplate, "outputs", "hold placeholder text (<noinput>, TODO, lorem ipsum, ...)", "finish these outputs or drop them"),
        )

    def _pii(self, rep: _Reporter, found: ScanResult, metrics: dict[str, Any]) -> list[Finding]:
        out = []
        # Values the detector found that identify no one, by kind and reason ("phone:service"): counted, never flagged.
        skipped: dict[str, dict[str, int]] = {}
        for key, records in sorted(found.pii_not_personal.items()):
            kind, reason = key.split(":", 1)
            skipped.setdefault(kind, {})[reason] = records
        metrics["pii_not_personal"] = {f"{kind}:{reason}": v for kind, reasons in skipped.items() for reason, v in reasons.items()}
        for code, kinds, metric in ((PERSONAL_DATA, PII_KINDS, "pii_records"), (SECRET, SECRET_KINDS, "secret_records")):
            per_kind = {k: found.pii[k] for k in kinds if found.pii.get(k)}
            indices = sorted({i for hits in per_kind.values() for i in hits})
            metrics[metric] = len(indices)
            metrics[metric.replace("records", "by_kind")] = {k: len(v) for k, v in per_kind.items()}
            for kind, hits in per_kind.items():
                sides = {s: found.pii_sides[f"{kind}:{s}"] for s in ("input", "output") if found.pii_sides[f"{kind}:{s}"]}
                where = " and ".join(f"{v:,} {s}s" for s, v in sides.items())
                label = LABELS[kind]
                action = (
                    f"revoke the exposed {label}, then remove them from these records"
                    if code is SECRET
                    else f"redact or pseudonymise the {label} (e.g. as <{kind.upper()}>) or drop these records"
                )
                message = f"{len(hits):,} records contain {label} ({where}); the values are not shown"
                details: dict[str, Any] = {"kind": kind, "sides": sides}
                if kind in skipped:
                    details["not_personal"] = skipped[kind]
                    message += "; not counted: " + ", ".join(
                        f"{v:,} records with {NOT_PERSONAL_SHORT[r]}" for r, v in sorted(skipped[kind].items(), key=lambda t: -t[1])
                    )
                out.append(rep.finding(code, hits, message, action, details=details))
        return out

    def _encoding(self, rep: _Reporter, found: ScanResult, metrics: dict[str, Any]) -> list[Finding]:
        indices = sorted({i for members in found.encoding.values() for i in members})
        metrics["encoding_damaged"] = len(indices)
        if not indices:
            return []
        kinds = ", ".join(f"{len(m):,} {k}" for k, m in sorted(found.encoding.items(), key=lambda t: -len(t[1])))
        return [
            rep.finding(
                ENCODING,
                indices,
                f"{len(indices):,} records have encoding damage ({kinds})",
                "re-export the source as UTF-8 or repair the text (e.g. with ftfy), then audit again",
                details={"kinds": {k: len(m) for k, m in sorted(found.encoding.items())}},
            )
        ]

    def _chats(self, rep: _Reporter, measured: Measures, metrics: dict[str, Any]) -> list[Finding]:
        per_kind = measured.chats
        if per_kind is None:
            metrics["malformed_chats"] = 0
            return []
        metrics["malformed_chats"] = measured.malformed_chats
        metrics["malformed_chats_by_kind"] = {k: len(per_kind[k]) for k in CHAT_PROBLEMS if k in per_kind}
        return [
            rep.finding(
                MALFORMED_CHAT,
                per_kind[kind],
                f"{len(per_kind[kind]):,} chats {words}",
                "repair the turns (merge, reorder, fill) or drop these conversations",
                details={"kind": kind},
            )
            for kind, words in CHAT_PROBLEMS.items()
            if kind in per_kind
        ]

    def _language(self, rep: _Reporter, found: ScanResult, expected: str, metrics: dict[str, Any]) -> list[Finding]:
        indices = sorted({i for members in found.language.values() for i in members})
        metrics["mixed_language"] = len(indices)
        if not indices:
            return []
        seen = ", ".join(f"{len(m):,} {lang}" for lang, m in sorted(found.language.items(), key=lambda t: -len(t[1])))
        return [
            rep.finding(
                MIXED_LANGUAGE,
                indices,
                f"{len(indices):,} records have an input or output not in {expected!r} ({seen})",
                f"translate these records to {expected!r} or drop them",
                details={"expected": expected, "detected": {k: len(m) for k, m in sorted(found.language.items())}},
            )
        ]


class _Reporter:
    """Builds findings: ids from indices, plus the breakdown by grouping field."""

    def __init__(self, ctx: Context, fields: list[GroupField], cfg: dict[str, Any]) -> None:
        self.ids = ctx.dataset.ids
        self.fields = fields
        self.share = float(cfg["systematic_share"])
        self.max_groups = float(cfg["systematic_max_groups_share"])
        self.min_records = int(cfg["systematic_min_records"])
        self.min_rate = float(cfg["systematic_min_rate"])

    def finding(
        self,
        code: CodeInfo,
        indices: Sequence[int],
        message: str,
        action: str,
        details: dict[str, Any] | None = None,
    ) -> Finding:
        details = dict(details or {})
        groups = None
        found = [breakdown(indices, f, self.share, self.max_groups, self.min_records, self.min_rate) for f in self.fields]
        for b in found:
            details[f"by_{b.field}"] = b.details()
        systematic = [b for b in found if b.concentrated]
        chosen: Breakdown | None = min(systematic, key=lambda b: len(b.top)) if systematic else None
        if chosen is not None:
            message += "; " + chosen.sentence()
            names = ", ".join(g for g, _, _ in chosen.top[:5])
            action += f"; start with {chosen.field} {names}"
            details["systematic"] = {"field": chosen.field, "groups": [g for g, _, _ in chosen.top]}
        grouping = (chosen.field if chosen else self.fields[0].name) if self.fields else None
        if grouping is not None:
            values = next(f.values for f in self.fields if f.name == grouping)
            groups = [values[i] for i in indices]
        return code.finding(message, action, [self.ids[i] for i in indices], groups=groups, details=details)


def _share_findings(rep: _Reporter, n: int, *rules: tuple[CodeInfo, list[int], str, str, str]) -> list[Finding]:
    """One finding per rule that flagged records: '<k> of <n> <side> (<share>) <what>'."""
    return [
        rep.finding(code, indices, f"{len(indices):,} of {n:,} {side} ({len(indices) / n:.1%}) {what}", action)
        for code, indices, side, what, action in rules
        if indices
    ]


def _group_fields(ctx: Context, names: Sequence[str]) -> list[GroupField]:
    """The configured grouping fields the records actually carry (with at least two groups)."""
    data = ctx.dataset
    extra = getattr(data, "extra", None) or {}
    out = []
    for name in names:
        if name in extra:
            raw = extra[name]
        elif name == "category" and data.categories is not None:
            raw = data.categories
        else:
            continue
        if len(raw) != len(data):
            continue
        grouped = GroupField.of(name, raw)
        if len(grouped.totals) >= 2:
            out.append(grouped)
    return out


def _task_grouping(rep: _Reporter) -> tuple[str, Sequence[str]] | None:
    """The field whose groups the output-shape rules judge within (name, value per record), or None.

    The first configured grouping field the records carry (template, source, category): a template is
    the unit whose outputs share a shape (a label template, a story template).
    """
    if not rep.fields:
        return None
    return rep.fields[0].name, rep.fields[0].values


def _cap_reason(caps: list[CapFound]) -> str:
    """'cut at a 2,048-character cap' (the largest cap found names the reason)."""
    top = max(caps, key=lambda c: len(c.records))
    unit = "character" if top.measure == "characters" else "token"
    more = f" and {len(caps) - 1} more" if len(caps) > 1 else ""
    return f"cut at a {top.length:,}-{unit} cap{more}"
