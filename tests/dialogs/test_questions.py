"""The questionnaire definition is consistent, and every message it refers to exists in both languages."""

from __future__ import annotations

import string

from dialogs import payloads, replies
from dialogs.messages import MAX_PAYLOAD_BYTES
from dialogs.questions import BY_ID, HAS_RECORDS, OWNS_COMPANY, QUESTIONS, REQUIRED_FOR_SCORE, STATES, Guard
from locales import LANGUAGES, catalogue, translator
from scoring.changes import SETTABLE

PROFILE_FIELDS = {"birth_date", "education", "full_time_graduation_date", "title_skill", "title_skill_recognised",
                  "insurance_months", "contributions", "shortage_major", "investment", "public_service_since",
                  "remote_area", "award", "hukou_spouse_married_on", "innovation_talent", "records", "permit"}


def test_ids_are_unique_and_states_are_consent_questions_done() -> None:
    assert len(BY_ID) == len(QUESTIONS)
    assert STATES[0] == "consent" and STATES[-1] == "done"


def test_a_conjunction_implies_its_parts_and_nothing_else() -> None:
    sentence, more = BY_ID["record_sentence"].guard, BY_ID["record_more"].guard
    assert sentence is not None and more is not None
    assert sentence.implies(HAS_RECORDS) and more.implies(HAS_RECORDS) and HAS_RECORDS.implies(HAS_RECORDS)
    assert not HAS_RECORDS.implies(sentence) and not sentence.implies(more) and not more.implies(sentence)
    assert not OWNS_COMPANY.implies(HAS_RECORDS)
    same_label = Guard(HAS_RECORDS.label, lambda a: True)
    assert not same_label.implies(HAS_RECORDS)  # guards are told apart by identity, not by their labels
    assert (sentence & more)({"has_records": True, "record_kind": "criminal", "records": []})


def test_every_profile_field_is_filled_by_some_question() -> None:
    filled = {f.split(".")[0].split("[")[0] for q in QUESTIONS for f in q.fills}
    assert filled >= PROFILE_FIELDS
    nested = {f for q in QUESTIONS for f in q.fills if "." in f and "[" not in f}
    assert nested <= SETTABLE  # dotted names are the planner's own field names


def test_required_questions_cannot_be_skipped_or_guarded() -> None:
    for qid in REQUIRED_FOR_SCORE:
        assert not BY_ID[qid].optional and BY_ID[qid].guard is None


def test_every_message_key_exists_in_both_languages() -> None:
    keys = {"hint.other", "chat.optional", "chat.current_answer"}
    for q in QUESTIONS:
        keys.add(q.prompt_key)
        keys.update(o.label for o in q.buttons)
    keys.update(f"q.{qid}.name" for qid in REQUIRED_FOR_SCORE)
    for lang in LANGUAGES:
        missing = keys - catalogue(lang).keys()
        assert not missing, (lang, missing)


def test_dialog_keys_do_not_use_the_prefixes_owned_by_jifen_po() -> None:
    owned = ("item.", "reason.", "report.", "education.", "title.", "area.", "award.", "plan.", "whatif.")
    from pathlib import Path

    from babel.messages.pofile import read_po

    for folder in ("zh_CN", "en"):
        path = Path(__file__).parents[2] / "locales" / folder / "LC_MESSAGES" / "dialogs.po"
        with path.open("rb") as f:
            ids = [m.id for m in read_po(f) if m.id]
        assert ids and not [i for i in ids if str(i).startswith(owned)]


def test_prompt_placeholders_are_the_ones_the_engine_supplies() -> None:
    supplied = {"avg", "floor", "ceiling", "days", "today", "window"}
    for lang in LANGUAGES:
        for q in QUESTIONS:
            from_answers = set(replies.history_args(q, {}, translator(lang)))  # the base-history questions
            text = catalogue(lang)[q.prompt_key]
            names = {n for _, n, _, _ in string.Formatter().parse(text) if n}
            assert names <= supplied | from_answers, (lang, q.id, names)


def test_every_button_payload_fits_telegram_and_reads_back() -> None:
    for q in QUESTIONS:
        for o in q.buttons:
            p = payloads.answer(q.id, o.value)
            assert len(p.encode()) <= MAX_PAYLOAD_BYTES
            read = payloads.read(p)
            assert read is not None and (read.question, read.token) == (q.id, o.value)
