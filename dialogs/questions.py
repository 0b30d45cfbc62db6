"""The questionnaire, declared as data: every question, its answer type, its buttons and its guard.

Why data and not one handler per step: the state machine (dialogs.flow), the diagram in
docs/dialog.md (dialogs.diagram), the answer parsers (dialogs.answers) and the profile builder
(dialogs.profile_build) all read this one tuple, so adding or reordering a question cannot leave
them disagreeing.

Answers are kept as a flat JSON object of raw typed values ("answer keys"); each question owns the
keys it writes (``keys``) and re-answering it replaces all of them. A question whose ``guard`` is
false does not apply: it is never asked and its stale answers are ignored when the profile is built,
so going back and changing "do you own a company?" to no can never leave a tax figure behind.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from dialogs import base_history

Answers = Mapping[str, Any]
"""Answer key -> JSON value (str, int, float, bool, None, list, dict)."""


class Kind(StrEnum):
    """How a free-text answer is read (dialogs.answers has one parser per kind)."""

    BIRTH = "age or birth date"
    CHOICE = "choice"
    YES_NO = "yes/no"
    DATE = "date"
    MONTH = "month"
    DURATION = "duration"
    BASE = "CNY amount or multiple"
    BASE_PRIOR = "an earlier base, or the same"
    SINCE = "month, or since the start"
    MONEY = "CNY amount"
    SHARE = "share"
    COUNT = "number"


@dataclass(frozen=True)
class Guard:
    """A condition on the answers so far; ``label`` names it in the diagram.

    A guard built with ``&`` remembers its ``parts``, so that ``implies`` can tell, without
    evaluating anything, that one guard holds whenever another does: the state machine uses it to
    leave out transitions that could never be taken.
    """

    label: str
    test: Callable[[Answers], bool]
    parts: tuple[Guard, ...] = ()

    def __call__(self, answers: Answers) -> bool:
        return self.test(answers)

    def __and__(self, other: Guard) -> Guard:
        return Guard(f"{self.label} and {other.label}", lambda a: self.test(a) and other.test(a),
                     (*self.conjuncts, *other.conjuncts))

    @property
    def conjuncts(self) -> tuple[Guard, ...]:
        """The plain guards this one is the conjunction of (itself, if it is not built with ``&``)."""
        return self.parts or (self,)

    def implies(self, other: Guard) -> bool:
        """True if ``other`` holds whenever this guard holds (its conjuncts are among this one's)."""
        return set(other.conjuncts) <= set(self.conjuncts)


@dataclass(frozen=True)
class Option:
    """A button: ``value`` is stored (and sent in the payload), ``label`` is a message key.

    ``synonyms`` are extra words, in any language, that free text may use for the option; the
    labels of both languages are matched as well, so an English user typing 本科 is understood.
    """

    value: str
    label: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Loop:
    """A repeated group (several records): answering yes at the loop question starts another round.

    Taking the loop moves the ``collect`` answers, as one entry, into the list under ``into`` and
    clears them (and the loop question's own answer); going back over the loop edge undoes that.
    """

    to: str
    when: Guard
    collect: tuple[str, ...]
    into: str


@dataclass(frozen=True)
class Question:
    """One state of the interview.

    ``fills`` names the profile fields the answer feeds (documentation and diagram); ``keys`` are
    the answer keys it owns (default: its id). ``skip_value`` is recorded when an optional question
    is skipped. ``quick`` buttons of non-choice questions carry text that goes through the same
    parser as typed text. ``ambiguous`` words are asked again even if they name an option: "bachelor"
    is an option's id, but a user typing it may well hold the degree (30 points more). For dates,
    ``earliest`` bounds the answer by the birth date ("birth") or by the 16th birthday ("adult");
    ``future`` allows dates after today; a month given for a date becomes its ``month_day`` day,
    chosen so that the rounding never overstates points. ``yes_words``/``no_words`` are whole answers
    that say yes or no to this question only ("全日制" to "full-time?", "未婚" to "is your spouse...").
    ``clears`` are keys of later questions that only make sense relative to this answer: they are removed
    when it is answered again (a new start of the current base re-opens the earlier periods).
    """

    id: str
    kind: Kind
    fills: tuple[str, ...]
    keys: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    quick: tuple[Option, ...] = ()
    ambiguous: tuple[str, ...] = ()
    optional: bool = False
    skip_value: Any = None
    guard: Guard | None = None
    loop: Loop | None = None
    earliest: Literal["birth", "adult"] | None = None
    future: bool = False
    month_day: Literal["first", "last"] = "first"
    lo: float = 0
    hi: float = 0
    yes_words: tuple[str, ...] = ()
    no_words: tuple[str, ...] = ()
    clears: tuple[str, ...] = ()
    answer_keys: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "answer_keys", self.keys or (self.id,))

    @property
    def prompt_key(self) -> str:
        return f"q.{self.id}.prompt"

    @property
    def example_key(self) -> str:
        return f"q.{self.id}.example"

    @property
    def buttons(self) -> tuple[Option, ...]:
        return self.options or self.quick

    def applies(self, answers: Answers) -> bool:
        return self.guard is None or self.guard(answers)

    def answered(self, answers: Answers) -> bool:
        return any(k in answers for k in self.answer_keys)


