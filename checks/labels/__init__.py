"""LBL, labels: are the labels of classification-like data right, and is each written one way?

One module per rule: ``confident`` (LBL001, likely mislabelled records, by
confident learning) and ``vocabulary`` (LBL002, one label written several
ways); ``check`` finds the labels (the category field, the outputs of label
task groups) and runs them.
"""

from checks.labels.check import LabelsCheck

__all__ = ["LabelsCheck"]
