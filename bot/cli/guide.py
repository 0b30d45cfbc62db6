"""``jifen guide``: the steps with the person's dates and their checklist of documents, for a profile file."""

from __future__ import annotations

import argparse

from bot.cli.output import print_json
from bot.cli.profile_io import load_profile
from dialogs.guide.texts import documents_message, guide_json, personal_guide, steps_message
from locales import translator
from scoring import load_policy
from scoring.guide import load_guide


def cmd_guide(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy)
    profile = load_profile(args.profile)
    t = translator(args.lang)
    g = personal_guide(profile, policy, load_guide(), t)
    if args.json:
        print_json(guide_json(g))
        return 0
    print(steps_message(t, g.steps, "final"))
    print()
    print(documents_message(t, g.documents, "final"))
    if g.conf != "H":
        print(t("help.confirm"))
    return 0
