"""The ``jifen`` command line: one sub-command per feature, one line and exit status 2 on bad input."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bot.cli.chat import add_chat_commands
from bot.cli.forget import add_forget_command
from bot.cli.guide import cmd_guide
from bot.cli.output import print_json
from bot.cli.plan import cmd_plan, cmd_whatif
from bot.cli.profile_io import load_profile
from bot.cli.serve import add_serve_commands
from bot.cli.telegram import add_telegram_commands
from dialogs.report import assessment_json, render_assessment
from locales import translator
from scoring import PolicyError, ProfileError, assess, load_policy
from scoring.changes import ChangeError
from scoring.policy import Policy
from scoring.warnings import threshold_warnings

EXIT_USAGE = 2


class CliError(Exception):
    """A problem with the user's input, shown as one line."""


def _policy(args: argparse.Namespace) -> Policy:
    return load_policy(args.policy)


def cmd_score(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    policy = _policy(args)
    assessment = assess(profile, policy)
    warnings = threshold_warnings(profile, policy, assessment)
    t = translator(args.lang)
    if args.json:
        print_json(assessment_json(assessment, t, warnings))
    else:
        print(render_assessment(assessment, t, only_nonzero=not args.all, warnings=warnings))
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
    plan = _add_profile_command(sub, "plan", "dated plans to reach 120, the margin and the renewal check", cmd_plan)
    plan.add_argument("--horizon", type=int, choices=range(1, 31), metavar="YEARS", help="look this far ahead")
    plan.add_argument("--limit", type=int, choices=range(1, 51), metavar="N", help="plans shown (default 5)")
    plan.add_argument("--shortage-major-studied", action="store_true",
                      help="your studied major is on the shortage catalogue (enables that route)")
    whatif = _add_profile_command(sub, "whatif", "compare the score with some answers changed", cmd_whatif)
    whatif.add_argument("--set", action="append", metavar="CHANGE",
                        help="FIELD=VALUE, insurance_months+=N, 'contributions+=1.5x from YYYY-MM', as_of+=12m")
    _add_profile_command(sub, "guide", "how to apply: the steps with your dates and your documents", cmd_guide)
    add_chat_commands(sub)
    add_telegram_commands(sub)
    add_serve_commands(sub)
    add_forget_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except (ProfileError, PolicyError, ChangeError, CliError) as exc:
        print(f"jifen: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. piped into `head`: not an error of ours
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
