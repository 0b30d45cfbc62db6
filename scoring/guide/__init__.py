"""The guide after the score (issue #15): the data (params/guide.yaml, typed in data.py), the person's dates
(dates.py) and documents (checklist.py). Pure and wordless like the rest of the core; dialogs/guide says it.
"""

from scoring.guide.checklist import BASE, FAMILY, Group, checklist
from scoring.guide.data import SECTIONS, Fact, Guide, GuideError, Section, load_guide, parse_guide
from scoring.guide.dates import RenewalWindow, Schedule, add_working_days, schedule

__all__ = ["BASE", "FAMILY", "SECTIONS", "Fact", "Group", "Guide", "GuideError", "RenewalWindow", "Schedule",
           "Section", "add_working_days", "checklist", "load_guide", "parse_guide", "schedule"]
