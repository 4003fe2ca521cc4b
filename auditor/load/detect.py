"""What a source is: every question the loader asks before and while it reads.

1. Its kind (``kind_of``): which reader reads it (JSON lines, a JSON
   document, CSV, TSV, Parquet, a saved datasets folder, an in-memory
   dataset) and the name the report gives its format. From the extension,
   else the first bytes; a ``.jsonl`` that is one JSON array and a ``.json``
   that is JSON lines are told apart here too.
2. Whether it is text at all, and in which encoding (``binary_kind``,
   ``text_encoding``), from its first bytes.
3. Its record layout (``detect``): which fields hold the input, the output,
   the category and the id, from a sample of its rows.

Nothing here opens a file: the bytes come through a ``Peek`` (see
``auditor.load.source``), so every rule about opening files stays in one
place and this module only decides.
"""

from __future__ import annotations

import codecs
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import orjson

from auditor.runtime.errors import InputError
from auditor.load import jsonvalues, transcripts
from auditor.load.mapping import PASSAGE_NAMES
from auditor.core.records import FieldMap

# --- kinds ---------------------------------------------------------------------

#: File kinds by extension (after any .gz): the name the report's format starts with.
FILE_KINDS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(frozen=True)
class Kind:
    """What a source is, as far as reading goes."""

    format: str  # the report's name for it: jsonl, json, csv, tsv, parquet, saved-dataset, dataframe, hf-dataset
    reader: str  # which reader reads it: json-lines, json-document, csv, tsv, parquet, saved-dataset, dataframe, hf-dataset


class Peek(Protocol):
    """A look at a file's bytes, for detection."""

    def stored(self, size: int) -> bytes:
        """The first bytes as stored (compressed, if the file is)."""

    def head(self, size: int) -> bytes:
        """The first bytes of its text, as UTF-8; raises InputError for a binary file."""

    def text(self) -> bytes:
        """All of its text, as UTF-8."""


