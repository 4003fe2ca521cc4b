"""TSK, task fidelity: does each output do the job its instruction asks for?

One module per rule (listed in ``checks.fidelity.rules``), each regex-gated:
a cheap search picks the records where the rule applies (an instruction that
states a checkable constraint, an output that claims to be code or data) and
only those are parsed. ``checks.fidelity.base`` says what a rule defines.
"""

from checks.fidelity.check import FidelityCheck

__all__ = ["FidelityCheck"]
