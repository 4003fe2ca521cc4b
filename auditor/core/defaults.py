"""Every configuration default, stated once, with the reason for its value.

Keys are dotted: ``section.name``. ``auditor init`` writes this table out as a
commented ``auditor.toml``; ``auditor.core.config`` rejects any key not listed here.
Check families keep their options in their own section block below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditor.core.rubric import EXAMPLE as RUBRIC_EXAMPLE


@dataclass(frozen=True)
class ModelFamily:
    """A model family: the context its fine-tuning trains on, its encoding when one ships offline, and why."""

    context: int
    encoding: str | None
    reason: str


#: quality.model_family: training contexts of current model families. Hosted fine-tuning
#: limits each training example; open models train up to the context they were built for.
MODEL_FAMILIES: dict[str, ModelFamily] = {
    "gpt-4o": ModelFamily(65_536, "o200k_base", "OpenAI fine-tuning takes training examples of up to 65,536 tokens"),
    "gpt-4o-mini": ModelFamily(65_536, "o200k_base", "OpenAI fine-tuning takes training examples of up to 65,536 tokens"),
    "gpt-3.5-turbo": ModelFamily(16_385, "cl100k_base", "OpenAI fine-tuning of gpt-3.5-turbo-0125/-1106: 16,385 tokens an example"),
    "llama-2": ModelFamily(4_096, None, "Llama 2 was pretrained with a 4,096-token context"),
    "llama-3": ModelFamily(8_192, None, "Llama 3 (8B, 70B) was pretrained with an 8,192-token context"),
    "llama-3.1": ModelFamily(131_072, None, "Llama 3.1 to 3.3 extend the context to 128k tokens"),
    "mistral-7b": ModelFamily(32_768, None, "Mistral 7B has a 32k context from v0.2 on"),
    "qwen2.5": ModelFamily(32_768, None, "Qwen2.5's native context is 32,768 tokens (131,072 only with YaRN scaling)"),
    "gemma-2": ModelFamily(8_192, None, "Gemma 2 has an 8,192-token context"),
    "gemma-3": ModelFamily(131_072, None, "Gemma 3 (4B and larger) has a 128k context"),
    "phi-4": ModelFamily(16_384, None, "Phi-4 has a 16k context"),
}


@dataclass(frozen=True)
class Option:
    key: str
    default: Any
    reason: str
    kind: type | tuple[type, ...] | None = None  # None: the type of the default
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    items: type | None = None  # a list option: the type of each item (checked when the config is read)
    example: Any = None  # shown by `auditor init`: for an option without a default (a price), or beside an empty one (a rubric)

    @property
    def section(self) -> str:
        return self.key.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.key.rpartition(".")[2]


OPTIONS: tuple[Option, ...] = (
    # --- the run as a whole -------------------------------------------------
    Option(
        "min_examples",
        500,
        "Below about 500 good input-output pairs, fine-tuning rarely beats a well prompted base model; "
        "this is the practice the tool encodes.",
        kind=int,
        minimum=0,
    ),
    Option(
        "strict",
        False,
        "Warnings do not fail a run by default: they are worth reading but should not stop a pipeline "
        "unless the team asks for it (exit 1 on READY_WITH_WARNINGS).",
    ),
    Option(
        "seed",
        0,
        "Every random step (sampling, bootstrap, hashing permutations) is seeded so two runs on the same "
        "data give the same report.",
        kind=int,
    ),
    Option(
        "task",
        "auto",
        "What the outputs are: 'classification' (short labels, repeats expected), 'generation' (one right "
        "answer per input), 'open' (several valid outputs per input by design), or 'auto' to guess from "
        "the data. Several checks judge repeats and short outputs by it.",
        choices=("auto", "classification", "generation", "open"),
    ),
    Option(
        "jobs",
        0,
        "Worker processes for the stages that split across cores: 0 uses every core this process may run "
        "on; 1 keeps everything in one process. While a large file (48 MB or more) loads, one worker hashes "
        "the texts for the exact count beside the parsing whenever two cores are allowed. Reading a large "
        "JSONL file into memory forks readers only when this is set to 2 or more: measured on the reference "
        "2-core VM, forked readers loaded 1M records in 13.6 s against 7.1 s for one process, because a "
        "forked process pays about three times as much for fresh memory and every record read must be sent "
        "back; on machines where that is not so, set it.",
        kind=int,
        minimum=0,
    ),
    Option("select", [], "Finding codes or prefixes to report (empty: all). Lets a team adopt checks one family at a time.", kind=list, items=str),
    Option("ignore", [], "Finding codes or prefixes never reported, for checks a team has decided do not apply.", kind=list, items=str),
    Option(
        "severity",
        {},
        "Per-code severity overrides, e.g. {DUP001 = 'warning'}: the defaults encode common practice, "
        "a team's own policy wins.",
        kind=dict,
        choices=("blocker", "warning", "info"),  # of each value; the keys must be known finding codes
    ),
    # --- fields: how source columns map to records -------------------------
    Option("fields.input", "", "Source field holding the input; empty: detected from the data.", kind=str),
    Option("fields.output", "", "Source field holding the output; empty: detected from the data.", kind=str),
    Option(
        "fields.category",
        "",
        "Source field holding the task/intent category; empty: detected from common names (category, intent, ...).",
        kind=str,
    ),
    Option("fields.id", "", "Source field holding the record id; empty: detected (id, uid, ...), else the line number.", kind=str),
    # --- load: how much of a source is read -----------------------------------
    Option(
        "load.max_line_bytes",
        256 << 20,
        "A line (or CSV row) longer than this ends the run with one line naming it, before it fills memory: "
        "a gzip bomb of one endless line expands without limit. 256 MiB is a thousand times the longest "
        "context window's text and still holds records with embedded images; raise it for larger ones.",
        kind=int,
        minimum=1 << 20,
    ),
    Option(
        "load.max_bad_run",
        10_000,
        "After this many blank or unreadable lines in a row, reading stops with a load problem saying where "
        "(the counts then say the file was not read to its end): damage in a real export spans a few lines, "
        "while a run this long is random bytes or blank padding (a 1 MB gzip of 1 GB of blank lines took "
        "over 300 s to read through). 0 reads on to the end whatever comes.",
        kind=int,
        minimum=0,
    ),
    Option(
        "load.max_memory_share",
        0.5,
        "Reading may grow this process by at most this share of the memory available when the run starts "
        "(the least of the system's and the container's), counting both the text and the records made of it "
        "(small records take ten times their text as Python objects); past it the run ends with one line, "
        "before the machine's memory cap kills it without a word. The checks need room besides, so half is "
        "the most that can still be audited; files larger than memory go to --engine stream. 0 sets no limit.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "load.check_repeated_keys",
        True,
        "An object that names a key twice is read with its last value and reported (CNT004), since a "
        "trainer's loader may read the other one. Every line is checked by counting its keys on its bytes "
        "against the parsed object's: 0.06-0.08 s of CPU per 100k records, under 1% of a default audit. "
        "Turning it off leaves only the lines Python's parser reads anyway (numbers beyond a double, JSON "
        "arrays read element by element) checked.",
    ),
    # --- normalisation used to compare texts --------------------------------
    Option(
        "normalize.unicode",
        "NFKC",
        "NFKC folds compatibility characters (full-width letters, ligatures, non-breaking spaces) that "
        "labelling tools and copy-paste introduce, so they do not hide a duplicate.",
        choices=("NFKC", "NFC", "none"),
    ),
    Option("normalize.casefold", True, "Case rarely changes what a training pair teaches; folding it finds more real duplicates."),
    Option("normalize.whitespace", True, "Runs of spaces, tabs and newlines are formatting, not content."),
    # --- task groups ----------------------------------------------------------
    Option(
        "tasks.infer",
        True,
        "Without a category, template, source or task field, records are grouped by the fixed instruction "
        "wording they share (prompt templates), so rules that depend on the task (contradictions, templated "
        "outputs) apply per group; false treats the file as one task.",
    ),
    Option(
        "tasks.sample",
        20000,
        "The template wording is found on a seeded sample of 20,000 distinct inputs: enough for every template "
        "with 20 or more records to show (T0: the same groups from 20,000 as from all 49,000), and a bounded cost "
        "whatever the file's size; every input is then assigned to the wording it holds.",
        kind=int,
        minimum=100,
    ),
    Option(
        "tasks.min_records",
        20,
        "Wording shared by fewer than 20 distinct inputs is not taken for a template: common phrases and short "
        "shared passages reach a few inputs by chance; a group's kind is judged from 20 records or more.",
        kind=int,
        minimum=2,
    ),
    # --- count --------------------------------------------------------------
    Option(
        "count.min_per_category",
        20,
        "A category with fewer than about 20 effective examples is usually learned poorly or not at all; "
        "the gap names each thin category and how many it lacks.",
        kind=int,
        minimum=0,
    ),
    Option(
        "count.invalid_share_blocker",
        0.05,
        "When more than 5% of records cannot be read, the file itself is suspect (wrong export, broken "
        "encoding): a blocker. Fewer unreadable records are a warning naming them.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    # --- duplicates -----------------------------------------------------------
    Option(
        "duplicates.threshold",
        0.8,
        "Two texts whose word 5-gram sets have a Jaccard similarity of 0.8 or more differ by a few words or a "
        "sentence in a hundred: the model learns nothing new from the second. Every reported pair is verified "
        "at this value on its true Jaccard similarity, not an estimate.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "duplicates.shingle_size",
        5,
        "Word 5-grams: long enough that unrelated texts on one topic share few of them, short enough that a "
        "changed word spoils only 5 shingles of a 100-word text. Texts shorter than 5 words form one shingle "
        "of all their words, so they are still compared (and match only the same words).",
        kind=int,
        minimum=1,
        maximum=32,
    ),
    Option(
        "duplicates.bands",
        20,
        "LSH bands (permutations = bands x rows = 120). With 6 rows, a pair at Jaccard 0.8 becomes a candidate "
        "with probability 1-(1-0.8^6)^20 = 0.998 and at 0.85 with 0.9999, while pairs at 0.3 rarely do (0.015); "
        "candidates are then verified exactly, so extra candidates cost time, never precision.",
        kind=int,
        minimum=1,
    ),
    Option(
        "duplicates.rows",
        6,
        "Rows per LSH band, see duplicates.bands: 6 puts the steep part of the candidate curve between Jaccard "
        "0.5 and 0.75, below the 0.8 threshold, so recall at the threshold is near 1.",
        kind=int,
        minimum=1,
        maximum=32,
    ),
    Option(
        "duplicates.exact_below",
        5000,
        "Up to this many distinct texts every pair is compared exactly (a sparse matrix product, faster than "
        "hashing at that size and with recall 1); above it MinHash LSH proposes candidates.",
        kind=int,
        minimum=0,
    ),
    Option(
        "duplicates.boilerplate_share",
        0.05,
        "A word 5-gram found in 5% or more of the distinct inputs (or outputs) is boilerplate (a system prompt, "
        "a tool description, a template) and is left out before comparing, so records that share only it do "
        "not look alike. 5% catches a prompt shared by one tool or template in twenty; set 1.0 to keep every shingle.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "duplicates.boilerplate_min_records",
        50,
        "A shingle is boilerplate only when at least 50 distinct texts carry it, so in a small file a cluster "
        "of a few near-copies is never mistaken for boilerplate and hidden.",
        kind=int,
        minimum=2,
    ),
    Option(
        "duplicates.bucket_window",
        32,
        "An LSH bucket of more than 33 texts (a large family of near-copies) pairs each text with its 32 "
        "neighbours instead of with all others: the family is still linked into one cluster, in linear time.",
        kind=int,
        minimum=1,
    ),
    Option(
        "duplicates.threads",
        2,
        "Threads hashing shingles (numpy releases the GIL); 2 matches the small CI machines this runs on.",
        kind=int,
        minimum=1,
    ),
    Option(
        "duplicates.warning_share",
        0.01,
        "Duplicates (records beyond the first of each exact group or near cluster) are information below 1% of "
        "records and a warning from 1%: at that share they visibly over-weight some examples and inflate the count.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "duplicates.blocker_share",
        0.2,
        "From 20% duplicates the data is a blocker: a fifth of the set being copies means the collection or "
        "export is broken (files concatenated twice, retries logged as new records) and needs a look first.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "duplicates.conflict_blocker_share",
        0.05,
        "Any contradiction (one input, different outputs) is a warning; from 5% of records in contradicting "
        "groups it is a blocker, because the model then learns the task's answers are arbitrary.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "duplicates.open_min_groups",
        5,
        "With task 'auto', a task group (category, template field or inferred wording) needs at least 5 repeated "
        "inputs with several outputs before it can be judged open (several valid outputs by design); fewer could be chance.",
        kind=int,
        minimum=1,
    ),
    Option(
        "duplicates.open_share",
        0.6,
        "A task group is open when 60% or more of its repeated inputs have several outputs: label noise touches a "
        "minority of repeats, while a generate-a-question or write-a-review template varies most of them (T0: every "
        "template with varied repeats varies 95% or more of them, but writing an article from a headline 61%).",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    # --- agreement -----------------------------------------------------------
    Option(
        "agreement.level",
        "nominal",
        "Krippendorff's level of measurement. Most labels are unordered categories (nominal); use 'ordinal' "
        "for ordered categories (give agreement.label_order), 'interval' for numeric ratings such as 1-5 "
        "quality scores of written outputs, 'ratio' for counts or amounts with a true zero.",
        choices=("nominal", "ordinal", "interval", "ratio"),
    ),
    Option(
        "agreement.label_order",
        [],
        "The order of ordinal labels, lowest first (e.g. ['bad', 'ok', 'good']). Empty: numeric labels are "
        "ordered by value; text labels cannot be ordered without it and are reported as unusable.",
        kind=list,
    ),
    Option(
        "agreement.required",
        True,
        "Consistent labels are a readiness criterion: without two people labelling the same items there is "
        "no evidence the quality criteria are clear, so missing annotations are a blocker. Set false to make "
        "it a warning (e.g. for data labelled by a single expert by design).",
    ),
    Option(
        "agreement.reliable_alpha",
        0.800,
        "Krippendorff (2004, Content Analysis, ch. 11) recommends relying on data only at alpha >= .800; "
        "below it agreement is at best tentative (a warning).",
        kind=float,
        minimum=-1.0,
        maximum=1.0,
    ),
    Option(
        "agreement.tentative_alpha",
        0.667,
        "Krippendorff's lowest conceivable limit for drawing tentative conclusions: below alpha = .667 the "
        "labelling criteria are not clear enough to label consistently, a blocker.",
        kind=float,
        minimum=-1.0,
        maximum=1.0,
    ),
    Option(
        "agreement.judge_on",
        "estimate",
        "Judge the thresholds on the point estimate, as Krippendorff's limits are stated; 'lower_bound' judges "
        "on the bootstrap interval's lower end, for teams that need the limit met with confidence.",
        choices=("estimate", "lower_bound"),
    ),
    Option(
        "agreement.confidence",
        0.95,
        "The customary 95% two-sided confidence level for the bootstrap interval on alpha.",
        kind=float,
        minimum=0.5,
        maximum=0.999,
    ),
    Option(
        "agreement.bootstrap_samples",
        1000,
        "1,000 resamples of the annotated items give stable 2.5/97.5 percentiles (Efron & Tibshirani's usual "
        "figure for percentile intervals) in well under a second; 0 switches the interval off.",
        kind=int,
        minimum=0,
    ),
    Option(
        "agreement.min_pairable_units",
        100,
        "Alpha from fewer than about 100 items labelled by two or more people is too uncertain to judge: "
        "the 95% interval is about +/-0.24 at 25 items, +/-0.16 at 50 and +/-0.11 at 100 (two annotators, "
        "measured in benchmarks/agreement.md). 100 is about where the half-width first falls below the "
        "0.133 width of the .667-.800 band between the thresholds, so the figure at least says which band "
        "alpha is in. Too little overlap is a gap of its own that says how many items to double-annotate.",
        kind=int,
        minimum=2,
    ),
    Option(
        "agreement.annotator_margin",
        0.05,
        "An annotator whose removal raises alpha by 0.05 or more moves agreement by as much as a quarter of "
        "the .667-.800 band on their own: worth a look at their guidelines or training, named in a gap.",
        kind=float,
        minimum=0.0,
    ),
    Option(
        "agreement.min_category_units",
        30,
        "Per-category alpha is judged only for categories with at least 30 items labelled twice; with fewer, "
        "one or two disagreements swing it by more than the threshold band.",
        kind=int,
        minimum=2,
    ),
    Option("agreement.item_column", "", "Annotations file column with the record id; empty: detected (id, item, item_id, question, ...).", kind=str),
    Option(
        "agreement.annotator_column",
        "",
        "Annotations file column (or inline entry field) with the annotator; empty: detected (annotator, rater, worker, ...).",
        kind=str,
    ),
    Option(
        "agreement.label_column",
        "",
        "Annotations file column (or inline entry field) with the label; empty: detected (label, rating, score, answer, ...).",
        kind=str,
    ),
    Option(
        "agreement.annotator_columns",
        [],
        "Wide form: the data columns holding one annotator's label each (e.g. ['a1', 'a2', 'a3']). Empty: not wide form.",
        kind=list,
        items=str,
    ),
    Option(
        "agreement.annotator_prefix",
        "",
        "Wide form: every data column starting with this prefix holds one annotator's label (e.g. 'label_'). "
        "Empty: not used.",
        kind=str,
    ),
    Option(
        "agreement.rubric",
        [],
        "For generation tasks the thing to agree on is a judgement of each output against the team's criteria: "
        "a list of criteria, each {name, question, scale} with scale 'pass/fail' or '1-5' (any '1-N'). Alpha is "
        "measured per criterion (nominal for pass/fail, ordinal for ratings) and a criterion raters read "
        "differently is named. Empty: annotations are labels, one alpha. `auditor init` writes an example.",
        kind=list,
        items=dict,
        example=[dict(c) for c in RUBRIC_EXAMPLE],
    ),
    Option(
        "agreement.ci_width",
        0.20,
        "`auditor sample` draws enough items for the 95% bootstrap interval of alpha to be no wider than this "
        "in nine samples of ten: 0.20 (+/-0.10, under the 0.133 from the reliable limit .800 down to .667) "
        "takes about 190 items at alpha .8 with two raters on pass/fail, an afternoon's work; 0.10 takes about "
        "690 (simulated, checks/samplesize.py). Skewed pass rates and lower alpha need more.",
        kind=float,
        minimum=0.01,
        maximum=1.0,
    ),
    Option(
        "agreement.raters",
        2,
        "Raters per item in the sheet `auditor sample` writes: two is the least that measures agreement and the "
        "cheapest; a third rater also gives a majority on every pass/fail item.",
        kind=int,
        minimum=2,
        maximum=20,
    ),
    # --- coverage -----------------------------------------------------------
    Option(
        "coverage.required_categories",
        [],
        "The taxonomy the model must handle (category names); each one with no example at all is a blocker. "
        "Empty by default because only the team knows which categories production will send.",
        kind=list,
        items=str,
    ),
    Option(
        "coverage.max_imbalance_ratio",
        10.0,
        "When the largest category has more than 10 times the examples of the smallest, the model learns to "
        "favour the large one; below that ratio imbalance rarely hurts a fine-tune.",
        kind=float,
        minimum=1.0,
    ),
    Option(
        "coverage.max_topics",
        40,
        "Upper bound on the number of input topics (k = round(sqrt(n / 2)) capped here): more than about 40 "
        "topics is more than a person reads in a report, and finer clusters of TF-IDF vectors stop being "
        "meaningful topics.",
        kind=int,
        minimum=2,
    ),
    Option(
        "coverage.thin_topic_fraction",
        0.2,
        "A topic is thin when it holds fewer than a fifth of an average topic's inputs and fewer than "
        "count.min_per_category: both small relative to the data and too few to learn from in absolute terms.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "coverage.sample_size",
        20000,
        "Topics are fitted (SVD and k-means) on a seeded sample of this many inputs, then every input is "
        "assigned in chunks: 20,000 inputs pin down 40 topics well and keep a million-input run within minutes.",
        kind=int,
        minimum=100,
    ),
    Option(
        "coverage.calibration",
        "training",
        "How a reference input is judged similar enough to the training data. 'training' (default): the "
        "training set's own spread sets the bar, an input is uncovered when it is farther from the training "
        "inputs than nearly all training inputs are from their nearest others (checks/calibration.py); a fixed "
        "cut cannot serve every dataset (0.3 called 13% of GSM8K's own test split uncovered, because word "
        "problems about different objects share few words). 'absolute': the fixed cut of "
        "coverage.min_similarity (coverage.min_embedding_similarity with embeddings) on the single nearest "
        "training input, as before; also used when the training set is too small to calibrate.",
        kind=str,
        choices=("training", "absolute"),
    ),
    Option(
        "coverage.calibration_quantile",
        0.02,
        "An input is uncovered when its score is below all but 2% of the training inputs' own scores: a reference "
        "drawn like the training data then reads at least 98% covered in expectation (conformal bound), far from "
        "the 90% warning. Measured on the shared sets (benchmarks/coverage.md): GSM8K test 96.5-97.6% covered; "
        "references of 300 in-domain + 100 out-of-domain inputs read 0.74-0.78 wherever TF-IDF tells the two "
        "tasks apart. 0.05 read GSM8K test 93.6%, under the 95% a same-distribution eval deserves; 0.01 lets "
        "more of another task through.",
        kind=float,
        minimum=0.001,
        maximum=0.5,
    ),
    Option(
        "coverage.neighbours",
        10,
        "The score is the mean similarity to the 10 most similar distinct training inputs, not to the single "
        "nearest: one input sharing a few words by chance no longer covers an unrelated task. Measured "
        "(benchmarks/coverage.md): separation of in-domain from out-of-domain references (ROC AUC) rose from "
        "0.888 to 0.946 for GSM8K vs CodeAlpaca and from 0.969 to 0.996 for CodeAlpaca vs GSM8K; 20 gained "
        "little more. Used by the calibrated mode only.",
        kind=int,
        minimum=1,
    ),
    Option(
        "coverage.calibration_sample",
        2000,
        "The training spread is measured on a seeded sample of 2,000 distinct training inputs, each against "
        "all the others: the 2% quantile then rests on 40 scores (the level is known to about +-0.3 points) and "
        "the cost stays that of 2,000 reference inputs however large the training set.",
        kind=int,
        minimum=100,
    ),
    Option(
        "coverage.min_similarity",
        0.3,
        "With coverage.calibration = 'absolute' (or too few training inputs to calibrate), a reference input "
        "counts as covered when its nearest training input has TF-IDF cosine similarity of at least 0.3. "
        "Measured on real data (benchmarks/coverage.md): 87% of GSM8K test questions reach it against GSM8K "
        "train and 93% of CodeAlpaca against GPTeacher code instructions (same task, new "
        "inputs), while only 6-17% of inputs from a different task do.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "coverage.min_embedding_similarity",
        0.5,
        "The absolute threshold when coverage.embeddings is set: sentence-embedding cosines run higher than "
        "TF-IDF ones, and 0.5 is the usual cut between related and unrelated sentences for all-MiniLM-L6-v2 "
        "(a published rule of thumb). Measured with that model (benchmarks/coverage.md): 89-100% of unseen "
        "in-domain inputs reach it; the calibrated default reads 95-99%.",
        kind=float,
        minimum=-1.0,
        maximum=1.0,
    ),
    Option(
        "coverage.min_reference_coverage",
        0.9,
        "When fewer than 90% of the reference inputs have a similar training example, a tenth of what the "
        "model will see is guesswork: a warning naming the uncovered topics.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "coverage.reference_coverage_blocker",
        0.5,
        "When fewer than half of the reference inputs have a similar training example, the training set "
        "describes a different task from the one the model will do: a blocker.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "coverage.max_uncovered_topics",
        8,
        "Uncovered reference inputs are grouped into at most 8 topics: enough to name where to label next, "
        "few enough to act on.",
        kind=int,
        minimum=1,
    ),
    Option(
        "coverage.eval_as_reference",
        True,
        "Without a reference sample, the eval set is the best available picture of the inputs the model "
        "will be judged on, so coverage is measured against it.",
    ),
    Option(
        "coverage.embeddings",
        "",
        "A sentence-transformers model name or local path used for reference similarity instead of TF-IDF. "
        "Empty by default: nothing is downloaded, and the model is used only when it is installed locally.",
        kind=str,
    ),
    Option(
        "coverage.length_ks_threshold",
        0.2,
        "Reference and training length distributions differ in earnest when their Kolmogorov-Smirnov "
        "distance is at least 0.2 (and significant at 1%): a fifth of one set lies where the other has none.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "coverage.max_out_of_range_share",
        0.05,
        "When more than 5% of reference inputs are longer than the longest training input, the model meets "
        "lengths it never learned to handle.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "coverage.template_min_inputs",
        3,
        "An output given for 3 or more different inputs is a template: two can be coincidence.",
        kind=int,
        minimum=2,
    ),
    Option(
        "coverage.max_templated_share",
        0.05,
        "For generation tasks, more than 5% of records answered by templates teaches the model to answer "
        "by rote; classification labels repeat by design and are never flagged.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    # --- quality -------------------------------------------------------------
    Option(
        "quality.min_output_words",
        3,
        "In a generation task an output of one or two words rarely answers anything; classification labels "
        "are never judged by it, nor are groups where short answers are the norm (see short_output_norm_words).",
        kind=int,
        minimum=0,
    ),
    Option(
        "quality.short_output_norm_words",
        10,
        "A short output is only suspicious among long ones: it is flagged when the median output of its group "
        "(template/source/category, else the whole set) has at least 10 words, so extractive short answers pass.",
        kind=int,
        minimum=0,
    ),
    Option(
        "quality.truncation_min_words",
        3,
        "Prose that stops without closing punctuation is only called truncated when the sentences before it are "
        "closed and its last sentence has at least 3 words (or is a word or two that cannot close a message): the "
        "writer punctuates, and the last sentence stops mid-way. Labels, titles and code are never judged by it.",
        kind=int,
        minimum=1,
    ),
    Option(
        "quality.unpunctuated_style_share",
        0.2,
        "When more than 20% of a group's outputs of quality.truncation_min_words words or more (or of the whole set "
        "without groups) end without punctuation, that is the group's style (headlines, chat lines, keyword lists), "
        "not truncation, and the stop-without-punctuation rule is not applied there.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "quality.outlier_z",
        3.5,
        "Modified z-score (median and MAD of log length) above 3.5 is Iglewicz and Hoaglin's usual outlier rule; "
        "the log scale keeps naturally long-tailed lengths from flagging every long answer.",
        kind=float,
        minimum=0.0,
    ),
    Option(
        "quality.max_tokens",
        8192,
        "Input plus output above the training context is cut or dropped silently by trainers. 8,192 tokens is the "
        "smallest context current families train with (Llama 3, Gemma 2; hosted fine-tuning takes 16k to 64k): set "
        "your training context here, or name quality.model_family. 0 turns the check off.",
        kind=int,
        minimum=0,
    ),
    Option(
        "quality.model_family",
        "",
        "The model family you will fine-tune: when set (and quality.max_tokens is not), its training context is the "
        "token budget and, where its encoding ships offline, its tokenizer counts. "
        + "; ".join(f"{name}: {f.context:,} ({f.reason})" for name, f in MODEL_FAMILIES.items())
        + ".",
        kind=str,
        choices=("", *MODEL_FAMILIES),
    ),
    Option(
        "quality.tokenizer",
        "auto",
        "'auto' counts exactly with the model family's encoding, else cl100k_base (a modern 100k BPE vocabulary), "
        "when one is available offline (pip install 'auditor[tokens]'), else estimates; 'estimate' counts tokens "
        "offline (about 4 ASCII characters a token, more for other scripts, errs high); 'cl100k_base', 'o200k_base' "
        "(or 'tiktoken:<encoding>') or a path to a tokenizer.json count exactly. Nothing is downloaded. Exact counts "
        "cost little: only records that could exceed the budget are counted.",
        kind=str,
    ),
    Option(
        "quality.safety_set_share",
        0.5,
        "When at least half of the refusals (and 5 or more) answer requests that look harmful, the set teaches "
        "refusals: a plain refusal there is taken as intended even when its request shows no harm cue, and only "
        "outputs speaking as an AI model are flagged.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "quality.refusal_phrases",
        [],
        "Extra refusal phrases (matched literally, any case) on top of the built-in list, for a team's own model "
        "or language.",
        kind=list,
        items=str,
    ),
    Option(
        "quality.boilerplate_phrases",
        [],
        "Extra placeholder or boilerplate phrases (matched literally, any case) on top of the built-in list "
        "(<noinput>, lorem ipsum, TODO, ...).",
        kind=list,
        items=str,
    ),
    Option(
        "quality.pii_kinds",
        ["email", "phone", "credit_card", "iban", "national_id", "ip_address", "api_key", "private_key"],
        "Every kind of personal data and secret is looked for by default; drop a kind your data legitimately "
        "holds (e.g. ip_address in network troubleshooting data).",
        kind=list,
        items=str,
        choices=("email", "phone", "credit_card", "iban", "national_id", "ip_address", "api_key", "private_key"),
    ),
    Option(
        "quality.language",
        "",
        "Expected language code (en, de, fr, es, it, pt, nl, ru, zh, ja, ko, ar, ...); empty turns the "
        "mixed-language check off, since many sets are multilingual on purpose.",
        kind=str,
    ),
    Option(
        "quality.allow_consecutive_user",
        False,
        "Most chat templates require user and assistant turns to alternate; two user turns in a row usually mean "
        "a lost assistant turn. Allow it for formats that merge them.",
    ),
    Option(
        "quality.group_fields",
        ["template", "source", "category"],
        "Fields whose groups each finding is broken down by: a defect concentrated in a few templates or sources "
        "is one systematic bug, fixed once at its origin.",
        kind=list,
        items=str,
    ),
    Option(
        "quality.systematic_share",
        0.8,
        "A defect is called systematic when at least 80% of its records sit in a few groups (see "
        "systematic_max_groups_share) with at least twice the defect rate of the rest.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "quality.systematic_max_groups_share",
        0.2,
        "'A few groups' means at most 20% of all groups (at least one): beyond that the defect is spread out.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "quality.systematic_min_rate",
        0.25,
        "A group named as the source of a systematic defect must have it in at least a quarter of its records; "
        "a handful in each of many templates (shared source passages) is not one bug.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "quality.systematic_min_records",
        5,
        "Fewer than 5 flagged records say nothing about where a defect comes from.",
        kind=int,
        minimum=1,
    ),
    # --- fidelity: arithmetic ----------------------------------------------------
    Option(
        "fidelity.arithmetic_blocker_share",
        0.02,
        "Wrong arithmetic (TSK005) and wrong statistics (TSK007) block from 2% of the records whose arithmetic "
        "could be checked: a worked-solution set is near 0 when it is sound (GSM8K train has 0.4% slips in "
        "its prose and none in its calculator annotations), and at 1 in 50 the model learns wrong sums "
        "often enough to repeat them. The rate must be shown, not guessed: a blocker needs two or more slips "
        "and the 95% lower bound of the slip rate at the share (one slip among 8 checkable records is no "
        "habit). Below it the slips are a warning: fix them, they do not stop a run.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    # --- labels ----------------------------------------------------------------
    Option(
        "labels.folds",
        5,
        "Out-of-fold label probabilities (LBL001) come from 5 folds: each record is predicted by a model that saw "
        "80% of its group and not the record; more folds cost a fit each and change little.",
        kind=int,
        minimum=2,
        maximum=20,
    ),
    Option(
        "labels.min_per_label",
        10,
        "A label is learnt (and its records judged, LBL001) from 10 records: with 5 folds that is 2 held out and 8 "
        "to learn from per fold; below it the model's probabilities for the label are noise. A group needs two "
        "such labels.",
        kind=int,
        minimum=2,
    ),
    Option(
        "labels.min_evidence",
        3.0,
        "A record is flagged as mislabelled (LBL001) only when its input makes the suggested label at least 3 times "
        "as likely, relative to the given one, as the two labels' frequencies do: 'substantial' evidence on "
        "Jeffreys' scale. Confident learning alone flags half of every group whose input does not predict its "
        "label (multiple-choice letters); on the generated 5%-flipped set the ratio loses no true flag.",
        kind=float,
        minimum=1.0,
    ),
    Option(
        "labels.min_explained",
        0.5,
        "A label group's records are judged (LBL001) only when the input explains at least half of the labels' "
        "uncertainty out of fold (1 - held-out log loss / label entropy, its 95% lower bound): the label then "
        "follows the input more than the labeller, and a confident disagreement points to an error. Below it "
        "the labels are subjective or need what a word model cannot read (offensiveness: 19%, right on 4 of 19 "
        "flags; T0's sentiment, topic, paraphrase and rating templates: 12% at most); 2,400 real inputs with 5% "
        "flipped labels have 57% (95% of the flags right). Wrong labels lower it too: with 10% flipped the same "
        "set falls to 47% and abstains, as it cannot be told from right labels with 10% defensible exceptions.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    # --- scale ---------------------------------------------------------------
    Option(
        "scale.engine",
        "auto",
        "How the data is held. 'memory' loads every record and runs every check (fastest, about 3.5 times "
        "the file in RAM); 'stream' cuts a JSON lines file into partitions measured by worker processes and "
        "runs count, duplicates and quality with memory bounded by design (about 0.5 KB a record at the peak, "
        "no text held, the near-duplicate sketch on temporary disk); 'spark' runs the same map on pyspark. 'auto' streams only files above "
        "scale.auto_bytes, so small sets keep every check and large ones do not run out of memory. The "
        "report's config names the engine that ran.",
        choices=("auto", "memory", "stream", "spark"),
    ),
    Option(
        "scale.auto_bytes",
        0,
        "File size above which 'auto' streams; 0 means an eighth of this machine's physical memory, since "
        "the in-memory engine peaks at about 3.5 times the file (1 GB of JSONL: 3.8 GB).",
        kind=int,
        minimum=0,
    ),
    Option(
        "scale.partition_mb",
        64,
        "Megabytes of the file per partition: a worker holds one partition's records (about 3.5 times that "
        "in RAM) at a time, and 64 MB keeps per-partition overhead (a task, a result message) under 1%.",
        kind=(int, float),
        minimum=0.0001,  # partitions of a few lines: tests cut small files into many
    ),
    Option(
        "scale.spark_master",
        "",
        "Spark master URL for engine 'spark'; empty: local mode with one thread per core (local[<jobs>]).",
        kind=str,
    ),
    # --- decision: prompt first, then the cost of fine-tuning ----------------
    Option(
        "decision.target_quality",
        None,
        "The quality the fine-tuned model must reach on the eval set, in the prompt baseline's score units. No "
        "default: only the team knows what the task needs; a 'target' in the --prompt-baseline file is used when "
        "this is not set, and this wins when both are.",
        kind=float,
        example=0.9,
    ),
    Option(
        "decision.prompt_share",
        0.8,
        "Prompt first: fine-tuning is justified only when the best prompt-only system (few-shot examples, chain of "
        "thought, structured outputs, system-prompt refinement, prompt chaining) stays below 80% of the target "
        "quality. Within a fifth of it, the techniques not yet tried usually close the gap for far less than "
        "labelling and training cost.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "decision.techniques_tried",
        [],
        "The prompt techniques already tried, when the baseline file does not list them: the finding names the ones "
        "left to try.",
        kind=list,
        items=str,
        choices=("few-shot", "chain-of-thought", "structured-output", "system-prompt", "prompt-chaining"),
    ),
    Option(
        "decision.score_min",
        0.0,
        "Lowest score of the baseline's metric. Scores are shares (accuracy, pass rate, a 0-1 judge score) unless "
        "told otherwise; a 1-5 rating sets 1 and 5 here (or 'range' in the file), so prompting's share is measured "
        "from the scale's floor and a score off the scale is caught.",
        kind=float,
    ),
    Option("decision.score_max", 1.0, "Highest score of the baseline's metric (see decision.score_min).", kind=float),
    Option(
        "decision.confidence",
        0.95,
        "The customary 95% two-sided level for the bootstrap interval of prompting's share, from per-item scores.",
        kind=float,
        minimum=0.5,
        maximum=0.999,
    ),
    Option(
        "decision.bootstrap_samples",
        1000,
        "1,000 resamples of the eval items give stable 2.5/97.5 percentiles (Efron and Tibshirani's usual figure) "
        "in well under a second for a few thousand items; 0 switches the interval off.",
        kind=int,
        minimum=0,
    ),
    Option(
        "decision.epochs",
        3,
        "Hosted fine-tuning bills every token of the training file once per epoch. 3 is the common default: OpenAI's "
        "own cost estimate (its chat fine-tuning data-preparation guide) trains for 3 epochs unless the set is very "
        "small or very large; other services differ (Together's default is 1, Amazon Bedrock's 1 to 5 by model), so "
        "set the epochs you will train.",
        kind=int,
        minimum=1,
    ),
    Option(
        "decision.training_price",
        None,
        "Price per million training tokens of the fine-tuning service, in decision.currency. No default: prices "
        "change every few months, so none is built in and the training cost is 'not estimated' until the team "
        "gives its provider's current price.",
        kind=float,
        minimum=0.0,
        example=25.0,
    ),
    Option(
        "decision.calls_per_day",
        None,
        "Production calls a day, for the inference cost of the prompted and the fine-tuned model. No default: only "
        "the team knows its volume, and the economics turn on it (occasional work against fifty thousand calls a day).",
        kind=int,
        minimum=0,
        example=50000,
    ),
    Option(
        "decision.prompt_extra_tokens",
        0,
        "Tokens the prompted system adds to every call beyond the input itself (system prompt, few-shot examples, "
        "chain-of-thought instructions), which a fine-tuned model no longer needs. 0 by default: only the team knows "
        "its prompt; with it, the prompted model's cost includes them.",
        kind=int,
        minimum=0,
    ),
    Option(
        "decision.prompted_input_price",
        None,
        "Price per million input tokens of the model used with prompting today. No default (prices change; none is "
        "built in): without it the prompted model's cost is 'not estimated'.",
        kind=float,
        minimum=0.0,
        example=2.5,
    ),
    Option(
        "decision.prompted_output_price",
        None,
        "Price per million output tokens of the model used with prompting today; no default, see prompted_input_price.",
        kind=float,
        minimum=0.0,
        example=10.0,
    ),
    Option(
        "decision.tuned_input_price",
        None,
        "Price per million input tokens of the fine-tuned candidate (hosted fine-tuned models often cost more per "
        "token than their base model); no default, see prompted_input_price.",
        kind=float,
        minimum=0.0,
        example=0.3,
    ),
    Option(
        "decision.tuned_output_price",
        None,
        "Price per million output tokens of the fine-tuned candidate; no default, see prompted_input_price.",
        kind=float,
        minimum=0.0,
        example=1.2,
    ),
    Option(
        "decision.currency",
        "USD",
        "Only a label for the amounts: they are in whatever currency the prices are given in (hosted providers price "
        "in US dollars).",
        kind=str,
    ),
    # --- expectations --------------------------------------------------------
    Option(
        "expectations.rules",
        [],
        "great_expectations expectations written in the config, e.g. {type = "
        "'expect_column_value_lengths_to_be_between', column = 'output', min_value = 1, max_value = 4000}; "
        "columns are id, input, output, category. None by default: these are a team's own rules.",
        kind=list,
    ),
    Option(
        "expectations.suite",
        "",
        "Path to a great_expectations expectation suite JSON the team already keeps; empty: none.",
        kind=str,
    ),
)

OPTION_BY_KEY: dict[str, Option] = {o.key: o for o in OPTIONS}
if len(OPTION_BY_KEY) != len(OPTIONS):  # a duplicated key would silently shadow a default
    raise RuntimeError("duplicate option key in auditor.core.defaults")
