"""The Context a check runs in: the dataset, the config, and shared features.

Shared features (normalised text, hashes, duplicate groups, ...) are plain
functions of the context, computed once on first use and cached here, so two
checks that need the same hashes never compute them twice and a check that is
switched off costs nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from auditor.core.config import Config
from auditor.core.records import Dataset

T = TypeVar("T")


class Progress(Protocol):
    """Where long stages report their progress (the CLI draws it on stderr)."""

    def stage(self, name: str, total: int | None = None) -> contextlib.AbstractContextManager[Callable[[int], None]]: ...


class SilentProgress:
    """The default for the Python API: pipelines do not want bars in their logs."""

    @contextlib.contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        yield lambda advance: None


@dataclass
class Context:
    dataset: Dataset
    config: Config
    # Extra datasets some checks compare against: "eval", "reference", "baseline".
    others: Mapping[str, Dataset] = field(default_factory=dict)
    # Side inputs given by path (an annotations file, an expectation suite).
    paths: Mapping[str, Path] = field(default_factory=dict)
    progress: Progress = field(default_factory=SilentProgress)
    _cache: dict[Callable[..., Any], Any] = field(default_factory=dict, repr=False)

    @property
    def seed(self) -> int:
        return int(self.config["seed"])

    def cached(self, feature: Callable[[Context], T]) -> T:
        """``feature(self)``, computed once per context."""
        if feature not in self._cache:
            self._cache[feature] = feature(self)
        return self._cache[feature]  # type: ignore[no-any-return]

    def is_cached(self, feature: Callable[[Context], Any]) -> bool:
        return feature in self._cache

    def provide(self, feature: Callable[[Context], Any], value: Any) -> None:
        """Supply a feature's value computed elsewhere (a partitioned run computes
        hashes and groups without the texts); checks then read it through ``cached``."""
        self._cache[feature] = value
