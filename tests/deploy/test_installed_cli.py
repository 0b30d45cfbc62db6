"""The package as the image installs it works on its own: the code and its data files (policy parameters, message
catalogues) come from the installed wheel, never from the source tree, and give the same answers as the source.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.cli.main import main as source_cli
from locales import translator
from tests.deploy.deployfiles import ROOT, pyproject
from tests.deploy.image import Runtime

pytestmark = pytest.mark.slow  # deploy replay: installs the image-equivalent runtime

EXAMPLE = ROOT / "examples" / "profile.json"
PACKAGES = ("bot", "dialogs", "scoring", "locales")
TIMEOUT_S = 60

# Runs inside the installed interpreter: where every loaded module came from, and sys.path.
_ORIGINS = """
import json, os, sys
import bot.cli.main, bot.cli.chat, bot.channels.telegram.run, dialogs, scoring, locales
from scoring import load_policy
from locales import translator
load_policy(); translator("en")("chat.welcome"); translator("zh")("chat.welcome")
files = {name: getattr(module, "__file__", None) for name, module in list(sys.modules.items())}
print(json.dumps({"files": files, "path": [os.path.abspath(entry) for entry in sys.path]}))
"""


def run_installed(runtime: Runtime, cwd: Path, *argv: str, stdin: str | None = None,
                  **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), cwd=cwd, env=runtime.env(HOME=str(cwd), **env), input=stdin,
                          capture_output=True, text=True, timeout=TIMEOUT_S,
                          stdin=subprocess.DEVNULL if stdin is None else None)


def test_the_jifen_script_runs_the_installed_interpreter(runtime: Runtime) -> None:
    script = runtime.bin / "jifen"
    assert script.is_file()
    assert script.read_text(encoding="utf-8").splitlines()[0] == f"#!{runtime.python}"


def test_code_and_data_are_loaded_from_the_install_not_the_source_tree(runtime: Runtime, tmp_path: Path) -> None:
    done = run_installed(runtime, tmp_path, str(runtime.python), "-c", _ORIGINS)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    ours = {name: file for name, file in report["files"].items() if name.split(".")[0] in PACKAGES}
    assert {name.split(".")[0] for name in ours} == set(PACKAGES)
    outside = {name: file for name, file in ours.items() if not str(file).startswith(f"{runtime.site_packages}/")}
    assert outside == {}
    from_source = {name: file for name, file in report["files"].items() if str(file).startswith(f"{ROOT}/")}
    assert from_source == {}
    assert [entry for entry in report["path"] if Path(entry).is_relative_to(ROOT)] == []


def test_every_data_file_of_the_packages_is_installed(runtime: Runtime) -> None:
    """What pyproject's package-data globs miss would be absent in the image; compare with the tracked files."""
    tracked = subprocess.run(["git", "ls-files", "--", *PACKAGES], cwd=ROOT, capture_output=True, text=True,
                             check=False)
    if tracked.returncode == 0:
        files = [Path(line) for line in tracked.stdout.splitlines() if (ROOT / line).is_file()]
    else:  # not a git checkout: everything under the package directories
        files = [p.relative_to(ROOT) for pkg in PACKAGES for p in (ROOT / pkg).rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts]
    data_files = [f for f in files if f.suffix not in (".py", ".pyc")]
    assert data_files, "expected policy YAML and .po catalogues in the packages"
    missing = [str(f) for f in files if not (runtime.site_packages / f).is_file()]
    assert missing == []


def test_installed_metadata_matches_pyproject(runtime: Runtime) -> None:
    project = pyproject()["project"]
    [dist_info] = runtime.site_packages.glob(f"{project['name']}-*.dist-info")
    assert dist_info.name == f"{project['name']}-{project['version']}.dist-info"
    entry_points = (dist_info / "entry_points.txt").read_text(encoding="utf-8")
    for name, target in project["scripts"].items():
        assert f"{name} = {target}" in entry_points


@pytest.mark.parametrize("args", [["--json"], ["--lang", "en", "--all"]], ids=["json-zh", "text-en"])
def test_jifen_score_gives_the_source_trees_answer(
    runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert source_cli(["score", str(EXAMPLE), *args]) == 0
    expected = capsys.readouterr().out

    done = run_installed(runtime, tmp_path, "jifen", "score", str(EXAMPLE), *args)

    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
    if args == ["--json"]:
        assert json.loads(done.stdout)["total"] == json.loads(expected)["total"] > 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_jifen_chat_gets_past_consent_to_the_first_question(runtime: Runtime, tmp_path: Path, lang: str) -> None:
    data = tmp_path / "data"
    done = run_installed(runtime, tmp_path, "jifen", "chat", "--lang", lang, stdin="1\n", JIFEN_DATA_DIR=str(data))

    assert done.returncode == 0, done.stderr
    t = translator(lang)
    for key in ("consent.agree", "chat.welcome", "q.birth.prompt"):
        assert t(key) != key and t(key) in done.stdout, key
    assert (data / "jifen.sqlite3").is_file()  # the consent was stored in JIFEN_DATA_DIR
