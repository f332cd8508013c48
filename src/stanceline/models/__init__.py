"""Trained models shipped inside the package: one folder per model, one card format.

A model named ``attribution.v2`` lives in ``models/attribution_v2/``: its weights (whatever
files its loader reads) beside ``card.json``, the machine-readable model card (data, splits,
figures, licences, the command that made it), and ``MODEL_CARD.md``, the same card rendered
for people. ``make train`` writes both; nothing here is downloaded at run time.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from stanceline.errors import ModelError

MODELS_DIR = Path(__file__).parent


def model_dir(name: str) -> Path:
    """Folder of the model ``name`` (``attribution.v2`` → ``models/attribution_v2``)."""
    return MODELS_DIR / name.replace(".", "_").replace("-", "_")


def model_file(name: str, filename: str) -> Path:
    """A file of a shipped model, or a ``ModelError`` that says how to get it."""
    path = model_dir(name) / filename
    if not path.is_file():
        raise ModelError(f"the {name} model file {filename} is missing from the package; run `make train` to build it")
    return path


@dataclass
class Dataset:
    name: str
    split: str  # "train", "dev", "test"
    size: int  # items (articles, pairs, sentences)
    unit: str
    source: str
    licence: str


@dataclass
class ModelCard:
    """What a trained model is, what it learned from, and how well it does where."""

    name: str
    task: str
    method: str
    command: str
    seed: int
    data: list[Dataset] = field(default_factory=list)
    splits: str = ""
    figures: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    trained: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ModelCard:
        data = [Dataset(**x) for x in d.get("data", [])]
        return cls(**{**d, "data": data})

    def markdown(self) -> str:
        lines = [f"# Model card: {self.name}", "", f"**Task.** {self.task}", "", f"**Method.** {self.method}", ""]
        if self.trained:
            lines += [f"**Trained.** {self.trained} with `{self.command}` (seed {self.seed}).", ""]
        lines += ["## Data", "", "| data | split | size | source | licence |", "|---|---|---|---|---|"]
        lines += [f"| {d.name} | {d.split} | {d.size:,} {d.unit} | {d.source} | {d.licence} |" for d in self.data]
        if self.splits:
            lines += ["", f"**Splits.** {self.splits}"]
        lines += ["", "## Figures", ""]
        metrics = sorted({m for row in self.figures.values() for m in row})
        if metrics:
            lines += ["| measured on | " + " | ".join(metrics) + " |", "|---|" + "---|" * len(metrics)]
            for where, row in self.figures.items():
                lines.append(f"| {where} | " + " | ".join(f"{row[m]:.3f}" if m in row else "" for m in metrics) + " |")
        if self.notes:
            lines += ["", "## Notes", "", *(f"- {n}" for n in self.notes)]
        if self.files:
            lines += ["", "## Files", "", *(f"- `{f}`" for f in self.files)]
        return "\n".join(lines) + "\n"


def write_card(card: ModelCard) -> Path:
    folder = model_dir(card.name)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "card.json").write_text(json.dumps(card.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "MODEL_CARD.md").write_text(card.markdown(), encoding="utf-8")
    return folder


def read_card(name: str) -> ModelCard:
    return ModelCard.from_json(json.loads(model_file(name, "card.json").read_text(encoding="utf-8")))
