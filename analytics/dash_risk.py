"""DASH (2009) domestic abuse, stalking and harassment risk identification checklist.

Implements the published ACPO/CAADA DASH 2009 Risk Identification Checklist (Richards,
2009): 27 yes/no questions, where 14 or more "yes" answers identifies a victim as high
risk ("visible high risk") and a referral to a MARAC (multi-agency risk assessment
conference) is recommended. High risk is also reached by *potential escalation* (three or
more police call-outs in the past 12 months) and by the officer's *professional judgement*.
When question 8 (constant contact, following, stalking or harassment) is answered "yes",
the 11 supplementary S-DASH stalking screening questions apply.

Medium risk (10 to 13 "yes" answers) follows the common force practice of the DASH
guidance ("identifiable indicators of risk of serious harm"); it is a local threshold and
is a named constant here. Question texts are paraphrased; ids are ``q1`` .. ``q27`` and
``s1`` .. ``s11`` in the published order.

This is decision support: the grade, the count and the answers that drove it are handed
to an officer, who decides. Nothing is acted on automatically.
"""

from __future__ import annotations

import logging
import re
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

logger = logging.getLogger(__name__)

HIGH_THRESHOLD = 14  # published: 14 or more ticked "yes" is visible high risk
MEDIUM_THRESHOLD = 10  # local practice: 10 to 13 "yes" is medium risk
ESCALATION_CALLOUTS = 3  # published: 3+ police call-outs in 12 months is potential escalation
STALKING_CONCERN = 3  # local practice: 3+ S-DASH "yes" recommends a specialist stalking referral

QUESTIONS: dict[str, str] = {
    "q1": "Has the current incident resulted in injury?",
    "q2": "Is the victim very frightened?",
    "q3": "Is the victim afraid of further injury or violence?",
    "q4": "Does the victim feel isolated from family, friends or professionals by the abuser?",
    "q5": "Is the victim feeling depressed or having suicidal thoughts?",
    "q6": "Has the victim separated, or tried to separate, from the abuser within the past year?",
    "q7": "Is there conflict over child contact?",
    "q8": "Does the abuser constantly text, call, contact, follow, stalk or harass the victim?",
    "q9": "Is the victim pregnant, or has the victim had a baby in the last 18 months?",
    "q10": "Are there children or other dependants in the household who are not the abuser's?",
    "q11": "Has the abuser ever hurt the children or dependants?",
    "q12": "Has the abuser ever threatened to hurt or kill the children or dependants?",
    "q13": "Is the abuse happening more often?",
    "q14": "Is the abuse getting worse?",
    "q15": "Does the abuser try to control everything the victim does, or are they excessively jealous?",
    "q16": "Has the abuser ever used weapons or objects to hurt the victim?",
    "q17": "Has the abuser ever threatened to kill the victim or someone else, and were they believed?",
    "q18": "Has the abuser ever attempted to strangle, choke, suffocate or drown the victim?",
    "q19": "Does the abuser do or say sexual things that make the victim feel bad or that hurt them?",
    "q20": "Is there another person who has threatened the victim or whom the victim fears?",
    "q21": "Is the abuser known to have hurt anyone else?",
    "q22": "Has the abuser ever mistreated an animal or the family pet?",
    "q23": "Are there financial issues, such as dependence on the abuser or recent loss of work?",
    "q24": "Has the abuser had problems in the past year with drugs, alcohol or mental health?",
    "q25": "Has the abuser ever threatened or attempted suicide?",
    "q26": "Has the abuser ever broken bail, an injunction or a formal agreement about contact?",
    "q27": "Is the abuser known to have been in trouble with the police or to have a criminal history?",
}

STALKING_QUESTIONS: dict[str, str] = {
    "s1": "Is the victim very frightened?",
    "s2": "Has the suspect harassed this or other victims on previous occasions?",
    "s3": "Has the suspect ever destroyed or vandalised the victim's property?",
    "s4": "Does the suspect visit the victim at home, work or elsewhere more than three times a week?",
    "s5": "Has the suspect loitered around the victim's home, workplace or similar places?",
    "s6": "Has the suspect threatened physical or sexual violence during the current harassment?",
    "s7": "Has the suspect harassed any third party (family, friends, children) since it began?",
    "s8": "Has the suspect acted violently towards people within the current stalking incidents?",
    "s9": "Has the suspect persuaded other people to help, wittingly or unwittingly?",
    "s10": "Is the suspect known to be abusing drugs or alcohol?",
    "s11": "Is the suspect known to have been violent in the past (physical or psychological)?",
}

