"""LBL001: records whose label the input contradicts (confident learning, Northcutt et al. 2021).

Per label group (a task group whose outputs are labels from a small closed
set), a classifier learns the label from the input and predicts each record
out of fold, so no record is judged by a model that saw its own label:

1. **Features.** TF-IDF of the inputs (``checks.textspace.build_space``, the
   coverage check's space, fitted on the group alone so that the group's
   template wording, shared by every record, falls under its document-
   frequency cut).
2. **Classifier.** Multinomial logistic regression (scikit-learn, L2, its
   default strength C = 1, Newton-CG: five iterations on 80,000 inputs where
   L-BFGS needs seventy), stratified k-fold (``labels.folds``, seeded).
   Logistic regression because its probabilities are calibrated to the
   labels' frequencies, which the last two steps rely on; a linear SVM or
   naive Bayes gives scores, not probabilities (naive Bayes pushes them to
   0 and 1), and SGD with a log loss, tried too, is a third as costly but as
   over-confident on small groups (it flags 40 to 100 of every 200 records
   of T0's unlearnable multiple-choice templates).
3. **Confident learning.** Per label, the threshold is the mean probability
   the model gives that label over the records that carry it. A record is a
   label issue when the probability of its given label is below that label's
   threshold and another label's probability reaches its own threshold (the
   off-diagonal of the confident joint); the suggested label is the most
   probable such label, and flags are ranked by the margin between the two.
4. **Evidence.** The input must favour the suggested label over the given
   one by a likelihood ratio of at least ``labels.min_evidence`` (3:
   "substantial" on Jeffreys' scale): (p_suggested / share_suggested) /
   (p_given / share_given). Confident learning alone flags about half of
   every group where the input does not predict the label (a multiple-choice
   letter, a paraphrase yes/no that needs the two sentences compared): its
   thresholds adapt to a weak model. The ratio asks the input itself for the
   evidence, not the labels' frequencies.
5. **Group gate.** The flags of a group are kept only when its input
   explains at least ``labels.min_explained`` (0.5) of the labels'
   uncertainty out of fold: 1 - held-out log loss / label entropy (the
   uncertainty coefficient), its one-sided 95 % lower bound. A confident
   disagreement is evidence of an error only where the label follows the
   input; where it follows the labeller as much (offensiveness, a star
   rating, a paraphrase judged by comparing two sentences), the records the
   model disagrees with are the defensible minority of their kind of input,
   and no cut on the model's own figures separates them from errors.

**Measured** (benchmarks/precision.md). Before the gate: on 2,400 real
inputs with 5 % planted flips (the input explains 58 % there) 95 % of the
flags are flipped labels at recall 63 %; on MD-Agreement (LeWiDi 2023,
10,751 tweets labelled offensive or not by a majority of five crowd
workers; the input explains 19 %) 4 of 19 sampled flags were labels a
careful reader would change, and none of T0's 3 (its learnable templates:
12 % at most): the rest were the model's lexical shortcuts (a swear word
read as offence) or a neighbouring grade against a defensible label. 121 of
MD-Agreement's 191 flags are tweets whose five annotators split 2-3 (28 % of
all tweets), and the most confident flags were no better, which is why the
gate grades the group, not the flag. With it, MD-Agreement and T0 raise
nothing and the planted figures hold; ConvAbuse and HS-Brexit, added
afterwards to check the bar, raise nothing too (0 of 10 sampled flags were
right before the gate; their inputs explain 30 % and 16 %); the precision of flags on a natural
set that passes the gate is not measured (no shared set has one), so the
code stays info; a team whose labels are objective can raise it with
severity.LBL001.

A group is learnt only when at least two labels have ``labels.min_per_label``
records each (records of rarer labels are neither learnt from nor judged),
and its flags are kept only when the model predicts the held-out labels
better than their frequencies do (out-of-fold log loss below the entropy of
the labels) and explains enough of them (step 5): otherwise the input says
too little about the label, and every flag would be noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from auditor.core.findings import CodeInfo, Severity

CODE = CodeInfo(
    code="LBL001",
    symbol="likely-mislabelled",
    severity=Severity.INFO,
    summary="Records whose label the input contradicts: a classifier trained on the other records of their "
    "label group confidently predicts another label (confident learning).",
    why="A wrong label teaches the model the wrong answer for exactly the inputs it should get right; a few "
    "percent of flipped labels measurably lower a fine-tuned classifier's accuracy. Which records are wrong is "
    "a statistical guess, so a group is judged only when its input explains at least half of its labels' "
    "uncertainty on held-out records: there 95% of the flags on planted flips are right. Where the label "
    "follows the labeller as much as the input (offensive, abusive or hateful or not: the input explains 16-32%, "
    "and 4 of 32 flags were right, the rest a swear word or a group's name read as an insult), the group "
    "raises nothing and its metrics say why. "
    "It is information, a reading list; set severity.LBL001 = 'warning' where the labels are objective.",
    fix="Read the listed records (the most confident first, with the suggested label) and correct the labels "
    "that are wrong; a label that is right but surprising is worth keeping.",
    threshold="labels.min_evidence = 3 (likelihood ratio of the suggested over the given label), in label "
    "groups with two or more labels of labels.min_per_label = 10 records whose input explains at least "
    "labels.min_explained = 0.5 of the labels' entropy out of fold (95% lower bound)",
)

#: Probabilities are clipped here before logs and ratios: a zero probability is a model's certainty, not evidence.
_EPS = 1e-9
#: One-sided 95 % normal quantile for the lower bound of the explained share.
_Z = 1.645


@dataclass(frozen=True)
class Issue:
    """One likely mislabelled record: its index in the group, given and suggested label, their probabilities."""

    index: int
    given: str
    suggested: str
    probability: float  # of the suggested label
    given_probability: float

    @property
    def margin(self) -> float:
        return self.probability - self.given_probability


@dataclass
class GroupResult:
    """What the rule found in one label group, and why a group was not judged."""

    records: int
    labels: int  # labels with enough records to learn
    judged: int = 0  # records of those labels
    learnt: bool = False
    reason: str = ""
    log_loss: float | None = None
    label_entropy: float | None = None
    accuracy: float | None = None
    explained: float | None = None  # share of the labels' entropy the input explains, out of fold
    explained_low: float | None = None  # its one-sided 95 % lower bound
    issues: list[Issue] = field(default_factory=list)

    def to_metrics(self) -> dict[str, Any]:
        out: dict[str, Any] = {"records": self.records, "labels": self.labels, "judged": self.judged, "learnt": self.learnt}
        if self.reason:
            out["reason"] = self.reason
        if self.log_loss is not None:
            out["log_loss"] = round(self.log_loss, 4)
            out["label_entropy"] = round(float(self.label_entropy or 0.0), 4)
            out["accuracy"] = round(float(self.accuracy or 0.0), 4)
        if self.explained is not None:
            out["explained"] = round(self.explained, 4)
            out["explained_low"] = round(float(self.explained_low or 0.0), 4)
        out["flagged"] = len(self.issues)
        return out


def find(
    texts: Sequence[str], labels: Sequence[str], *, folds: int, min_per_label: int, min_evidence: float, min_explained: float, seed: int
) -> GroupResult:
    """Likely label errors among one group's records (``labels``: canonical labels, ``texts``: inputs)."""
    names, counts = np.unique(np.array(labels, dtype=object), return_counts=True)
    kept = [str(name) for name, n in zip(names, counts) if n >= min_per_label]
    result = GroupResult(records=len(labels), labels=len(kept))
    if len(kept) < 2:
        result.reason = f"fewer than two labels with {min_per_label} records or more"
        return result
    index = {name: k for k, name in enumerate(kept)}
    rows = np.array([i for i, label in enumerate(labels) if label in index], np.int64)
    y = np.array([index[labels[i]] for i in rows], np.int64)
    result.judged = len(rows)
    probabilities = out_of_fold([texts[i] for i in rows], y, folds, seed)
    n = len(y)
    given = np.clip(probabilities[np.arange(n), y], _EPS, 1.0)
    shares = np.bincount(y, minlength=len(kept)) / n
    losses, entropies = -np.log(given), -np.log(shares[y])
    result.log_loss = float(losses.mean())
    result.label_entropy = float(entropies.mean())
    result.accuracy = float((probabilities.argmax(1) == y).mean())
    if result.log_loss >= result.label_entropy:
        result.reason = "the input does not predict the label better than the labels' frequencies (out of fold)"
        return result
    result.learnt = True
    result.explained, result.explained_low = explained(losses, entropies)
    if result.explained_low < min_explained:
        result.reason = (
            f"the input explains {result.explained:.0%} of the labels' uncertainty out of fold (95% lower bound "
            f"{result.explained_low:.0%}, {min_explained:.0%} needed): the words of the input settle too little of "
            "the label for a disagreement with the model to point to an error"
        )
        return result
    for k, suggested in confident_issues(probabilities, y, shares, min_evidence):
        i = int(rows[k])
        result.issues.append(Issue(i, labels[i], kept[suggested], float(probabilities[k, suggested]), float(given[k])))
    result.issues.sort(key=lambda issue: (-issue.margin, issue.index))
    return result


