"""Entity linking: a surface form (and a date) → a canonical actor of the pack.

Order of evidence: exact alias; alias after dropping titles and possessives;
the office a role noun names, resolved by date ("the Leader" in 2019 →
Khamenei; "the US president" in 2018 → Trump); an outlet behind its
descriptors ("the state-run newspaper Siyasat-e Rooz"); a unique surname; a
fuzzy match (rapidfuzz) for transliteration variants (Sediqi/Seddiqi,
Jaffari/Jafari). Unknown names come back unlinked, to become provisional
actors — never dropped.

No link beats a wrong link: a bare given name ("Mohammad"), a lower-case common
word ("power", "rice"), a surname two actors share ("Larijani") and the role noun
of an office held by several people at once return nothing unless ``context``
(text around the mention) names exactly one candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from stanceline.actors.pack import Actor, Pack, fold
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
# Words that describe an outlet rather than name it: "the state-run newspaper Siyasat-e Rooz",
# "the Tadbir & Omid website". Dropped only when what remains is an outlet or organisation, so
# "Iran newspaper" cannot turn into the government of Iran.
OUTLET_WORDS = {
    "newspaper", "paper", "daily", "weekly", "website", "web", "site", "news", "agency", "outlet", "publication",
    "magazine", "journal", "tv", "channel", "broadcaster", "radio", "network", "state", "run", "owned", "semi",
    "official", "hardline", "reformist", "conservative", "principlist", "fundamentalist", "moderate", "media",
    "online", "portal", "mouthpiece", "affiliated", "linked", "close", "to", "iranian", "french", "american",
    "british", "arab", "saudi", "qatari", "israeli", "persian", "english", "language", "based", "leading",
}
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_LATIN_WORD = re.compile(r"[A-Za-z][\w'’.-]*")
_WORDS_ONLY = re.compile(r"[^\w]+")


def trie_pattern(words: set[str] | list[str]) -> str:
    """A regex body matching any of ``words``, the longest first, written as a trie.

    Same matches as the alternation of the words sorted longest first, but the engine follows one
    branch per character instead of trying every word at every position (thousands of aliases: a
    flat alternation cost several milliseconds per article, the trie a thirtieth of that).
    """
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        if not word:
            continue
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: the longer word is tried first

    return emit(trie)


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
        given: set[str] = set()
        for actor in pack.actors.values():
            for alias in (actor.name, *actor.aliases):
                self.by_alias.setdefault(fold(alias), actor.id)
            if actor.kind == "person":
                for alias in (actor.name, *actor.aliases):
                    parts = fold(alias).split()
                    if len(parts) >= 2:
                        surname_owners.setdefault(parts[-1], set()).add(actor.id)
                        given.update(p for p in parts[:-1] if p not in TITLES)
        self.by_surname = {s: next(iter(ids)) for s, ids in surname_owners.items() if len(ids) == 1 and len(s) > 3}
        # A surname two people share names neither of them on its own.
        self.shared_surnames: dict[str, frozenset[str]] = {
            s: frozenset(ids) for s, ids in surname_owners.items() if len(ids) > 1
        }
        # "Mohammad", "Ali", "Hossein": given names, never a speaker by themselves.
        self.given_names = frozenset(given - set(self.by_surname))
        self.office_mentions: dict[str, tuple[str, bool]] = {}
        for office in pack.offices.values():
            for mention in office.mentions:
                self.office_mentions[fold(_strip_article(mention))] = (office.id, False)
            for mention in office.generic_mentions:
                self.office_mentions.setdefault(fold(_strip_article(mention)), (office.id, True))
        # Fuzzy candidates grouped by word count: "Mohammad Jafari" must not fuzzily become
        # "Mohammad Ali Jafari" just because the strings are similar.
        self._fuzzy_keys: dict[int, list[str]] = {}
        for key in self.by_alias:
            if " " in key and len(key) >= 8:
                self._fuzzy_keys.setdefault(len(key.split()), []).append(key)
        self._surname_keys = [k for k in self.by_surname if len(k) >= 5]

    @cached_property
    def mention_pattern(self) -> re.Pattern[str] | None:
        """One regex over every alias with at least one capital letter or non-Latin script: the
        longest alias at the leftmost place, whole words only."""
        aliases = {
            alias for actor in self.pack.actors.values() for alias in (actor.name, *actor.aliases)
            if len(alias) >= 3 and (any(c.isupper() for c in alias) or not alias.isascii())
        }
        if not aliases:
            return None
        return re.compile(rf"(?<![\w])(?:{trie_pattern(aliases)})(?![\w])")

    def actor(self, actor_id: str) -> Actor | None:
        return self.pack.actors.get(actor_id)

    def _result(self, actor_id: str, method: str, when: PartialDate | None, score: float = 100.0) -> Link:
        actor = self.pack.actors[actor_id]
        role = actor.role_on(when)
        return Link(actor.id, actor.name, _kind(actor), role.title if role else None, method, score)

    def link(self, surface: str, when: PartialDate | None = None, country_hint: str | None = None,
             context: str | None = None) -> Link:
        """Best canonical actor for ``surface`` on date ``when`` (memoised when no context is given:
        the same names recur across sentences and documents, and fuzzy matching is the costly part)."""
        if context is not None:
            return self._link(surface, when, country_hint, context)
        key = (surface, when, country_hint)
        cache = self.__dict__.setdefault("_link_cache", {})
        found: Link | None = cache.get(key)
        if found is None:
            if len(cache) > 100_000:
                cache.clear()
            found = cache[key] = self._link(surface, when, country_hint, None)
        return found

    def _link(self, surface: str, when: PartialDate | None = None, country_hint: str | None = None,
              context: str | None = None) -> Link:
        """Best canonical actor for ``surface`` on date ``when``.

        ``context`` (the sentence or paragraph around the mention) may settle what the
        surface alone cannot: a shared surname, or the role noun of a concurrent office.
        """
        raw = _POSSESSIVE.sub("", surface.strip().strip("“”\"'‘’()[],.:;"))
        key = fold(raw)
        if not key:
            return Link(None, surface, "unknown")
        if key in self.by_alias:
            return self._result(self.by_alias[key], "exact", when)
        no_article = fold(_strip_article(raw))
        if no_article in self.by_alias:
            return self._result(self.by_alias[no_article], "exact", when)
        office_link = self._office(no_article, when, country_hint, context)
        if office_link is not None:
            return office_link
        words = [w for w in no_article.split() if w]
        outlet = self._outlet(words, when)
        if outlet is not None:
            return outlet
        core = [w for w in words if w.strip(".") not in TITLES]
        if core and core != words:
            stripped = " ".join(core)
            if stripped in self.by_alias:
                return self._result(self.by_alias[stripped], "stripped", when)
        if not core or not _looks_like_name(raw):
            return Link(None, raw, "unknown")
        last = core[-1]
        if last in self.shared_surnames:
            chosen = self._by_context(self.shared_surnames[last], core, context)
            if chosen is not None:
                return self._result(chosen, "surname", when)
            return Link(None, raw, "unknown")
        if last in self.by_surname and (len(core) == 1 or _first_names_agree(core, self.by_surname[last], self)):
            return self._result(self.by_surname[last], "surname", when)
        if len(core) == 1 and core[0] in self.given_names:
            return Link(None, raw, "unknown")
        candidates = self._fuzzy_keys.get(len(core), [])
        if len(core) >= 2 and candidates:
            found = process.extractOne(" ".join(core), candidates, scorer=fuzz.ratio, score_cutoff=88)
            if found is not None and _same_initials(core, found[0]):
                return self._result(self.by_alias[found[0]], "fuzzy", when, float(found[1]))
        if len(core) >= 2 and last not in self.by_surname:
            found = process.extractOne(last, self._surname_keys, scorer=fuzz.ratio, score_cutoff=85)
            if found is not None and len(last) >= 5 and _first_names_agree(core, self.by_surname[found[0]], self):
                return self._result(self.by_surname[found[0]], "fuzzy", when, float(found[1]))
        if len(core) == 1 and len(core[0]) >= 5 and self._surname_keys:
            found = process.extractOne(core[0], self._surname_keys, scorer=fuzz.ratio, score_cutoff=88)
            if found is not None and found[0][0] == core[0][0]:
                return self._result(self.by_surname[found[0]], "fuzzy", when, float(found[1]))
        return Link(None, raw, "unknown")

    def _office(self, phrase: str, when: PartialDate | None, country_hint: str | None,
                context: str | None) -> Link | None:
        office = self.office_mentions.get(phrase)
        if office is None:
            return None
        office_id, generic = office
        if generic and country_hint not in (None, self.pack.offices[office_id].country):
            return None
        holders = self.pack.office_holders(office_id, when)
        if self.pack.offices[office_id].concurrent and len(holders) > 1:
            chosen = self._by_context(frozenset(a.id for a in holders), [], context)
            return self._result(chosen, "office", when) if chosen else None
        return self._result(holders[0].id, "office", when) if holders else None

    def _outlet(self, words: list[str], when: PartialDate | None) -> Link | None:
        """Longest alias of an outlet or organisation left after dropping descriptor words."""
        n = len(words)
        for size in range(n - 1, 0, -1):
            for i in range(n - size + 1):
                dropped = words[:i] + words[i + size:]
                if not all(w in OUTLET_WORDS or w in TITLES or w == "&" for w in dropped):
                    continue
                actor_id = self.by_alias.get(" ".join(words[i:i + size]))
                if actor_id and self.pack.actors[actor_id].kind in ("outlet", "organization"):
                    return self._result(actor_id, "stripped", when)
        return None

    def _by_context(self, candidates: frozenset[str], core: list[str], context: str | None) -> str | None:
        """The one candidate whose given name is in ``core`` or whose full alias is in ``context``."""
        if core[:-1]:
            agreeing = [c for c in candidates if _first_names_agree(core, c, self)]
            if len(agreeing) == 1:
                return agreeing[0]
        if not context:
            return None
        text = f" {_WORDS_ONLY.sub(' ', fold(context))} "
        named = set()
        for actor_id in candidates:
            actor = self.pack.actors[actor_id]
            for alias in (actor.name, *actor.aliases):
                key = fold(alias)
                if len(key.split()) >= 2 and f" {_WORDS_ONLY.sub(' ', key).strip()} " in text:
                    named.add(actor_id)
        return next(iter(named)) if len(named) == 1 else None

    def link_office(self, phrase: str, when: PartialDate | None, country_hint: str | None = None,
                    context: str | None = None) -> Link | None:
        """Only the role-noun route: "the spokesman" has no name to match."""
        return self._office(fold(_strip_article(phrase)), when, country_hint, context)

    def factions_of(self, actor_id: str | None, when: PartialDate | None) -> list[str]:
        """Faction ids of ``actor_id`` on ``when`` (see ``Pack.faction_of``)."""
        return self.pack.faction_of(actor_id, when)

    def faction_of(self, actor_id: str | None, when: PartialDate | None) -> list[str]:
        """Faction ids a statement by ``actor_id`` on ``when`` speaks for; an outlet's affiliation."""
        return self.pack.faction_of(actor_id, when)


def _strip_article(text: str) -> str:
    return re.sub(r"(?i)^(the|a|an)\s+", "", text.strip())


def _looks_like_name(raw: str) -> bool:
    """Latin words must be capitalised to be a name: "power" or "rice" are not Power or Rice."""
    latin = _LATIN_WORD.findall(raw)
    if not latin:
        return True  # Persian or Arabic script has no case
    return any(w[0].isupper() for w in latin if w.casefold() not in TITLES)


def _same_initials(core: list[str], key: str) -> bool:
    """Transliterations vary inside a word, rarely in its first letter ("Jafari"/"Jaffari")."""
    other = key.split()
    return len(other) == len(core) and all(a[:1] == b[:1] for a, b in zip(core, other, strict=True))


def _first_names_agree(core: list[str], actor_id: str, linker: Linker) -> bool:
    """'Mohammad Jafari' must not link to 'Mohammad Ali Jafari' unless a given name agrees."""
    actor = linker.pack.actors[actor_id]
    names = {w for alias in (actor.name, *actor.aliases) for w in fold(alias).split()[:-1]}
    return any(w in names for w in core[:-1])
