"""Language per line and per document with the bundled lite model."""

from __future__ import annotations

import pytest

from stanceline.clean import clean_input
from stanceline.clean.language import detect_language, document_language, line_languages
from stanceline.records import RawInput


@pytest.mark.parametrize("text, lang", [
    ("The supreme leader said negotiations with the United States were poison for the country.", "en"),
    ("قال المرشد الأعلى إن المفاوضات مع الولايات المتحدة سم للبلاد", "ar"),
    ("رهبر انقلاب گفت مذاکره با آمریکا سم است و هیچ فایده‌ای ندارد", "fa"),
    ("Le guide suprême a déclaré que les négociations avec les États-Unis étaient un poison.", "fr"),
])
def test_language_detect_language(text: str, lang: str) -> None:
    assert detect_language(text)[0] == lang


def test_language_per_line_and_english_article_inside_arabic_chrome() -> None:
    lines = ["أخبار المركز", "The supreme leader said negotiations with the United States were poison for the country.", ""]
    assert [lang for lang, _ in line_languages(lines)] == ["ar", "en", "und"]
    text = "\n".join(["أخبار المركز", "  • سعيد عكاشة يكتب: كوابح التصعيد"] + [lines[1]] * 3)
    assert clean_input(RawInput("a.txt", text.encode(), "text/plain")).language == "en"
    assert document_language(["قال المرشد الأعلى إن المفاوضات مع الولايات المتحدة سم للبلاد"] * 3) == "ar"


def test_language_non_english_document_is_stored_and_labelled(resources: object) -> None:
    from stanceline.pipeline import process_document

    text = "رهبر انقلاب گفت مذاکره با آمریکا سم است و هیچ فایده‌ای ندارد و ما مذاکره نمی‌کنیم.\n" * 4
    result = process_document(RawInput("fa.txt", text.encode(), "text/plain"), resources)  # type: ignore[arg-type]
    assert result.quarantine is None and result.document is not None
    assert result.document.language == "fa" and result.statements == ()
