"""The text-similarity engine: are two texts the same, or nearly?

Texts are normalised (``normalize``: NFKC, case folding, whitespace) and
hashed to 128 bits; equal hashes are grouped by sorting (``keys``). Near
duplicates are word-shingle sets (``shingles``) within a Jaccard threshold,
found exhaustively (``jaccard``) or by MinHash LSH (``minhash``) and always
verified exactly (``neardup``); linked records become clusters
(``clusters``); two sets are matched against each other in one pool
(``crossdup``). A partitioned run keeps its sketch on disk (``spill``).

The names below are the engine's surface: the shared features, the checks
and the partitioned engines use these. The submodules are its inside.
Nothing here knows about records, contexts or checks.
"""

from auditor.similarity.clusters import components
from auditor.similarity.crossdup import CrossMatch, Indexed, Links, Probe, exact_index, exact_links, join_links, match_sets, near_links, pool_shingler, probe_of
from auditor.similarity.keys import Runs, pair_keys
from auditor.similarity.neardup import Boilerplate, NearPairs, NearParams, NearViews, Shingler, Sketch, near_views, sketch_all, verify_sketch
from auditor.similarity.normalize import Normalizer, hash128, hash_rows, ints, loose, pair_key
from auditor.similarity.spill import SpilledSketch

__all__ = [
    "Boilerplate",
    "CrossMatch",
    "Indexed",
    "Links",
    "NearPairs",
    "NearParams",
    "NearViews",
    "Normalizer",
    "Probe",
    "Runs",
    "Shingler",
    "Sketch",
    "SpilledSketch",
    "components",
    "exact_index",
    "exact_links",
    "hash128",
    "hash_rows",
    "ints",
    "join_links",
    "loose",
    "match_sets",
    "near_links",
    "near_views",
    "pair_key",
    "pair_keys",
    "pool_shingler",
    "probe_of",
    "sketch_all",
    "verify_sketch",
]