ADULT_AGE = 16
"""Employment (and so insurance, titles, marriage...) cannot start before this age."""

MAX_RECORDS = 5
"""More records than this are not a points question any more; the loop stops offering "another"."""

YES_NO_OPTIONS = (Option("yes", "chat.yes"), Option("no", "chat.no"))

# -- guards ---------------------------------------------------------------------------------------

AGE_GIVEN = Guard("age given instead of a date", lambda a: "age" in a and "birth_date" not in a)
HAS_DEGREE = Guard("education above none", lambda a: a.get("education") not in (None, "none"))
NOT_PART_TIME = Guard("not said to be part-time", lambda a: not a.get("edu_part_time"))
FULL_TIME = Guard("full-time", lambda a: a.get("full_time") is True)
HAS_TITLE = Guard("has a title or skill level", lambda a: a.get("title_skill") not in (None, "none"))
INSURED = Guard("insured at least a month", lambda a: bool(a.get("insurance_months")))
BASE_GIVEN = Guard("base given", lambda a: a.get("base") is not None)
EARLIER_BASE_NEEDED = Guard("months before it count", lambda a: base_history.earlier_needed(a))
PRIOR_IS_A_BASE = Guard("an earlier base given", lambda a: base_history.is_value(a.get("base_prior")))
MORE_BASE_NEEDED = Guard("still months before it", lambda a: base_history.more_needed(a))
OWNS_COMPANY = Guard("owns a company", lambda a: a.get("company") is True)
PUBLIC_SERVICE = Guard("works in the field", lambda a: a.get("public_service") is True)
IN_REMOTE_AREA = Guard("lives and works in an area", lambda a: a.get("remote_area") not in (None, "none"))
HUKOU_SPOUSE = Guard("spouse has Shanghai hukou", lambda a: a.get("hukou_spouse") is True)
HAS_RECORDS = Guard("has records", lambda a: a.get("has_records") is True)
CRIMINAL = Guard("criminal record", lambda a: a.get("record_kind") == "criminal")
ROOM_FOR_MORE = Guard(
    f"fewer than {MAX_RECORDS} records", lambda a: len(a.get("records") or ()) < MAX_RECORDS - 1
)
WANTS_MORE = Guard("another record", lambda a: a.get("record_more") is True)

NEEDS_TRADE_YEARS = "@needs_trade_years"
"""A fact, not an answer: whether a plan for these answers assumed the years in the trade (scoring.planner
``PlanResult.needs_trade_years``). The conversation gives it to the flow as a :class:`Deferred`, so the plan is
worked out only when the flow reaches the question. Missing (building the profile): an answer given still counts,
like the other date-dependent guards' facts."""


class Deferred:
    """A yes/no fact worked out the first time a guard reads it (and only then: it costs a plan)."""

    def __init__(self, compute: Callable[[], bool]) -> None:
        self._compute: Callable[[], bool] | None = compute
        self._value = False

    def __bool__(self) -> bool:
        if self._compute is not None:
            self._value, self._compute = self._compute(), None
        return self._value


PLAN_NEEDS_YEARS = Guard("a plan assumes the years in the trade", lambda a: bool(a.get(NEEDS_TRADE_YEARS, True)))
"""Asked only when a plan needs it (issue #13). Once answered the plans no longer assume it, so the flow passes
the question; the answer is kept in the profile (built without the fact)."""


def _options(prefix: str, values: Mapping[str, tuple[str, ...]]) -> tuple[Option, ...]:
    return tuple(Option(v, f"{prefix}.{v}", syn) for v, syn in values.items())


