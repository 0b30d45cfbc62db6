"""The scoring core: policy parameters as dated data, one function per indicator, and a calculator.

Pure by design (DESIGN.md): no clock, no I/O after :func:`load_policy`, no channel types, so every
channel and every projection calls the very same code.
"""

from scoring.assessment import ITEM_IDS, Assessment, Item, Reason
from scoring.calculator import MissingDateError, assess
from scoring.policy import Policy, PolicyError, load_policy
from scoring.profile import Profile, ProfileError, parse_profile

__all__ = [
    "ITEM_IDS", "Assessment", "Item", "MissingDateError", "Policy", "PolicyError", "Profile",
    "ProfileError", "Reason", "assess", "load_policy", "parse_profile",
]
