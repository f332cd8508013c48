"""Entity linking: a surface form (and a date) → a canonical actor of the pack.

Order of evidence: exact alias; alias after dropping titles and possessives;
the office a role noun names, resolved by date ("the Leader" in 2019 →
Khamenei; "the US president" in 2018 → Trump); a unique surname; a fuzzy
match (rapidfuzz) over multi-word aliases for transliteration variants
(Sediqi/Seddiqi, Jaffari/Jafari). Unknown names come back unlinked, to become
provisional actors — never dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from stanceline.actors.pack import Actor, Pack
from stanceline.records import PartialDate, SpeakerKind

TITLES = {
    "ayatollah", "grand", "hojatoleslam", "hojjatoleslam", "sheikh", "imam", "president", "vice", "mr", "mrs", "ms",
    "dr", "gen", "general", "brig", "brigadier", "maj", "major", "col", "lt", "admiral", "adm", "rear", "commander",
    "minister", "foreign", "deputy", "prime", "secretary", "speaker", "senator", "sen", "rep", "representative",
    "ambassador", "envoy", "special", "supreme", "leader", "spokesman", "spokeswoman", "spokesperson", "chief",
    "former", "late", "then", "acting", "current", "us", "u.s.", "iranian", "iran's", "american", "state",
    "sayyed", "seyyed", "seyed", "sayyid", "haj", "hajj", "mullah", "cleric", "hardline", "hardliner", "mp",
    "lawmaker", "prof", "professor", "king", "emir", "sultan", "crown", "prince", "chancellor", "the", "of",
}
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Case- and accent-insensitive key; Persian/Arabic letter variants unified."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u200c", "").replace("ي", "ی").replace("ك", "ک").replace("’", "'").replace("‘", "'")
    text = text.replace("-", " ").replace("ـ", "")
    return _SPACE.sub(" ", text.casefold()).strip(" .,;:")


@dataclass(frozen=True)
class Link:
    actor_id: str | None
    name: str
    kind: SpeakerKind
    role: str | None = None
    method: str = "none"  # exact | stripped | office | surname | fuzzy | none
    score: float = 0.0


def _kind(actor: Actor) -> SpeakerKind:
    return actor.kind if actor.kind in ("person", "organization", "outlet", "government") else "unknown"  # type: ignore[return-value]


class Linker:
    """Index over one pack; build once per process (``Linker(pack)``)."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.by_alias: dict[str, str] = {}
        surname_owners: dict[str, set[str]] = {}
        for actor in pack.actors.values():
            for alias in (actor.name, *actor.aliases):
                self.by_alias.setdefault(fold(alias), actor.id)
            if actor.kind == "person":
                for alias in (actor.name, *actor.aliases):
                    parts = fold(alias).split()
                    if len(parts) >= 2:
                        surname_owners.setdefault(parts[-1], set()).add(actor.id)
        self.by_surname = {s: next(iter(ids)) for s, ids in surname_owners.items() if len(ids) == 1 and len(s) > 3}
        self.office_mentions: dict[str, tuple[str, bool]] = {}
        for office in pack.offices.values():
            for mention in office.mentions:
                self.office_mentions[fold(_strip_article(mention))] = (office.id, False)
            for mention in office.generic_mentions:
                self.office_mentions.setdefault(fold(_strip_article(mention)), (office.id, True))
        self._fuzzy_keys = [k for k in self.by_alias if " " in k and len(k) >= 8]

    @cached_property
    def mention_pattern(self) -> re.Pattern[str] | None:
        """One regex over every alias with at least one capital letter or non-Latin script."""
        aliases = {
            alias for actor in self.pack.actors.values() for alias in (actor.name, *actor.aliases)
            if len(alias) >= 3 and (any(c.isupper() for c in alias) or not alias.isascii())
        }
        if not aliases:
            return None
        body = "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
        return re.compile(rf"(?<![\w])(?:{body})(?![\w])")

    def actor(self, actor_id: str) -> Actor | None:
        return self.pack.actors.get(actor_id)

    def _result(self, actor_id: str, method: str, when: PartialDate | None, score: float = 100.0) -> Link:
        actor = self.pack.actors[actor_id]
        role = actor.role_on(when)
        return Link(actor.id, actor.name, _kind(actor), role.title if role else None, method, score)

    def link(self, surface: str, when: PartialDate | None = None, country_hint: str | None = None) -> Link:
        """Best canonical actor for ``surface`` on date ``when``."""
        raw = _POSSESSIVE.sub("", surface.strip().strip("“”\"'‘’()[],.:;"))
        key = fold(raw)
        if not key:
            return Link(None, surface, "unknown")
        if key in self.by_alias:
            return self._result(self.by_alias[key], "exact", when)
        no_article = fold(_strip_article(raw))
        if no_article in self.by_alias:
            return self._result(self.by_alias[no_article], "exact", when)
        office = self.office_mentions.get(no_article)
        if office is not None:
            holder = self.pack.office_holder(office[0], when)
            if holder is not None and (not office[1] or country_hint in (None, self.pack.offices[office[0]].country)):
                return self._result(holder.id, "office", when)
        words = [w for w in no_article.split() if w]
        core = [w for w in words if w.strip(".") not in TITLES]
        if core and core != words:
            stripped = " ".join(core)
            if stripped in self.by_alias:
                return self._result(self.by_alias[stripped], "stripped", when)
        if core and core[-1] in self.by_surname and (len(core) == 1 or _first_names_agree(core, self.by_surname[core[-1]], self)):
            return self._result(self.by_surname[core[-1]], "surname", when)
        if len(core) >= 2 and self._fuzzy_keys:
            found = process.extractOne(" ".join(core), self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=88)
            if found is not None:
                return self._result(self.by_alias[found[0]], "fuzzy", when, float(found[1]))
        if len(core) == 1 and len(core[0]) >= 5 and self.by_surname:
            found = process.extractOne(core[0], list(self.by_surname), scorer=fuzz.ratio, score_cutoff=88)
            if found is not None:
                return self._result(self.by_surname[found[0]], "fuzzy", when, float(found[1]))
        return Link(None, raw, "unknown")

    def link_office(self, phrase: str, when: PartialDate | None, country_hint: str | None = None) -> Link | None:
        """Only the role-noun route: "the spokesman" has no name to match."""
        office = self.office_mentions.get(fold(_strip_article(phrase)))
        if office is None:
            return None
        if office[1] and country_hint not in (None, self.pack.offices[office[0]].country):
            return None
        holder = self.pack.office_holder(office[0], when)
        return self._result(holder.id, "office", when) if holder else None

    def factions_of(self, actor_id: str | None, when: PartialDate | None) -> list[str]:
        actor = self.pack.actors.get(actor_id or "")
        return actor.factions_on(when) if actor else []


def _strip_article(text: str) -> str:
    return re.sub(r"(?i)^(the|a|an)\s+", "", text.strip())


def _first_names_agree(core: list[str], actor_id: str, linker: Linker) -> bool:
    """'Mohammad Jafari' must not link to 'Mohammad Ali Jafari' unless a given name agrees."""
    actor = linker.pack.actors[actor_id]
    names = {w for alias in (actor.name, *actor.aliases) for w in fold(alias).split()[:-1]}
    return any(w in names for w in core[:-1])