def explained(losses: np.ndarray, entropies: np.ndarray) -> tuple[float, float]:
    """The share of the labels' entropy the model's held-out predictions remove, and its 95 % lower bound.

    ``1 - mean(losses) / mean(entropies)`` (the uncertainty coefficient, Theil's U, out of fold): 0 when
    the input adds nothing to the labels' frequencies, 1 when it fixes every label. The bound is one-sided
    (z = 1.645) from the ratio estimator's delta-method standard error, deterministic where a bootstrap
    would need a generator: sum(losses) / sum(entropies) varies with losses - ratio * entropies.
    """
    n = len(losses)
    ratio = float(losses.mean() / entropies.mean())
    spread = float(np.std(losses - ratio * entropies, ddof=1)) if n > 1 else float("inf")
    error = spread / np.sqrt(n) / float(entropies.mean())
    return 1.0 - ratio, 1.0 - ratio - _Z * error


def out_of_fold(texts: Sequence[str], y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Each record's label probabilities from a model fitted on the other folds (seeded, deterministic)."""
    # scikit-learn, loaded only when a label group is large enough to learn from.
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from checks.textspace import build_space

    features = build_space(texts, seed=seed).train
    probabilities = np.zeros((len(y), int(y.max()) + 1))
    if features.shape[1] == 0:  # no input has a usable word: the labels' frequencies are all there is
        probabilities[:] = np.bincount(y) / len(y)
        return probabilities
    splits = min(folds, int(np.bincount(y).min()))
    for train, held in StratifiedKFold(splits, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        model = LogisticRegression(solver="newton-cg", max_iter=200)
        model.fit(features[train], y[train])
        probabilities[np.ix_(held, model.classes_)] = model.predict_proba(features[held])
    return probabilities


def confident_issues(probabilities: np.ndarray, y: np.ndarray, shares: np.ndarray, min_evidence: float) -> list[tuple[int, int]]:
    """(record, suggested label) of the off-diagonal of the confident joint that the input favours enough."""
    n, k = probabilities.shape
    rows = np.arange(n)
    given = probabilities[rows, y]
    thresholds = np.array([given[y == j].mean() for j in range(k)])
    above = probabilities >= thresholds
    above[rows, y] = False
    candidates = np.where(above, probabilities, -1.0)
    suggested = candidates.argmax(1)
    flagged = (given < thresholds[y]) & above.any(1)
    ratio = (probabilities[rows, suggested] / shares[suggested]) / (np.clip(given, _EPS, 1.0) / shares[y])
    flagged &= ratio >= min_evidence
    return [(int(i), int(suggested[i])) for i in np.flatnonzero(flagged)]