EDUCATION_OPTIONS = _options("education", {
    "none": ("大专以下", "高中", "中专", "初中", "技校", "职高", "没有", "无", "high school", "secondary school",
             "below college", "no degree", "none"),
    "college": ("大专", "专科", "高职", "大学专科", "college", "associate", "associate degree", "junior college",
                "diploma", "dazhuan"),
    "bachelor": ("本科无学位", "本科没有学位", "本科没学位", "本科无学士学位", "本科没有学士学位", "本科只有毕业证",
                 "只有毕业证", "没有学位证", "本科没有学位证", "本科没学位证", "没拿到学位", "专升本没有学位",
                 "专升本无学位", "bachelor without degree", "bachelor no degree", "undergraduate without degree",
                 "no degree certificate"),
    "bachelor_degree": ("本科有学位", "本科+学士", "本科学士", "学士", "学士学位", "本科有学士学位", "本科双证", "双证",
                        "两证齐全", "本科两证齐全", "毕业证和学位证", "有学位证", "本科有学位证", "专升本有学位",
                        "专升本有学士学位", "bachelor's degree", "bachelor degree", "bachelor with degree", "ba", "bs",
                        "bsc"),
    "master": ("硕士", "研究生", "硕士研究生", "硕士学位", "master", "master's", "masters", "master's degree",
               "msc", "mba"),
    "doctor": ("博士", "博士研究生", "博士学位", "phd", "doctorate", "doctor", "doctoral degree"),
})  # fmt: skip

PART_TIME_MARKERS = (
    "非全日制", "不是全日制", "不是统招", "成人高考", "成考", "成人教育", "成教", "成人", "在职", "自考", "自学考试",
    "函授", "网络教育", "网教", "远程教育", "开放大学", "电大", "夜大", "业余", "not full-time", "not full time",
    "part-time", "part time",
    "parttime", "distance learning", "online degree", "self-study exam", "adult education", "open university",
)  # fmt: skip
"""Words that say a degree was not full-time study (used by the education question's parser)."""

TITLE_OPTIONS = _options("title", {
    "none": ("没有", "无", "都没有", "什么都没有", "什么证都没有", "啥都没有", "啥证都没有", "初级职称", "初级",
             "助理工程师", "助工", "技术员", "初级会计师", "初级会计",
             "助理会计师", "二级教师", "三级教师", "none", "no", "nothing", "neither", "junior title",
             "assistant engineer"),
    "skill_5": ("技能五级", "五级", "初级工", "level 5", "skill level 5", "grade 5"),
    "skill_4": ("技能四级", "四级", "中级工", "level 4", "skill level 4", "grade 4"),
    "skill_3": ("技能三级", "三级", "高级工", "level 3", "skill level 3", "grade 3"),
    "skill_2": ("技能二级", "二级", "技师", "technician", "level 2", "skill level 2", "grade 2"),
    "intermediate": ("中级职称", "中级", "工程师", "中级工程师", "中级经济师", "中级会计师", "会计师", "经济师",
                     "主治医师", "讲师", "一级教师", "中学一级教师", "小学一级教师", "intermediate",
                     "intermediate title", "intermediate engineer", "mid-level title"),
    "skill_1": ("技能一级", "一级", "高级技师", "senior technician", "level 1", "skill level 1", "grade 1"),
    "senior": ("高级职称", "副高", "正高", "副高级", "正高级", "高级工程师", "高级经济师", "高级会计师", "副教授",
               "教授", "副主任医师", "主任医师", "高级教师", "正高级教师", "senior title", "senior professional title",
               "professor", "associate professor", "senior engineer"),
})  # fmt: skip

AREA_OPTIONS = _options("q.remote_area.option", {  # the interview's labels name what each choice includes
    "none": ("都不是", "不是", "没有", "无", "none", "neither", "no"),
    # 南汇新城 lies inside the Lingang special area and follows it (POLICY.md §4, §10).
    "lingang": ("临港", "临港新片区", "南汇新城", "南汇", "lingang", "lin-gang", "nanhui"),
    "new_city": ("五个新城", "新城", "嘉定", "青浦", "松江", "奉贤", "南北转型区域", "南北转型",
                 "new city", "new town", "new cities", "jiading", "qingpu", "songjiang", "fengxian"),
})  # fmt: skip