Grade = Literal["standard", "medium", "high"]


class Override(BaseModel):
    """The officer's professional judgement, which may only raise the grade, with a reason."""

    model_config = ConfigDict(extra="forbid")

    grade: Grade = Field(description="the grade the officer judges appropriate")
    reason: str = Field(min_length=5, max_length=2000, description="why; recorded with the outcome")
    officer: str | None = Field(None, max_length=64, description="who made the judgement")


class DashInput(BaseModel):
    """One completed (or partly completed) DASH checklist.

    ``answers`` maps question ids to ``true`` (yes), ``false`` (no) or ``null`` (not known /
    victim declined). Questions left out are treated as not answered.
    """

    model_config = ConfigDict(extra="forbid")

    case_ref: str | None = Field(None, max_length=64, description="case or incident reference")
    answers: dict[str, bool | None] = Field(default_factory=dict, description="q1..q27 -> yes/no/null")
    stalking: dict[str, bool | None] = Field(
        default_factory=dict, description="S-DASH s1..s11 -> yes/no/null; asked when q8 is yes"
    )
    callouts_past_year: int | None = Field(
        None, ge=0, le=1000, description="police call-outs to this victim in the last 12 months"
    )
    override: Override | None = None

    @field_validator("answers", mode="before")
    @classmethod
    def _known_questions(cls, value: object) -> object:
        return _check_ids(value, QUESTIONS)

    @field_validator("stalking", mode="before")
    @classmethod
    def _known_stalking(cls, value: object) -> object:
        return _check_ids(value, STALKING_QUESTIONS)


def _check_ids(value: object, known: dict[str, str]) -> object:
    # Runs before coercion: pydantic's lax mode would turn "yes" or 1 into True.
    if not isinstance(value, dict):
        return value
    unknown = sorted(str(k) for k in value if k not in known)
    if unknown:
        raise ValueError(f"unknown question ids: {', '.join(unknown[:10])}")
    for key, answer in value.items():
        if answer is not None and not isinstance(answer, bool):
            raise ValueError(f"answer to {key} must be true, false or null")
    return value


class DrivingAnswer(BaseModel):
    """One "yes" answer that drove the grade."""

    id: str
    question: str


class DashOutput(BaseModel):
    """The risk grade with the evidence behind it and the recommended next step."""

    case_ref: str | None
    grade: Grade
    score: float = Field(ge=0.0, le=1.0, description="yes answers / 27")
    count: int = Field(description="number of 'yes' answers out of 27")
    answered: int
    missing: list[str] = Field(description="question ids not answered")
    complete: bool = Field(description="false when missing answers could change the grade")
    checklist_grade: Grade = Field(description="the grade from the answers alone, before any override")
    escalation: bool = Field(description="3+ police call-outs in the past year")
    driving: list[DrivingAnswer]
    stalking_applicable: bool
    stalking_count: int
    stalking_missing: list[str]
    stalking_driving: list[DrivingAnswer]
    override: Override | None = None
    override_applied: bool = Field(False, description="false when the override would have lowered the grade")
    next_step: str
    readback: str


# Questions the guidance highlights as high-harm indicators; they are listed first.
_HIGH_HARM = ("q18", "q17", "q16", "q12", "q11", "q6", "q8", "q26", "q1", "q9", "q14", "q13")


def _grade_from_count(count: int) -> Grade:
    if count >= HIGH_THRESHOLD:
        return "high"
    if count >= MEDIUM_THRESHOLD:
        return "medium"
    return "standard"


_RANK: dict[str, int] = {"standard": 0, "medium": 1, "high": 2}

_NEXT_STEP: dict[str, str] = {
    "high": "Refer to MARAC (multi-agency risk assessment conference) and an IDVA today; "
    "safety plan now; supervisor review.",
    "medium": "Supervisor review; referral to local domestic abuse support services; "
    "review the risk at the next contact.",
    "standard": "Record the assessment, give safety advice and support contacts; "
    "review if circumstances change.",
}


