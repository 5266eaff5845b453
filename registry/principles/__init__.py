"""The seven principle checks of DOMAIN.md and the assessment that combines them."""

from registry.principles.assess import CHECKS, assess
from registry.principles.model import (
    Assessment,
    Case,
    Finding,
    Principle,
    PrincipleVerdict,
    Verdict,
)
from registry.principles.ruleset import Ruleset, load_ruleset, with_max_term_years

__all__ = [
    "CHECKS",
    "Assessment",
    "Case",
    "Finding",
    "Principle",
    "PrincipleVerdict",
    "Ruleset",
    "Verdict",
    "assess",
    "load_ruleset",
    "with_max_term_years",
]
