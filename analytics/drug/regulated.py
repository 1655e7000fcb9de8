"""Lawful, regulated and supportive sellers of drug-named goods: licensed cannabis stores and
pharmacies, harm-reduction supplies, recovery services.

Kept apart from :mod:`analytics.drug.patterns` (whose :func:`~analytics.drug.patterns.lawful_retail`
calls :func:`regulated_seller`) and :mod:`analytics.drug.combined` (which asks :func:`no_promotion`
before the n-gram model makes an offer of a post the lexicon reads as drug talk). All patterns
run on normalised post text (lower case, katakana folded to hiragana).

* A regulated seller names its licence or registration ("licence #", "CRSA #1129", "GPhC
  registration"), its regulator (AGCO, Health Canada, GPhC, MHRA, CQC, FDA, TGA, LegitScript),
  that it is licensed or authorised, that it dispenses only on prescription, or that it checks
  age with ID ("19+ with ID"). Two such terms and the post is lawful retail, like news.
* Harm-reduction supplies (fentanyl test strips, reagent kits such as Marquis or Mecke,
  naloxone, needle exchange, "not for resale") and recovery or support services (a recovery
  programme, support group, helpline, counselling, rehab, "no referral needed") name a drug
  only to help its users: the model's reading of their prices as deals does not make an offer.
  Supplies a dealer throws in ("test strips included", "with every order") or lists beside the
  trade's own words ("cashapp first", "blues 30s") are no such service.
"""

from __future__ import annotations

import re

from analytics.drug.slang import PILL_STRENGTH_RE, TRADE_STRONG_EN

_REGULATED_RE = re.compile(
    r"(?<![a-z])(?:licen[cs]ed (?:cannabis|dispensary|pharmacy|pharmacies|retailer|retail|store|shop|"
    r"producer|seller|premises|outlet)|state[- ]licensed|government[- ]licensed|fully licensed|"
    r"licen[cs]e (?:no|number|#)|licen[cs]e ?# ?\d+|crsa ?#? ?\d*|agco|aglc|sqdc|ocs|bccls|health canada|"
    r"gphc|mhra|cqc|legitscript|nabp|tga|ahpra|fda[- ](?:approved|registered)|dea[- ]registered|"
    r"board of pharmacy|registered pharmacy|registered pharmacist|pharmacy registration|"
    r"registration (?:no|number|#)|authori[sz]ed(?: retailer| seller| dispensary| by)?|"
    r"prescription only|prescription required|rx only|rx required|"
    r"(?:only )?(?:with|against|on) (?:a )?valid (?:prescription|script|rx)|valid prescription|"
    r"(?:18|19|21)\+ (?:with|w/) (?:a )?(?:valid )?(?:photo )?id|id required|id checked|"
    r"age verification|age verified|proof of age)(?![a-z])")
_HARM_RE = re.compile(
    r"(?<![a-z])(?:test strips?|testing strips?|fentanyl test\w*|fent strips?|reagent kits?|"
    r"drug checking|naloxone|narcan|"
    r"needle exchange|syringe (?:exchange|services?|programm?e)|sharps (?:bins?|containers?)|"
    r"safer (?:use|smoking|injecting|sex) (?:kits?|supplies)|not for resale|outreach (?:van|team|workers?)|"
    r"harm reduction|"
    r"recovery (?:programm?es?|groups?|services?|cent(?:re|er)s?|meetings?|coach\w*)|support groups?|"
    r"helplines?|help line|counsell?ing|rehab|detox (?:programm?e|service|clinic)|no referral|"
    r"self[- ]referral|narcotics anonymous|peer support|treatment (?:programm?es?|cent(?:re|er)s?|services?))"
    r"(?![a-z])|相談窓口|依存症|回復支援|自助グループ|ダルク|だるく")


# A dealer's add-on ("test strips included", "free narcan with every order") is no outreach.
_ADDON_RE = re.compile(r"(?<![a-z])(?:included|include|thrown in|with (?:every|each|all|your) orders?|"
                       r"free with|comes with|on top)(?![a-z])")
# ... nor is a post that speaks the trade ("cashapp first", "text the number") or lists pill strengths.
_DEALER_RE = re.compile("|".join(rf"(?<![a-z]){re.escape(t)}(?![a-z])" for t in TRADE_STRONG_EN.split("|")))


def regulated_terms(text: str) -> set[str]:
    """The distinct regulated-seller terms of ``text`` (normalised)."""
    return {h.group(0) for h in _REGULATED_RE.finditer(text)}


def regulated_seller(text: str) -> bool:
    """True when the post names two of a regulated seller's terms (licence, regulator, prescription)."""
    return len(regulated_terms(text)) >= 2


def harm_reduction(text: str) -> bool:
    """True when the post offers harm-reduction supplies or a recovery or support service, not as
    a dealer's add-on to an order."""
    if _HARM_RE.search(text) is None or _ADDON_RE.search(text) is not None:
        return False
    return _DEALER_RE.search(text) is None and PILL_STRENGTH_RE.search(text) is None


def no_promotion(text: str) -> bool:
    """True when the n-gram model must not make an offer of this drug-talk post (normalised)."""
    return regulated_seller(text) or harm_reduction(text)
