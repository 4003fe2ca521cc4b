"""Krippendorff's alpha from the coincidence matrix: estimate, bootstrap, diagnostics.

Everything works on one representation: a units x values count matrix
(``scipy.sparse`` CSR, ``counts[u, c]`` = how many annotators gave value ``c``
to unit ``u``). From it, every ordered pair of values inside a unit gets its
coincidence weight ``(n_uc n_uk - [c=k] n_uc) / (m_u - 1)`` (Krippendorff 2011,
"Computing Krippendorff's alpha-reliability", section C). Summing those weights
gives the coincidence matrix without ever building a dense units x values x
values array, so memory grows with the number of annotations, not with
units x values^2 as in the ``krippendorff`` package.

alpha = 1 - (n - 1) * sum_ck o_ck d_ck / sum_ck n_c n_k d_ck, with d the
level's squared distance. Ordinal distances depend on the value marginals
(d_ck = (p_k - p_c)^2 with p the mid-rank of each value), so for ordinal data
the marginals are recomputed for every bootstrap resample and every annotator
left out; the other levels keep fixed distances.

The ``values`` argument gives each value column its number on the scale:
ranks for ordinal data, the numbers themselves for interval and ratio data,
ignored for nominal data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")

#: The krippendorff package materialises about three float64 arrays of
#: units x values^2; above this many cells (~240 MB) the coincidence path runs
#: instead. 100,000 units x 10 values is exactly at the limit.
PACKAGE_MAX_CELLS = 10_000_000

#: Cells of a dense block built at once (resample counts, per-resample
#: coincidences, distance blocks): bounds memory at ~160 MB of float64.
BLOCK_CELLS = 20_000_000

#: Past this many distinct values, no values x values matrix is built per
#: resample or per annotator: the ratio bootstrap holds the expected
#: disagreement at the full-sample figure, and ordinal leave-one-out
#: recomputes each annotator instead of using the quadratic form.
DENSE_VALUES = 2_000


@dataclass(frozen=True)
class Pairs:
    """Every ordered pair of values inside each pairable unit, with its weight."""

    unit: np.ndarray  # row of the count matrix
    c: np.ndarray  # value column of the first member
    k: np.ndarray  # value column of the second member
    nk: np.ndarray  # how many annotators gave value k in that unit
    weight: np.ndarray  # coincidence weight (n_uc n_uk - [c=k] n_uc) / (m_u - 1)
    first: np.ndarray  # index of the (unit, c) entry in the CSR data, for per-entry sums


def count_matrix(units: np.ndarray, codes: np.ndarray, n_units: int, n_values: int) -> sp.csr_matrix:
    """Units x values counts from one row per annotation."""
    data = np.ones(len(units), dtype=np.float64)
    counts = sp.csr_matrix((data, (np.asarray(units), np.asarray(codes))), shape=(n_units, n_values))
    counts.sum_duplicates()
    counts.sort_indices()
    return counts


def pairable_rows(counts: sp.csr_matrix) -> np.ndarray:
    """Rows with two or more values: the only units that carry information."""
    return np.flatnonzero(np.asarray(counts.sum(axis=1)).ravel() >= 2)


def unit_pairs(counts: sp.csr_matrix) -> Pairs:
    """All ordered pairs of value entries within each row, vectorised.

    A row with ``L`` distinct values yields ``L * L`` pairs, so the work is the
    sum of squared distinct values per unit, never units x values^2.
    """
    counts = counts.tocsr()
    indptr, idx, data = counts.indptr, counts.indices, counts.data
    lens = np.diff(indptr).astype(np.int64)
    m = np.asarray(counts.sum(axis=1)).ravel()
    sq = lens * lens
    rows = np.repeat(np.arange(len(lens)), sq)
    q = np.arange(int(sq.sum())) - np.repeat(np.cumsum(sq) - sq, sq)
    width = lens[rows]
    i = indptr[rows] + q // np.maximum(width, 1)
    j = indptr[rows] + q % np.maximum(width, 1)
    nc, nk = data[i], data[j]
    mu = m[rows]
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = (nc * nk - np.where(i == j, nc, 0.0)) / (mu - 1)
    keep = (mu >= 2) & (weight > 0)
    return Pairs(rows[keep], idx[i[keep]], idx[j[keep]], nk[keep], weight[keep], i[keep])


def midranks(n: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Ordinal positions p_c = (values below c) + n_c / 2, for each row of marginals."""
    order = np.argsort(values, kind="stable")
    n2 = np.atleast_2d(n)
    sorted_n = n2[:, order]
    p_sorted = np.cumsum(sorted_n, axis=1) - sorted_n / 2.0
    p = np.empty_like(p_sorted)
    p[:, order] = p_sorted
    return p if n.ndim == 2 else p[0]


