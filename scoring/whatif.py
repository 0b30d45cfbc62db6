"""What if: the same person with some answers changed, or on a later date, and what that changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scoring.actions import Catalogue, load_catalogue
from scoring.assessment import Assessment
from scoring.calculator import assess
from scoring.changes import apply_changes
from scoring.diff import ItemChange, diff
from scoring.policy import Policy, policy_or_default
from scoring.profile import Profile


@dataclass(frozen=True, slots=True)
class WhatIf:
    changes: tuple[str, ...]
    before: Assessment
    after: Assessment
    diff: tuple[ItemChange, ...]


def whatif(profile: Profile, changes: Sequence[str], policy: Policy | None = None,
           catalogue: Catalogue | None = None) -> WhatIf:
    """Both assessments and the item-by-item difference; raises ChangeError for a bad change."""
    policy = policy_or_default(policy)
    catalogue = catalogue or load_catalogue()
    changed = apply_changes(profile, changes, policy, catalogue.unknown_multiple)
    before, after = assess(profile, policy), assess(changed, policy)
    return WhatIf(tuple(changes), before, after, diff(before, after))