AWARD_OPTIONS = _options("award", {
    "none": ("没有", "无", "没得过", "没有得过", "没拿过", "none", "no"),
    "municipal_special": ("市级专项", "专项表彰", "市级机关专项", "municipal special", "special award"),
    "municipal_comprehensive": ("市级综合", "综合表彰", "市级机关综合", "municipal comprehensive",
                                "comprehensive award"),
    "provincial": ("省部级", "省级", "部级", "国家级", "provincial", "ministerial", "national"),
})  # fmt: skip

RECORD_OPTIONS = (
    Option("false_materials", "chat.record.false_materials",
           ("提供虚假材料", "虚假材料", "假材料", "false materials", "fake documents", "false documents")),
    Option("detention", "chat.record.detention", ("行政拘留", "拘留", "detention", "administrative detention")),
    Option("criminal", "chat.record.criminal",
           ("刑事犯罪", "刑事", "犯罪", "判刑", "criminal", "crime", "conviction", "criminal record")),
)

_CN_MONTHS = ("一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月")
MONTH_OPTIONS = tuple(Option(str(m), f"chat.month.{m}", (f"{m}月", _CN_MONTHS[m - 1])) for m in range(1, 13))

BASE_QUICK = (
    Option("0.6x", "q.base.quick.floor"),
    Option("1x", "q.base.quick.x1"),
    Option("2x", "q.base.quick.x2"),
    Option("3x", "q.base.quick.x3"),
)

SINCE_QUICK = (Option(base_history.START, "q.base_since.quick.start"),)
PRIOR_QUICK = (Option(base_history.SAME, "q.base_prior.quick.same"),)

RECORD_KEYS = ("record_kind", "record_date", "record_sentence")

_MATCHES_JOB = ("对口", "专业对口", "岗位对口", "matches", "it matches", "matches my job", "it matches my job")
_NOT_MATCHING = ("不对口", "专业不对口", "岗位不对口", "doesn't match", "does not match")
_CERTIFIED = ("认定了", "已认定", "已经认定", "认定过", "被认定过", "被认定了", "certified", "i am certified",
              "i'm certified", "i was certified", "recognised", "recognized")
_NOT_CERTIFIED = ("没认定", "没有认定", "未认定", "还没认定", "没被认定", "没有被认定", "not certified",
                  "not recognised", "not recognized")
_FULL_TIME_WORDS = ("全日制", "统招", "全日制统招", "统招全日制", "脱产", "脱产读的", "全日制读的", "full-time",
                    "full time", "fulltime")
_PART_TIME_WORDS = (*PART_TIME_MARKERS, "在职读的", "在职读", "业余读的", "online", "evening classes")
_SHANGHAI_HUKOU = ("上海户籍", "上海户口", "沪籍", "上海人", "是上海户口", "是上海户籍", "本地人", "上海本地人",
                   "shanghai hukou", "from shanghai", "shanghainese", "a shanghai hukou", "has shanghai hukou",
                   "has a shanghai hukou", "a shanghai local", "shanghai local")
_NO_SPOUSE = ("未婚", "没结婚", "没有结婚", "还没结婚", "单身", "离婚了", "离婚", "离异", "丧偶", "没有配偶",
              "外地户口", "外地人", "外地的", "不是上海户口", "不是上海户籍", "不是上海人", "非沪籍", "single",
              "not married", "unmarried", "divorced", "no spouse", "i'm single", "i am single", "not from shanghai",
              "no shanghai hukou", "widowed")

