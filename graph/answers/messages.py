"""The words an answer is shown with, in Kazakh, Russian and English, shared by the command
line, the exporter's page and the graph views so each says the same thing the same way.

Names (of products, markets, groups) are never declined: in Russian and Kazakh a head noun
carries the case ("по группе «Мясо»", "«Ет» тобы бойынша"), so a name in «» stays in the
nominative whatever it is.
"""

from __future__ import annotations

ANSWER: dict[str, dict[str, str]] = {
    # `permitted` is agrikg's reading of the status, not the source's words (see statuses.ttl).
    "permitted": {"en": "Supply possible (by status)", "ru": "Поставка возможна (по статусу)",
                  "kk": "Жеткізу мүмкіндігі (мәртебе бойынша)"},
    "permitted_reading": {"en": "Our reading of the status, not the source's words",
                          "ru": "Наше прочтение статуса, а не слова источника",
                          "kk": "Мәртебені біздің оқуымыз, дереккөздің сөзі емес"},
    "yes": {"en": "yes", "ru": "да", "kk": "иә"},
    "no": {"en": "no", "ru": "нет", "kk": "жоқ"},
    "unknown": {"en": "unknown", "ru": "нет данных", "kk": "мәлімет жоқ"},
    "vet": {"en": "Veterinary requirements", "ru": "Ветеринарные требования",
            "kk": "Ветеринариялық талаптар"},
    "not_stated": {"en": "not stated by the source", "ru": "в источнике не указано",
                   "kk": "дереккөзде көрсетілмеген"},
    "as_of": {"en": "As of", "ru": "По состоянию на", "kk": "Жағдай бойынша"},
    "source": {"en": "Source", "ru": "Источник", "kk": "Дереккөз"},
    "translation": {"en": "Translation", "ru": "Перевод", "kk": "Ағылшынша аудармасы"},
    "inferred": {"en": "Inferred, not stated by the source",
                 "ru": "Выведено из контекста (в источнике прямо не сказано)",
                 "kk": "Мәтіннен жанама анықталған (дереккөзде тікелей айтылмаған)"},
    "inferred_short": {"en": "inferred", "ru": "выведено", "kk": "жанама анықталған"},
    "narrower": {"en": "Records on products within this group",
                 "ru": "Записи по отдельным видам продукции группы",
                 "kk": "Топқа кіретін өнімдер бойынша жазбалар"},
    "as_of_asked": {"en": "Answer as of", "ru": "Ответ на дату", "kk": "Жауап күні"},
    "as_of_input": {"en": "As of (YYYY, YYYY-MM or YYYY-MM-DD; empty: today)",
                    "ru": "На дату (ГГГГ, ГГГГ-ММ или ГГГГ-ММ-ДД; пусто — сегодня)",
                    "kk": "Күні (ЖЖЖЖ, ЖЖЖЖ-АА немесе ЖЖЖЖ-АА-КК; бос болса — бүгін)"},
    "history": {"en": "How it got here", "ru": "Как к этому пришли",
                "kk": "Бұған қалай жеттік"},
    "answers_now": {"en": "answers", "ru": "даёт ответ", "kk": "жауап береді"},
    "not_yet": {"en": "after the asked date", "ru": "после запрошенной даты",
                "kk": "сұралған күннен кейін"},
    "measures": {"en": "The exporter's own measures in force",
                 "ru": "Действующие меры страны-экспортёра",
                 "kk": "Экспорттаушы елдің қолданыстағы шаралары"},
    "conflicts": {"en": "Sources disagree", "ru": "Источники расходятся",
                  "kk": "Дереккөздер келіспейді"},
    "complete": {"en": "By complete coverage: these records together cover every HS code of "
                       "the product",
                 "ru": "По полному охвату: эти записи вместе охватывают все коды ГС продукции",
                 "kk": "Толық қамту бойынша: бұл жазбалар бірге өнімнің барлық HS кодтарын "
                       "қамтиды"},
}

