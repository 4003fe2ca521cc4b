"""Every configuration default, stated once, with the reason for its value.

Keys are dotted: ``section.name``. ``auditor init`` writes this table out as a
commented ``auditor.toml``; ``auditor.config`` rejects any key not listed here.
Check families keep their options in their own section block below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Option:
    key: str
    default: Any
    reason: str
    kind: type | tuple[type, ...] | None = None  # None: the type of the default
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

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
        "Worker processes for the stages that split across cores (reading large JSONL files, hashing): "
        "0 uses every core this process may run on; 1 keeps everything in one process.",
        kind=int,
        minimum=0,
    ),
    Option("select", [], "Finding codes or prefixes to report (empty: all). Lets a team adopt checks one family at a time.", kind=list),
    Option("ignore", [], "Finding codes or prefixes never reported, for checks a team has decided do not apply.", kind=list),
    Option(
        "severity",
        {},
        "Per-code severity overrides, e.g. {DUP001 = 'warning'}: the defaults encode common practice, "
        "a team's own policy wins.",
        kind=dict,
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
    ),
    Option(
        "agreement.annotator_prefix",
        "",
        "Wide form: every data column starting with this prefix holds one annotator's label (e.g. 'label_'). "
        "Empty: not used.",
        kind=str,
    ),
    # --- coverage -----------------------------------------------------------
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
        8,
        "Prose that stops without closing punctuation is only called truncated when its last line has at least "
        "8 words: shorter lines are labels, titles or code, which end without a full stop by nature.",
        kind=int,
        minimum=1,
    ),
    Option(
        "quality.unpunctuated_style_share",
        0.2,
        "When more than 20% of a group's outputs (or of the whole set without groups) end without punctuation, "
        "that is the group's style (headlines, titles, keyword lists), not truncation, and those are not flagged.",
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
        4096,
        "Input plus output above 4,096 tokens overflows common fine-tuning context lengths and is cut or dropped "
        "silently by trainers; set it to your model's training context (0 turns the check off).",
        kind=int,
        minimum=0,
    ),
    Option(
        "quality.tokenizer",
        "estimate",
        "'estimate' counts tokens offline (about 4 ASCII characters a token, more for other scripts, errs high); "
        "'tiktoken:<encoding>' or a path to a tokenizer.json counts exactly when that library is installed and the "
        "file is already on disk. Nothing is downloaded.",
        kind=str,
    ),
    Option(
        "quality.refusal_phrases",
        [],
        "Extra refusal phrases (matched literally, any case) on top of the built-in list, for a team's own model "
        "or language.",
        kind=list,
    ),
    Option(
        "quality.boilerplate_phrases",
        [],
        "Extra placeholder or boilerplate phrases (matched literally, any case) on top of the built-in list "
        "(<noinput>, lorem ipsum, TODO, ...).",
        kind=list,
    ),
    Option(
        "quality.pii_kinds",
        ["email", "phone", "credit_card", "iban", "national_id", "ip_address", "api_key", "private_key"],
        "Every kind of personal data and secret is looked for by default; drop a kind your data legitimately "
        "holds (e.g. ip_address in network troubleshooting data).",
        kind=list,
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
    raise RuntimeError("duplicate option key in auditor.defaults")