class DashRiskSkill:
    """The DASH 2009 checklist as a skill."""

    name: ClassVar[str] = "dash_risk"
    description: ClassVar[str] = (
        "DASH 2009 domestic abuse, stalking and harassment risk checklist: 27 questions, "
        "grade standard/medium/high with the answers that drove it and the next step."
    )
    examples: ClassVar[tuple[str, ...]] = (
        "DASH risk for case 42",
        "run a DASH risk assessment",
        "domestic abuse risk checklist",
        "domestic violence risk assessment for this victim",
        "stalking and harassment risk check",
        "is this domestic abuse victim high risk",
        "MARAC referral risk score",
    )
    input_model: ClassVar[type[BaseModel]] = DashInput
    output_model: ClassVar[type[BaseModel]] = DashOutput
    roles: ClassVar[frozenset[str]] = frozenset({"patrol", "operator", "supervisor", "admin"})
    timeout_s: ClassVar[float] = 2.0

    def run(self, payload: BaseModel) -> DashOutput:
        """Grade one checklist."""
        data = payload if isinstance(payload, DashInput) else DashInput.model_validate(payload.model_dump())
        return assess(data)

    def from_text(self, text: str) -> BaseModel | None:
        """"DASH risk for case 42" opens an empty checklist for that case (all answers missing)."""
        match = re.search(r"\b(?:case|incident|ref(?:erence)?)\s*(?:number|no\.?)?\s*([A-Za-z0-9/-]{1,32})",
                          text, flags=re.IGNORECASE)
        return DashInput(case_ref=match.group(1) if match else None)


def assess(data: DashInput) -> DashOutput:
    """Apply the DASH rules to one checklist."""
    yes = [q for q in QUESTIONS if data.answers.get(q) is True]
    missing = [q for q in QUESTIONS if data.answers.get(q) is None]
    count = len(yes)
    checklist = _grade_from_count(count)
    escalation = (data.callouts_past_year or 0) >= ESCALATION_CALLOUTS
    grade: Grade = "high" if escalation else checklist
    # Missing answers could only add "yes" ticks: the result is incomplete if they could raise it.
    complete = _grade_from_count(count + len(missing)) == checklist or grade == "high"

    stalking_applicable = data.answers.get("q8") is True or any(v is True for v in data.stalking.values())
    s_yes = [s for s in STALKING_QUESTIONS if data.stalking.get(s) is True]
    s_missing = [s for s in STALKING_QUESTIONS if data.stalking.get(s) is None] if stalking_applicable else []

    override = data.override
    applied = False
    if override is not None and _RANK[override.grade] > _RANK[grade]:
        grade, applied = override.grade, True
    elif override is not None:
        # Professional judgement can raise a grade, never lower one the checklist identified.
        logger.debug("override to %s ignored: below the checklist grade %s", override.grade, grade)

    driving = [DrivingAnswer(id=q, question=QUESTIONS[q]) for q in _ordered(yes)]
    steps = [_NEXT_STEP[grade]]
    if not complete:
        steps.append(f"Complete the checklist: {len(missing)} answers missing could raise the grade.")
    if stalking_applicable and len(s_yes) >= STALKING_CONCERN:
        steps.append("Refer to a specialist stalking service and consider a stalking protection order.")
    elif stalking_applicable and s_missing:
        steps.append("Ask the S-DASH stalking screening questions.")
    if override is not None and not applied:
        steps.append("The override was not applied: judgement can raise a checklist grade, not lower it.")
    if escalation:
        steps.append("Potential escalation: 3 or more call-outs in 12 months meets MARAC referral criteria.")
    readback = f"DASH {grade} risk, {count} of 27 yes"
    if data.case_ref:
        readback = f"Case {data.case_ref}: " + readback
    if not complete:
        readback += f", {len(missing)} unanswered"
    return DashOutput(
        case_ref=data.case_ref,
        grade=grade,
        score=round(count / len(QUESTIONS), 4),
        count=count,
        answered=len(QUESTIONS) - len(missing),
        missing=missing,
        complete=complete,
        checklist_grade=checklist,
        escalation=escalation,
        driving=driving,
        stalking_applicable=stalking_applicable,
        stalking_count=len(s_yes),
        stalking_missing=s_missing,
        stalking_driving=[DrivingAnswer(id=s, question=STALKING_QUESTIONS[s]) for s in s_yes],
        override=override,
        override_applied=applied,
        next_step=" ".join(steps),
        readback=readback + ".",
    )


def _ordered(ids: list[str]) -> list[str]:
    first = [q for q in _HIGH_HARM if q in ids]
    return first + [q for q in ids if q not in first]


SKILL = DashRiskSkill()