def kind_of(source: Any, peek: Peek | None = None, split: str | None = None) -> Kind:
    """The kind of a path (``peek`` looks at its bytes) or of an in-memory dataset."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_dir():
            return Kind("saved-dataset", "saved-dataset")
        assert peek is not None
        return file_kind(path, peek)
    kind = type(source).__module__.split(".")[0] + "." + type(source).__name__
    if kind == "pandas.DataFrame":
        return Kind("dataframe", "dataframe")
    if kind in ("datasets.Dataset", "datasets.arrow_dataset.Dataset") or type(source).__name__ == "Dataset" and hasattr(source, "iter"):
        return Kind("hf-dataset", "hf-dataset")
    if type(source).__name__ == "DatasetDict":
        if split is None or split not in source:
            names = ", ".join(source)
            raise InputError(f"a DatasetDict holds several splits ({names}): pass one, e.g. dataset['train'], or split=NAME")
        return Kind("hf-dataset", "hf-dataset-split")
    raise InputError(f"cannot audit a {type(source).__name__}: pass a path, a datasets.Dataset or a pandas DataFrame")


def file_kind(path: Path, peek: Peek) -> Kind:
    fmt = _extension_kind(path) or _sniff(path, peek)
    if fmt == "jsonl":
        # A .jsonl file that is really one valid JSON array (a common export
        # mistake) is read as the array; anything else starting with '[' is JSON
        # lines, so a broken first line cannot swallow the rest of the file.
        document = _starts_with_bracket(peek) and _parses_whole(peek)
    elif fmt == "json":
        # Many ".json" files are JSON lines; only a leading '[' (or a single object
        # spanning the file) makes it a document.
        document = _starts_with_bracket(peek) or _single_object(peek)
    else:
        return Kind(fmt, fmt)
    return Kind(fmt, "json-document" if document else "json-lines")


def _extension_kind(path: Path) -> str | None:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return FILE_KINDS.get(suffixes[-1]) if suffixes else None


def _sniff(path: Path, peek: Peek) -> str:
    """The kind of a file without a telling extension, from its first bytes."""
    if peek.stored(4) == b"PAR1":
        return "parquet"
    head = peek.head(8192)  # refuses a binary file
    text = head.lstrip(b" \t\r\n")
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{") or not head:
        return "jsonl"  # empty: any text kind reads it as zero records
    first = text.split(b"\n", 1)[0]
    if b"\t" in first:
        return "tsv"
    if b"," in first:
        return "csv"
    raise InputError(f"{path}: cannot tell the file format; name it .jsonl, .json, .csv, .tsv or .parquet")


def _head(peek: Peek, size: int = 4096) -> bytes:
    return peek.head(size).lstrip(b" \t\r\n")


def _starts_with_bracket(peek: Peek) -> bool:
    return _head(peek).startswith(b"[")


def _parses_whole(peek: Peek) -> bool:
    raw = peek.text()
    try:
        return isinstance(orjson.loads(raw), list)
    except orjson.JSONDecodeError as exc:
        if not jsonvalues.too_big(exc):
            return False
    try:  # a number beyond a double: Python's parser decides
        return isinstance(jsonvalues.loads_careful(raw)[0], list)
    except jsonvalues.Rejected:
        return False


def _single_object(peek: Peek) -> bool:
    head = _head(peek, 1 << 16)
    if not head.startswith(b"{"):
        return False
    first_line = head.split(b"\n", 1)[0]
    try:
        orjson.loads(first_line)
    except orjson.JSONDecodeError:
        return True  # the first object spans lines: a pretty-printed document
    return False


# --- layouts -------------------------------------------------------------------


@dataclass(frozen=True)
class FieldOverrides:
    """Field names the user forced with --input-field and friends ('' = detect)."""

    input: str = ""
    output: str = ""
    category: str = ""
    id: str = ""

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> FieldOverrides:
        return cls(**{k: str(section.get(k) or "") for k in ("input", "output", "category", "id")})


# Layouts in the order they are tried: the first whose required fields appear in
# most sampled rows wins. Chat layouts come first because chat rows often carry
# other fields too.
@dataclass(frozen=True)
class Layout:
    name: str
    required: tuple[str, ...]
    input: tuple[str, ...]
    output: str | None
    messages: str | None = None
    optional: tuple[str, ...] = ()  # of ``input``: fields a row may leave out or blank
    passages: bool = False  # an instruction layout: a reference passage field (PASSAGE_NAMES) is part of the input
    # Category fields of the public set this layout is the shape of, tried after CATEGORY_NAMES: a
    # name too common to mean a category in any file ("type") is one in its set's shape.
    categories: tuple[str, ...] = ()


LAYOUTS: tuple[Layout, ...] = (
    Layout("chat", ("messages",), (), None, messages="messages"),
    Layout("sharegpt", ("conversations",), (), None, messages="conversations"),
    Layout("alpaca", ("instruction", "output"), ("instruction", "input"), "output", optional=("input",), passages=True),
    # GPTeacher and others ship alpaca with "response" for the output; so does Dolly, with its passage in "context".
    Layout("alpaca", ("instruction", "response"), ("instruction", "input"), "response", optional=("input",), passages=True),
    # Self-Instruct's task files (its seed_tasks.jsonl, also Alpaca's and Code Alpaca's, and its
    # user-oriented eval set): an instruction and its instances [{input, output}]; a task of one
    # instance is one example (see mapping.map_row).
    Layout("self-instruct", ("instruction", "instances"), ("instruction",), "instances"),
    Layout("prompt-completion", ("prompt", "completion"), ("prompt",), "completion"),
    Layout("prompt-response", ("prompt", "response"), ("prompt",), "response"),
    Layout("input-output", ("input", "output"), ("input",), "output"),
    # The FLAN collection's and P3/xP3's exports: a prompted task's text and its target.
    # Their task's name ("glue/rte:2.0.0", "task1344_glue_entailment_classification") is the category.
    Layout("inputs-targets", ("inputs", "targets"), ("inputs",), "targets", categories=("task_name",)),
    Layout("question-answer", ("question", "answer"), ("question",), "answer"),
    # OpenOrca (with its system_prompt, see SYSTEM_NAMES).
    Layout("question-response", ("question", "response"), ("question",), "response"),
    # MetaMathQA, whose "type" says which set's question it augments and how (GSM_Rephrased, MATH_AnsAug, ...).
    Layout("query-response", ("query", "response"), ("query",), "response", categories=("type",)),
    Layout("text-label", ("text", "label"), ("text",), "label"),
)

# A chat layout whose turns most sampled rows write as plain strings (user first, alternating): LIMA's
# conversations, and a messages field written the same way. Read by ``mapping.string_turns``.
STRING_TURNS = {"sharegpt": "lima", "chat": "chat-strings"}

# A system prompt is part of what the model sees, so it is part of the input: it goes first (where
# the model reads it), then a blank line, then the request, as alpaca joins its fields. Kept out,
# the token counts, the truncation and personal-data checks and the fidelity rules would judge a
# shorter input than the one trained on. A prompt many rows share does not make them look alike:
# the similarity engine leaves text found in 5 % of the distinct inputs out before comparing
# (``auditor.similarity.boilerplate``), as it does for a chat's shared system turn.
SYSTEM_NAMES = ("system_prompt", "system")

CATEGORY_NAMES = ("category", "intent", "topic", "domain", "class", "task_category")
ID_NAMES = ("id", "_id", "uid", "uuid", "example_id", "record_id", "idx")
ANNOTATION_NAMES = ("annotations", "labels")
# LLaMA-Factory's alpaca format: the turns before this one, as [instruction, response] pairs. They are
# part of what the model sees, so such a row is read as a chat (layout alpaca-history).
HISTORY_FIELD = "history"
#: The one text field a rendered chat is written in (see ``auditor.load.transcripts``).
TEXT_CHAT_FIELD = "text"


def detect(rows: Sequence[Mapping[str, Any]], overrides: FieldOverrides, source: str) -> tuple[str, FieldMap]:
    """Layout name and field map for these sample rows.

    A field counts as present when at least half the sampled rows carry it, so
    one odd row neither decides nor blocks the layout.
    """
    freq: Counter[str] = Counter(k for row in rows for k in row)
    half = max(1, (len(rows) + 1) // 2)
    present = {k for k, n in freq.items() if n >= half}

    layout = next((lay for lay in LAYOUTS if all(f in present for f in lay.required)), None)
    if layout is None and TEXT_CHAT_FIELD in present:
        layout = _text_chat(rows)
    elif layout is not None and layout.name in STRING_TURNS and _string_turns(rows, layout.messages or ""):
        layout = Layout(STRING_TURNS[layout.name], layout.required, (), None, messages=layout.messages)
    if layout is not None:
        layout = _with_optional(layout, rows)
    if layout is not None and layout.name == "alpaca" and _history_pairs(rows):
        layout = replace(layout, name="alpaca-history", messages=HISTORY_FIELD)
    for flag, name in (("--input-field", overrides.input), ("--output-field", overrides.output)):
        if name and name not in freq:
            raise InputError(f"{source}: {flag} {name!r} not found; fields found: {_names(freq)}")
    if overrides.input or overrides.output:
        inp = (overrides.input,) if overrides.input else (layout.input if layout and layout.output else ())
        out = overrides.output or (layout.output if layout else None)
        if not inp or not out:
            missing = "--input-field" if not inp else "--output-field"
            raise InputError(f"{source}: {missing} is needed too; fields found: {_names(freq)}")
        name = "custom"
        optional = layout.optional if layout and not overrides.input else ()
        fmap = FieldMap(input=tuple(inp), output=out, optional=optional)
    elif layout is None:
        raise InputError(f"{source}: cannot tell which fields hold the input and the output; fields found: {_names(freq)}; {_advice(present)}")
    else:
        name = layout.name
        fmap = FieldMap(input=layout.input, output=layout.output, messages=layout.messages, optional=layout.optional)

    used = {*fmap.input, fmap.output, fmap.messages}
    names = (*CATEGORY_NAMES, *(layout.categories if layout else ()))
    category = overrides.category or next((c for c in names if c in present and c not in used), None)
    if overrides.category and overrides.category not in freq:
        raise InputError(f"{source}: --category-field {overrides.category!r} not found; fields found: {_names(freq)}")
    id_field = overrides.id or next((c for c in ID_NAMES if c in present and c not in used), None)
    if overrides.id and overrides.id not in freq:
        raise InputError(f"{source}: --id-field {overrides.id!r} not found; fields found: {_names(freq)}")
    annotations = next((c for c in ANNOTATION_NAMES if c in present and c not in used | {category}), None)
    return name, FieldMap(
        input=fmap.input,
        output=fmap.output,
        category=category,
        id=id_field,
        messages=fmap.messages,
        annotations=annotations,
        optional=fmap.optional,
    )


def _with_optional(layout: Layout, rows: Sequence[Mapping[str, Any]]) -> Layout:
    """The layout with the system prompt and (for an instruction layout) the passage fields the sample holds as text.

    A chat's system field (LLaMA-Factory's ShareGPT format has a "system" column) becomes its
    first turn, unless the turns start with one (see ``mapping.map_row``).
    """
    if layout.name in ("self-instruct", "text-label"):
        return layout  # a task file's instances, a text to classify: no prompt around them
    seen = {k for row in rows for k in row}
    system = tuple(n for n in SYSTEM_NAMES if n in seen and n not in layout.input and n != layout.messages and _prose(rows, n))[:1]
    passages = tuple(n for n in PASSAGE_NAMES if layout.passages and n in seen and _prose(rows, n, lists=True))
    if not system and not passages:
        return layout
    return replace(layout, input=(*system, *layout.input, *passages), optional=(*system, *layout.optional, *passages))


def _prose(rows: Sequence[Mapping[str, Any]], name: str, lists: bool = False) -> bool:
    """Whether field ``name`` holds prose in the sample: mostly text, not every written value a single word.

    A field of that name holding anything else (objects of metadata, a model's name such as
    "gpt-4" under "system") is left alone rather than made part of every input; one odd value
    among texts does not decide (its row is a load problem with the reason). All blank in the
    sample, it is taken: blank values are left out of the input anyway, and the rows after the
    sample may fill it. With ``lists``, a list of texts (passages) is its texts joined.
    """
    values = [row[name] for row in rows if name in row and row[name] is not None]
    if lists:
        values = ["\n\n".join(v) if isinstance(v, list) and all(type(t) is str for t in v) else v for v in values]
    texts = [v for v in values if type(v) is str]
    if 2 * len(texts) < len(values):
        return False
    written = [v for v in texts if v.strip()]
    return not written or any(len(v.split()) > 1 for v in written)


def _history_pairs(rows: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the sample holds LLaMA-Factory's alpaca history: mostly lists of [instruction, response] pairs, some not empty.

    Odd values (one row's history written as text) neither decide nor block: those rows are load problems."""
    values = [row[HISTORY_FIELD] for row in rows if row.get(HISTORY_FIELD) is not None]
    pairs = [v for v in values if isinstance(v, list) and all(isinstance(p, list) and len(p) == 2 and all(type(t) is str for t in p) for p in v)]
    return 2 * len(pairs) >= len(values) and any(pairs)


