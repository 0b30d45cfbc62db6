"""The Hypothesis profile tests/conftest.py picks is the one in force when the tests run.

A test module that registers and loads a profile of its own at import replaces it for the whole run, silently
(CI would draw random examples again); this test runs after every module has been imported and catches that.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from tests.conftest import _ci


def test_the_profile_chosen_by_conftest_is_in_force() -> None:
    name = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _ci() else "dev")
    profile = settings.get_profile(name)
    for attribute in ("derandomize", "database", "deadline", "print_blob", "max_examples"):
        assert getattr(settings.default, attribute) == getattr(profile, attribute), attribute


def test_ci_draws_the_same_examples_every_run() -> None:
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None and ci.deadline is None and ci.print_blob


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("1", True), ("TRUE", True), ("false", False),
                                                 ("0", False), ("", False)])
def test_ci_is_recognised_from_the_environment(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("CI", value)
    assert _ci() is expected