def distance(c: np.ndarray, k: np.ndarray, level: str, values: np.ndarray | None, n: np.ndarray | None = None) -> np.ndarray:
    """Squared distance of value columns ``c`` and ``k`` at the level of measurement."""
    if level == "nominal":
        return (c != k).astype(np.float64)
    assert values is not None, f"{level} data needs numeric values"
    if level == "interval":
        return (values[c] - values[k]) ** 2
    if level == "ratio":
        s = values[c] + values[k]
        return np.divide(values[c] - values[k], s, out=np.zeros(len(c)), where=s != 0) ** 2
    if level == "ordinal":
        assert n is not None, "ordinal distances need the value marginals"
        p = midranks(n, values)
        return (p[c] - p[k]) ** 2
    raise ValueError(f"unknown level of measurement {level!r}")


def expected(n: np.ndarray, level: str, values: np.ndarray | None) -> np.ndarray:
    """sum_ck n_c n_k d_ck for each row of marginals ``n`` (shape B x V).

    Closed forms where they exist (nominal; interval and ordinal as a weighted
    variance, centred first so large values lose no precision); ratio distances
    have none, so they are summed block by block to bound memory.
    """
    n = np.atleast_2d(np.asarray(n, dtype=np.float64))
    total = n.sum(axis=1)
    if level == "nominal":
        return total**2 - (n * n).sum(axis=1)
    assert values is not None
    if level in ("interval", "ordinal"):
        x = midranks(n, values) if level == "ordinal" else np.broadcast_to(values, n.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = (n * x).sum(axis=1) / total
        xc = x - np.nan_to_num(mean)[:, None]
        return 2 * total * (n * xc * xc).sum(axis=1) - 2 * ((n * xc).sum(axis=1)) ** 2
    if level == "ratio":
        v = len(values)
        out = np.zeros(n.shape[0])
        step = max(1, BLOCK_CELLS // max(v, 1))
        cols = np.arange(v)
        for start in range(0, v, step):
            block = cols[start : start + step]
            cc, kk = np.meshgrid(cols, block, indexing="ij")
            d = distance(cc.ravel(), kk.ravel(), "ratio", values).reshape(v, len(block))
            out += ((n @ d) * n[:, block]).sum(axis=1)
        return out
    raise ValueError(f"unknown level of measurement {level!r}")


def _alpha(total: np.ndarray, observed: np.ndarray, exp: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        a = 1.0 - (total - 1.0) * observed / exp
    return np.where(exp > 0, a, np.nan)


# --- point estimate -------------------------------------------------------------


def alpha_coincidence(counts: sp.csr_matrix, level: str, values: np.ndarray | None = None) -> float:
    """Alpha from the sparse coincidence weights: memory grows with annotations only."""
    pairs = unit_pairs(counts)
    n = np.bincount(pairs.c, pairs.weight, minlength=counts.shape[1])
    d = distance(pairs.c, pairs.k, level, values, n)
    return float(_alpha(np.array([n.sum()]), np.array([pairs.weight @ d]), expected(n, level, values))[0])


def alpha_package(counts: sp.csr_matrix, level: str, values: np.ndarray | None = None) -> float:
    """Alpha from the ``krippendorff`` package (dense units x values^2 memory)."""
    import krippendorff

    rows = pairable_rows(counts)
    dense = counts[rows].toarray()
    if level == "nominal":
        domain = np.arange(dense.shape[1])
    else:
        assert values is not None
        order = np.argsort(values, kind="stable")  # the package reads order from the domain
        dense, domain = dense[:, order], np.asarray(values, dtype=np.float64)[order]
    if len(rows) == 0 or dense.shape[1] < 2:
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(krippendorff.alpha(value_counts=dense, value_domain=domain, level_of_measurement=level))  # type: ignore[arg-type]


def package_affordable(counts: sp.csr_matrix, limit: int = PACKAGE_MAX_CELLS) -> bool:
    return len(pairable_rows(counts)) * counts.shape[1] ** 2 <= limit


def alpha_point(counts: sp.csr_matrix, level: str, values: np.ndarray | None = None, *, limit: int = PACKAGE_MAX_CELLS) -> tuple[float, str]:
    """The point estimate and which path computed it ("krippendorff" or "coincidence")."""
    if package_affordable(counts, limit):
        return alpha_package(counts, level, values), "krippendorff"
    return alpha_coincidence(counts, level, values), "coincidence"


# --- bootstrap ------------------------------------------------------------------


def unique_rows(counts: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows (value profiles) of the count matrix: (first row of each, inverse).

    Units with the same profile contribute identically, so a resample only
    needs how many times each profile was drawn. Categorical data have few
    profiles (5 annotators over 10 labels: at most 3,003), which makes the
    bootstrap cost independent of the number of units.
    """
    counts = counts.tocsr()
    lens = np.diff(counts.indptr)
    width = int(lens.max()) if len(lens) else 0
    base = int(counts.data.max()) + 1 if counts.nnz else 1
    if counts.shape[1] * np.log2(base) < 62:  # few values: a profile is one integer in base max-count + 1
        weights = base ** np.arange(counts.shape[1], dtype=np.int64)
        # integer cumulative sums wrap modulo 2^64, so their differences are still exact row keys
        sums = np.concatenate([[0], np.cumsum(counts.data.astype(np.int64) * weights[counts.indices])])
        _, first, inverse = np.unique(sums[counts.indptr[1:]] - sums[counts.indptr[:-1]], return_index=True, return_inverse=True)
        return first, inverse.ravel()
    if len(lens) * max(width, 1) * 2 <= BLOCK_CELLS:
        key = np.full((len(lens), 2 * width), -1, dtype=np.int64)
        pos = np.arange(counts.nnz) - np.repeat(counts.indptr[:-1], lens)
        rows = np.repeat(np.arange(len(lens)), lens)
        key[rows, pos] = counts.indices
        key[rows, width + pos] = counts.data.astype(np.int64)
        _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
        return first, inverse.ravel()
    seen: dict[bytes, int] = {}
    firsts: list[int] = []
    inverse = np.empty(len(lens), dtype=np.int64)
    for r in range(len(lens)):  # rare: units with very many annotators each
        s, e = counts.indptr[r], counts.indptr[r + 1]
        k = counts.indices[s:e].tobytes() + b"|" + counts.data[s:e].tobytes()
        if k not in seen:
            seen[k] = len(firsts)
            firsts.append(r)
        inverse[r] = seen[k]
    return np.asarray(firsts, dtype=np.int64), inverse


def _draws(rng: np.random.Generator, inverse: np.ndarray, freq: np.ndarray, b: int) -> np.ndarray:
    """How often each profile appears in ``b`` resamples of the units (b x P)."""
    units, profiles = len(inverse), len(freq)
    if profiles * 8 <= units:  # few profiles: draw the profile counts directly
        return rng.multinomial(units, freq / units, size=b).astype(np.float64)
    idx = inverse[rng.integers(0, units, size=(b, units))]
    idx += (np.arange(b) * profiles)[:, None]
    return np.bincount(idx.ravel(), minlength=b * profiles).reshape(b, profiles).astype(np.float64)


def bootstrap(
    counts: sp.csr_matrix,
    level: str,
    values: np.ndarray | None = None,
    *,
    samples: int = 1000,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Alpha of ``samples`` resamples of the pairable units (with replacement).

    Vectorised: per-profile sums are combined with a resample-count matrix
    (resamples x distinct unit profiles), so no Python loop runs over units or
    resamples, only over blocks of resamples sized to bound memory.
    """
    counts = counts.tocsr()[pairable_rows(counts)]
    if counts.shape[0] == 0 or samples <= 0:
        return np.empty(0)
    first, inverse = unique_rows(counts)
    freq = np.bincount(inverse).astype(np.float64)
    evaluate, width = _resample_alpha(counts[first], level, values)
    step = max(1, BLOCK_CELLS // (width + len(inverse)))
    rng = np.random.default_rng(seed)
    out = np.empty(samples)
    for start in range(0, samples, step):
        b = min(step, samples - start)
        out[start : start + b] = evaluate(_draws(rng, inverse, freq, b))
        if progress is not None:
            progress(b)
    return out


def _resample_alpha(
    profiles: sp.csr_matrix, level: str, values: np.ndarray | None
) -> tuple[Callable[[np.ndarray], np.ndarray], int]:
    """A function from resample counts (b x profiles) to alphas, and the dense columns it needs per resample.

    Each level uses the cheapest sums that determine its alpha:
    interval needs three moments per profile; nominal and ratio the value
    marginals; ordinal the marginals (its distances move with them) plus each
    profile's values placed at the resample's mid-ranks.
    """
    p_count, v = profiles.shape
    pairs = unit_pairs(profiles)
    m = np.asarray(profiles.sum(axis=1)).ravel()
    if level == "ordinal":
        assert values is not None, "ordinal data needs the order of its values"
        ranks = values
        scaled = sp.diags(2 * m / (m - 1)) @ profiles
        inv_m1 = 2 / (m - 1)

        def ordinal(w: np.ndarray) -> np.ndarray:
            n = np.asarray((profiles.T @ w.T).T)
            total = n.sum(axis=1)
            p = midranks(n, ranks) - (total / 2)[:, None]  # centred: the unit sums below are shift-free
            spread = (np.asarray((scaled.T @ w.T).T) * p * p).sum(axis=1)  # sum_u w 2 m sum_c n_uc p_c^2 / (m-1)
            z = profiles @ p.T  # each profile's sum of mid-ranks, per resample
            observed = spread - ((z * z) * inv_m1[:, None] * w.T).sum(axis=0)
            return _alpha(total, observed, expected(n, level, values))

        return ordinal, 2 * p_count + 4 * v
    d = np.bincount(pairs.unit, pairs.weight * distance(pairs.c, pairs.k, level, values), minlength=p_count)
    if level == "interval":
        x = np.asarray(values, dtype=np.float64)
        x = x - float(np.asarray(profiles.sum(axis=0)).ravel() @ x) / max(float(profiles.sum()), 1.0)
        moments = np.column_stack([m, profiles @ x, profiles @ (x * x)])

        def interval_level(w: np.ndarray) -> np.ndarray:
            s0, s1, s2 = (w @ moments).T
            return _alpha(s0, w @ d, 2 * s0 * s2 - 2 * s1 * s1)

        return interval_level, p_count
    if level == "ratio" and v > DENSE_VALUES:
        # Ratio distances have no closed form: with many distinct values the expected
        # disagreement per pair is held at the full sample's, as in Hayes & Krippendorff (2007).
        total = float(m.sum())
        per_pair = float(expected(np.asarray(profiles.sum(axis=0)).ravel(), level, values)[0]) / (total * (total - 1))

        def ratio_fixed(w: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore", invalid="ignore"):
                return 1.0 - (w @ d) / (w @ m) / per_pair

        return ratio_fixed, p_count

    def marginals(w: np.ndarray) -> np.ndarray:
        n = np.asarray((profiles.T @ w.T).T)
        return _alpha(n.sum(axis=1), w @ d, expected(n, level, values))

    return marginals, p_count + 2 * v


def interval(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    """Percentile interval of the finite bootstrap alphas."""
    finite = samples[np.isfinite(samples)]
    if len(finite) == 0:
        return float("nan"), float("nan")
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return float(low), float(high)


# --- diagnostics ----------------------------------------------------------------


def alpha_without_each(
    units: np.ndarray,
    annotators: np.ndarray,
    codes: np.ndarray,
    n_units: int,
    n_values: int,
    n_annotators: int,
    level: str,
    values: np.ndarray | None = None,
) -> np.ndarray:
    """Alpha with each annotator's labels left out (one per annotator).

    Fixed-distance levels are updated incrementally: removing value v from a
    unit changes its disagreement sum by twice v's disagreement with the rest,
    so all annotators cost one pass over the annotations. Ordinal distances
    move with the marginals: there the observed disagreement is a quadratic
    form in the mid-ranks, updated per annotator for the units they touch.
    """
    counts = count_matrix(units, codes, n_units, n_values)
    m = np.asarray(counts.sum(axis=1)).ravel()
    mu = m[units]
    pairable = sp.diags((m >= 2).astype(np.float64)) @ counts
    n = np.asarray(pairable.sum(axis=0)).ravel()
    # marginals: a unit left with 3+ values loses one; one left with a single value leaves entirely
    stays = mu >= 3
    n_change = -sp.csr_matrix(
        (np.ones(int(stays.sum())), (annotators[stays], codes[stays])), shape=(n_annotators, n_values)
    ).toarray()
    drops = mu == 2
    drop_ind = sp.csr_matrix((np.ones(int(drops.sum())), (annotators[drops], units[drops])), shape=(n_annotators, n_units))
    n_change -= (drop_ind @ counts).toarray()
    n_without = n[None, :] + n_change
    if level == "ordinal":
        if n_values > DENSE_VALUES:
            out = np.empty(n_annotators)
            for a in range(n_annotators):
                keep = annotators != a
                out[a] = alpha_coincidence(count_matrix(units[keep], codes[keep], n_units, n_values), level, values)
            return out
        observed = _ordinal_observed_without(counts, pairable, m, units, annotators, codes, n_without, values)  # type: ignore[arg-type]
        return _alpha(n_without.sum(axis=1), observed, expected(n_without, level, values))
    pairs = unit_pairs(counts)
    dist = distance(pairs.c, pairs.k, level, values)
    # per (unit, value) entry: disagreement of one such value with the whole unit
    per_entry = np.bincount(pairs.first, pairs.nk * dist, minlength=counts.nnz)
    entry_sum = sp.csr_matrix((per_entry, counts.indices, counts.indptr), shape=counts.shape)
    unit_total = np.asarray(entry_sum.multiply(counts).sum(axis=1)).ravel()  # d_u (m_u - 1)
    observed_all = float(pairs.weight @ dist)
    delta_r = np.asarray(entry_sum[units, codes]).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        before = np.where(mu >= 2, unit_total[units] / (mu - 1), 0.0)
        after = np.where(mu >= 3, (unit_total[units] - 2 * delta_r) / (mu - 2), 0.0)
    d_obs = np.bincount(annotators, after - before, minlength=n_annotators)
    return _alpha(n_without.sum(axis=1), observed_all + d_obs, expected(n_without, level, values))


def _ordinal_observed_without(
    counts: sp.csr_matrix,
    pairable: sp.csr_matrix,
    m: np.ndarray,
    units: np.ndarray,
    annotators: np.ndarray,
    codes: np.ndarray,
    n_without: np.ndarray,
    values: np.ndarray,
) -> np.ndarray:
    """Observed ordinal disagreement with each annotator left out (one per row of ``n_without``).

    Per unit, sum_ck o_ck (p_c - p_k)^2 = [2 m sum_c n_c p_c^2 - 2 (sum_c n_c p_c)^2] / (m - 1),
    so the total is G.p^2 - p'Qp with G and Q fixed sums over units; leaving an
    annotator out changes G and Q only on the units they labelled.
    """
    n_annotators = n_without.shape[0]
    total = n_without.sum(axis=1)
    p = midranks(n_without, values) - (total / 2)[:, None]  # centred: the unit sums are shift-free
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(m >= 2, 2 / (m - 1), 0.0)
    g = np.asarray((sp.diags(m * inv) @ pairable).sum(axis=0)).ravel()
    q = (pairable.T @ sp.diags(inv) @ pairable).toarray()
    mu = m[units]
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_after = np.where(mu >= 3, 2 / (mu - 2), 0.0)
    # G changes by (new - old) unit coefficients times the unit's counts, minus the removed value
    coef = (mu - 1) * inv_after - mu * inv[units]
    g_change = (sp.csr_matrix((coef, (annotators, units)), shape=(n_annotators, counts.shape[0])) @ counts).toarray()
    g_change -= sp.csr_matrix(((mu - 1) * inv_after, (annotators, codes)), shape=g_change.shape).toarray()
    spread = ((g[None, :] + g_change) * p * p).sum(axis=1)
    quad = ((p @ q) * p).sum(axis=1)
    # each row's unit: its mid-rank sum under the annotator's left-out ranks, before and after removal
    rows = counts[units]
    owner = np.repeat(np.arange(len(units)), np.diff(rows.indptr))
    z = np.bincount(owner, rows.data * p[annotators[owner], rows.indices], minlength=len(units))
    z_after = z - p[annotators, codes]
    correction = inv_after * z_after * z_after - inv[units] * z * z
    return spread - (quad + np.bincount(annotators, correction, minlength=n_annotators))


def unit_scores(counts: sp.csr_matrix, level: str, values: np.ndarray | None = None) -> np.ndarray:
    """Each unit's observed disagreement over the expected one (0 = full agreement).

    1 - score is the unit's own "alpha": above 1 means its annotators disagree
    more than labels drawn at random from the pooled labels would.
    """
    pairs = unit_pairs(counts)
    n = np.bincount(pairs.c, pairs.weight, minlength=counts.shape[1])
    d = distance(pairs.c, pairs.k, level, values, n)
    per_unit = np.bincount(pairs.unit, pairs.weight * d, minlength=counts.shape[0])
    m = np.asarray(counts.sum(axis=1)).ravel()
    total = n.sum()
    exp = float(expected(n, level, values)[0]) / (total * (total - 1)) if total > 1 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where((m >= 2) & (exp > 0), per_unit / m / exp, 0.0)
    return score


@dataclass(frozen=True)
class Confusion:
    c: int
    k: int
    coincidences: float  # o_ck: pairable values c paired with k
    items: int  # units holding both c and k
    share: float  # share of all observed disagreement (weighted by the level's distance)


def confused_pairs(counts: sp.csr_matrix, level: str, values: np.ndarray | None = None, top: int = 5) -> list[Confusion]:
    """Value pairs that account for most of the observed disagreement."""
    pairs = unit_pairs(counts)
    n = np.bincount(pairs.c, pairs.weight, minlength=counts.shape[1])
    d = distance(pairs.c, pairs.k, level, values, n)
    total = float(pairs.weight @ d)
    upper = pairs.c < pairs.k
    if total <= 0 or not upper.any():
        return []
    v = counts.shape[1]
    keys, inv = np.unique(pairs.c[upper].astype(np.int64) * v + pairs.k[upper], return_inverse=True)
    inv = inv.ravel()
    o = np.bincount(inv, pairs.weight[upper])
    cost = np.bincount(inv, pairs.weight[upper] * d[upper])
    items = np.bincount(inv)  # each unit lists an unordered pair once in the upper triangle
    order = np.lexsort((keys, -cost))[:top]
    return [
        Confusion(int(keys[i] // v), int(keys[i] % v), float(o[i]), int(items[i]), float(2 * cost[i] / total))
        for i in order
        if cost[i] > 0
    ]
