"""A finding's predicted denial must map back to the finding's own root cause.

``reconcile`` says which findings explain a denial by comparing root causes; if a rule
predicted CO-16 N846 but called its root cause something the denial map does not give
CO-16 N846, the prediction could never be matched to the denial it predicts.
"""

from __future__ import annotations

import pytest

from edi_j0256.remit.rootcause import bundled_denial_map
from edi_j0256.rules import RULES

_RULES = list(RULES.values()) if isinstance(RULES, dict) else list(RULES)


@pytest.mark.parametrize("rule", [r for r in _RULES if r.carc], ids=lambda r: r.code)
def test_predicted_denial_maps_to_the_rule_root_cause(rule):
    causes = bundled_denial_map().classify("CO", rule.carc, [rule.rarc] if rule.rarc else [])
    assert rule.root_cause in causes, (rule.code, rule.carc, rule.rarc, causes)
