"""Words that signal attribution. Lemmas, lowercase.

SPEECH verbs introduce what someone said or wrote. ATTITUDE verbs and
adjectives attribute a position without a speech verb ("the IRGC, opposing any
negotiation", "the administration is unwilling to …"); they count only with an
identifiable subject. Deliberately missing: want, need, hope, plan — they
describe wishes the author ascribes, and annotators do not count them.
"""

from __future__ import annotations

import re

SPEECH_VERBS = frozenset("""
say tell state add stress warn reiterate reveal deny insist declare announce note argue claim write report assert
emphasize emphasise explain continue respond reply urge describe define suggest indicate hint express criticize
criticise accuse ask acknowledge admit confirm comment quote threaten vow pledge promise propose advocate demand
instruct question predict dismiss welcome praise condemn maintain tweet post signal recall remark caution complain
concede contend allege affirm underline underscore highlight mention announce observe lament charge retort counter
believe think stipulate publish cite voice repeat rule
""".split())

ATTITUDE_VERBS = frozenset("""
oppose support reject refuse favor favour prefer seek advocate endorse back decline dismiss accept agree call campaign
wage wag mount attack blame threaten order instruct invite offer push rule urge welcome condemn show resist veto
""".split())

ATTITUDE_ADJECTIVES = frozenset("""
ready willing unwilling reluctant open opposed keen eager determined prepared averse hostile against amenable
""".split())

# "X's refusal to negotiate", "comments by X": nouns whose possessor or by-agent speaks.
CUE_NOUNS = frozenset("""
refusal rejection insistence call demand offer proposal threat opposition support readiness willingness remark comment
statement word view position stance warning claim message letter speech interview tweet article editorial op-ed
assertion declaration announcement pledge promise criticism condemnation viewpoint argument admission denial
""".split())

# Role nouns that can stand for a speaker already named ("the spokesman said").
PERSON_ROLE_NOUNS = frozenset("""
spokesman spokeswoman spokesperson minister commander leader president chief official envoy negotiator diplomat
secretary cleric ayatollah general deputy adviser advisor lawmaker speaker ambassador chairman head analyst expert
researcher professor director editor premier king emir sultan representative
lecturer scholar academic journalist columnist commentator writer politician activist economist strategist
observer scientist historian legislator senator congressman congresswoman mp
""".split())
OUTLET_NOUNS = frozenset("""
website site daily newspaper paper agency outlet publication weekly magazine channel broadcaster television tv
network journal portal radio
""".split())
ORG_NOUNS = frozenset("ministry government administration office council parliament guards corps army force".split())

PRONOUNS_PERSON = frozenset({"he", "she", "him", "her"})
PRONOUNS_GROUP = frozenset({"it", "they"})

# "some individuals like X", "media such as X", "conservatives along with X"
EXEMPLIFIERS = frozenset({"like", "such as", "along with", "together with", "including", "especially"})

# Irregular forms a prefix of the lemma does not catch.
IRREGULAR_FORMS = ("said", "told", "wrote", "written", "sought", "spoke", "spoken", "thought", "showed", "shown",
                   "declined", "ruled", "backed", "led", "held", "foresaw")

# Paragraph prefilter: only paragraphs with one of these reach the parser.
CANDIDATE = re.compile(
    r"[“”\"«»„‘’']|:|\baccording to\b|\bin \w+(?:'s|’s) words\b|"
    r"\b(?:" + "|".join(sorted({v[:5] for v in SPEECH_VERBS | ATTITUDE_VERBS if len(v) >= 3} | set(IRREGULAR_FORMS))) + r")\w*|"
    r"\b(?:" + "|".join(sorted(ATTITUDE_ADJECTIVES)) + r")\b",
    re.IGNORECASE,
)
