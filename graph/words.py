"""The words an answer is shown with, in Kazakh, Russian and English, shared by the command
line, the exporter's page and the graph views so each says the same thing the same way."""

from __future__ import annotations

ANSWER: dict[str, dict[str, str]] = {
    "permitted": {"en": "Permitted", "ru": "Разрешено", "kk": "Рұқсат етілген"},
    "yes": {"en": "yes", "ru": "да", "kk": "иә"},
    "no": {"en": "no", "ru": "нет", "kk": "жоқ"},
    "unknown": {"en": "unknown", "ru": "неизвестно", "kk": "белгісіз"},
    "vet": {"en": "Veterinary requirements", "ru": "Ветеринарные требования",
            "kk": "Ветеринариялық талаптар"},
    "not_stated": {"en": "not stated by the source", "ru": "источник не указывает",
                   "kk": "дереккөзде көрсетілмеген"},
    "as_of": {"en": "As of", "ru": "По состоянию на", "kk": "Күйі бойынша"},
    "source": {"en": "Source", "ru": "Источник", "kk": "Дереккөз"},
    "translation": {"en": "Translation", "ru": "Перевод", "kk": "Аударма"},
    "inferred": {"en": "Inferred, not stated", "ru": "Выведено, не сказано",
                 "kk": "Тұжырымдалған, айтылмаған"},
    "narrower": {"en": "Records on narrower products", "ru": "Записи по более узкой продукции",
                 "kk": "Тар өнімдер бойынша жазбалар"},
}


def words(lang: str, *tables: dict[str, dict[str, str]]) -> dict[str, str]:
    """The answer words and those of the given tables, in one language."""
    merged: dict[str, str] = {}
    for table in (ANSWER, *tables):
        merged |= {key: texts[lang] for key, texts in table.items()}
    return merged
