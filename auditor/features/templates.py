"""Shared instruction wording: which records were made from the same prompt template.

Prompted and multi-task sets (T0, FLAN, Super-NaturalInstructions, tool-use
sets) fill slots in fixed wording: ``Title: {t}\\nReview: {r}\\nIs the review
positive or negative?``. When the records carry no category or template
field, the template each one came from is found here, from the inputs alone;
``checks.tasks`` turns the result into task groups and judges their kind.

The algorithm (facts only: no thresholds on outputs, no verdicts):

1. **Sample.** Up to ``sample`` distinct inputs, drawn with the run's seed.
   The minimum support ``m`` (``min_records`` distinct inputs in the whole
   set) is scaled to the sample, with a floor of 5 texts.
2. **Tokens and 4-grams.** Words, single punctuation marks and line breaks,
   lower-cased, with a start and an end token (``similarity.wordgrams``);
   k-grams of ``K = 4`` tokens. A field label sits against its slot
   (``Question: "what``), so whitespace words would miss it; a shorter k
   lets common phrases through (T0: kind agreement 0.80 with k = 2, 0.95
   with k = 4, 0.87 with k = 5, which splits short wording).
3. **Candidates.** A 4-gram found in at least ``m`` texts of the sample,
   holding a word, and *glued*: in at least 90 % of its occurrences the same
   4-gram follows it, or the same one precedes it. Template wording is a run
   of fixed tokens, so each of its k-grams has a fixed neighbour; a common
   phrase (``what is the``, ``don't``) is followed and preceded by anything.
   Runs of slot text shared by many records (a passage behind several
   questions) are glued too: the next step tells them apart.
4. **Laminar acceptance.** Candidates in decreasing support. One is accepted
   when at least 85 % of the texts holding it sit in one node of the tree
   built so far (at first, the root); those texts move to a new child node.
   A candidate whose texts are spread over several nodes crosses the tree
   (a phrase shared by unrelated templates, a passage used under several
   templates with fewer records than the templates have) and is dropped.
   Wording shared by a family of templates comes first (more texts), each
   template's own wording nests below it.
5. **Nodes.** A chain of accepted k-grams covering the same texts is one
   node; its *signature* is the chain: the template's own wording.
6. **Assignment.** Every distinct input (not only the sample) belongs to
   the deepest node whose signature it holds (at least 85 % of its
   k-grams) and whose ancestors' signatures it holds; -1 when none.

Cost: linear in the bytes of the sample plus one tokenising pass over the
distinct inputs for the assignment (skipped when the tree is empty, as for
free-form sets), each text cut to its first and last 1,500 characters
(``ends``); all of it vectorised but the acceptance loop, which runs once
per candidate k-gram. T0 (55,185 records): 4.1 s CPU, 4.9 s without the cut.

Measured quality (benchmarks/taskgroups.md): on the T0 set without its
template column, against the true template (wording-identical templates
such as imdb/rotten_tomatoes merged), purity 0.79 (0.88) and completeness
0.80 for the tree alone; ``checks.tasks`` then merges nodes of one kind:
226 groups, purity 0.71 (0.81), completeness 0.96.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from auditor.similarity.shingles import chunks_by_bytes
from auditor.similarity.wordgrams import END, START, TOKEN_RE, WORD, Kgrams, holds, kgrams, tokenize

K = 4  # tokens per k-gram
GLUE = 0.9  # share of a candidate's occurrences with the same neighbouring k-gram
NESTED = 0.85  # share of a candidate's texts that must sit in one node; also a signature's share for assignment
MIN_SUPPORT = 5  # sample texts: below it a shared k-gram is chance


@dataclass(frozen=True)
class TemplateTree:
    """Nodes of shared wording, parents first. Node ``i``'s own wording is ``signatures[i]``."""

    signatures: list[np.ndarray]  # sorted uint64 k-gram keys per node
    parents: np.ndarray  # int64, -1 for a child of the root
    support: np.ndarray  # sample texts at or under each node
    frames: np.ndarray  # bool: the node's own wording starts or ends the input
    examples: list[str] = field(default_factory=list)  # one sample text per node, for its wording

    def __len__(self) -> int:
        return len(self.parents)

    @property
    def depth(self) -> np.ndarray:
        out = np.zeros(len(self), np.int64)
        for i, p in enumerate(self.parents.tolist()):
            out[i] = 0 if p < 0 else out[p] + 1
        return out

    def ancestry(self, node: int) -> list[int]:
        """The node and its ancestors, root side first."""
        out = []
        while node >= 0:
            out.append(node)
            node = int(self.parents[node])
        return out[::-1]

    def wording(self, node: int, limit: int = 12) -> list[str]:
        """The fixed wording of ``node`` (its ancestors' included), in the order of an example text.

        Segments of the example covered by signature k-grams, whitespace
        collapsed, at most ``limit`` segments; the slots between them are left out.
        """
        if node < 0 or node >= len(self):
            return []
        text = self.examples[node]
        keys = np.concatenate([self.signatures[i] for i in self.ancestry(node)])
        keys.sort()
        toks = tokenize([text])
        grams = kgrams(toks, K)
        at = np.minimum(np.searchsorted(keys, grams.keys), len(keys) - 1)
        covered = np.zeros(len(toks.hashes), np.bool_)
        for first in grams.first[keys[at] == grams.keys].tolist():
            covered[first : first + K] = True
        spans = [m.span() for m in TOKEN_RE.finditer(text)]
        inner = covered[1:-1]  # without the start and end tokens
        if len(spans) != len(inner):  # lower-casing changed the tokens: show the lower-cased text
            text = text.lower()
            spans = [m.span() for m in TOKEN_RE.finditer(text)]
            if len(spans) != len(inner):
                return []
        segments: list[str] = []
        run: list[tuple[int, int]] = []
        for (a, b), c in zip(spans, inner.tolist()):
            if c:
                run.append((a, b))
            elif run:
                segments.append(" ".join(text[run[0][0] : run[-1][1]].split()))
                run = []
        if run:
            segments.append(" ".join(text[run[0][0] : run[-1][1]].split()))
        return [s for s in segments if s][:limit]


