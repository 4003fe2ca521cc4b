"""Annotations as labelling tools export them, and the sheet ``auditor sample`` writes, read back as rows.

- **Label Studio** JSON export: a list of tasks, each ``{"id", "data": {...},
  "annotations": [{"completed_by", "was_cancelled", "result": [{"from_name",
  "to_name", "type", "value": {"choices": [...]} | {"rating": n} | ...}]}]}``
  (Label Studio's "Task format" and "Export annotations" pages; older exports
  call ``annotations`` ``completions``). The rater is ``completed_by`` (a user
  id, or a user object with an e-mail); each result's ``from_name`` is the
  control answered, i.e. the rubric criterion. Cancelled annotations are skipped.
- **Argilla** records: v2 ``dataset.records.to_json()`` writes ``[{"id",
  "fields", "metadata", "suggestions", "responses": {question: [{"value",
  "user_id"}]}, "vectors", "_server_id"}]``; flattened records carry
  ``question.responses`` with ``question.responses.users`` and
  ``.status``; v1 FeedbackDataset records hold ``"responses": [{"user_id",
  "values": {question: {"value"}}, "status"}]`` and ``external_id``. Only
  submitted responses count (a draft or a discarded answer is no rating).
- **Rows per item and rater** with a column per criterion: Label Studio's
  JSON-MIN and CSV exports (``item_id``, ``annotator``, one column per control).
- **A sheet**: one row per item, one column per rater (``rater_1``) or per
  rater and criterion (``rater_1:complete``); empty cells are items a rater
  did not rate, a column nobody filled is reported.

The item id is looked for in the configured ``agreement.item_column``, then in
the task's data or the record's fields and metadata (``item_id``, ``id``, ...),
then the record's own id (Argilla's ``id`` is the external id the team set).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from auditor.load.annotation_rows import AnnotationInputError, RawAnnotations, _pick, id_key, label_key

#: Names of an item id inside a task's data or a record's fields and metadata.
ID_FIELDS = ("item_id", "id", "record_id", "example_id", "instance_id", "sample_id", "unit_id", "uid")
#: Columns of a sheet that hold the item, not a rater's answer.
SHEET_CONTEXT = ("input", "output", "category", "stratum", "instruction", "prompt", "response", "completion", "text", "question_text")
#: Keys of a Label Studio result value that hold the answer, in the order tried.
LS_VALUE_KEYS = ("choices", "rating", "number", "text", "taxonomy", "labels", "textarea")
#: Argilla response statuses that are not a rater's answer.
ARGILLA_SKIPPED = frozenset({"discarded", "draft", "pending"})


def read_tool_export(
    rows: Sequence[tuple[int, Any]], bad: Sequence[int], name: str, index: Mapping[str, int], options: Mapping[str, Any]
) -> RawAnnotations | None:
    """Rows of a Label Studio or Argilla export, or None when the JSON is neither (plain long-form rows)."""
    first = next((row for _, row in rows if isinstance(row, Mapping)), None)
    if first is None:
        return None
    if isinstance(first.get("annotations", first.get("completions")), list) and ("data" in first or "id" in first):
        return _label_studio(rows, bad, name, index, options)
    if "responses" in first or any(str(k).endswith(".responses") for k in first):
        return _argilla(rows, bad, name, index, options)
    return None


def read_sheet(columns: Mapping[str, list[Any]], item_c: str, malformed: list[int], name: str, index: Mapping[str, int]) -> RawAnnotations:
    """A sheet: every column but the item and its context is one rater's (``rater`` or ``rater:criterion``)."""
    raters = [c for c in columns if c != item_c and c.strip().lower() not in SHEET_CONTEXT]
    if not raters:
        raise AnnotationInputError(
            f"annotations file {name}: a sheet with item ids ({item_c!r}) but no rater column "
            f"(columns: {', '.join(map(str, columns))}); a sheet needs one column per rater, e.g. rater_1, rater_2"
        )
    raw = RawAnnotations(source=f"sheet {name}", malformed=malformed)
    filled = dict.fromkeys(raters, False)
    for r, item in enumerate(columns[item_c]):
        key = id_key(item)
        row = index.get(key)
        if row is None:
            if key or any(label_key(columns[c][r]) for c in raters):  # a blank trailing row is no row
                raw.unknown_items[key] = raw.unknown_items.get(key, 0) + 1
            continue
        for column in raters:
            value = columns[column][r]
            if label_key(value):  # an empty cell: this rater did not rate this item
                rater, _, criterion = column.partition(":")
                raw.add(row, rater.strip(), value, criterion.strip())
                filled[column] = True
    raw.silent = [c for c, any_value in filled.items() if not any_value]
    if not any(raw.criteria):
        raw.criteria = []  # plain labels: one column per rater
    return raw


