"""Check the hand-labelled domain stance sentences and print a summary.

    python scripts/check_stance_data.py                       # checks data/stance_training/domain.jsonl
    python scripts/check_stance_data.py path/to/file.jsonl    # any file in the same format

Standard library only. Every line must be a JSON object with the keys of the format
(see data/stance_training/LABELLING_GUIDE.md); labels, targets, condition and argument ids
must exist in the bundled pack; conditions must be exact substrings of the text; ids must be
unique; and no two texts in different groups may be equal or near-equal (normalised token
Jaccard >= 0.8), nor equal or near-equal to a sentence of train.jsonl / heldout.jsonl.
Exits 1 with line numbers when anything is wrong, 0 otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "stance_training"
PACK = ROOT / "src" / "stanceline" / "packs" / "iran_us"

KEYS = ("id", "text", "target", "stance", "conditions", "condition_ids", "argument", "speaker_type", "style", "group")
STANCES = ("support", "oppose", "conditional", "neutral")
STYLES = ("wire", "state_media", "oped", "thinktank", "opposition", "us_politics", "gulf_press", "liveblog", "interview")
SPEAKER_TYPES = ("iran_official", "us_official", "european", "third_party", "analyst", "state_media", "opposition",
                 "journalist", "reported_inside_quote")
ID_RE = re.compile(r"^d[0-9a-f]{10}$")
GROUP_RE = re.compile(r"^g\d{4,}$")
MIN_WORDS, MAX_WORDS = 6, 70
NEAR = 0.8


def yaml_ids(path: Path) -> set[str]:
    """The `- id:` values of a pack list (conditions.yaml, arguments.yaml, targets.yaml)."""
    return set(re.findall(r"^\s*-\s+id:\s*([^\s#]+)", path.read_text(encoding="utf-8"), re.M))


def target_labels(path: Path) -> set[str]:
    """The `label:` values under `targets:` in targets.yaml."""
    text = path.read_text(encoding="utf-8")
    start = re.search(r"^targets:\s*$", text, re.M)
    body = text[start.end():] if start else text
    return {m.strip().strip("\"'") for m in re.findall(r"^\s+label:\s*(.+?)\s*$", body, re.M)}


def tokens(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", text.lower()))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def check(path: Path) -> tuple[list[str], list[dict]]:
    targets = target_labels(PACK / "targets.yaml")
    conditions = yaml_ids(PACK / "conditions.yaml")
    arguments = yaml_ids(PACK / "arguments.yaml")
    problems: list[str] = []
    rows: list[dict] = []
    line_of: dict[int, int] = {}
    seen_ids: dict[str, int] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            problems.append(f"line {n}: empty line")
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"line {n}: not JSON ({e})")
            continue
        if not isinstance(row, dict):
            problems.append(f"line {n}: not a JSON object")
            continue
        missing = [k for k in KEYS if k not in row]
        extra = [k for k in row if k not in KEYS]
        if missing:
            problems.append(f"line {n}: missing keys {missing}")
            continue
        if extra:
            problems.append(f"line {n}: unexpected keys {extra}")
        text = row["text"]
        if not isinstance(text, str) or not text.strip():
            problems.append(f"line {n}: empty text")
            continue
        words = len(text.split())
        if not MIN_WORDS <= words <= MAX_WORDS:
            problems.append(f"line {n}: {words} words (want {MIN_WORDS}-{MAX_WORDS})")
        if not ID_RE.match(str(row["id"])):
            problems.append(f"line {n}: bad id {row['id']!r}")
        elif row["id"] in seen_ids:
            problems.append(f"line {n}: id {row['id']} already on line {seen_ids[row['id']]}")
        else:
            seen_ids[row["id"]] = n
        if row["stance"] not in STANCES:
            problems.append(f"line {n}: bad stance {row['stance']!r}")
        if row["target"] not in targets:
            problems.append(f"line {n}: target {row['target']!r} not in targets.yaml")
        if row["style"] not in STYLES:
            problems.append(f"line {n}: bad style {row['style']!r}")
        if row["speaker_type"] not in SPEAKER_TYPES:
            problems.append(f"line {n}: bad speaker_type {row['speaker_type']!r}")
        if not GROUP_RE.match(str(row["group"])):
            problems.append(f"line {n}: bad group {row['group']!r}")
        if row["argument"] is not None and row["argument"] not in arguments:
            problems.append(f"line {n}: argument {row['argument']!r} not in arguments.yaml")
        conds, cids = row["conditions"], row["condition_ids"]
        if not isinstance(conds, list) or not isinstance(cids, list):
            problems.append(f"line {n}: conditions and condition_ids must be lists")
            continue
        for c in conds:
            if not isinstance(c, str) or not c or c not in text:
                problems.append(f"line {n}: condition {c!r} is not a substring of the text")
        for c in cids:
            if c not in conditions:
                problems.append(f"line {n}: condition id {c!r} not in conditions.yaml")
        if row["stance"] == "conditional":
            if not conds or not cids:
                problems.append(f"line {n}: conditional without conditions or condition ids")
        elif conds or cids:
            problems.append(f"line {n}: conditions on a {row['stance']} sentence")
        line_of[len(rows)] = n
        rows.append(row)

    # exact duplicates anywhere; near duplicates across groups
    toks = [tokens(r["text"]) for r in rows]
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            if rows[i]["text"].strip().lower() == rows[j]["text"].strip().lower():
                problems.append(f"line {line_of[j]}: same text as line {line_of[i]}")
            elif rows[i]["group"] != rows[j]["group"] and jaccard(toks[i], toks[j]) >= NEAR:
                problems.append(f"line {line_of[j]}: near-duplicate of line {line_of[i]} "
                                f"(Jaccard {jaccard(toks[i], toks[j]):.2f}) in another group "
                                f"({rows[j]['group']} vs {rows[i]['group']})")
    # nothing may repeat the older sentence sets
    for name in ("train.jsonl", "heldout.jsonl"):
        other = DATA / name
        if not other.exists() or other.resolve() == path.resolve():
            continue
        for line in other.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            t = json.loads(line)["text"]
            tt = tokens(t)
            for i, r in enumerate(rows):
                if jaccard(toks[i], tt) >= NEAR:
                    problems.append(f"line {line_of[i]}: (near-)duplicate of a {name} sentence: {t!r}")
    return problems, rows


def summary(rows: list[dict]) -> None:
    groups: dict[str, int] = defaultdict(int)
    for r in rows:
        groups[r["group"]] += 1
    print(f"{len(rows)} sentences, {len(groups)} groups "
          f"(sizes: {dict(sorted(Counter(groups.values()).items()))})")
    for key in ("stance", "style", "target", "speaker_type"):
        c = Counter(r[key] for r in rows)
        print(f"by {key}:")
        for k, v in c.most_common():
            print(f"  {k:<32} {v:>5}  {100 * v / len(rows):5.1f}%")
    conds = Counter(c for r in rows for c in r["condition_ids"])
    args = Counter(r["argument"] for r in rows if r["argument"])
    print(f"condition ids used: {len(conds)}; arguments used: {len(args)} "
          f"({sum(args.values())} sentences with an argument)")
    words = sorted(len(r["text"].split()) for r in rows)
    if words:
        print(f"words per text: min {words[0]}, median {words[len(words) // 2]}, max {words[-1]}")


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DATA / "domain.jsonl"
    problems, rows = check(path)
    summary(rows)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {path.name}", file=sys.stderr)
        return 1
    print(f"{path.name}: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
