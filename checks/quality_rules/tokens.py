"""Token counting lives in the engine (``auditor.features.tokens``), which offers the run's
counter to every check; this name stays for code written against it."""

from auditor.features.tokens import (
    ESTIMATE,
    Budget,
    RecordTokens,
    TokenCounter,
    estimate_many,
    estimate_tokens,
    make_counter,
    token_budget,
    token_counter,
)

__all__ = [
    "ESTIMATE",
    "Budget",
    "RecordTokens",
    "TokenCounter",
    "estimate_many",
    "estimate_tokens",
    "make_counter",
    "token_budget",
    "token_counter",
]
