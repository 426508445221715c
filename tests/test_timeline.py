"""The history of a pair as a timeline on the exporter's page (api/templates/timeline.html): a
step per record, oldest first, with its date in words, its status in words, the source's own
words and a link to the source and the record; and dates in words (messages.date_words)."""

from __future__ import annotations

from lxml import html as lxml_html

from api.deps import templates
from graph.answers.messages import TIMELINE, date_words, words

R = "https://w3id.org/agrikg/record/"


def _step(record: str, status: str, label: str, as_of: str, precision: str, answers: bool,
          quote: str, quote_lang: str, url: str | None, product: str = "beef",
          in_effect: bool = True) -> dict:
    """One entry of the answer's `history`, shaped as HISTORY-CONTRACT.md says."""
    return {"record": R + record, "product": product, "product_label": product.title(),
            "status": status, "status_label": label, "vet_status": None, "as_of": as_of,
            "precision": precision, "report_date": as_of, "answers": answers,
            "in_effect": in_effect, "supersedes": [],
            "sources": [{"statement": "s", "quote": quote, "quote_lang": quote_lang,
                         "translation": "Translated words.", "document": "d",
                         "document_label": "The report", "url": url, "publisher": "Kazinform",
                         "published": as_of, "published_precision": precision,
                         "translation_lang": "en"}]}


def _find(element, selector: str) -> list:
    """Elements by "tag", ".class", "tag.class" or "ancestor-class tag" (XPath underneath)."""
    path = "."
    for part in selector.split():
        tag, _, cls = part.partition(".")
        path += f"//{tag or '*'}" + (f"[contains(concat(' ', normalize-space(@class), ' '), "
                                     f"' {cls} ')]" if cls else "")
    return element.xpath(path)


def timeline_html(history: list[dict], lang: str = "en") -> str:
    """The timeline as the exporter's page includes it, for an answer with this history."""
    answer = {"product": {"id": "beef"}, "history": history}
    roles = {"open": "open", "restricted": "restricted", "restriction-lifted": "lifted"}
    return templates.get_template("timeline.html").render(
        answer=answer, lang=lang, roles=roles, words=words(lang, TIMELINE, {
            "via_item": {"en": "from the group “{via}”", "ru": "по группе «{via}»",
                         "kk": "«{via}» тобы бойынша"}}))


def _render(history: list[dict], lang: str = "en") -> lxml_html.HtmlElement:
    return lxml_html.fromstring(f"<div>{timeline_html(history, lang)}</div>")


HISTORY = [
    _step("kz-cn-meat-2018", "open", "Market open", "2018", "year", False,
          "Қытай нарығы ашық.", "kk", None, product="meat"),
    _step("kz-cn-beef-2022-02", "restricted", "Restricted", "2022-02", "month", False,
          "Китай ввёл ограничения.", "ru", "https://example.org/a"),
    _step("kz-cn-beef-2024-02-07", "restriction-lifted", "Restrictions lifted", "2024-02-07",
          "day", True, "China lifted the restrictions.", "en", "https://example.org/b"),
]


def test_each_step_has_its_date_status_quote_and_source_link() -> None:
    page = _render(HISTORY)
    steps = _find(page, "li.history-step")
    assert [s.get("data-status") for s in steps] == ["open", "restricted", "restriction-lifted"]
    assert [_find(s, "time")[0].text for s in steps] == ["2018", "February 2022",
                                                            "7 February 2024"]
    assert [_find(s, ".badge")[0].text for s in steps] == ["Market open", "Restricted",
                                                              "Restrictions lifted"]
    quote = _find(steps[1], "blockquote")[0]
    assert (quote.text, quote.get("lang")) == ("Китай ввёл ограничения.", "ru")
    assert _find(steps[1], "figcaption time")[0].text == "February 2022"  # by its precision
    assert _find(steps[1], ".translation")[0].get("lang") == "en"
    link = _find(steps[1], "figcaption a")[0]
    assert (link.get("href"), link.text) == ("https://example.org/a", "The report")
    assert _find(steps[1], ".step-record a")[0].get("href") == "/record/kz-cn-beef-2022-02"
    # the step that answers is marked; an inherited step names its group
    assert "history-answers" in steps[2].get("class") and steps[2].get("aria-current") == "true"
    assert _find(steps[2], ".answers-now")[0].text == "answers on the asked date"
    assert not _find(steps[0], ".answers-now")
    assert _find(steps[0], ".via")[0].text == "from the group “Meat”"
    # a quote in the page's language is not "translated" into itself
    assert not _find(steps[2], ".translation") and _find(steps[1], ".translation")


def test_the_timeline_speaks_the_page_language_and_marks_records_not_yet_in_effect() -> None:
    later = _step("kz-cn-beef-2025", "restricted", "Жеткізу шектелген", "2025-05-22", "day",
                  False, "Шектеу.", "kk", None, in_effect=False)
    page = _render([*HISTORY, later], lang="kk")
    assert _find(page, "h3")[0].text == "Бұған қалай жеттік"
    steps = _find(page, "li.history-step")
    assert _find(steps[2], "time")[0].text == "2024 жылғы 7 ақпан"
    assert "history-later" in steps[3].get("class")
    assert "сұралған күні әлі күшіне енбеген" in steps[3].text_content()


def test_no_history_no_timeline() -> None:
    assert not _find(_render([]), ".timeline")


def test_dates_in_words_by_precision() -> None:
    assert [date_words("2024-02-07", "day", lang) for lang in ("en", "ru", "kk")] == \
        ["7 February 2024", "7 февраля 2024", "2024 жылғы 7 ақпан"]
    assert [date_words("2022-02", "month", lang) for lang in ("en", "ru", "kk")] == \
        ["February 2022", "февраль 2022", "2022 жылғы ақпан"]
    assert [date_words("2018", "year", lang) for lang in ("en", "ru", "kk")] == \
        ["2018", "2018", "2018 жыл"]
    assert date_words("2024-02-07", None, "en") == "7 February 2024"  # precision from the form
    assert date_words(None, None, "en") == "?"


def test_the_timeline_fits_a_phone_screen_with_local_styles_only() -> None:
    """What the 390 px layout rests on: steps break long words and URLs, and the stylesheet
    loads nothing from elsewhere."""
    from pathlib import Path

    import api

    css = (Path(api.__file__).parent / "static" / "style.css").read_text(encoding="utf-8")
    blocks = [part.split("}")[0] for part in css.split(".history-step {")[1:]]
    assert any("overflow-wrap: anywhere" in block for block in blocks)
    assert "url(" not in css and "@import" not in css