QUESTIONS: tuple[Question, ...] = (
    Question("birth", Kind.BIRTH, ("birth_date",), keys=("birth_date", "age"), lo=16, hi=100),
    Question("birth_month", Kind.CHOICE, ("birth_date",), options=MONTH_OPTIONS, guard=AGE_GIVEN),
    Question("education", Kind.CHOICE, ("education",), keys=("education", "edu_part_time"),
             options=EDUCATION_OPTIONS, ambiguous=("本科", "大学本科", "专升本", "bachelor", "bachelors", "bachelor's",
                                                   "undergraduate")),
    Question("full_time", Kind.YES_NO, ("full_time_graduation_date",), options=YES_NO_OPTIONS,
             guard=HAS_DEGREE & NOT_PART_TIME, yes_words=_FULL_TIME_WORDS, no_words=_PART_TIME_WORDS),
    Question("graduation", Kind.DATE, ("full_time_graduation_date",),
             guard=HAS_DEGREE & NOT_PART_TIME & FULL_TIME, earliest="adult", month_day="first"),
    Question("title_skill", Kind.CHOICE, ("title_skill",), options=TITLE_OPTIONS,
             ambiguous=("高级", "高级的", "senior", "senior level")),
    Question("title_recognised", Kind.YES_NO, ("title_skill_recognised",), options=YES_NO_OPTIONS,
             guard=HAS_TITLE, yes_words=(*_MATCHES_JOB, *_CERTIFIED, "在上海评的", "上海评的", "在上海取得的",
                                         "在上海考的", "上海认定的"),
             no_words=(*_NOT_MATCHING, *_NOT_CERTIFIED)),
    Question("employed_now", Kind.YES_NO, ("employed_now",), options=YES_NO_OPTIONS,
             yes_words=("在上海上班", "在上海工作", "在职", "目前在职", "在职中", "有工作", "上班", "上班中",
                        "正在上班", "在缴", "在交", "单位交的", "单位在交", "公司交的", "公司在交", "单位缴的",
                        "公司缴的", "employed", "working", "i work in shanghai", "i'm employed", "i am employed",
                        "my employer pays", "my company pays"),
             no_words=("没工作", "没有工作", "失业", "失业了", "待业", "离职了", "刚离职", "辞职了", "刚辞职", "没上班",
                       "断缴", "断了", "在找工作", "找工作中", "自由职业", "灵活就业", "自己交的", "个人交的",
                       "unemployed", "not working", "not employed", "between jobs", "no job", "looking for a job",
                       "freelance", "freelancer", "i pay it myself")),
    Question("insurance_months", Kind.DURATION, ("insurance_months",), earliest="adult", lo=0, hi=1200),
    Question("base", Kind.BASE, ("contributions",), quick=BASE_QUICK, optional=True, guard=INSURED),
    Question("base_since", Kind.SINCE, ("contributions",), quick=SINCE_QUICK, guard=INSURED & BASE_GIVEN,
             earliest="adult", clears=(*base_history.ROUND_KEYS, base_history.HISTORY)),
    Question("base_prior", Kind.BASE_PRIOR, ("contributions",), keys=("base_prior", "base_prior_until"),
             quick=PRIOR_QUICK, optional=True, skip_value=base_history.UNKNOWN,
             guard=INSURED & BASE_GIVEN & EARLIER_BASE_NEEDED, earliest="adult"),
    Question("base_prior_since", Kind.SINCE, ("contributions",), quick=SINCE_QUICK, optional=True,
             skip_value=base_history.UNKNOWN, guard=INSURED & BASE_GIVEN & EARLIER_BASE_NEEDED & PRIOR_IS_A_BASE,
             earliest="adult",
             loop=Loop("base_prior", MORE_BASE_NEEDED, base_history.ROUND_KEYS, base_history.HISTORY)),
    Question("shortage_major", Kind.YES_NO, ("shortage_major",), options=YES_NO_OPTIONS, optional=True,
             skip_value=False, yes_words=(*_MATCHES_JOB, "在目录里", "在目录里面", "在目录上", "在目录", "是紧缺专业",
                                          "紧缺专业", "in the catalogue", "it's on the list"),
             no_words=(*_NOT_MATCHING, "不在目录里", "不在目录里面", "不在目录上", "不在目录", "不在", "不是紧缺专业",
                       "不紧缺", "not in the catalogue", "not on the list")),
    Question("company", Kind.YES_NO, ("investment",), options=YES_NO_OPTIONS, optional=True, skip_value=False,
             yes_words=("股东", "是股东", "我是股东", "投资人", "有公司", "开了公司", "开了一家公司", "自己有公司",
                        "我是老板", "老板", "shareholder", "i'm a shareholder", "i own a company", "i have a company",
                        "i'm an investor", "investor"),
             no_words=("不是股东", "没有公司", "没开公司", "没有开公司", "打工的", "not a shareholder", "no company",
                       "just an employee")),
    Question("company_tax", Kind.MONEY, ("investment.avg_annual_tax_cny",), guard=OWNS_COMPANY, optional=True,
             skip_value=0, lo=0, hi=1e10),
    Question("company_share", Kind.SHARE, ("investment.share",), guard=OWNS_COMPANY),
    Question("company_hires", Kind.COUNT, ("investment.avg_local_hires",), guard=OWNS_COMPANY, optional=True,
             skip_value=0, lo=0, hi=100_000),
    Question("public_service", Kind.YES_NO, ("public_service_since",), options=YES_NO_OPTIONS, optional=True,
             skip_value=False,
             yes_words=("环卫", "环卫工人", "我是环卫工人", "做环卫", "做环卫的", "环卫工", "sanitation",
                        "sanitation worker", "i'm a sanitation worker"),
             no_words=("不在", "不是环卫", "不做环卫", "not in sanitation")),
    Question("public_service_since", Kind.DATE, ("public_service_since",), guard=PUBLIC_SERVICE,
             earliest="adult", month_day="last"),
    Question("remote_area", Kind.CHOICE, ("remote_area.kind",), options=AREA_OPTIONS, optional=True,
             skip_value="none"),
    Question("remote_area_since", Kind.DATE, ("remote_area.since",), guard=IN_REMOTE_AREA, earliest="adult",
             month_day="last"),
    Question("award", Kind.CHOICE, ("award",), options=AWARD_OPTIONS, optional=True, skip_value="none"),
    Question("hukou_spouse", Kind.YES_NO, ("hukou_spouse_married_on",), options=YES_NO_OPTIONS, optional=True,
             skip_value=False, yes_words=_SHANGHAI_HUKOU, no_words=_NO_SPOUSE),
    Question("marriage_date", Kind.DATE, ("hukou_spouse_married_on",), guard=HUKOU_SPOUSE, earliest="adult",
             month_day="last"),
    Question("innovation_talent", Kind.YES_NO, ("innovation_talent",), options=YES_NO_OPTIONS, optional=True,
             skip_value=False, yes_words=_CERTIFIED, no_words=_NOT_CERTIFIED),
    Question("has_records", Kind.YES_NO, ("records",), options=YES_NO_OPTIONS, optional=True, skip_value=False,
             no_words=("没有记录", "都没有过", "一个都没有", "清白", "no records", "clean record", "never",
                       "none of them",
                       "none of these")),
    Question("record_kind", Kind.CHOICE, ("records[].kind",), options=RECORD_OPTIONS, guard=HAS_RECORDS),
    Question("record_date", Kind.DATE, ("records[].date",), guard=HAS_RECORDS, earliest="birth",
             month_day="last"),
    Question("record_sentence", Kind.DURATION, ("records[].sentence_years",), guard=HAS_RECORDS & CRIMINAL,
             lo=0, hi=1200),
    Question("record_more", Kind.YES_NO, ("records",), options=YES_NO_OPTIONS, guard=HAS_RECORDS & ROOM_FOR_MORE,
             loop=Loop("record_kind", WANTS_MORE, RECORD_KEYS, "records"),
             yes_words=("还有", "还有一条", "还有一个", "one more", "another one"),
             no_words=("没有了", "没了", "就这些", "就这些了", "没有其他的", "没有其他", "没有别的", "没有别的了",
                       "就这一条", "that's all", "that is all", "no more", "nothing else", "no others")),
    Question("trade_years", Kind.DURATION, ("trade_years",), optional=True, guard=PLAN_NEEDS_YEARS,
             earliest="adult", lo=0, hi=960),
    Question("permit_expiry", Kind.DATE, ("permit.expires_on",), optional=True, future=True, earliest="birth"),
)

