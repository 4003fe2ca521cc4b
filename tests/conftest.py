from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATASETS = REPO.parent / "shared" / "datasets"

# great_expectations must never phone home from a test run.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture
def shared_datasets() -> Path:
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"real datasets not present at {SHARED_DATASETS}")
    return SHARED_DATASETS


@pytest.fixture
def sample_data() -> Path:
    return REPO / "sample_data"
