"""Hostile profiles for ``jifen score`` in bounded memory: exit status 2 and one line, under a 256 MB address space.

Why a memory limit: a month range of a billion months used to be expanded into a set before any bound was
checked (gigabytes), and ``Infinity``, duplicate keys or ``true`` as a count were accepted or ended in a
traceback. The files run through the real ``main`` in one child process whose address space is capped with
``RLIMIT_AS`` (what ``ulimit -v 262144`` does); a ``MemoryError`` or any other escape is reported per file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.test_cli_fuzz import BASE, ROOT, one_line

LIMIT_BYTES = 256 * 1024 * 1024


def _with(**fields: Any) -> bytes:
    return json.dumps({**BASE, **fields}).encode()


def _range(start: object, end: object, **base: Any) -> bytes:
    return _with(contributions=[{"from": start, "to": end, **(base or {"multiple": 1.0})}])


HOSTILE: dict[str, bytes] = {
    "month-indices-a-billion-apart": _range(0, 1_000_000_000),
    "month-index-negative": _range(-10**12, 24300),
    "month-index-huge": _range(24300, 10**30),
    "month-range-1900-to-9999": _range("1900-01", "9999-12"),
    "many-long-ranges": _with(contributions=[{"from": f"{1900 + i}-01", "to": f"{1900 + i}-12", "multiple": 1.0}
                                             for i in range(0, 8000, 2)]),
    "infinity-in-a-float": _with(investment={"avg_annual_tax_cny": 1.0}).replace(b"1.0", b"Infinity"),
    "minus-infinity": _with(investment={"share": 0.5}).replace(b"0.5", b"-Infinity"),
    "nan-multiple": _range("2022-03", "2026-02", multiple=0.5).replace(b"0.5", b"NaN"),
    "overflowing-literal": _with(investment={"avg_local_hires": 1.0}).replace(b"1.0", b"1e400"),
    "duplicate-top-level-key": json.dumps(BASE)[:-1].encode() + b', "insurance_months": 0}',
    "duplicate-nested-key": _with(permit={"valid": True}).replace(b'"valid": true', b'"valid": true, "valid": false'),
    "true-as-month-count": _with(insurance_months=True),
    "false-as-month-count": _with(insurance_months=False),
    "true-as-multiple": _range("2022-03", "2026-02", multiple=True),
    "one-as-a-flag": _with(shortage_major=1),
    "yes-as-a-flag": _with(permit={"valid": "yes"}),
    "huge-tax": _with(investment={"avg_annual_tax_cny": 1e300}),
    "deep-nesting": b'{"records": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "digits-4000": b'{"insurance_months": ' + b"7" * 4000 + b"}",
}

CHILD = textwrap.dedent("""
    import contextlib, io, json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from bot.cli.main import main
    results = {{}}
    for name, path in json.loads(sys.argv[1]).items():
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["score", path, "--json"])
        except BaseException as exc:  # MemoryError, a traceback: what the test must never see
            code, err = -1, io.StringIO(type(exc).__name__)
        results[name] = [code, out.getvalue(), err.getvalue()]
    print(json.dumps(results))
""")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Any]]:
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for name, body in HOSTILE.items():
        path = folder / f"{name}.json"
        path.write_bytes(body)
        paths[name] = str(path)
    done = subprocess.run([sys.executable, "-c", CHILD.format(limit=LIMIT_BYTES), json.dumps(paths)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    found: dict[str, list[Any]] = json.loads(done.stdout)
    return found


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_profile_gets_status_2_and_one_line_in_bounded_memory(
    results: dict[str, list[Any]], name: str
) -> None:
    code, out, err = results[name]
    assert code == 2, (name, code, err)
    assert out == ""
    assert one_line(err) and err.startswith("jifen: "), err
    assert "Traceback" not in err


def test_the_valid_example_still_scores_under_the_limit(tmp_path: Path) -> None:
    """The control: the limit leaves room for a normal run, so a refusal above is the input's, not the limit's."""
    child = CHILD.format(limit=LIMIT_BYTES)
    done = subprocess.run([sys.executable, "-c", child, json.dumps({"example": str(ROOT / "examples/profile.json")})],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    code, out, err = json.loads(done.stdout)["example"]
    assert (code, err) == (0, "")
    assert json.loads(out)["total"] > 0


@pytest.mark.parametrize(("text", "message"), [
    ('{"a": 1, "a": 2}', "the key 'a' appears twice in one object"),
    ('{"a": {"b": 1, "b": 1}}', "the key 'b' appears twice in one object"),
    ('{"a": NaN}', "NaN is not a number a profile can hold"),
    ('{"a": -Infinity}', "-Infinity is not a number a profile can hold"),
    ('{"a": 1e999}', "the number 1e999 is too large"),
])
def test_json_a_profile_may_not_use_is_named(tmp_path: Path, text: str, message: str) -> None:
    from bot.cli.profile_io import read_profile_data
    from scoring import ProfileError

    path = tmp_path / "p.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        read_profile_data(str(path))
    assert str(caught.value) == f"{path}: {message}"