# What `permitted` says for each status, as a reading: never a bare "no" for planned
# requirements, which the source does not call a prohibition.
PERMITTED_VALUE: dict[str, dict[str, str]] = {
    "open": {"en": "yes, under the importing country's standing requirements",
             "ru": "да, при соблюдении действующих требований страны-импортёра",
             "kk": "иә, импорттаушы елдің қолданыстағы талаптары сақталса"},
    "requirements-agreed": {"en": "yes, when the agreed requirements are met",
                            "ru": "да, при соблюдении согласованных требований",
                            "kk": "иә, келісілген талаптар сақталса"},
    "restriction-lifted": {"en": "yes, the restrictions are lifted",
                           "ru": "да, ограничения сняты",
                           "kk": "иә, шектеулер алынып тасталды"},
    "requirements-planned": {"en": "not yet: the requirements are not yet agreed",
                             "ru": "пока нет: требования ещё не согласованы",
                             "kk": "әзірге жоқ: талаптар әлі келісілмеген"},
    "restricted": {"en": "no: supply is restricted", "ru": "нет: поставки ограничены",
                   "kk": "жоқ: жеткізу шектелген"},
    "unknown": {"en": "unknown", "ru": "нет данных", "kk": "мәлімет жоқ"},
    "conflict": {"en": "no: the sources disagree, and agrikg does not pick one",
                 "ru": "нет: источники расходятся, и agrikg не выбирает ни один",
                 "kk": "жоқ: дереккөздер келіспейді, agrikg біреуін таңдамайды"},
}
# `permitted` when an export ban of the exporting country itself is in force.
BAN_VALUE: dict[str, str] = {
    "en": "no: the exporting country's own ban “{measure}” is in force",
    "ru": "нет: действует запрет самой страны-экспортёра «{measure}»",
    "kk": "жоқ: экспорттаушы елдің өз тыйымы «{measure}» қолданыста",
}
BAN_NOTE: dict[str, str] = {
    "en": "Whatever the market's status (“{status}”), the exporter's own ban stops supply "
          "while it is in force.",
    "ru": "Каков бы ни был статус рынка («{status}»), собственный запрет страны-экспортёра "
          "не даёт поставлять, пока он действует.",
    "kk": "Нарық мәртебесі қандай болса да («{status}»), экспорттаушы елдің өз тыйымы "
          "қолданыста тұрғанда жеткізуге болмайды.",
}
CONFLICT_NOTE: dict[str, str] = {
    "en": "Sources disagree for the same date; see each of them.",
    "ru": "Источники расходятся на одну и ту же дату; см. каждый из них.",
    "kk": "Бір күнге қатысты дереккөздер келіспейді; әрқайсысын қараңыз.",
}
PERMITTED_NOTE: dict[str, str] = {
    "en": "agrikg derives this from the status “{status}”; no source says whether supply is "
          "permitted.",
    "ru": "agrikg выводит это из статуса «{status}»; ни один источник не говорит, разрешена "
          "ли поставка.",
    "kk": "Мұны agrikg «{status}» мәртебесі бойынша анықтайды; жеткізуге рұқсат бар-жоғын "
          "бірде-бір дереккөз айтпайды.",
}
PERMITTED_NOTE_UNKNOWN: dict[str, str] = {
    "en": "No record, so nothing to read from: this is not a prohibition.",
    "ru": "Записи нет, и выводить не из чего: это не означает запрета.",
    "kk": "Жазба жоқ, сондықтан анықтайтын ештеңе жоқ: бұл тыйым дегенді білдірмейді.",
}

# The names of the values an inference may concern, as a reader knows them.
FIELDS: dict[str, dict[str, str]] = {
    "as_of": {"en": "as-of date", "ru": "дата сведений", "kk": "мәлімет күні"},
    "market": {"en": "market", "ru": "рынок", "kk": "нарық"},
    "exporter": {"en": "exporting country", "ru": "страна-экспортёр", "kk": "экспорттаушы ел"},
    "product": {"en": "product", "ru": "продукция", "kk": "өнім"},
    "hs_codes": {"en": "HS codes of the product", "ru": "коды ГС продукции",
                 "kk": "өнімнің HS кодтары"},
    "status": {"en": "status", "ru": "статус", "kk": "мәртебе"},
    "veterinary_requirements": {"en": "veterinary requirements", "ru": "ветеринарные требования",
                                "kk": "ветеринариялық талаптар"},
    "date": {"en": "date", "ru": "дата", "kk": "күні"},
    "presented_by": {"en": "presented by", "ru": "докладчик", "kk": "баяндамашы"},
}

_MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "ru": ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
           "октябрь", "ноябрь", "декабрь"],
    # locative, as in "2018 жылғы 16 қазандағы жағдай бойынша"
    "kk": ["қаңтардағы", "ақпандағы", "наурыздағы", "сәуірдегі", "мамырдағы", "маусымдағы",
           "шілдедегі", "тамыздағы", "қыркүйектегі", "қазандағы", "қарашадағы", "желтоқсандағы"],
}


def as_of_phrase(value: str | None, precision: str | None, lang: str) -> str:
    """A date as it fits the answer's "as of" slot in each language, by its precision:
    en "2018" / "October 2018" / "16 October 2018"; ru (after "по состоянию на") "2018 год" /
    "октябрь 2018 года" / "16.10.2018"; kk (before "жағдай бойынша") "2018 жылғы" /
    "2018 жылғы қазандағы" / "2018 жылғы 16 қазандағы"."""
    if not value:
        return "?"
    year, _, rest = value.partition("-")
    month, _, day = rest.partition("-")
    precision = precision or {0: "year", 1: "month"}.get(value.count("-"), "day")
    if precision == "year" or not month.isdigit():
        return {"en": year, "ru": f"{year} год", "kk": f"{year} жылғы"}[lang]
    name = _MONTHS[lang][int(month) - 1]
    if precision == "month" or not day.isdigit():
        return {"en": f"{name} {year}", "ru": f"{name} {year} года",
                "kk": f"{year} жылғы {name}"}[lang]
    return {"en": f"{int(day)} {name} {year}", "ru": f"{day}.{month}.{year}",
            "kk": f"{year} жылғы {int(day)} {name}"}[lang]


def words(lang: str, *tables: dict[str, dict[str, str]]) -> dict[str, str]:
    """The answer words and those of the given tables, in one language."""
    merged: dict[str, str] = {}
    for table in (ANSWER, *tables):
        merged |= {key: texts[lang] for key, texts in table.items()}
    return merged
