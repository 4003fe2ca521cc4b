"""Length outliers: robust z-scores on log length.

Lengths are skewed (a few very long texts), so they are compared on a log
scale, and the centre and spread are the median and the MAD, which a handful
of extreme records cannot drag. The modified z-score 0.6745 * (x - median) / MAD
above 3.5 is Iglewicz and Hoaglin's usual outlier rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


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
