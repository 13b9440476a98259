"""J0256 coding rules: the catalogue, the context they run in, and the engine.

Importing this package registers every rule (each family module registers its rules with
:func:`~edi_j0256.rules.registry.rule`).
"""

from edi_j0256.rules import coding, coverage, diagnosis, frequency, ig, modifiers, ndc, units
from edi_j0256.rules.context import RuleContext
from edi_j0256.rules.engine import Checker, Counts, check_files
from edi_j0256.rules.finding import FIELDS, Finding, Hit, Where
from edi_j0256.rules.mue import MueError, MueTable, load_mue
from edi_j0256.rules.policy import Policy, PolicyError, PolicySet, load_policies
from edi_j0256.rules.refdata import Crosswalk, CrosswalkError, load_crosswalk
from edi_j0256.rules.registry import RULES, Rule, all_rules, get_rule

_FAMILY_MODULES = (coding, coverage, diagnosis, frequency, ig, modifiers, ndc, units)

__all__ = ["FIELDS", "RULES", "Checker", "Counts", "Crosswalk", "CrosswalkError", "Finding",
           "Hit", "MueError", "MueTable", "Policy", "PolicyError", "PolicySet", "Rule",
           "RuleContext", "Where", "all_rules", "check_files", "get_rule", "load_crosswalk",
           "load_mue", "load_policies"]
