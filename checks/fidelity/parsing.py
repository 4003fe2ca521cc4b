"""TSK001: outputs that claim to be code or data (Python, SQL, JSON, YAML, CSV) and do not parse.

An output *claims* a language when it holds a fenced block tagged with it
(```python), or when its instruction asks for something in it ("Write a
Python function", "Create a SQL query", "in JSON format") and the output
begins the way such code does. Only then is it parsed: Python with ``ast``,
JSON with the standard library, YAML with PyYAML, SQL with sqlglot (any of a
few common dialects may accept it), CSV by its rows all having the same
number of fields. The note gives the parser's error and line.

What is not a defect, and so is not parsed or not flagged:
- a fenced block tagged with another language, or an untagged one, when the
  instruction names none of these languages;
- REPL sessions (">>> " prompts: only the prompted lines are code) and
  notebook magics ("%timeit", "!pip"): they are stripped before parsing;
- an indented fragment: it is dedented first; a bare ``return`` or ``await``
  parses (``ast`` does not check where they stand);
- pseudo-code, or an instruction asking to complete, fill in or fix a
  fragment ("complete the following code", "missing line"): not checked;
- JSON or SQL written with an ellipsis as a placeholder for elided parts.
Python 2 code (``print "x"``) does not parse as Python 3 and is flagged as
its own kind, so a set kept for Python 2 on purpose can ignore it.

Bounded cost on hostile records: code longer than ``MAX_CODE_CHARS`` and YAML
with anchors and aliases (which can expand exponentially) are not parsed;
nesting too deep for a parser is reported as an error, never raised.
"""

from __future__ import annotations

import ast
import csv
import io
import re
import textwrap
from collections.abc import Callable

from auditor.core.findings import CodeInfo, Severity
from checks.fidelity.base import RuleResult, View

CODE = CodeInfo(
    code="TSK001",
    symbol="unparsable-output",
    severity=Severity.WARNING,
    summary="Outputs that claim to be code or data (Python, SQL, JSON, YAML, CSV) and do not parse.",
    why="A model learns to write what it is shown: code that does not parse teaches it broken syntax, and data "
    "that does not parse breaks whatever reads the model's answers.",
    fix="Repair the outputs (the finding gives each parse error and line), or drop them. Python 2 code is "
    "reported apart: port it or drop it unless Python 2 is intended.",
    threshold="any record whose output claims the language by a fenced block's tag or by its instruction",
)

KINDS = {
    "python": "claim to be Python and do not parse",
    "python2": "claim to be Python but are Python 2 (print statements and the like) and do not parse as Python 3",
    "sql": "claim to be SQL and do not parse in any common dialect",
    "json": "claim to be JSON and do not parse",
    "yaml": "claim to be YAML and do not parse",
    "csv": "claim to be CSV and do not have the same number of fields on every row",
    "wrong-language": "claim one language (by their instruction or a fence's tag) and are written in another",
}
ACTION = "repair these outputs (each example names the parse error and line) or drop them"

# -- claims ---------------------------------------------------------------------

_FENCE = re.compile(r"^[ \t]*```[ \t]*([A-Za-z0-9_+#-]*)[^\n]*\n(.*?)^[ \t]*```", re.M | re.S)
_TAGS = {"python": "python", "py": "python", "python3": "python", "sql": "sql", "mysql": "sql", "postgresql": "sql",
         "sqlite": "sql", "json": "json", "yaml": "yaml", "yml": "yaml", "csv": "csv"}

# Names of languages an instruction may ask for: ours, and others that, when named with
# ours, make the target ambiguous ("Write a Python script that runs this SQL").
_LANGUAGE = (
    r"python3?|sql|json|yaml|csv|javascript|typescript|java|c\+\+|c#|c|ruby|go|golang|rust|php|html|css|bash|shell|"
    r"perl|swift|kotlin|scala|r|matlab|haskell|lua|dart|node\.?js|react|jquery|xml|markdown|latex|pseudo-?code|"
    r"mongodb|graphql|regex|regular expression|powershell|assembly|objective-c|vba|excel|sas|spark|pandas"
)
_NAMED = re.compile(rf"(?<![\w.+#-])({_LANGUAGE})(?![\w+#-])", re.I)
_IN = re.compile(rf"\b(?:in|using|with|into|to)\s+(?:an?\s+|the\s+)?({_LANGUAGE})(?![\w+#-])", re.I)
# The instruction asks for something to be produced (not explained, predicted or described).
_PRODUCE = re.compile(
    r"^\s*(?:please\s+)?(?:write|create|implement|generate|develop|design|construct|build|code|compose|make|produce|"
    r"rewrite|refactor|convert|translate|provide|give|output|return|format|program|define|declare|formulate|"
    r"devise|craft|draft|prepare|set up|come up with|add|modify|edit|update|change|improve|optimi[sz]e|fix|correct|"
    r"debug|transform|express|represent)\b",
    re.I,
)
# Asks for a fragment, pseudo-code, or an explanation: the output is not whole code.
_FRAGMENT = re.compile(
    r"\b(?:complete|fill in|fill the|blank|missing|pseudo-?code|line of code|statement that|expression|"
    r"condition|comment|explain|describe|output of|what (?:is|are|does|will)|regular expression|regex|"
    r"placeholder|skeleton|template|outline|signature|header)\b",
    re.I,
)
_OURS = {"python": "python", "python3": "python", "sql": "sql", "json": "json", "yaml": "yaml", "csv": "csv"}