EMPTY = TemplateTree([], np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.bool_))


ENDS = 1500  # characters kept at each end of a long text


def ends(text: str) -> str:
    """The text, or its first and last ``ENDS`` characters when longer.

    Instruction wording sits around the slots, at the start, the end, or
    between a passage and its question near the end; the middle of a long
    passage is slot text, and tokenising it is most of the cost on T0
    (CNN articles, movie plots).
    """
    return text if len(text) <= 2 * ENDS else text[:ENDS] + "\n" + text[-ENDS:]


def infer(texts: Sequence[str], min_support: int) -> tuple[TemplateTree, np.ndarray]:
    """The template tree of ``texts`` (distinct inputs), and each text's node (-1: the root)."""
    n = len(texts)
    m = max(int(min_support), MIN_SUPPORT)
    if n < m:
        return EMPTY, np.full(n, -1, np.int64)
    toks = tokenize([ends(t) for t in texts])
    grams = kgrams(toks, K)
    keys, gid = _index(grams.keys)
    nk = len(keys)
    # Document frequency: distinct (k-gram, text) pairs, sorted by k-gram then text.
    pairs = _unique(gid * n + grams.owner)
    pk, po = pairs // n, pairs % n
    df = np.bincount(pk, minlength=nk)
    word = np.zeros(nk, np.bool_)
    word[gid[holds(toks, grams, WORD)]] = True
    frequent = (df >= m) & word
    edges = holds(toks, grams, START) | holds(toks, grams, END)
    candidate = frequent & _glued(grams, gid, nk, frequent, edges)
    if not candidate.any():
        return EMPTY, np.full(n, -1, np.int64)
    edge = np.zeros(nk, np.bool_)
    edge[gid[edges]] = True

    keep = candidate[pk]
    ck, texts_of = pk[keep], po[keep]
    ids = np.flatnonzero(candidate)
    lo, hi = np.searchsorted(ck, ids), np.searchsorted(ck, ids, side="right")
    label = np.full(n, -1, np.int64)
    parent: dict[int, int] = {}
    for c in np.argsort(lo - hi, kind="stable").tolist():  # most texts first
        members = texts_of[lo[c] : hi[c]]
        homes = label[members]
        values, counts = np.unique(homes, return_counts=True)
        top = int(counts.argmax())
        if counts[top] < NESTED * len(members):
            continue  # crosses the tree
        g = int(ids[c])
        parent[g] = int(values[top])
        label[members[homes == values[top]]] = g
    tree, node_of = _nodes(label, parent, keys, edge, texts)
    return tree, np.array([node_of[x] for x in label.tolist()], np.int64)


