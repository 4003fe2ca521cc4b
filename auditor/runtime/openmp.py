"""OpenMP threads that sleep when idle instead of spinning.

scikit-learn's k-means (the coverage check's topics: mini-batch k-means on a
sample, k-means on the residue) runs hundreds of short OpenMP parallel regions
on every core. Between regions GNU OpenMP's idle threads spin by default,
burning a core while they wait; on a machine whose cores are shared (two
checks' processes, other jobs) the spinning thread also takes the core from
the one with work, and the fit slows down. With ``OMP_WAIT_POLICY=PASSIVE``
idle threads sleep: the topics of 100k generated inputs took 2.0-2.4
CPU-seconds and 13-15 s of wall time against 4.0-4.8 and 26 s (load average
12-17, same process, same space), with the same labels to the byte. The
policy says only how an idle thread waits, not how work is split among the
threads or summed, so every result is the same (``tests/test_openmp.py``).

libgomp reads the variable once, when it is loaded (the first import of
scikit-learn's compiled code), so this runs at the start of an audit; a
value the user set is kept.
"""

from __future__ import annotations

import os


def prefer_passive_wait() -> None:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
