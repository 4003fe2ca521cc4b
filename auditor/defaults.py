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
    # --- coverage -----------------------------------------------------------
    Option(
        "coverage.required_categories",
        [],
        "The taxonomy the model must handle (category names); each one with no example at all is a blocker. "
        "Empty by default because only the team knows which categories production will send.",
        kind=list,
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
        "coverage.min_similarity",
        0.3,
        "A reference input counts as covered when its nearest training input has TF-IDF cosine similarity of "
        "at least 0.3. Measured on real data (benchmarks/coverage.md): 87% of GSM8K test questions reach it "
        "against GSM8K train and 93% of CodeAlpaca against GPTeacher code instructions (same task, new "
        "inputs), while only 6-17% of inputs from a different task do.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    Option(
        "coverage.min_embedding_similarity",
        0.5,
        "The same threshold when coverage.embeddings is set: sentence-embedding cosines run higher than "
        "TF-IDF ones, and 0.5 is the usual cut between related and unrelated sentences for all-MiniLM-L6-v2 "
        "(a published rule of thumb, not measured here: no model is installed on the build machine).",
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
    # --- expectations --------------------------------------------------------
)

OPTION_BY_KEY: dict[str, Option] = {o.key: o for o in OPTIONS}
if len(OPTION_BY_KEY) != len(OPTIONS):  # a duplicated key would silently shadow a default
    raise RuntimeError("duplicate option key in auditor.defaults")
