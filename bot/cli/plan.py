"""``jifen plan`` and ``jifen whatif``: the planner and the what-if on a profile file."""

from __future__ import annotations

import argparse

from bot.cli.output import print_json
from bot.cli.profile_io import load_profile
from dialogs.report import plan_json, render_plan
from dialogs.whatif_reply import render_whatif, whatif_json
from locales import Translator, translator
from scoring import Profile, load_policy
from scoring.actions import Assumptions, load_catalogue
from scoring.changes import ChangeError
from scoring.planner import plan
from scoring.policy import Policy
from scoring.whatif import whatif


def _inputs(args: argparse.Namespace) -> tuple[Profile, Policy, Translator]:
    policy = load_policy(args.policy)
    return load_profile(args.profile), policy, translator(args.lang)


def cmd_plan(args: argparse.Namespace) -> int:
    profile, policy, t = _inputs(args)
    assumptions = Assumptions(horizon_years=args.horizon, studied_shortage_major=args.shortage_major_studied)
    result = plan(profile, policy, assumptions, load_catalogue(), limit=args.limit)
    if args.json:
        print_json(plan_json(result, t))
    else:
        print(render_plan(result, t))
    return 0


def cmd_whatif(args: argparse.Namespace) -> int:
    if not args.set:
        raise ChangeError("give at least one --set FIELD=VALUE")
    profile, policy, t = _inputs(args)
    w = whatif(profile, args.set, policy)
    if args.json:
        print_json(whatif_json(w, t))
    else:
        print(render_whatif(w, t))
    return 0
