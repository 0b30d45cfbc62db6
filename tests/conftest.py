"""Settings shared by the whole suite: Hypothesis profiles.

CI (``CI`` set to a true value, as ``.ci/run`` is run) uses the "ci" profile: derandomized, so a run on the same
code draws the same examples and a red CI is reproduced by running it again (locally too, with
``HYPOTHESIS_PROFILE=ci``); no example database, since the clone is fresh each time and a database would make
the run depend on what an earlier one left behind; ``print_blob`` so a failure prints the
``@reproduce_failure`` line that replays it exactly. Everywhere else the "dev" profile keeps Hypothesis' random
search and its database (failures found locally are tried first next time).

Both profiles have ``deadline=None``: unit tests assert no timings (speed belongs to bench/), and a per-example
deadline would only make a loaded machine fail them. A test module may narrow ``max_examples`` with its own
``@settings(...)``; it must not register or load another profile, which would silently replace these for the
whole run.
"""

from __future__ import annotations

import os

from hypothesis import settings

TRUE = frozenset({"1", "true", "yes", "on"})


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in TRUE


settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _ci() else "dev"))