def _glued(grams: Kgrams, gid: np.ndarray, nk: int, frequent: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Frequent k-grams whose right or left neighbouring k-gram is the same in >= GLUE of their occurrences.

    A neighbour that only adds the start or end token says nothing: when every
    text ends with "?", whatever precedes the "?" is followed by the end.
    """
    occurrences = np.bincount(gid, minlength=nk)
    adjacent = (grams.owner[1:] == grams.owner[:-1]) & (grams.first[1:] - grams.first[:-1] == 1)
    best = np.zeros(nk, np.int64)
    for a, b, informative in ((gid[:-1], gid[1:], ~edges[1:] | edges[:-1]), (gid[1:], gid[:-1], ~edges[:-1] | edges[1:])):
        sel = adjacent & frequent[a] & informative
        pairs, counts = _unique(a[sel] * nk + b[sel], counts=True)
        np.maximum.at(best, pairs // nk, counts)
    return best >= GLUE * occurrences


def _nodes(label: np.ndarray, parent: dict[int, int], keys: np.ndarray, edge: np.ndarray, texts: Sequence[str]) -> tuple[TemplateTree, dict[int, int]]:
    """Accepted k-grams to nodes: a chain of them covering the same texts is one node."""
    children: dict[int, list[int]] = collections.defaultdict(list)
    for g, p in parent.items():
        children[p].append(g)
    direct = collections.Counter(label.tolist())
    order: list[int] = []
    stack = [-1]
    while stack:
        x = stack.pop()
        order.append(x)
        stack.extend(sorted(children[x], reverse=True))
    size: dict[int, int] = {}
    for x in reversed(order):
        size[x] = direct.get(x, 0) + sum(size[c] for c in children[x])
    node_of = {-1: -1}
    chains: list[list[int]] = []
    parents: list[int] = []
    support: list[int] = []
    for x in order[1:]:  # parents before children
        p = parent[x]
        if p != -1 and size[p] == size[x]:  # the same texts: x extends p's wording
            node_of[x] = node_of[p]
            chains[node_of[p]].append(x)
            continue
        node_of[x] = len(chains)
        chains.append([x])
        parents.append(node_of[p])
        support.append(size[x])
    # One example text per node: one sitting at it, else one under it.
    example: dict[int, int] = {}
    for j, x in enumerate(label.tolist()):
        example.setdefault(node_of[x], j)
    for i in range(len(chains) - 1, -1, -1):  # children come after their parents
        if i in example and parents[i] >= 0:
            example.setdefault(parents[i], example[i])
    examples = [texts[example[i]] for i in range(len(chains))]
    tree = TemplateTree(
        [np.sort(keys[np.array(c)]) for c in chains],
        np.array(parents, np.int64),
        np.array(support, np.int64),
        np.array([bool(edge[np.array(c)].any()) for c in chains], np.bool_),
        examples,
    )
    return tree, node_of


def assign(tree: TemplateTree, texts: Sequence[str]) -> np.ndarray:
    """Each text's deepest node whose signature, and its ancestors', the text holds; -1 for none."""
    n = len(texts)
    if not len(tree) or not n:
        return np.full(n, -1, np.int64)
    lengths = np.fromiter(map(len, texts), np.int64, n)
    # A few MB of text at a time: the token and k-gram arrays stay small whatever the set's size.
    return np.concatenate([_assign(tree, texts[lo:hi]) for lo, hi in chunks_by_bytes(lengths, ASSIGN_CHUNK)])


ASSIGN_CHUNK = 8 << 20  # characters of text per batch
_BITMAP_BITS = 22
_BITMAP_MASK = np.uint64((1 << _BITMAP_BITS) - 1)


def _assign(tree: TemplateTree, texts: Sequence[str]) -> np.ndarray:
    n = len(texts)
    out = np.full(n, -1, np.int64)
    nodes = len(tree)
    keys = np.concatenate(tree.signatures)
    owners = np.concatenate([np.full(len(s), i, np.int64) for i, s in enumerate(tree.signatures)])
    order = np.argsort(keys)
    keys, owners = keys[order], owners[order]
    need = np.array([len(s) for s in tree.signatures], np.int64)
    grams = kgrams(tokenize([ends(t) for t in texts]), K)
    # Nearly every k-gram of a text is slot text: a bitmap of the signatures' low bits
    # rules those out with one lookup each, and only the few left are searched.
    bitmap = np.zeros(1 << _BITMAP_BITS, np.bool_)
    bitmap[(keys & _BITMAP_MASK).astype(np.int64)] = True
    maybe = np.flatnonzero(bitmap[(grams.keys & _BITMAP_MASK).astype(np.int64)])
    found = grams.keys[maybe]
    at = np.minimum(np.searchsorted(keys, found), len(keys) - 1)
    hit = keys[at] == found
    owner, at = grams.owner[maybe[hit]], at[hit]
    held = _unique(owner * len(keys) + at)  # distinct (text, signature k-gram)
    text, node = held // len(keys), owners[held % len(keys)]
    pairs, counts = _unique(text * nodes + node, counts=True)
    text, node = pairs // nodes, pairs % nodes
    ok = counts >= NESTED * need[node]
    text, node = text[ok], node[ok]
    # Keep a node for a text only while the text also holds the node's parent (a chain to the root).
    while len(text):
        key = text * nodes + node
        up = tree.parents[node]
        probe = text * nodes + np.maximum(up, 0)
        at = np.minimum(np.searchsorted(key, probe), len(key) - 1)
        keep = (up < 0) | (key[at] == probe)
        if keep.all():
            break
        text, node = text[keep], node[keep]
    if len(text):
        depth = tree.depth
        pick = np.lexsort((tree.support[node], -depth[node], text))  # deepest, then the more specific
        first = np.ones(len(pick), np.bool_)
        first[1:] = text[pick][1:] != text[pick][:-1]
        out[text[pick][first]] = node[pick][first]
    return out


def _index(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values, and each value's index among them."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new = np.ones(len(ordered), np.bool_)
    new[1:] = ordered[1:] != ordered[:-1]
    index = np.empty(len(values), np.int64)
    index[order] = np.cumsum(new) - 1
    return ordered[new], index


def _unique(values: np.ndarray, counts: bool = False):  # type: ignore[no-untyped-def]
    """``np.unique`` by sorting (numpy 2's hash-based unique is slower on large int arrays)."""
    x = np.sort(values)
    new = np.ones(len(x), np.bool_)
    new[1:] = x[1:] != x[:-1]
    if not counts:
        return x[new]
    starts = np.flatnonzero(new)
    return x[starts], np.diff(np.append(starts, len(x)))
