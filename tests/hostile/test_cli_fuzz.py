"""Hostile profile files and --set strings for ``jifen score`` / ``plan`` / ``whatif``.

Whatever the file holds — any JSON value in any field, fields missing, huge numbers, deep nesting, bytes that are
not UTF-8, more than a megabyte — the command answers with exit status 2 and exactly one line on stderr naming the
problem, or (when the fuzzed profile happens to be valid) status 0 with JSON on stdout. Never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
BASE: dict[str, Any] = json.loads((ROOT / "examples" / "profile.json").read_text(encoding="utf-8"))
FIELDS = sorted(BASE)

JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
    st.sampled_from(["", "2026-03-01", "1981-01-15", "2022-03", "college", "none", "1e400", "-0", "NaN",
                     "9999-12-31", "0000-01-01", "2026-02-30", "\x00", "\u202e", "😀"]),
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


@st.composite
def fuzzed_profile(draw: st.DrawFn) -> str:
    """A JSON text: the example profile with some fields dropped, replaced by anything, or added."""
    data: dict[str, Any] = dict(BASE)
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        del data[name]
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        data[name] = draw(JSON_VALUES)
    if draw(st.booleans()):
        data[draw(st.text(min_size=1, max_size=12))] = draw(JSON_VALUES)
    if draw(st.integers(0, 9)) == 0:
        return json.dumps(draw(JSON_VALUES))  # not even an object
    return json.dumps(data, ensure_ascii=draw(st.booleans()))


SET_STRINGS = st.one_of(
    st.text(max_size=40),
    st.builds(lambda f, op, v: f"{f}{op}{v}", st.sampled_from([*FIELDS, "contributions", "as_of", "x", ""]),
              st.sampled_from(["=", "+=", "-=", "==", ""]),
              st.one_of(st.text(max_size=20), st.integers(-(10**40), 10**40).map(str),
                        st.sampled_from(["1.5x from 2025-03", "12m", "99999999m", "1e308", "intermediate",
                                         "nan", "inf", "1.0x from 9999-99", "[]", "{}", "null"]))),
)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def check(code: int, out: str, err: str, json_out: bool) -> None:
    assert "Traceback" not in err and "Traceback" not in out
    if code == 0:
        assert err == ""
        if json_out:
            json.loads(out)
    else:
        assert code == 2, (code, err)
        assert one_line(err), repr(err)
        assert err.startswith("jifen: "), err


def one_line(err: str) -> bool:
    """One line as a terminal or a log shows it: a single newline at the end, and nothing before it that breaks
    the line (\\r, \\v, \\x85, \\u2028...: whatever str.splitlines splits on) or is not printable."""
    return err.endswith("\n") and len(err.splitlines()) == 1 and err[:-1].isprintable()


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(text=fuzzed_profile(), command=st.sampled_from(["score", "plan", "whatif"]), as_json=st.booleans())
def test_fuzzed_profiles_give_status_2_and_one_line_or_valid_output(
    workdir: Path, capsys: pytest.CaptureFixture[str], text: str, command: str, as_json: bool
) -> None:
    path = workdir / "profile.json"
    path.write_text(text, encoding="utf-8")
    argv = [command, str(path), *(["--json"] if as_json else [])]
    if command == "whatif":
        argv.append("--set=insurance_months+=12")
    code, out, err = run(argv, capsys)
    check(code, out, err, as_json)


@FUZZ
@given(changes=st.lists(SET_STRINGS, min_size=1, max_size=3), as_json=st.booleans())
def test_fuzzed_set_strings_give_status_2_and_one_line_or_valid_output(
    workdir: Path, capsys: pytest.CaptureFixture[str], changes: list[str], as_json: bool
) -> None:
    path = workdir / "valid.json"
    path.write_text(json.dumps(BASE), encoding="utf-8")
    # "--set=VALUE" so a value starting with "-" is never taken for an option by argparse.
    argv = ["whatif", str(path), *(f"--set={c}" for c in changes), *(["--json"] if as_json else [])]
    code, out, err = run(argv, capsys)
    check(code, out, err, as_json)


@FUZZ
@given(raw=st.binary(max_size=200), command=st.sampled_from(["score", "plan", "whatif"]))
def test_arbitrary_bytes_give_status_2_and_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], raw: bytes, command: str
) -> None:
    path = workdir / "bytes.json"
    path.write_bytes(raw)
    argv = [command, str(path), "--json", *(["--set=as_of+=12m"] if command == "whatif" else [])]
    code, out, err = run(argv, capsys)
    check(code, out, err, True)


def _hostile_files() -> dict[str, bytes]:
    valid = json.dumps(BASE)
    return {
        "latin1": valid.replace('"college"', '"coll\xe9ge"').encode("latin-1"),
        "lone-surrogate": b'{"education": "\xed\xa0\x80"}',
        "bom": b"\xef\xbb\xbf" + valid.encode(),
        "deep-array": b"[" * 100_000 + b"]" * 100_000,
        "deep-in-field": b'{"birth_date": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        "moderately-deep": b'{"records": ' + b"[" * 200 + b"]" * 200 + b"}",
        "digits-5000": b'{"insurance_months": ' + b"9" * 5000 + b"}",
        "huge-int": json.dumps({**BASE, "insurance_months": 10**300}).encode(),
        "huge-float": valid.replace('"insurance_months": 96', '"insurance_months": 1e308').encode(),
        "overflow-float": valid.replace('"insurance_months": 96', '"insurance_months": 1e999').encode(),
        "nan": valid.replace('"insurance_months": 96', '"insurance_months": NaN').encode(),
        "huge-multiple": json.dumps({**BASE, "contributions": [{"from": "2022-03", "to": "2026-02",
                                                                "multiple": 1e308}]}).encode(),
        "year-0": json.dumps({**BASE, "birth_date": "0000-01-01"}).encode(),
        "year-9999": json.dumps({**BASE, "as_of": "9999-12-31"}).encode(),
        "many-contributions": json.dumps({**BASE, "contributions": [
            {"from": "2022-03", "to": "2026-02", "multiple": 1.0}] * 10_000}).encode(),
        "over-1mb": b'{"x": "' + b"a" * 1_100_000 + b'"}',
        "over-1mb-of-spaces": b" " * 1_048_577 + valid.encode(),
        "empty": b"",
        "nul": b"\x00" * 64,
        "trailing-garbage": valid.encode() + b"}}",
    }


HOSTILE = _hostile_files()


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("command", ["score", "plan", "whatif"])
def test_hostile_files_give_status_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, command: str
) -> None:
    path = tmp_path / f"{name}.json"
    path.write_bytes(HOSTILE[name])
    argv = [command, str(path), "--json", *(["--set=as_of+=12m"] if command == "whatif" else [])]
    code, out, err = run(argv, capsys)
    check(code, out, err, True)
    if name in ("over-1mb", "over-1mb-of-spaces", "deep-array", "digits-5000", "latin1", "empty", "nul"):
        assert code == 2, name


# Keys that once gave a two-line message (found by the fuzzer): the key is echoed in the error, so every character
# that can break or hide a line must come out escaped, and a huge key cut.
LINE_BREAKING_KEYS = ["a\nb", "\n", "x\ry", "\r\n", "\u2028", "para\u2029graph", "\x85", "\x0b", "\x0c", "\x1c",
                      "\x00", "\x1b[31mred", "\u202eevil", "tab\tkey", "k" * 10_000, "\n" * 10_000]  # fmt: skip


@pytest.mark.parametrize("key", LINE_BREAKING_KEYS, ids=lambda key: ascii(key[:12]) + f"*{len(key)}")
@pytest.mark.parametrize("where", ["top", "investment", "records"])
@pytest.mark.parametrize("command", ["score", "plan", "whatif"])
def test_an_unknown_key_with_line_breaks_gives_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, where: str, command: str
) -> None:
    data: dict[str, Any] = json.loads(json.dumps(BASE))
    if where == "top":
        data[key] = 1
    elif where == "investment":
        data["investment"][key] = 1
    else:
        data["records"] = [{"kind": "detention", "date": "2024-03-01", key: 1}]
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    argv = [command, str(path), *(["--set=insurance_months+=12"] if command == "whatif" else [])]
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert one_line(err), repr(err)
    assert err.rstrip("\n").endswith(": unknown field"), err
    assert len(err) < 200, err  # a 10,000-character key is cut
    assert repr(key[:10])[1:-1] in err  # named: its first characters, escaped as Python writes them
    prefix = {"top": "jifen: '", "investment": "jifen: investment.'", "records": "jifen: records.0.'"}[where]
    assert err.startswith(prefix), err


def test_a_missing_file_and_a_directory_give_status_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in (tmp_path / "nope.json", tmp_path):
        code, out, err = run(["score", str(path)], capsys)
        assert code == 2
        check(code, out, err, False)


@pytest.mark.parametrize("name", ["deep-array", "digits-5000", "latin1", "over-1mb"])
def test_as_a_real_process_no_traceback(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.json"
    path.write_bytes(HOSTILE[name])
    done = subprocess.run([sys.executable, "-m", "bot.cli.main", "score", str(path), "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("jifen: "), done.stderr
