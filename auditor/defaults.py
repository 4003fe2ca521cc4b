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
    # --- coverage -----------------------------------------------------------
    # --- quality -------------------------------------------------------------
    # --- expectations --------------------------------------------------------
)

OPTION_BY_KEY: dict[str, Option] = {o.key: o for o in OPTIONS}
if len(OPTION_BY_KEY) != len(OPTIONS):  # a duplicated key would silently shadow a default
    raise RuntimeError("duplicate option key in auditor.defaults")