# How each language's code begins: an output is parsed only when its first line does.
_STARTS: dict[str, re.Pattern[str]] = {
    "python": re.compile(
        r"(?:def |class |import |from [\w.]+ import |@\w|#|if |for |while |try:|with |print\b|return\b|async |"
        r"\"\"\"|'''|>>> |[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s*(?:=[^=]|\+=|-=|\(|,\s*[A-Za-z_]\w*\s*=))"
    ),
    "sql": re.compile(r"(?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|WITH|TRUNCATE|REPLACE|MERGE|GRANT)\b", re.I),
    "json": re.compile(r"[\[{]"),
    "yaml": re.compile(r"(?:---|[\w\"'-][^:\n]*:(?:\s|$)|- )"),
    "csv": re.compile(r"[^\n,]+(?:,[^\n,]*)+\n"),
}
# An instruction can only claim a language by naming it: a cheap literal gate before any regex.
_GATE = ("python", "sql", "json", "yaml", "csv")
# Longer code is not parsed: it bounds the time a hostile record can cost (sqlglot and PyYAML are pure Python).
MAX_CODE_CHARS = 20_000


def claimed_language(instruction: str) -> str | None:
    """The one language of ours the instruction asks its output to be in, or None (none, or ambiguous).

    One language named: that one. Several ("Translate this Python code into C++", "Rewrite this SQL
    query in Python"): only the one an "in/using/into X" phrase names, when there is exactly one."""
    if not _PRODUCE.search(instruction) or _FRAGMENT.search(instruction):
        return None
    named = {m.group(1).lower() for m in _NAMED.finditer(instruction)}
    if len(named) > 1:
        named = {m.group(1).lower() for m in _IN.finditer(instruction)}
    if len(named) != 1:
        return None
    return _OURS.get(named.pop())


def code_parts(output: str, instruction: str) -> list[tuple[str, str]]:
    """(language, code) pairs to parse from one output: its tagged fences, else the whole output
    when the instruction claims a language and the output begins like it."""
    parts: list[tuple[str, str]] = []
    if "```" in output:
        for m in _FENCE.finditer(output):
            language = _TAGS.get(m.group(1).lower())
            if language is not None:
                parts.append((language, m.group(2)))
        return parts  # an output with fences is judged by its fences only
    language = claimed_language(instruction)
    if language is not None:
        text = output.rstrip()
        first = text.lstrip()
        if _STARTS[language].match(first) and (language != "csv" or "\n" in first):
            # Leading blank lines go, the first line's indent stays: the parser dedents the block as a whole.
            parts.append((language, text.lstrip("\n") if language == "python" else first))
    return parts


# Unmistakable marks of a language: a line only that language writes. Only used to name what
# code that failed to parse (or a fence tagged otherwise) is written in.
_MARKS: dict[str, re.Pattern[str]] = {
    "javascript": re.compile(r"^\s*(?:function\s+\w+\s*\(.*\)\s*\{|(?:const|let|var)\s+\w+\s*=.*;\s*$|console\.log\()", re.M),
    "java or C#": re.compile(r"^\s*(?:public|private|protected)\s+(?:static\s+)?(?:void|int|string|String|class)\b", re.M),
    "C or C++": re.compile(r"^\s*#include\s*[<\"]|^\s*(?:int|void)\s+main\s*\(", re.M),
    "python": re.compile(r"^(?:def \w+\(.*\):|class \w+(?:\(.*\))?:|import \w+|from [\w.]+ import \w+)\s*$", re.M),
}
_OTHER_TAGS = {"js": "javascript", "javascript": "javascript", "ts": "javascript", "typescript": "javascript",
               "java": "java or C#", "csharp": "java or C#", "cs": "java or C#", "c#": "java or C#", "c": "C or C++",
               "cpp": "C or C++", "c++": "C or C++"}


def written_in(code: str, claimed: str) -> str | None:
    """Another language the code is unmistakably written in (and not ``claimed``), or None."""
    for language, mark in _MARKS.items():
        if language != claimed and mark.search(code) and not _MARKS.get(claimed, _NEVER).search(code):
            return language
    return None


_NEVER = re.compile(r"(?!)")


