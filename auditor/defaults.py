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
        "With task 'auto' and a category column, a category needs at least 5 repeated inputs with several "
        "outputs before it can be judged open (several valid outputs by design); fewer could be chance.",
        kind=int,
        minimum=1,
    ),
    Option(
        "duplicates.open_share",
        0.8,
        "A category is open when 80% or more of its repeated inputs have several outputs: label noise touches a "
        "minority of repeats, while a generate-a-question or write-a-review template varies them all.",
        kind=float,
        minimum=0.0,
        maximum=1.0,
    ),
    # --- agreement -----------------------------------------------------------
    # --- coverage -----------------------------------------------------------
    # --- quality -------------------------------------------------------------
    # --- expectations --------------------------------------------------------
)

OPTION_BY_KEY: dict[str, Option] = {o.key: o for o in OPTIONS}
if len(OPTION_BY_KEY) != len(OPTIONS):  # a duplicated key would silently shadow a default
    raise RuntimeError("duplicate option key in auditor.defaults")