def read_rater_rows(
    columns: Mapping[str, list[Any]], item_c: str, annot_c: str, criteria: Sequence[str], malformed: list[int], name: str, index: Mapping[str, int]
) -> RawAnnotations:
    """One row per item and rater with a column per criterion (Label Studio's JSON-MIN and CSV exports)."""
    raw = RawAnnotations(source=f"file {name}", malformed=malformed)
    for r, item in enumerate(columns[item_c]):
        key = id_key(item)
        row = index.get(key)
        if row is None:
            raw.unknown_items[key] = raw.unknown_items.get(key, 0) + 1
            continue
        rater = id_key(columns[annot_c][r])
        for criterion in criteria:
            value = columns[criterion][r]
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
            if label_key(value):
                raw.add(row, rater, value, criterion)
    return raw


# --- Label Studio ----------------------------------------------------------------


def _label_studio(rows: Sequence[tuple[int, Any]], bad: Sequence[int], name: str, index: Mapping[str, int], options: Mapping[str, Any]) -> RawAnnotations:
    raw = RawAnnotations(source=f"Label Studio export {name}", malformed=list(bad))
    configured = str(options.get("item_column") or "")
    for number, task in rows:
        annotations = task.get("annotations", task.get("completions")) if isinstance(task, Mapping) else None
        if not isinstance(annotations, list):
            raw.malformed.append(number)
            continue
        data = task.get("data") if isinstance(task.get("data"), Mapping) else {}
        key = _item_key(configured, (data,), own=None)  # the task's own "id" is Label Studio's, not the item's
        row = _record_of(raw, index, key, number, answered=bool(annotations))
        if row is None:
            continue
        for position, annotation in enumerate(annotations):
            if not isinstance(annotation, Mapping) or not isinstance(annotation.get("result", []), list):
                raw.malformed.append(number)
                continue
            if annotation.get("was_cancelled"):  # the annotator skipped the task: no answer
                continue
            rater = _rater(annotation.get("completed_by"))
            if rater is None:
                raw.anonymous = True
                rater = f"#{position + 1}"
            for result in annotation.get("result") or []:
                found = _ls_answer(result)
                if found is None:
                    raw.malformed.append(number)
                    continue
                control, label = found
                raw.add(row, rater, label, control)
    raw.malformed = sorted(set(raw.malformed))
    return _plain_when_single(raw, options, "control")


def _rater(completed_by: Any) -> str | None:
    """``completed_by`` as Label Studio writes it: a user id, or a user object (e-mail preferred)."""
    if isinstance(completed_by, Mapping):
        for key in ("email", "username", "id"):
            if completed_by.get(key) not in (None, ""):
                return id_key(completed_by[key])
        return None
    return None if completed_by in (None, "") else id_key(completed_by)


def _ls_answer(result: Any) -> tuple[str, Any] | None:
    """(control name, answer) of one result; None when it holds no answer this reader knows."""
    if not isinstance(result, Mapping) or not isinstance(result.get("value"), Mapping):
        return None
    value = result["value"]
    for key in LS_VALUE_KEYS:
        if key in value:
            answer = value[key]
            if isinstance(answer, list) and len(answer) == 1:
                answer = answer[0]  # a single choice is a label, not a set of one
            return str(result.get("from_name") or ""), answer
    return None


# --- Argilla ---------------------------------------------------------------------


