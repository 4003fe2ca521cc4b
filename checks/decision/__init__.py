"""DEC: the decision questions (prompt first; what fine-tuning costs) next to the data verdict."""

from checks.decision.check import DecisionCheck

__all__ = ["DecisionCheck"]
