"""Composite indicators (pure: no Django): frameworks, scoring, construction, uncertainty.

Built on the JRC/OECD Handbook on Constructing Composite Indicators and the COINr
steps; see ``construct.py`` for every rule and ``uncertainty.py`` for the analysis.
"""

from .construct import Result, compute, rank_scores
from .framework import Construction, Framework, FrameworkError, Node, Rule
from .scoring import score
from .uncertainty import CHOICES, Model, default_workers, monte_carlo, sensitivity

__all__ = [
    "CHOICES", "Construction", "Framework", "FrameworkError", "Model", "Node", "Result",
    "Rule", "compute", "default_workers", "monte_carlo", "rank_scores", "score", "sensitivity",
]
