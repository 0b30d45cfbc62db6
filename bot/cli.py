"""The ``jifen`` command line: one sub-command per feature, one line and exit status 2 on bad input."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from bot.profile_io import load_profile
from dialogs.report import assessment_json, render_assessment
from locales import translator
from scoring import PolicyError, ProfileError, assess, load_policy
from scoring.policy import Policy

EXIT_USAGE = 2


class CliError(Exception):
    """A problem with the user's input, shown as one line."""


def _policy(args: argparse.Namespace) -> Policy:
    return load_policy(args.policy) if args.policy else load_policy()


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def cmd_score(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    assessment = assess(profile, _policy(args))
    t = translator(args.lang)
    if args.json:
        _print_json(assessment_json(assessment, t))
    else:
        print(render_assessment(assessment, t, only_nonzero=not args.all))
    return 0


def _add_profile_command(sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, helptext: str,
                         func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=helptext, description=helptext)
    p.add_argument("profile", help="profile JSON file (see README: Profile)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the text (default zh)")
    p.add_argument("--policy", metavar="FILE", help="another policy parameter file (YAML)")
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jifen", description="Shanghai residence-permit points advisor")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    score = _add_profile_command(sub, "score", "score a profile with a per-item breakdown", cmd_score)
    score.add_argument("--all", action="store_true", help="also list the items that score 0")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except (ProfileError, PolicyError, CliError) as exc:
        print(f"jifen: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