BY_ID: dict[str, Question] = {q.id: q for q in QUESTIONS}
FIRST = QUESTIONS[0].id
CONSENT = "consent"
DONE = "done"
STATES: tuple[str, ...] = (CONSENT, *BY_ID, DONE)
REQUIRED_FOR_SCORE: tuple[str, ...] = ("birth", "education", "insurance_months")
"""The questions without which no score can be computed (the profile's required fields)."""


def applicable_answers(answers: Answers, facts: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Only the answers of questions that apply now, each guard seeing only applicable earlier answers.

    Committed loop entries (earlier records) count while the loop's questions apply. ``facts`` are what
    date-dependent guards read (dialogs.base_history.NEEDED_FROM); without them such guards assume the
    answers still count, so nothing stated is dropped.
    """
    kept: dict[str, Any] = {}
    seen: Mapping[str, Any] = ChainMap(kept, dict(facts)) if facts else kept
    for q in QUESTIONS:
        # The finished rounds of a loop count while its first question applies, even when the loop
        # question itself no longer does (the last round said "unknown").
        if q.loop is not None and q.loop.into in answers and BY_ID[q.loop.to].applies(seen):
            kept[q.loop.into] = answers[q.loop.into]
        if not q.applies(seen):
            continue
        for key in q.answer_keys:
            if key in answers:
                kept[key] = answers[key]
    return kept
