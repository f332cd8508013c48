"""Stance of a statement towards negotiating: support, oppose, conditional or neutral.

A weighted cue lexicon with scope rules, not a bag of words:
- negation ("not", "never", "no") within a few words before a cue flips support
  to oppose, and "not opposed" to support;
- a condition ("if", "unless", "provided", "the first step is for …") makes the
  statement conditional only when the main clause accepts talks or a deal — a
  threat inside an if-clause ("if you pay ransom, you will pay again") stays
  opposition;
- rhetorical questions ("why negotiate with …?") count as opposition;
- a verb of reporting with no evaluative cue is neutral.
Every decision returns the cues that made it, shown to users as the explanation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from stanceline.judge.prefilter import Guarded, lowered
from stanceline.records import StanceLabel

_NEG = r"(?:not|never|no|n't|cannot|can't|won't|neither|nor|without)"

OPPOSE = [
    (r"\bpoison\w*", 3), (r"\bnever\b[^.;]{0,60}\b(negotiat\w*|talk\w*|surrender\w*|allow)", 3),
    (r"\b(will|would|shall|do|does|did)\s+not\s+(negotiate|talk|hold talks|sit)", 3),
    (r"\bno\s+(negotiation|negotiations|talks|dialogue)\b", 3), (r"\brefus\w*", 2), (r"\breject\w*", 2),
    (r"\boppos(e|es|ed|ing)\b|(?<!exiled )(?<!exile )\bopposition\b(?! (?:group|website|site|coalition|part(?:y|ies)|figures?|"
     r"leaders?|council|media|lawmakers|conference|radio|channel|activists?|weekly|daily|camp|movement|politicians?|"
     r"in exile))", 2),
    (r"\bmistake\b", 2), (r"\bmeaningless\b", 3), (r"\bfutil\w*", 3),
    (r"\buseless\b", 3), (r"\bpointless\b", 3), (r"\bsurrender\w*", 2), (r"\bransom\b", 2), (r"\bbetray\w*", 2),
    (r"\btreason\w*|\btreacher\w*", 2), (r"\bcaptivity\b", 2), (r"\bhumiliat\w*", 2), (r"\bdead in the water\b", 3),
    (r"\b(does|do|will) not solve\b|\bcannot be solved\b|\bsolve nothing\b|\bno results?\b|\byields? no\b", 3),
    (r"\bnot (now )?the appropriate time\b|\bnot consider now the appropriate\b", 3), (r"\bstall\w*", 1),
    (r"\bcampaign against\b|\bcampaign questioning\b|\bquestioning\b", 2), (r"\binconsistent with\b", 2),
    (r"\bGreat Satan\b|\bthe devil\b", 1), (r"\bnaive\b|\bcollude\w*", 2), (r"\bdisgrace\w*|\bshame\b", 1),
    (r"\bdeceptive\b|\bdeceiv\w*|\bcannot be trusted\b|\buntrustworthy\b", 1), (r"\bwould be a prelude to\b", 1),
    (r"\binfinite degradation\b|\bnew demands\b", 2), (r"\bnot be subdued\b|\bsubmissive\b", 1),
    (r"\bdream\b[^.]{0,40}\bremain\b|\bdelusion\b", 2), (r"\bburn\b|\bshred\b|\brip up\b|\btear\w* up\b", 1),
    (r"\brisk\w*|\bdanger\w*", 0.5), (r"\bwithdraw\w*", 0.5), (r"\bassassin\b", 1), (r"\bdichotomy\b", 1),
    (r"\bimpose its\b|\bimpose their\b", 1), (r"\bextort\w*|\bbully\w*", 2),
    # Negated positive evaluation: "not smart, wise or honorable", "not suitable for talks".
    (r"\b(?:not|neither|nor|never|no longer)\b[^.;]{0,30}?\b(?:smart|wise|honou?rable|suitable|useful|helpful|beneficial|"
     r"acceptable|appropriate|serious|trustworthy|sincere|in (?:our|the national|iran'?s) interests?)\b", 3),
    (r"\b(?:not|never|no)\b[^.;,]{0,30}?\b(?:negotiat\w*|talk(?:s|ing)?|meet(?:ing)?|sit down|engage)\b", 2),
    (r"\btoo (?:soon|early)\b|\bnot ready\b|\bwaste of time\b|\bno use\b|\bno effect\b|\bwill have no effect\b", 3),
    (r"\bmirage\b|\btrap\b|\bdeception\b|\bploy\b|\bcharade\b|\bsham\b|\btheatre\b|\btheater\b", 2),
    (r"\bhelp(?:s|ing|ed)? the enemy\b|\bignoran\w*|\bserving the enemy\b|\bgift to\b|\bbad (?:deal|one|agreement)\b|\bnot bound\b", 2),
    (r"\bresistance (?:only|is the (?:only )?(?:way|answer|choice))\b|\bchoice is resistance\b", 3),
    (r"\bclosed the (?:file|door)\b|\bstrangle\w*|\bpath to a bomb\b|\bpaid a ransom\b|\bappeasement\b", 2),
    (r"\bmisunderst\w*|\bmisread\w*", 1), (r"\bnothing (?:to|will) (?:gain|come)\b|\bdead end\b", 2),
]
SUPPORT = [
    (r"\bshould (negotiate|talk|engage|sit)\b", 3), (r"\bmust (negotiate|talk|engage)\b", 3),
    (r"\bready (to|for)\b|\breadiness\b", 3), (r"\bwilling\w*\b", 2), (r"\bin favou?r of\b", 3),
    (r"\bneed for (talks|negotiation\w*|dialogue|giving concessions)\b", 3), (r"\banytime\b", 2),
    (r"\bwithout (any )?preconditions\b", 2), (r"\bunconditional (negotiation|talks)\w*", 2),
    (r"\beffective tool\b|\buseful tool\b", 3), (r"\bpositive approach\b|\bpositive\b", 1), (r"\bwelcom\w*", 2),
    (r"\bopen to\b", 2), (r"\bsupport\w* (negotiation|talks|dialogue|diplomacy)\b", 3), (r"\badvocat\w*", 1),
    (r"\bmore chance to diplomacy\b|\bgive diplomacy\b", 3), (r"\bstrategic dialogue\b", 2),
    (r"\bbecome necessary\b|\bis necessary\b|\bnecessary\b", 1), (r"\bengage\w*\b[^.]{0,40}\b(dialogue|talks)\b", 2),
    (r"\bface-to-face negotiation\b", 2), (r"\bagreed to\b", 1), (r"\bconciliation\b|\bunderstanding\b", 1),
    (r"\bhopeful\b|\boptimis\w*", 1), (r"\btargeted diplomacy\b", 3), (r"\bdiplomacy\b", 0.5),
    (r"\bpropos\w*", 1), (r"\boffer\w*", 1), (r"\bmeet\b", 1), (r"\bneutralize\b", 0.5), (r"\bopen the path\b", 2),
    (r"\bsolution\b|\bresolve\b", 0.5), (r"\bless costly\b", 2), (r"\bkeep (the )?(nuclear )?(deal|agreement) alive\b", 1),
    (r"\bkeen to\b", 1), (r"\binstruct\w*\b[^.]{0,40}\bto (?:negotiate|talk|engage)\b", 2),
    # Obligation or advice to engage: "should return to the JCPOA", "must keep negotiating".
    (r"\b(?:should|must|need to|needs to|ought to|has to|have to)\s+(?:\w+\s+){0,2}?(?:negotiat\w*|talk|engage|return to|"
     r"keep (?:negotiating|talking|a channel)|continue (?:talks|negotiating|the talks)|pursue|seize|sign|accept|give \w+ a chance|"
     r"be given a chance|revive|restore|conclude)\b", 3),
    (r"\b(?:open|hold|start|resume|begin|enter|restart|pursue|keep up) (?:direct |indirect |new |serious )?(?:talks|negotiations|dialogue|diplomacy)\b", 2),
    (r"\bnational interests?\b|\bbreathing space\b|\bleast costly\b|\bstep forward\b|\bprogress\b|\bconstructive\b", 2),
    (r"\b(?:a )?deal is possible\b|\bis (?:still )?possible\b|\bgood faith\b|\bprepared to\b|\bdoor (?:remains |is )?open\b|"
     r"\bkeep (?:a|the) channel open\b|\btest whether\b|\bwin-win\b|\bbreakthrough\b|\bclose to (?:a|an)\b", 2),
]
CONDITION = re.compile(
    r"(?i)\b((?<!even )(?<!as )if(?! (?:you ask me|needed|necessary|need be|any\b|at all|anything))|"
    r"unless|provided(?: that)?|providing|"
    r"on condition|only if|(?<!for )as long as|(?<!for )so long as|in return for|"
    r"in exchange for|the first step is|must first|should first|(?<!without )(?<!without any )(?<!no )preconditions?|"
    r"conditions? for|"
    r"only (?:through )?indirect|"
    r"only when|only after|until)\b"
)
# Constructions that state a precondition by themselves, whatever else the statement says.
EXPLICIT_CONDITION = re.compile(
    r"(?i)\b(unless|provided(?: that)?|on (?:the )?condition|only if|only after|only when|only while|(?<!for )as long as|"
    r"(?<!for )so long as|"
    r"(?:sign|accept|take|agree to|back) only (?:a|an|the) (?:deal|agreement)|"
    r"must first|should first|first step is|(?:return|lift\w*|come back)\s+(?:\w+\s+){0,3}?first|in return for|in exchange for|"
    r"on (?:the|that|this) basis|on the basis of|compliance[- ]for[- ]compliance|step[- ]for[- ]step|"
    r"(?:would|will|could) only (?:accept|agree|negotiate|sign|talk|return)|only (?:accept|agree to) (?:a|an|any)|"
    r"(?:any|a|the|new|final) (?:deal|agreement|talks|negotiations?) (?:must|should|would (?:have|need) to|has to|have to|needs? to|"
    r"requires?|cannot)|guarantees?|(?:respect|within|retreat\w* (?:\w+ ){0,3}from|honou?r)\s+(?:[\w'’]+\s+){0,3}red lines?|"
    r"not (?:\w+ ){0,8}while|no (?:\w+ ){0,8}while|before any (?:talks|negotiations?|meeting)|but only (?:one|if|on|with|a|an|when|after)|"
    r"first step (?:is|was|had to be|has to be|must be|would be|should be)|(?:must|had to|has to|have to|should|needs? to) first|"
    r"first (?:had|has|have|needs?) to|in certain (?:situations|circumstances|cases|conditions)|under (?:certain |the right )?conditions|insist\w* on|(?:not|never) \w+ with (?:the|this) current (?:administration|government)|"
    r"(?:will|would|shall) (?:burn|shred|tear up|leave|quit|exit|abandon|withdraw from) (?:\w+ ){0,4}?(?:if|when|should|the (?:americans|us|other side)) (?:\w+ ){0,4}?(?:not )?(?:abide|comply|honou?r|violate|tear|breach|withdraw|fulfil)\w*|"
    r"(?:when|once) (?:it|they|washington|the (?:us|united states|americans)) (?:serves?|lifts?|returns?|changes?|stops?|shows?)|"
    r"need to be sure|would need to|permissible when|(?:must|should|has to|have to|needs? to) be (?:lifted|removed|guaranteed|verified)|(?<!without )(?<!without any )(?<!no )preconditions?|possible with (?:any )?(?:other|another|a different)|"
    r"with (?:any )?(?:other|another|a different) (?:administration|government|president)|"
    r"(?:no|not|never)\b[^.;]{0,50}\buntil (?:the|they|washington|tehran|america|iran|its?|our|their|all)\b|"
    r"(?:no|not|never)\b[^.;]{0,40}\bunder (?:maximum |such |this )?(?:pressure|threats?|duress|fire)|"
    r"(?:no|not|never)\b[^.;]{0,50}\bwith (?:this|the current|the present|the sitting) (?:\w+ )?"
    r"(?:administration|government|team|president))\b"
)
ACCEPTS = re.compile(
    r"(?i)\b(negotiat\w*|talk\w*|sit|dialogue|table|deal|agreement|assess|decide|possible|could|can|would|will|"
    r"should get|get what|rightfully|ready|go back|come back|return)\b"
)
# "if it is not betrayal, it is folly", "if talking to them is not surrender, it is naivety": a verdict
# in both branches, not a precondition.
IF_NOT_VERDICT = re.compile(
    r"(?i)\bif (?:it|this|that|they|he|she|[\w'’ -]{3,40}? (?:is|are|was|were))(?:'s|’s| is| was| are)? not\b[^,;.]{1,40}[,;]\s*"
    r"(?:then )?(?:it|this|that|they|he|she)"
    r"(?:'s|’s| is| was| are)\b|\beither\b[^.]{1,60}\bor\b[^.]{1,40}\b(?:folly|treason|betrayal|naivety|naive|madness|suicide)\b"
)
VERDICT_WORDS = re.compile(
    r"(?i)\b(?:betray\w*|treason|surrender\w*|capitulat\w*|folly|fool\w*|naiv\w*|madness|suicid\w*|humiliat\w*|"
    r"mistake|weakness|trap|trick\w*|decept\w*|disgrace\w*|shame\w*|blunder|sin)\b"
)
# "if negotiating with them is wisdom, I prefer to remain a fool": an if-clause that only sets up a verdict
IF_VERDICT = re.compile(r"(?i)\bif\b[^,;.]{1,70}\b(?:is|are|was|were)\b[^,;.]{1,40}[,;]")
# "if the deal had been good for us, they would never have signed it": counterfactual, not a precondition
COUNTERFACTUAL_IF = re.compile(r"(?i)\bif\b[^,;.]{1,80}\bhad\b[^.;]{1,120}\b(?:would|could|might)(?: \w+)? have\b")
REPORTING_ONLY = re.compile(r"(?i)\b(revealed|reported|disclosed|announced|confirmed|noted|said that there (was|were))\b")
RHETORICAL = re.compile(r"(?i)\b(why|how) (should|would|can|could|must) (we|one|\w+)\b[^?]*\b(negotiat\w*|talk\w*|trust|sit|deal)\b[^?]*\?")

# Each behind the substring test of its literal starts (``prefilter``): most cues are absent from a statement.
_OPPOSE = [(Guarded(re.compile(p, re.I)), w) for p, w in OPPOSE]
_SUPPORT = [(Guarded(re.compile(p, re.I)), w) for p, w in SUPPORT]
_NEG_INSIDE = re.compile(r"(?i)\b(?:not|never|no)\b|n't")
_NEG_BEFORE = re.compile(rf"(?i)\b{_NEG}\b(?:\W+\w+){{0,3}}\W*$")


@dataclass(frozen=True)
class StanceResult:
    stance: StanceLabel
    confidence: float
    cues: tuple[str, ...]
    scores: tuple[tuple[str, float], ...]


_NO_PRECONDITIONS = re.compile(r"(?i)\bwithout (?:any )?preconditions\b")


def _negated(text: str, start: int) -> bool:
    # "without preconditions, anytime": the "without" belongs to the preconditions
    return bool(_NEG_BEFORE.search(_NO_PRECONDITIONS.sub("free of preconditions", text[max(0, start - 40) : start])))


_OWN_VOICE = re.compile(r"(?i)(?:\bbut|;|—|–|\.)\s+(?:I|we)\s+(?:\w+\s+)?(?:believe|think|say|consider|am convinced|know|see|"
                        r"would say|hold|call)\b|,\s+but\b|\bbut (?:she|he) (?:believes|thinks|considers|says)\b|"
                        r"\b(?:the )?(?:\w+ )?(?:said|says) (?:she|he) (?:believes|considers|thinks)\b")
_OTHERS_SAY = re.compile(r"(?i)\b(?:some|they|critics|hardliners|opponents|people|others|many|our opponents|the \w+ers?)\b"
                         r"(?:\s+\w+){0,4}?\s+(?:say|says|said|call|calls|claim|claims|argue|argues|will call|insist|shout)\b")


@lru_cache(maxsize=128)
def score_stance(text: str, cue_verb: str | None = None) -> StanceResult:
    """Label one statement's text (its cue verb helps: 'refuse', 'reveal').

    A pure function of its arguments, cached: the cascade, the model's features and the deferral
    test all read the same statement.
    """
    own = _OWN_VOICE.search(text)
    if own and _OTHERS_SAY.search(text[: own.start()]):
        # "The hardliners say talks are poison, but I believe they are the only way": the speaker's clause decides.
        text = text[own.start() :]
    support = oppose = 0.0
    cues: list[str] = []
    lower = lowered(text)
    for pattern, weight in _SUPPORT:
        for m in pattern.finditer(text, lower):
            # "should never negotiate": the negation may sit inside the matched phrase
            if _negated(text, m.start()) or _NEG_INSIDE.search(m.group(0)):
                oppose += weight
                cues.append(f"not {m.group(0)}")
            else:
                support += weight
                cues.append(m.group(0))
    for pattern, weight in _OPPOSE:
        for m in pattern.finditer(text, lower):
            word = m.group(0).lower()
            if _negated(text, m.start()) and not word.startswith(("never", "no ", "not")) and "not " not in word:
                support += weight * 0.5
                cues.append(f"not {m.group(0)}")
            else:
                oppose += weight
                cues.append(m.group(0))
    if cue_verb in ("refuse", "reject", "oppose", "deny", "dismiss", "condemn", "campaign", "wage", "mount", "attack"):
        oppose += 2
        cues.append(f"cue:{cue_verb}")
    elif cue_verb in ("support", "welcome", "propose", "offer", "advocate", "endorse", "favor", "favour", "urge", "seek", "invite", "accept", "agree", "hint"):
        support += 1.5
        cues.append(f"cue:{cue_verb}")
    if RHETORICAL.search(text):
        oppose += 2
        cues.append("rhetorical question")
    condition = CONDITION.search(text)
    scores = (("support", support), ("oppose", oppose))
    explicit = EXPLICIT_CONDITION.search(text)
    weak = (explicit is not None and _WEAK_CONDITION.search(explicit.group(0)) is not None
            and "first" not in explicit.group(0).lower())
    if explicit and not (weak and oppose >= support + 4):
        conf = 0.65 + min(0.25, 0.05 * (support + 1))
        return StanceResult("conditional", conf, tuple([f"condition:{explicit.group(0)}", *cues]), scores)
    verdict = IF_NOT_VERDICT.search(text)
    if verdict is None:
        verdict = IF_VERDICT.search(text)
        if verdict is not None and not VERDICT_WORDS.search(text[verdict.end() : verdict.end() + 80]):
            verdict = None
    if condition and COUNTERFACTUAL_IF.search(text[condition.start():]) and condition.group(0).lower() == "if":
        condition = None
        oppose += 1
        cues.append("counterfactual if")
        scores = (("support", support), ("oppose", oppose))
    if verdict and VERDICT_WORDS.search(verdict.group(0) + text[verdict.end() : verdict.end() + 80]):
        # "if it is not betrayal, it is folly": a verdict in both branches, not a precondition
        oppose += 2
        cues.append("if-not verdict")
        scores = (("support", support), ("oppose", oppose))
        if condition and condition.start() <= verdict.start() + 3:
            condition = None
    if condition and _SELF_IF.search(text[condition.start():condition.start() + 40]):
        condition = None  # "if we can finalise this …", "if Tehran wants the deal": no precondition
    if condition:
        clause_end = _clause_end(text, condition.end())
        main = text[:condition.start()] + " " + text[clause_end:]
        accepts = ACCEPTS.search(main) or ACCEPTS.search(text[condition.end():clause_end])
        strong_oppose = oppose >= 3 and oppose > support + 2
        if accepts and not strong_oppose:
            conf = 0.6 + min(0.3, 0.05 * (support + 1))
            return StanceResult("conditional", conf, tuple([f"condition:{condition.group(0)}", *cues]), scores)
    if support == 0 and oppose == 0:
        return StanceResult("neutral", 0.5 if (cue_verb and REPORTING_ONLY.search(cue_verb + "ed")) else 0.4, tuple(cues), scores)
    if oppose > support:
        return StanceResult("oppose", min(0.95, 0.5 + 0.08 * (oppose - support)), tuple(cues), scores)
    if support > oppose:
        return StanceResult("support", min(0.95, 0.5 + 0.08 * (support - oppose)), tuple(cues), scores)
    return StanceResult("neutral", 0.35, tuple(cues), scores)


# Markers that also occur in plain opposition ("you will have to cross all your red lines").
_WEAK_CONDITION = re.compile(r"(?i)guarantee|red line|insist|require|must|should|need|cannot")
_SELF_IF = re.compile(r"(?i)^if (?:we|i) (?:can|could|manage)|^if (?:\w+ ){0,2}wants?\b|^if (?:it|this|that) (?:was|is|were) possible")


def _clause_end(text: str, pos: int) -> int:
    m = re.compile(r"[,;.!?]").search(text, pos)
    return m.end() if m else len(text)
