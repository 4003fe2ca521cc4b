from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]
SHARED_DATASETS = REPO.parent / "shared" / "datasets"

# great_expectations must never phone home from a test run.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# No property test is timed: hypothesis's per-example deadline fails a correct test whenever the shared
# machine is busy (a first example at 380 ms against 200 ms), and speed lives in benchmarks/.
settings.register_profile("auditor", deadline=None)
settings.load_profile("auditor")


@pytest.fixture
def shared_datasets() -> Path:
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"real datasets not present at {SHARED_DATASETS}")
    return SHARED_DATASETS


@pytest.fixture
def sample_data() -> Path:
    return REPO / "sample_data"


def _spark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install -e '.[test]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session for the whole test run (starting one costs seconds); with CI set, fail rather than skip."""
    missing = _spark_missing()
    if missing:
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"CI is set but {missing}; .ci/run installs both")
        pytest.skip(missing)
    from auditor.scale.engines import SparkEngine

    engine = SparkEngine("local[2]", 2)  # later engines in this process reuse its session
    yield engine
    engine.session.stop()