def mismatched_fences(output: str) -> list[tuple[str, str]]:
    """(tag's language, the language the block is written in) for fences tagged with a language
    other than ours whose content is unmistakably Python that parses."""
    out = []
    for m in _FENCE.finditer(output):
        tagged = _OTHER_TAGS.get(m.group(1).lower())
        if tagged and written_in(m.group(2), tagged) == "python" and python_error(m.group(2)) is None:
            out.append((tagged, "python"))
    return out


# -- parsers: each returns None when the text parses, else the error and line -----

_REPL = re.compile(r"^(?:>>>|\.\.\.)(?: |$)", re.M)
_MAGIC = re.compile(r"^[ \t]*[%!].*$", re.M)
_PY2_PRINT = re.compile(r"^\s*print\s+(?:[\"'\w]|$)", re.M)


def python_error(code: str) -> str | None:
    if _REPL.search(code):
        code = "\n".join(line[4:] for line in code.splitlines() if _REPL.match(line))
    code = textwrap.dedent(_MAGIC.sub("", code.expandtabs(8)))
    try:
        ast.parse(code)
    except SyntaxError as e:
        return f"line {e.lineno}: {e.msg}"
    except (ValueError, MemoryError, RecursionError) as e:  # null bytes, absurd nesting
        return f"{type(e).__name__}: {e}"
    return None


def json_error(text: str) -> str | None:
    import json

    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        if "..." in text or "…" in text:
            return None  # an ellipsis standing for elided entries: an example, not data
        return f"line {e.lineno}: {e.msg}"
    except RecursionError:
        return "nested too deeply"
    return None


_YAML_ALIAS = re.compile(r"(?:^|[\s\[{,])&\w[^\n]*\n(?:.*\n)*?.*\*\w", re.M)


def yaml_error(text: str) -> str | None:
    import yaml

    if _YAML_ALIAS.search(text):
        return None  # anchors and aliases can expand exponentially (a "billion laughs" record): not parsed
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        return f"{where}{getattr(e, 'problem', None) or type(e).__name__}"
    except RecursionError:
        return "nested too deeply"
    return None


_SQL_STRING = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"")
_CURLY = re.compile(r"[‘’“”]")
_SQL_DIALECTS = (None, "mysql", "postgres", "tsql", "sqlite", "oracle", "bigquery")


def sql_error(text: str) -> str | None:
    import sqlglot
    from sqlglot.errors import SqlglotError

    if "..." in text or "…" in text:
        return None
    # sqlglot reads a typographic quote as part of a name, but no database does: ‘London’ is not a string.
    bare = _SQL_STRING.sub("''", text)
    curly = _CURLY.search(bare)
    if curly:
        return f"line {bare.count(chr(10), 0, curly.start()) + 1}: typographic quote {curly.group(0)} where a ' belongs"
    first: str | None = None
    for dialect in _SQL_DIALECTS:
        try:
            sqlglot.parse(text, read=dialect)
            return None
        except SqlglotError as e:
            errors = getattr(e, "errors", None) or [{}]
            line = errors[0].get("line")
            first = first or (f"line {line}: " if line else "") + str(errors[0].get("description") or e).splitlines()[0]
        except (RecursionError, ValueError) as e:
            first = first or f"{type(e).__name__}: {e}"
    return first


def csv_error(text: str) -> str | None:
    rows = [r for r in csv.reader(io.StringIO(text.strip())) if r]
    widths = {len(r) for r in rows}
    if len(rows) >= 2 and len(widths) > 1:
        head = len(rows[0])
        line = next(k for k, r in enumerate(rows, 1) if len(r) != head)
        return f"line {line}: {len(rows[line - 1])} fields where the header has {head}"
    return None


PARSERS: dict[str, Callable[[str], str | None]] = {
    "python": python_error,
    "json": json_error,
    "yaml": yaml_error,
    "sql": sql_error,
    "csv": csv_error,
}


def find(view: View) -> RuleResult:
    result = RuleResult()
    outputs, instructions = view.outputs, view.instructions
    for i, output in enumerate(outputs):
        if not output:
            continue
        if "```" not in output:
            low = instructions[i][:1000].lower()
            if not any(map(low.__contains__, _GATE)):
                continue
        for language, code in code_parts(output, view.instructions[i]):
            if len(code) > MAX_CODE_CHARS:
                continue
            result.checked[language] += 1
            error = PARSERS[language](code)
            if error is None:
                continue
            other = written_in(code, language) if language in ("python", "sql") else None
            if other is not None:
                result.flag(i, "wrong-language", f"claims {language}, written in {other} ({error})")
            elif language == "python" and _PY2_PRINT.search(code):
                result.flag(i, "python2", error)
            else:
                result.flag(i, language, error)
            break
        else:
            if "```" in output:
                for tagged, actual in mismatched_fences(output):
                    result.flag(i, "wrong-language", f"fence tagged {tagged}, written in {actual}")
                    break
    return result
