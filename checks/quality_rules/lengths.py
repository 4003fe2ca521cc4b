"""Length outliers: robust z-scores on log length.

Lengths are skewed (a few very long texts), so they are compared on a log
scale, and the centre and spread are the median and the MAD, which a handful
of extreme records cannot drag. The modified z-score 0.6745 * (x - median) / MAD
above 3.5 is Iglewicz and Hoaglin's usual outlier rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from checks.quality_rules.asks import asks_for_more, complete_by_shape


def outliers(lengths: Sequence[int] | np.ndarray, z_limit: float) -> tuple[list[int], list[int], float]:
    """Indices of unusually long and unusually short texts, and the median length.

    Zero lengths are left out (empty texts are reported on their own). When more
    than half of the lengths are equal the MAD is zero and nothing is an outlier.
    """
    arr = np.asarray(lengths, dtype=np.float64)
    keep = np.flatnonzero(arr > 0)
    if keep.size < 10:
        return [], [], float(np.median(arr)) if arr.size else 0.0
    logs = np.log(arr[keep])
    median = float(np.median(logs))
    mad = float(np.median(np.abs(logs - median)))
    if mad == 0.0:
        return [], [], float(np.exp(median))
    z = 0.6745 * (logs - median) / mad
    long_ = keep[z > z_limit].tolist()
    short = keep[z < -z_limit].tolist()
    return long_, short, float(np.exp(median))


# --- what makes an outlier worth a look -------------------------------------------------------
# A length far from its group's is natural more often than not (a long context, a short answer);
# only an outlier that also shows a problem is reported.

REPEATS = "repeats itself"
SEVERAL_RECORDS = "holds several records"
TOO_SHORT_FOR_ASK = "too short for what the input asks"
STUB = "one or two words"

# Turn or record markers: an output holding one holds another record (a run-on generation, two records pasted).
_RECORD_MARKERS = ("\nInput:", "\nOutput:", "### Instruction", "### Response", "\nHuman:", "\nAssistant:", "\nUser:",
                   "<|im_start|>", "<|user|>", "[INST]")
_DIGITS = str.maketrans("123456789", "000000000")
_PROBE = 48  # characters of the text looked for again elsewhere in it
_LOOPS = 4  # a passage found this often is a loop or a pasted block repeated, not prose


def repeats_itself(text: str) -> bool:
    """A passage from the middle of the text (one with words in it) occurs at least four times in it, numbers
    aside: a generation loop, a block pasted again and again, a log of one line with other numbers."""
    n = len(text)
    if n < _LOOPS * _PROBE:
        return False
    shape = text.translate(_DIGITS)
    for at in (n // 2, n // 3, 2 * n // 3):
        probe = shape[at : at + _PROBE]
        if sum(c.isalpha() for c in probe) >= _PROBE // 3:  # whitespace runs and table rules recur in any text
            return shape.count(probe) >= _LOOPS
    return False


def evidence(side: str, direction: str, text: str, prompt: str, stub_words: int) -> str | None:
    """What problem an outlier of ``side`` ('input'/'output') far ``direction`` ('longer'/'shorter') than its
    group shows, or None when its length is natural for the task. An output under ``stub_words`` words
    (quality.min_output_words) is a stub where the prompt asks for writing; a longer one is a short answer."""
    if direction == "longer":
        if repeats_itself(text):
            return REPEATS
        if side == "output" and any(m in text for m in _RECORD_MARKERS):
            return SEVERAL_RECORDS
        return None
    words = len(text.split())
    if side == "input":
        return STUB if words < 3 else None
    # An output shorter than its group's is a problem only as a stub: a word or two where writing was asked for.
    return TOO_SHORT_FOR_ASK if words < stub_words and asks_for_more(prompt) and not complete_by_shape(text) else None