def _string_turns(rows: Sequence[Mapping[str, Any]], name: str) -> bool:
    """Whether most sampled rows hold ``name`` as a non-empty list of plain strings (LIMA's turns)."""
    values = [row[name] for row in rows if name in row]
    strings = sum(isinstance(v, list) and bool(v) and all(type(t) is str for t in v) for v in values)
    return strings >= max(1, (len(values) + 1) // 2)


def _text_chat(rows: Sequence[Mapping[str, Any]]) -> Layout | None:
    """A chat rendered into the text field, when most sampled rows read as one in exactly one template."""
    template = transcripts.template_of([row.get(TEXT_CHAT_FIELD) for row in rows])
    return Layout(template.name, (TEXT_CHAT_FIELD,), (), None, messages=TEXT_CHAT_FIELD) if template else None


def _advice(present: set[str]) -> str:
    """What to do, for a refused layout: the override flags, and why a known shape did not read."""
    flags = "use --input-field NAME --output-field NAME"
    if {"message_id", "parent_id", "role", "text"} <= present:
        return (
            "each row is one message of a conversation tree (as OpenAssistant's oasst1/oasst2 export it): "
            "join each thread into one row (messages: [{role, content}]) first"
        )
    if TEXT_CHAT_FIELD in present:
        return f"{transcripts.hint()}; or {flags}"
    if {"chosen", "rejected"} <= present:
        # A preference set (DPO pairs): which reply is trained on is the user's call, not a guess.
        prompt = next((n for n in ("prompt", "question", "instruction", "input") if n in present), "NAME")
        return f"this looks like a preference set (chosen and rejected replies): audit the replies trained on, e.g. --input-field {prompt} --output-field chosen"
    return flags


def _names(freq: Counter[str]) -> str:
    if not freq:
        return "none"
    names = [_show(k) for k, _ in freq.most_common(12)]
    return ", ".join(names) + (", ..." if len(freq) > 12 else "")


def _show(name: str) -> str:
    """A field name fit for a one-line message: odd characters escaped, long names cut."""
    text = name if name.isprintable() else repr(name)[1:-1]
    return text if len(text) <= 40 else text[:39] + "…"


# --- encodings and binary files -----------------------------------------------

#: Byte order marks, longest first: UTF-32LE's starts with UTF-16LE's.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: Bytes looked at to tell an encoding or a binary file, as text editors do (VS Code looks at 512).
SNIFF_BYTES = 4096


def text_encoding(head: bytes) -> tuple[str, int]:
    """The codec of a text that starts with ``head``, and the length of its byte order mark.

    Without a mark, UTF-16 and UTF-32 show in where the NUL bytes fall: text
    is mostly ASCII (JSON's own syntax is), and in UTF-16LE every ASCII
    character is followed by one NUL, in UTF-32BE preceded by three.
    """
    for bom, codec in BOMS:
        if head.startswith(bom):
            return codec, len(bom)
    sample = head[: SNIFF_BYTES - SNIFF_BYTES % 4]
    n = len(sample) - len(sample) % 4
    if n < 16 or b"\x00" not in sample:  # a handful of bytes cannot tell an encoding
        return "utf-8", 0
    zeros = [sample[k:n:4].count(0) / (n // 4) for k in range(4)]
    if zeros[2] > 0.9 and zeros[3] > 0.9 and zeros[1] > 0.5 and zeros[0] < 0.5:
        return "utf-32-le", 0
    if zeros[0] > 0.9 and zeros[1] > 0.9 and zeros[2] > 0.5 and zeros[3] < 0.5:
        return "utf-32-be", 0
    even, odd = (zeros[0] + zeros[2]) / 2, (zeros[1] + zeros[3]) / 2
    # A character U+xx00 (U+4E00 is common in Chinese) puts a NUL on the other side: allow a few.
    if odd > 0.3 and even < 0.05:
        return "utf-16-le", 0
    if even > 0.3 and odd < 0.05:
        return "utf-16-be", 0
    return "utf-8", 0


#: Signatures of binary files people mistake for data exports, with a word on each.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"PAR1", "a Parquet file: name it .parquet"),
    (b"\x1f\x8b", "gzip-compressed: name it with .gz at the end"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"BZh", "bzip2-compressed"),
    (b"\xfd7zXZ\x00", "xz-compressed"),
    (b"(\xb5/\xfd", "zstd-compressed"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-zip archive"),
    (b"ARROW1", "an Arrow file"),
    (b"\x93NUMPY", "a NumPy array"),
)

#: Control bytes that text files hold: tab, newline, form feed, carriage return, escape.
_TEXT_CONTROLS = b"\t\n\x0b\x0c\r\x1b"
_NOT_CONTROL = bytes(range(0x20, 0x100)) + _TEXT_CONTROLS


def binary_kind(head: bytes) -> str | None:
    """None for text; otherwise what the file seems to be ("a zip archive", or "" when unknown).

    Known signatures first; then the share of bytes no text holds (NUL and
    other control bytes, bytes that are not UTF-8) in the first few KB:
    random or compressed bytes have about 60 %, a Latin-1 export a few %, a
    text with one stray NUL well under 1 %.
    """
    for magic, what in MAGIC:
        if head.startswith(magic):
            return what
    sample = head[:SNIFF_BYTES]
    if not sample:
        return None
    controls = len(sample.translate(None, _NOT_CONTROL))
    # A UTF-8 character cut at the end of the sample is not an invalid byte.
    not_utf8 = len(sample) - len(sample.decode("utf-8", "ignore").encode("utf-8"))
    not_utf8 -= min(not_utf8, 3) if len(sample) == SNIFF_BYTES else 0
    return "" if (controls + not_utf8) / len(sample) > 0.3 else None