def _argilla(rows: Sequence[tuple[int, Any]], bad: Sequence[int], name: str, index: Mapping[str, int], options: Mapping[str, Any]) -> RawAnnotations:
    raw = RawAnnotations(source=f"Argilla records {name}", malformed=list(bad))
    configured = str(options.get("item_column") or "")
    for number, record in rows:
        if not isinstance(record, Mapping):
            raw.malformed.append(number)
            continue
        places = tuple(p for p in (record.get("metadata"), record.get("fields")) if isinstance(p, Mapping))
        key = _item_key(configured, places, own=record.get("id", record.get("external_id")))
        answers = list(_argilla_answers(record))
        row = _record_of(raw, index, key, number, answered=bool(answers))
        if row is None:
            continue
        for question, rater, label, status in answers:
            if status is not None and str(status).lower() in ARGILLA_SKIPPED:
                continue
            if rater is None:
                raw.anonymous = True
            raw.add(row, rater if rater is not None else "#?", label, question)
    raw.malformed = sorted(set(raw.malformed))
    return _plain_when_single(raw, options, "question")


def _argilla_answers(record: Mapping[str, Any]) -> Any:
    """(question, user id, value, status) of each response, in the v2, flattened v2 or v1 layout."""
    responses = record.get("responses")
    if isinstance(responses, Mapping):  # v2 to_json / to_list(flatten=False)
        for question, answers in responses.items():
            for answer in answers or []:
                if isinstance(answer, Mapping):
                    yield str(question), _user(answer.get("user_id")), answer.get("value"), answer.get("status")
    elif isinstance(responses, list):  # v1 FeedbackDataset
        for response in responses:
            if isinstance(response, Mapping):
                for question, answer in (response.get("values") or {}).items():
                    value = answer.get("value") if isinstance(answer, Mapping) else answer
                    yield str(question), _user(response.get("user_id")), value, response.get("status")
    for key, values in record.items():  # v2 flattened: "q.responses", "q.responses.users", "q.responses.status"
        if isinstance(key, str) and key.endswith(".responses") and isinstance(values, list):
            question = key[: -len(".responses")]
            users = record.get(f"{key}.users") or [None] * len(values)
            statuses = record.get(f"{key}.status") or [None] * len(values)
            for value, user, status in zip(values, users, statuses):
                yield question, _user(user), value, status


def _user(value: Any) -> str | None:
    return None if value in (None, "", "None") else id_key(value)


# --- shared ----------------------------------------------------------------------


def _record_of(raw: RawAnnotations, index: Mapping[str, int], key: str | None, number: int, *, answered: bool) -> int | None:
    """The record an exported item belongs to; None (and counted) for no id or an id not in the data."""
    if key is None:
        raw.malformed.append(number)
        return None
    row = index.get(key)
    if row is None and answered:  # an unanswered task of another data version is no annotation to lose
        raw.unknown_items[key] = raw.unknown_items.get(key, 0) + 1
    return row


def _item_key(configured: str, places: Sequence[Mapping[str, Any]], own: Any) -> str | None:
    """The item id: the configured field, else an id field in the item's data, else the record's own id.

    Only id-like names are looked for in data and fields: a field called
    "question" or "text" holds the item's text there, not its id.
    """
    for place in places:
        name = _pick(list(place), configured, ID_FIELDS)
        value = place.get(name) if name is not None else None
        if value not in (None, "") and not isinstance(value, (Mapping, list)):
            return id_key(value)
    return None if own in (None, "") else id_key(own)


def _plain_when_single(raw: RawAnnotations, options: Mapping[str, Any], what: str) -> RawAnnotations:
    """Without a rubric an export answers one question: its rows are plain labels.

    Several questions and no rubric: the one named by ``agreement.label_column``,
    else an error that names them (measuring them as one scale would mix criteria).
    """
    if options.get("rubric"):
        return raw
    names = raw.criterion_names()
    chosen = str(options.get("label_column") or "")
    if len(names) > 1:
        if chosen not in names:
            raise AnnotationInputError(
                f"{raw.source} answers {len(names)} {what}s ({', '.join(map(repr, names[:10]))}); name the one to "
                "measure with agreement.label_column, or list them as criteria in agreement.rubric"
            )
        keep = [i for i, c in enumerate(raw.criteria) if c == chosen]
        raw.items = [raw.items[i] for i in keep]
        raw.annotators = [raw.annotators[i] for i in keep]
        raw.labels = [raw.labels[i] for i in keep]
    raw.criteria = []
    return raw
