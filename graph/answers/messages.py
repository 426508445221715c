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
                 "ru": "По полному охвату: эти записи вместе охватывают все коды ТН ВЭД продукции",
                 "kk": "Толық қамту бойынша: бұл жазбалар бірге өнімнің барлық СЭҚ ТН кодтарын "
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
    "hs_codes": {"en": "HS codes of the product", "ru": "коды ТН ВЭД продукции",
                 "kk": "өнімнің СЭҚ ТН кодтары"},
    "status": {"en": "status", "ru": "статус", "kk": "мәртебе"},
    "veterinary_requirements": {"en": "veterinary requirements", "ru": "ветеринарные требования",
                                "kk": "ветеринариялық талаптар"},
    "date": {"en": "date", "ru": "дата", "kk": "күні"},
    "presented_by": {"en": "presented by", "ru": "докладчик", "kk": "баяндамашы"},
    # LOCALE: the dated record's own fields, named in words rather than by their code
    "startDate": {"en": "start date", "ru": "дата начала", "kk": "басталу күні"},
    "endDate": {"en": "end date", "ru": "дата окончания", "kk": "аяқталу күні"},
    "effective": {"en": "effective date", "ru": "дата вступления в силу",
                  "kk": "күшіне енген күні"},
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


# -- counts: CLDR plural rules through Babel ----------------------------------------------------
# One form per CLDR plural category of each language (ru: one/few/many/other; kk and en:
# one/other). Kazakh keeps the noun singular after a numeral ("3 түйін").
NOUNS: dict[str, dict[str, dict[str, str]]] = {
    "node": {"en": {"one": "node", "other": "nodes"},
             "ru": {"one": "узел", "few": "узла", "many": "узлов", "other": "узла"},
             "kk": {"one": "түйін", "other": "түйін"}},
    "link": {"en": {"one": "link", "other": "links"},
             "ru": {"one": "связь", "few": "связи", "many": "связей", "other": "связи"},
             "kk": {"one": "байланыс", "other": "байланыс"}},
    "record": {"en": {"one": "record", "other": "records"},
               "ru": {"one": "запись", "few": "записи", "many": "записей", "other": "записи"},
               "kk": {"one": "жазба", "other": "жазба"}},
    "market": {"en": {"one": "market", "other": "markets"},
               "ru": {"one": "рынок", "few": "рынка", "many": "рынков", "other": "рынка"},
               "kk": {"one": "нарық", "other": "нарық"}},
    "product": {"en": {"one": "product", "other": "products"},
                "ru": {"one": "продукт", "few": "продукта", "many": "продуктов",
                       "other": "продукта"},
                "kk": {"one": "өнім", "other": "өнім"}},
}


def count(number: int, noun: str, lang: str) -> str:
    """"3 узла", "5 узлов", "1 node", "21 запись": the number as the language writes it and the
    noun in the form CLDR's plural rule for that number asks."""
    from babel import Locale
    from babel.numbers import format_decimal

    forms = NOUNS[noun][lang]
    form = forms.get(Locale.parse(lang).plural_form(number), forms["other"])
    return f"{format_decimal(number, locale=lang)} {form}"


# The abbreviation of the Harmonized System in each language: the customs nomenclature the
# reader knows (ТН ВЭД in Russian, СЭҚ ТН in Kazakh).
HS: dict[str, str] = {"en": "HS", "ru": "ТН ВЭД", "kk": "СЭҚ ТН"}
LANGUAGE_NAMES: dict[str, str] = {"kk": "Қазақша", "ru": "Русский", "en": "English"}

# The header and footer of the pages.
NAV: dict[str, dict[str, str]] = {
    "nav_label": {"en": "Main", "ru": "Основное", "kk": "Негізгі"},
    "nav_check": {"en": "Check", "ru": "Проверка", "kk": "Тексеру"},
    "nav_explore": {"en": "Graph", "ru": "Граф", "kk": "Граф"},
    "nav_analytics": {"en": "Analytics", "ru": "Аналитика", "kk": "Талдау"},
    "nav_sparql": {"en": "SPARQL queries", "ru": "Запросы SPARQL", "kk": "SPARQL сұраулары"},
    "nav_api": {"en": "API", "ru": "API", "kk": "API"},
    "nav_dataset": {"en": "Dataset", "ru": "Набор данных", "kk": "Деректер жиынтығы"},
    "skip": {"en": "Skip to content", "ru": "Перейти к содержанию", "kk": "Мазмұнға өту"},
    "language": {"en": "Language", "ru": "Язык", "kk": "Тіл"},
}

# /explore: the graph view and its form. Names sit after a head noun that carries the case
# ("по фильтру «…»", "«…» сүзгісі бойынша"), so they stay in the nominative.
EXPLORE: dict[str, dict[str, str]] = {
    "title": {"en": "Market access graph", "ru": "Граф доступа на рынки",
              "kk": "Нарыққа қол жеткізу графы"},
    "market": {"en": "Market", "ru": "Рынок", "kk": "Нарық"},
    "product": {"en": "Product", "ru": "Продукция", "kk": "Өнім"},
    "status": {"en": "Status", "ru": "Статус", "kk": "Мәртебе"},
    "any": {"en": "any", "ru": "любой", "kk": "кез келген"},
    "date": {"en": "Records in effect on", "ru": "Записи, действующие на дату",
             "kk": "Күндегі жағдай"},
    "show": {"en": "Show", "ru": "Показать", "kk": "Көрсету"},
    "clear_filters": {"en": "Clear the filters", "ru": "Сбросить фильтры", "kk": "Сүзгілерді тазарту"},
    "filters": {"en": "Filters", "ru": "Фильтры", "kk": "Сүзгілер"},
    "broader": {"en": "is part of a broader group", "ru": "входит в более широкую группу",
                "kk": "кеңірек топтың құрамына кіреді"},
    "legend": {"en": "Legend", "ru": "Условные обозначения", "kk": "Шартты белгілер"},
    "market_shape": {"en": "market (box)", "ru": "рынок (прямоугольник)",
                     "kk": "нарық (тіктөртбұрыш)"},
    "product_shape": {"en": "product (dot; larger when it reaches more markets)",
                      "ru": "продукция (круг; крупнее, если охватывает больше рынков)",
                      "kk": "өнім (дөңгелек; нарықтары көп болса, үлкенірек)"},
    "cut": {"en": "The graph has {total}; {shown} are drawn. Filter by market, product or "
                  "status to see the rest.",
            "ru": "В графе всего {total}; показано: {shown}. Отфильтруйте по рынку, продукции "
                  "или статусу, чтобы увидеть остальные.",
            "kk": "Графта барлығы {total}; көрсетілгені: {shown}. Қалғанын көру үшін нарық, "
                  "өнім немесе мәртебе бойынша сүзіңіз."},
    "empty": {"en": "No record matches these filters.",
              "ru": "Ни одна запись не подходит под эти фильтры.",
              "kk": "Бұл сүзгілерге сай жазба жоқ."},
    "empty_because": {"en": "No record matches the filter “{filter}”.",
                      "ru": "Нет записей по фильтру «{filter}».",
                      "kk": "«{filter}» сүзгісі бойынша жазба жоқ."},
    "empty_together": {"en": "Each filter matches records, but no record matches them "
                             "together: {filters}.",
                       "ru": "Каждый фильтр по отдельности находит записи, но вместе ни одной: "
                             "{filters}.",
                       "kk": "Әр сүзгі жеке жазба табады, бірақ бірге ешқайсысы табылмайды: "
                             "{filters}."},
    "without": {"en": "Show without the filter “{filter}”",
                "ru": "Показать без фильтра «{filter}»",
                "kk": "«{filter}» сүзгісінсіз көрсету"},
    "not_found_product": {"en": "No product matches “{text}”.",
                          "ru": "Продукция «{text}» не найдена.",
                          "kk": "«{text}» өнімі табылмады."},
    "not_found_market": {"en": "No market matches “{text}”.",
                         "ru": "Рынок «{text}» не найден.",
                         "kk": "«{text}» нарығы табылмады."},
    "not_found_status": {"en": "No status matches “{text}”.",
                         "ru": "Статус «{text}» не найден.",
                         "kk": "«{text}» мәртебесі табылмады."},
    "did_you_mean": {"en": "Did you mean", "ru": "Возможно, вы имели в виду",
                     "kk": "Мүмкін, мынаны іздеген боларсыз"},
    "records": {"en": "The records drawn", "ru": "Записи на графе", "kk": "Графтағы жазбалар"},
    "summary": {"en": "A graph of {markets} and {products}, joined by {records}; the table "
                      "below lists the same records.",
                "ru": "Граф: {markets}, {products}, между ними {records}; те же записи "
                      "перечислены в таблице ниже.",
                "kk": "Граф: {markets}, {products}, олардың арасында {records}; сол жазбалар "
                      "төмендегі кестеде берілген."},
    "from": {"en": "Product", "ru": "Продукция", "kk": "Өнім"},
    "no_records": {"en": "No records to list.", "ru": "Записей нет.", "kk": "Жазба жоқ."},
}

# /analytics as a page, and the matrix it downloads as.
ANALYTICS: dict[str, dict[str, str]] = {
    "title": {"en": "Market access analytics", "ru": "Аналитика доступа на рынки",
              "kk": "Нарыққа қол жеткізу талдауы"},
    "intro": {"en": "What the graph holds: {products} in {markets}, {records}.",
              "ru": "Что содержит граф: {products}, {markets}, {records}.",
              "kk": "Графта не бар: {products}, {markets}, {records}."},
    "matrix": {"en": "Products by market", "ru": "Продукция по рынкам",
               "kk": "Нарықтар бойынша өнімдер"},
    "matrix_note": {"en": "Each cell is the status the access check gives; an arrow ↑ marks a "
                          "status that comes from a broader group. An empty cell means no "
                          "record: unknown, not prohibited.",
                    "ru": "В каждой клетке — статус, который даёт проверка доступа; стрелка ↑ "
                          "отмечает статус, унаследованный от более широкой группы. Пустая "
                          "клетка — записи нет: это неизвестность, а не запрет.",
                    "kk": "Әр ұяшықта қол жеткізуді тексеру беретін мәртебе; ↑ белгісі "
                          "мәртебенің кеңірек топтан алынғанын білдіреді. Бос ұяшық — жазба "
                          "жоқ: бұл тыйым емес, белгісіздік."},
    "download": {"en": "Download the table", "ru": "Скачать таблицу", "kk": "Кестені жүктеу"},
    "csv": {"en": "CSV", "ru": "CSV", "kk": "CSV"},
    "xlsx": {"en": "Excel", "ru": "Excel", "kk": "Excel"},
    "product": {"en": "Product", "ru": "Продукция", "kk": "Өнім"},
    "market": {"en": "Market", "ru": "Рынок", "kk": "Нарық"},
    "status": {"en": "Status", "ru": "Статус", "kk": "Мәртебе"},
    "reach": {"en": "Reach per product", "ru": "Охват рынков по продукции",
              "kk": "Өнім бойынша нарықтарды қамту"},
    "reach_note": {"en": "How many markets each product may go to, by any status.",
                   "ru": "На сколько рынков есть записи по каждой продукции (с любым статусом).",
                   "kk": "Әр өнім бойынша қанша нарықта жазба бар (кез келген мәртебемен)."},
    "markets_count": {"en": "Markets", "ru": "Рынки", "kk": "Нарықтар"},
    "pending": {"en": "Pending negotiations", "ru": "Незавершённые переговоры",
                "kk": "Аяқталмаған келіссөздер"},
    "pending_note": {"en": "Where requirements are still being negotiated: the next markets "
                           "that may open.",
                     "ru": "Где требования ещё согласуются: рынки, которые могут открыться "
                           "следующими.",
                     "kk": "Талаптар әлі келісіліп жатқан жерлер: келесі ашылуы мүмкін "
                           "нарықтар."},
    "pending_none": {"en": "No negotiation is pending.", "ru": "Незавершённых переговоров нет.",
                     "kk": "Аяқталмаған келіссөз жоқ."},
    "vet": {"en": "Veterinary requirements", "ru": "Ветеринарные требования",
            "kk": "Ветеринариялық талаптар"},
    "centrality": {"en": "Centrality", "ru": "Центральность", "kk": "Орталықтық"},
    "centrality_note": {"en": "Markets and products that link the most of the network "
                              "(betweenness), and how many links each has (degree).",
                        "ru": "Рынки и продукция, через которые проходит больше всего связей "
                              "сети (посредничество), и доля их связей (степень).",
                        "kk": "Желідегі байланыстардың ең көбі өтетін нарықтар мен өнімдер "
                              "(делдалдық) және олардың байланыс үлесі (дәреже)."},
    "node": {"en": "Market or product", "ru": "Рынок или продукция", "kk": "Нарық немесе өнім"},
    "kind": {"en": "Kind", "ru": "Вид", "kk": "Түрі"},
    "betweenness": {"en": "Betweenness", "ru": "Посредничество", "kk": "Делдалдық"},
    "degree": {"en": "Degree", "ru": "Степень", "kk": "Дәреже"},
    "kind_market": {"en": "market", "ru": "рынок", "kk": "нарық"},
    "kind_product": {"en": "product", "ru": "продукция", "kk": "өнім"},
    "via": {"en": "from the group “{via}”", "ru": "по группе «{via}»", "kk": "«{via}» тобы бойынша"},
    "in_graph": {"en": "See in the graph", "ru": "Показать на графе", "kk": "Графта көрсету"},
    "hs": {"en": "HS codes", "ru": "Коды ТН ВЭД", "kk": "СЭҚ ТН кодтары"},
}


# The change feed (/changes.atom, `agrikg changes`): one entry per status change of a pair.
CHANGES: dict[str, dict[str, str]] = {
    "feed_title": {"en": "agrikg: market access status changes",
                   "ru": "agrikg: изменения статуса доступа на рынки",
                   "kk": "agrikg: нарыққа қолжетімділік мәртебесінің өзгерістері"},
    "feed_subtitle": {"en": "Every change of the status of a product in a market, with the "
                            "source that states it.",
                      "ru": "Каждое изменение статуса продукции на рынке — с источником, "
                            "который о нём сообщает.",
                      "kk": "Өнімнің нарықтағы мәртебесінің әр өзгерісі және ол туралы "
                            "хабарлаған дереккөз."},
    "entry_title": {"en": "{product} to {market}: {old} → {new}",
                    "ru": "{product} — {market}: {old} → {new}",
                    "kk": "{product} — {market}: {old} → {new}"},
    "entry_summary": {"en": "{product} to {market}: {new} (before: {old}), as of {as_of}.",
                      "ru": "{product} — {market}: {new} (ранее: {old}), по состоянию на "
                            "{as_of}.",
                      "kk": "{product} — {market}: {new} (бұрын: {old}), {as_of} жағдай "
                            "бойынша."},
    "entry_source": {"en": "Source: {document}{details}: “{quote}”",
                     "ru": "Источник: «{document}»{details}: «{quote}»",
                     "kk": "Дереккөз: «{document}»{details}: «{quote}»"},
    "entry_conflict": {"en": "Sources disagree on this date: {statuses}.",
                       "ru": "Источники на эту дату расходятся: {statuses}.",
                       "kk": "Бұл күнге дереккөздер келіспейді: {statuses}."},
    "conflict": {"en": "sources disagree", "ru": "источники расходятся",
                 "kk": "дереккөздер келіспейді"},
    # What a bad filter of the feed says (400), naming what was given and what is accepted.
    "bad_market": {"en": "{param}: no market matches “{text}”{hint}. Give an ISO 3166-1 code "
                         "(CN, CHN, 156) or a country name in kk, ru or en.",
                   "ru": "{param}: рынок «{text}» не найден{hint}. Укажите код ISO 3166-1 (CN, "
                         "CHN, 156) или название страны на казахском, русском или английском.",
                   "kk": "{param}: «{text}» нарығы табылмады{hint}. ISO 3166-1 кодын (CN, CHN, "
                         "156) немесе елдің қазақша, орысша не ағылшынша атауын беріңіз."},
    "bad_product": {"en": "{param}: no product matches “{text}”{hint}. Give a product name in "
                          "kk, ru or en, its id, or an HS code of 2-6 digits.",
                    "ru": "{param}: продукция «{text}» не найдена{hint}. Укажите название "
                          "продукции на казахском, русском или английском, её id или код ТН ВЭД "
                          "(2-6 цифр).",
                    "kk": "{param}: «{text}» өнімі табылмады{hint}. Өнімнің қазақша, орысша не "
                          "ағылшынша атауын, id-ін немесе 2-6 таңбалы СЭҚ ТН кодын беріңіз."},
    "ambiguous": {"en": "{kind}: “{text}” names more than one: {matches}; give one of their "
                        "names or codes.",
                  "ru": "{kind}: «{text}» подходит к нескольким: {matches}; укажите одно из "
                        "этих названий или кодов.",
                  "kk": "{kind}: «{text}» бірнешеуіне сәйкес келеді: {matches}; солардың бір "
                        "атауын не кодын беріңіз."},
    "hint": {"en": "; closest matches: {matches}", "ru": "; ближайшие совпадения: {matches}",
             "kk": "; ең жақын сәйкестер: {matches}"},
    "bad_since": {"en": "{param}: “{text}” is not a date; give YYYY, YYYY-MM or YYYY-MM-DD "
                        "(e.g. 2024 or 2024-02-07).",
                  "ru": "{param}: «{text}» — не дата; укажите ГГГГ, ГГГГ-ММ или ГГГГ-ММ-ДД "
                        "(например, 2024 или 2024-02-07).",
                  "kk": "{param}: «{text}» күн емес; ЖЖЖЖ, ЖЖЖЖ-АА немесе ЖЖЖЖ-АА-КК түрінде "
                        "беріңіз (мысалы, 2024 немесе 2024-02-07)."},
    "too_long": {"en": "{parameter}: at most {limit} characters, not {length}.",
                 "ru": "{parameter}: не более {limit} символов, а не {length}.",
                 "kk": "{parameter}: ең көбі {limit} таңба, {length} емес."},
    "bad_lang": {"en": "{param}: “{text}” is not a language of agrikg; give kk, ru or en.",
                 "ru": "{param}: «{text}» — не язык agrikg; укажите kk, ru или en.",
                 "kk": "{param}: «{text}» agrikg тілі емес; kk, ru немесе en беріңіз."},
    # the column heads of `agrikg changes`
    "col_date": {"en": "effective", "ru": "дата", "kk": "күні"},
    "col_pair": {"en": "product → market", "ru": "продукция → рынок", "kk": "өнім → нарық"},
    "col_change": {"en": "status change", "ru": "изменение статуса", "kk": "мәртебе өзгерісі"},
    "col_source": {"en": "source", "ru": "источник", "kk": "дереккөз"},
    "none": {"en": "No status changes match.", "ru": "Изменений статуса не найдено.",
             "kk": "Мәртебе өзгерістері табылмады."},
}

# The timeline of a pair's history on the exporter's page.
TIMELINE: dict[str, dict[str, str]] = {
    "timeline_title": {"en": "How it got here", "ru": "Как к этому пришли",
                       "kk": "Бұған қалай жеттік"},
    "timeline_note": {"en": "Every record of this product and of its broader groups in this "
                           "market, oldest first, each with the source's own words.",
                     "ru": "Все записи по этой продукции и её более широким группам на этом "
                           "рынке, от старых к новым, — со словами источника.",
                     "kk": "Осы нарықтағы осы өнім мен оның кеңірек топтары бойынша барлық "
                           "жазбалар, ескісінен жаңасына қарай, дереккөздің өз сөзімен."},
    "timeline_answers": {"en": "answers on the asked date", "ru": "действует на запрошенную дату",
                         "kk": "сұралған күні қолданылады"},
    "timeline_later": {"en": "not yet in effect on the asked date",
                      "ru": "на запрошенную дату ещё не действует",
                      "kk": "сұралған күні әлі күшіне енбеген"},
    "timeline_record": {"en": "record", "ru": "запись", "kk": "жазба"},
    "timeline_published": {"en": "published", "ru": "опубликовано", "kk": "жарияланған"},
}

# Months as a date stands alone (a timeline's step): ru genitive after the day, kk nominative.
_MONTHS_ALONE = {
    "ru": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"],
    "kk": ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз",
           "қыркүйек", "қазан", "қараша", "желтоқсан"],
}


def date_words(value: str | None, precision: str | None, lang: str) -> str:
    """A date standing alone, by its precision: en "2018" / "February 2022" / "7 February
    2024"; ru "2018" / "февраль 2022" / "7 февраля 2024"; kk "2018 жыл" / "2022 жылғы ақпан" /
    "2024 жылғы 7 ақпан"."""
    if not value:
        return "?"
    year, _, rest = value[:10].partition("-")
    month, _, day = rest.partition("-")
    precision = precision or {0: "year", 1: "month"}.get(value[:10].count("-"), "day")
    if precision == "year" or not month.isdigit():
        return {"en": year, "ru": year, "kk": f"{year} жыл"}[lang]
    index = int(month) - 1
    if precision == "month" or not day.isdigit():
        return {"en": f"{_MONTHS['en'][index]} {year}", "ru": f"{_MONTHS['ru'][index]} {year}",
                "kk": f"{year} жылғы {_MONTHS_ALONE['kk'][index]}"}[lang]
    return {"en": f"{int(day)} {_MONTHS['en'][index]} {year}",
            "ru": f"{int(day)} {_MONTHS_ALONE['ru'][index]} {year}",
            "kk": f"{year} жылғы {int(day)} {_MONTHS_ALONE['kk'][index]}"}[lang]


# -- LOCALE: the words around the answers (header, footer, errors, hints, linked-data pages) ----
# The footer's words beside NAV (the header's).
CHROME: dict[str, dict[str, str]] = {
    "for_analysts": {"en": "For analysts", "ru": "Для аналитиков", "kk": "Талдаушылар үшін"},
    "api_docs": {"en": "API documentation", "ru": "Документация API", "kk": "API құжаттамасы"},
    # how a date is typed, as a form's placeholder (year, month, day in each language's letters)
    "date_placeholder": {"en": "YYYY-MM-DD", "ru": "ГГГГ-ММ-ДД", "kk": "ЖЖЖЖ-АА-КК"},
}

# What went wrong with a request, and what is accepted instead. Names stay in the nominative
# after a head noun ("Продукция «…» не найдена", "«…» өнімі табылмады").
ERRORS: dict[str, dict[str, str]] = {
    "not_found": {"en": "Not found", "ru": "Не найдено", "kk": "Табылмады"},
    "bad_request": {"en": "Wrong request", "ru": "Неверный запрос", "kk": "Қате сұрау"},
    "no_product": {"en": "No product matches “{text}”.", "ru": "Продукция «{text}» не найдена.",
                   "kk": "«{text}» өнімі табылмады."},
    "no_market": {"en": "No market matches “{text}”.", "ru": "Рынок «{text}» не найден.",
                  "kk": "«{text}» нарығы табылмады."},
    "no_source": {"en": "No source matches “{text}”.", "ru": "Источник «{text}» не найден.",
                  "kk": "«{text}» дереккөзі табылмады."},
    "no_status": {"en": "No status matches “{text}”.", "ru": "Статус «{text}» не найден.",
                  "kk": "«{text}» мәртебесі табылмады."},
    "ambiguous": {"en": "“{text}” names more than one: {names}. Give one of their names or "
                        "codes.",
                  "ru": "Название «{text}» подходит к нескольким: {names}. Укажите одно из их "
                        "названий или кодов.",
                  "kk": "«{text}» атауы бірнешеуіне сәйкес келеді: {names}. Олардың бірінің "
                        "атауын немесе кодын көрсетіңіз."},
    "closest": {"en": "Closest matches: {names}.", "ru": "Ближайшие совпадения: {names}.",
                "kk": "Ең жақын сәйкестіктер: {names}."},
    "did_you_mean": {"en": "Did you mean", "ru": "Возможно, вы имели в виду",
                     "kk": "Мүмкін, мынаны іздеген боларсыз"},
    "hs_digits": {"en": "An HS code has 2 to 6 digits, e.g. 0201 or 1001.99.",
                  "ru": "Код ТН ВЭД состоит из 2–6 цифр, например 0201 или 1001.99.",
                  "kk": "СЭҚ ТН коды 2–6 цифрдан тұрады, мысалы 0201 немесе 1001.99."},
    "empty_product": {"en": "Give a product: its name in any language, an id or an HS code.",
                      "ru": "Укажите продукцию: название на любом языке, идентификатор или код "
                            "ТН ВЭД.",
                      "kk": "Өнімді көрсетіңіз: кез келген тілдегі атауын, идентификаторын "
                            "немесе СЭҚ ТН кодын."},
    "empty_market": {"en": "Give a market: its name in any language or an ISO 3166 code.",
                     "ru": "Укажите рынок: название на любом языке или код ISO 3166.",
                     "kk": "Нарықты көрсетіңіз: кез келген тілдегі атауын немесе ISO 3166 "
                           "кодын."},
    "no_resource": {"en": "The graph holds nothing under this address: {iri}",
                    "ru": "В графе нет сведений по этому адресу: {iri}",
                    "kk": "Графта бұл мекенжай бойынша мәлімет жоқ: {iri}"},
    "bad_identifier": {"en": "No such resource: identifiers are letters, digits, “.”, “_” and "
                             "“-”.",
                       "ru": "Такого ресурса нет: идентификатор состоит из латинских букв, "
                             "цифр и знаков «.», «_», «-».",
                       "kk": "Мұндай ресурс жоқ: идентификатор латын әріптерінен, цифрлардан "
                             "және «.», «_», «-» таңбаларынан тұрады."},
    "no_page": {"en": "There is no page at this address.", "ru": "По этому адресу страницы нет.",
                "kk": "Бұл мекенжайда бет жоқ."},
    # Errors of the server's side (5xx) and of the method: what happened and what to do, in
    # the user's language; the store's own words stay in parentheses, as it gave them.
    "store_down": {"en": "The graph store cannot answer ({detail}); try again shortly.",
                   "ru": "Хранилище графа не отвечает ({detail}); повторите запрос чуть позже.",
                   "kk": "Граф қоймасы жауап бермейді ({detail}); сәлден соң қайталаңыз."},
    "internal": {"en": "Internal error; it has been logged. Try again, or report it.",
                 "ru": "Внутренняя ошибка; она записана в журнал. Повторите запрос или "
                       "сообщите о ней.",
                 "kk": "Ішкі қате; ол журналға жазылды. Сұрауды қайталаңыз немесе ол туралы "
                       "хабарлаңыз."},
    "method_not_allowed": {"en": "{method} is not allowed on {path}; use {allowed}.",
                           "ru": "Метод {method} для {path} не поддерживается; используйте "
                                 "{allowed}.",
                           "kk": "{path} мекенжайы {method} әдісін қабылдамайды; {allowed} "
                                 "қолданыңыз."},
    "go_home": {"en": "Back to the check", "ru": "Вернуться к проверке",
                "kk": "Тексеруге оралу"},
    # Parameter problems (422), by pydantic's error type; {parameter} is the parameter's name.
    "missing": {"en": "{parameter}: required, give a value",
                "ru": "{parameter}: обязательный параметр, укажите значение",
                "kk": "{parameter}: міндетті параметр, мәнін көрсетіңіз"},
    "too_short": {"en": "{parameter}: give at least {limit} character(s)",
                  "ru": "{parameter}: нужно не меньше {limit} симв.",
                  "kk": "{parameter}: кемінде {limit} таңба керек"},
    "too_long": {"en": "{parameter}: at most {limit} characters are accepted",
                 "ru": "{parameter}: допускается не больше {limit} симв.",
                 "kk": "{parameter}: ең көбі {limit} таңбаға рұқсат етіледі"},
    "choice": {"en": "{parameter}: accepted values are {expected}",
               "ru": "{parameter}: допустимые значения — {expected}",
               "kk": "{parameter}: рұқсат етілген мәндер — {expected}"},
    "number": {"en": "{parameter}: give a whole number", "ru": "{parameter}: укажите целое число",
               "kk": "{parameter}: бүтін сан көрсетіңіз"},
    "at_least": {"en": "{parameter}: give a number of at least {limit}",
                 "ru": "{parameter}: укажите число не меньше {limit}",
                 "kk": "{parameter}: кемінде {limit} болатын сан көрсетіңіз"},
    "at_most": {"en": "{parameter}: give a number of at most {limit}",
                "ru": "{parameter}: укажите число не больше {limit}",
                "kk": "{parameter}: ең көбі {limit} болатын сан көрсетіңіз"},
    "invalid": {"en": "{parameter}: this value is not accepted",
                "ru": "{parameter}: такое значение не принимается",
                "kk": "{parameter}: бұл мән қабылданбайды"},
}

# The words of a linked-data page.
RESOURCE: dict[str, dict[str, str]] = {
    "as_rdf": {"en": "As RDF", "ru": "В формате RDF", "kk": "RDF пішімінде"},
    "succession_title": {"en": "History of this pair", "ru": "История этой пары",
                         "kk": "Осы жұптың тарихы"},
    "succession_note": {"en": "Records of the same exporter, market and product, oldest first. "
                              "A record supersedes those with an earlier effective date; all "
                              "stay in the graph.",
                        "ru": "Записи с тем же экспортёром, рынком и продукцией, от ранних к "
                              "поздним. Запись заменяет записи с более ранней датой вступления в "
                              "силу; все они остаются в графе.",
                        "kk": "Экспорттаушысы, нарығы және өнімі бірдей жазбалар, ертерегінен "
                              "бастап. Жазба күшіне ену күні ертерек жазбаларды алмастырады; "
                              "олардың бәрі графта қалады."},
    "supersedes": {"en": "This record supersedes", "ru": "Эта запись заменяет",
                   "kk": "Бұл жазба алмастырады"},
    "superseded_by": {"en": "Superseded by", "ru": "Её заменяет", "kk": "Оны алмастырған"},
    "property": {"en": "Property", "ru": "Свойство", "kk": "Қасиет"},
    "value": {"en": "Value", "ru": "Значение", "kk": "Мәні"},
    "records": {"en": "Records that point here", "ru": "Записи, которые ссылаются сюда",
                "kk": "Осы жерге сілтейтін жазбалар"},
    "records_by_market": {"en": "Access records of this product, by market",
                          "ru": "Записи о доступе по этой продукции, по рынкам",
                          "kk": "Осы өнім бойынша қолжетімділік жазбалары, нарықтар бойынша"},
    "records_by_product": {"en": "Access records in this market, by product",
                           "ru": "Записи о доступе на этом рынке, по видам продукции",
                           "kk": "Осы нарықтағы қолжетімділік жазбалары, өнімдер бойынша"},
    "no_records": {"en": "No access record points at it: the graph knows nothing of its "
                         "status (this is not a prohibition).",
                   "ru": "Ни одна запись о доступе сюда не ссылается: статус неизвестен (это "
                         "не означает запрета).",
                   "kk": "Бірде-бір қолжетімділік жазбасы бұған сілтемейді: мәртебесі "
                         "белгісіз (бұл тыйым дегенді білдірмейді)."},
    "record": {"en": "Record", "ru": "Запись", "kk": "Жазба"},
    "check_it": {"en": "check", "ru": "проверить", "kk": "тексеру"},
    "statement": {"en": "statement", "ru": "заявление", "kk": "мәлімдеме"},
    "document": {"en": "document", "ru": "документ", "kk": "құжат"},
    "open_record": {"en": "the record", "ru": "запись", "kk": "жазба"},
}

def chrome(lang: str) -> dict[str, str]:
    """The header's and footer's words in one language (every page has them)."""
    lang = lang if lang in ("kk", "ru", "en") else "en"
    return {key: texts[lang] for table in (NAV, CHROME) for key, texts in table.items()} | {
        "hs": HS[lang]}

# The names people read for the standard properties a linked-data page shows (agrikg's own
# properties are named by their labels in the ontology).
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_PROV = "http://www.w3.org/ns/prov#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_DCT = "http://purl.org/dc/terms/"
PROPERTIES: dict[str, dict[str, str]] = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": {"en": "type", "ru": "тип",
                                                        "kk": "түрі"},
    _RDFS + "label": {"en": "label", "ru": "название", "kk": "атауы"},
    _RDFS + "comment": {"en": "comment", "ru": "комментарий", "kk": "түсініктеме"},
    _RDFS + "subClassOf": {"en": "subclass of", "ru": "подкласс", "kk": "ішкі класы"},
    _RDFS + "subPropertyOf": {"en": "subproperty of", "ru": "подсвойство",
                              "kk": "ішкі қасиеті"},
    _RDFS + "domain": {"en": "domain", "ru": "область определения", "kk": "анықталу облысы"},
    _RDFS + "range": {"en": "range", "ru": "область значений", "kk": "мәндер облысы"},
    _SKOS + "prefLabel": {"en": "name", "ru": "название", "kk": "атауы"},
    _SKOS + "altLabel": {"en": "other name", "ru": "другое название", "kk": "басқа атауы"},
    _SKOS + "definition": {"en": "definition", "ru": "определение", "kk": "анықтамасы"},
    _SKOS + "scopeNote": {"en": "scope note", "ru": "примечание о применении",
                          "kk": "қолдану туралы ескерту"},
    _SKOS + "notation": {"en": "code", "ru": "код", "kk": "коды"},
    _SKOS + "broader": {"en": "broader", "ru": "входит в", "kk": "кеңірек тобы"},
    _SKOS + "narrower": {"en": "narrower", "ru": "включает", "kk": "құрамындағысы"},
    _SKOS + "inScheme": {"en": "in scheme", "ru": "в классификации", "kk": "жіктеуіші"},
    _SKOS + "hasTopConcept": {"en": "top concept", "ru": "верхнее понятие",
                              "kk": "жоғарғы ұғымы"},
    _SKOS + "topConceptOf": {"en": "top concept of", "ru": "верхнее понятие классификации",
                             "kk": "жіктеуіштің жоғарғы ұғымы"},
    _PROV + "agent": {"en": "agent", "ru": "участник", "kk": "қатысушы"},
    _PROV + "hadPrimarySource": {"en": "primary source", "ru": "первоисточник",
                                 "kk": "бастапқы дереккөз"},
    _PROV + "hadRole": {"en": "role", "ru": "роль", "kk": "рөлі"},
    _PROV + "qualifiedAttribution": {"en": "attribution", "ru": "авторство",
                                     "kk": "авторлығы"},
    _PROV + "wasAssociatedWith": {"en": "associated with", "ru": "участники",
                                  "kk": "қатысушылары"},
    _PROV + "wasAttributedTo": {"en": "attributed to", "ru": "автор", "kk": "авторы"},
    _PROV + "wasGeneratedBy": {"en": "generated by", "ru": "получено в ходе",
                               "kk": "барысында алынған"},
    _PROV + "wasDerivedFrom": {"en": "derived from", "ru": "получено из", "kk": "алынған көзі"},
    "https://schema.org/memberOf": {"en": "member of", "ru": "член", "kk": "мүшесі"},
    "https://schema.org/sameAs": {"en": "same as", "ru": "то же, что", "kk": "баламасы"},
    "https://schema.org/url": {"en": "address", "ru": "адрес", "kk": "мекенжайы"},
    "https://schema.org/name": {"en": "name", "ru": "название", "kk": "атауы"},
    _DCT + "issued": {"en": "issued", "ru": "дата выпуска", "kk": "шыққан күні"},
    _DCT + "language": {"en": "language", "ru": "язык", "kk": "тілі"},
    _DCT + "license": {"en": "licence", "ru": "лицензия", "kk": "лицензиясы"},
    _DCT + "modified": {"en": "modified", "ru": "дата изменения", "kk": "өзгертілген күні"},
    _DCT + "publisher": {"en": "publisher", "ru": "издатель", "kk": "баспагері"},
    _DCT + "title": {"en": "title", "ru": "заглавие", "kk": "тақырыбы"},
    _DCT + "description": {"en": "description", "ru": "описание", "kk": "сипаттамасы"},
    "http://rdfs.org/ns/void#triples": {"en": "triples", "ru": "число триплетов",
                                        "kk": "триплеттер саны"},
}


def property_names(lang: str) -> dict[str, str]:
    """IRI -> the name people read for it, for the standard properties."""
    return {iri: texts[lang] for iri, texts in PROPERTIES.items()}

# The SPARQL query page (/sparql in a browser) and the ontology's documentation (/ontology).
QUERY_PAGE: dict[str, dict[str, str]] = {
    "title": {"en": "SPARQL query", "ru": "SPARQL-запрос", "kk": "SPARQL сұрауы"},
    "language": {"en": "Language", "ru": "Язык", "kk": "Тіл"},
    "query_label": {"en": "Query (SPARQL 1.1, read-only)", "ru": "Запрос (SPARQL 1.1, только чтение)",
                    "kk": "Сұрау (SPARQL 1.1, тек оқу)"},
    "run": {"en": "Run", "ru": "Выполнить", "kk": "Орындау"},
    "run_keys": {"en": "Ctrl+Enter runs the query.", "ru": "Ctrl+Enter выполняет запрос.",
                 "kk": "Ctrl+Enter сұрауды орындайды."},
    "prefixes": {"en": "Our prefixes", "ru": "Наши префиксы", "kk": "Біздің префикстер"},
    "prefixes_note": {"en": "Type a prefixed name such as agk:Market and its PREFIX line is added "
                            "to the query.",
                      "ru": "Достаточно набрать имя с префиксом, например agk:Market, и строка "
                            "PREFIX добавится в запрос сама.",
                      "kk": "agk:Market сияқты префиксті атауды жазсаңыз, оның PREFIX жолы "
                            "сұрауға өзі қосылады."},
    "prefix_list": {"en": "Prefixes and namespaces ({n})", "ru": "Префиксы и пространства имён ({n})",
                    "kk": "Префикстер мен аттар кеңістіктері ({n})"},
    "insert_prefixes": {"en": "Insert all prefixes", "ru": "Вставить все префиксы",
                        "kk": "Барлық префикстерді қою"},
    "examples": {"en": "Examples", "ru": "Примеры", "kk": "Мысалдар"},
    "examples_note": {"en": "The named queries of graph/queries/, with example values in place of "
                            "their parameters (descriptions in English).",
                      "ru": "Именованные запросы из graph/queries/; вместо параметров подставлены "
                            "значения для примера (описания на английском).",
                      "kk": "graph/queries/ ішіндегі атаулы сұраулар; параметрлердің орнына мысал "
                            "мәндері қойылған (сипаттамалары ағылшынша)."},
    "results": {"en": "Results", "ru": "Результаты", "kk": "Нәтижелер"},
    "range": {"en": "Rows {start}–{end} of {total}", "ru": "Строки {start}–{end} из {total}",
              "kk": "{total} жолдың {start}–{end} аралығы"},
    "triples_range": {"en": "Triples {start}–{end} of {total}",
                      "ru": "Тройки {start}–{end} из {total}",
                      "kk": "{total} үштіктің {start}–{end} аралығы"},
    "nothing": {"en": "The query matched nothing.", "ru": "Запрос ничего не нашёл.",
                "kk": "Сұрау бойынша ештеңе табылмады."},
    "pages": {"en": "Result pages", "ru": "Страницы результата", "kk": "Нәтиже беттері"},
    "page_of": {"en": "Page {page} of {pages}", "ru": "Страница {page} из {pages}",
                "kk": "{pages} беттің {page}-беті"},
    "first": {"en": "First", "ru": "В начало", "kk": "Басына"},
    "previous": {"en": "Previous", "ru": "Назад", "kk": "Алдыңғы"},
    "next": {"en": "Next", "ru": "Вперёд", "kk": "Келесі"},
    "last": {"en": "Last", "ru": "В конец", "kk": "Соңына"},
    "download": {"en": "Download", "ru": "Скачать", "kk": "Жүктеп алу"},
    "answer": {"en": "Answer", "ru": "Ответ", "kk": "Жауап"},
    "truncated": {"en": "The result was cut at the row limit of {cap}: the full result has more.",
                  "ru": "Результат обрезан на пределе в {cap} строк: полный результат больше.",
                  "kk": "Нәтиже {cap} жол шегінде қиылды: толық нәтиже бұдан көп."},
    "why": {"en": "why", "ru": "почему", "kk": "неге"},
    "error_parse": {"en": "The query does not parse", "ru": "В запросе синтаксическая ошибка",
                    "kk": "Сұрауда синтаксис қатесі бар"},
    "error_other": {"en": "The query was not run", "ru": "Запрос не выполнен",
                    "kk": "Сұрау орындалмады"},
    "position": {"en": "Line {line}, column {column}", "ru": "Строка {line}, столбец {column}",
                 "kk": "{line}-жол, {column}-баған"},
    "parser_says": {"en": "The parser's message", "ru": "Сообщение синтаксического анализатора",
                    "kk": "Талдағыштың хабарламасы"},
    "kept": {"en": "Your query is kept in the editor: correct it and run it again.",
             "ru": "Запрос сохранён в редакторе: исправьте его и выполните снова.",
             "kk": "Сұрауыңыз редакторда сақталды: түзетіп, қайта орындаңыз."},
    "refused_note": {"en": "Updates, LOAD and SERVICE are refused; a graph this store does not hold "
                           "is an empty graph, never fetched.",
                     "ru": "Изменения, LOAD и SERVICE отклоняются; граф, которого нет в хранилище, "
                           "считается пустым и никогда не загружается извне.",
                     "kk": "Өзгерту, LOAD және SERVICE қабылданбайды; қоймада жоқ граф бос граф "
                           "болып саналады, сырттан ешқашан жүктелмейді."},
    "limits": {"en": "Limits", "ru": "Ограничения", "kk": "Шектеулер"},
    "limit_rows": {"en": "A result has at most {cap} rows (or triples, for CONSTRUCT and DESCRIBE). "
                         "A longer one is cut and says so: the header Agrikg-Result-Truncated: true. "
                         "Page through with ORDER BY, LIMIT and OFFSET, or download the whole graph "
                         "(see /dataset).",
                   "ru": "В результате не больше {cap} строк (или троек для CONSTRUCT и DESCRIBE). "
                         "Более длинный обрезается, о чём говорит заголовок "
                         "Agrikg-Result-Truncated: true. Листайте с ORDER BY, LIMIT и OFFSET или "
                         "скачайте весь граф (см. /dataset).",
                   "kk": "Нәтижеде ең көбі {cap} жол болады (CONSTRUCT пен DESCRIBE үшін үштік). "
                         "Бұдан ұзын нәтиже қиылады, мұны Agrikg-Result-Truncated: true тақырыбы "
                         "айтады. ORDER BY, LIMIT және OFFSET арқылы парақтаңыз немесе бүкіл "
                         "графты жүктеп алыңыз (/dataset қараңыз)."},
    "limit_time": {"en": "A query may run {seconds} s; one past it is stopped and answered 503.",
                   "ru": "Запрос может выполняться {seconds} с; дольше — он останавливается с "
                         "ответом 503.",
                   "kk": "Сұрау {seconds} с орындала алады; одан асса, тоқтатылып, 503 жауабы "
                         "беріледі."},
    "limit_memory": {"en": "A query may use {mb} MB of memory; one past it is stopped and answered "
                           "503.",
                     "ru": "Запрос может занять {mb} МБ памяти; больше — он останавливается с "
                           "ответом 503.",
                     "kk": "Сұрау {mb} МБ жадты пайдалана алады; одан асса, тоқтатылып, 503 "
                           "жауабы беріледі."},
}

ONTOLOGY_PAGE: dict[str, dict[str, str]] = {
    "title": {"en": "The agrikg ontology", "ru": "Онтология agrikg", "kk": "agrikg онтологиясы"},
    "classes": {"en": "Classes", "ru": "Классы", "kk": "Кластар"},
    "object_properties": {"en": "Object properties", "ru": "Объектные свойства",
                          "kk": "Объектілік қасиеттер"},
    "datatype_properties": {"en": "Datatype properties", "ru": "Свойства-значения",
                            "kk": "Мән қасиеттері"},
    "contents": {"en": "Contents", "ru": "Содержание", "kk": "Мазмұны"},
    "label": {"en": "Label", "ru": "Название", "kk": "Атауы"},
    "definition": {"en": "Definition", "ru": "Определение", "kk": "Анықтамасы"},
    "no_definition": {"en": "no definition in this language",
                      "ru": "определения на этом языке нет",
                      "kk": "бұл тілде анықтама жоқ"},
    "subclass_of": {"en": "Subclass of", "ru": "Надкласс", "kk": "Ата класы"},
    "subproperty_of": {"en": "Subproperty of", "ru": "Надсвойство", "kk": "Ата қасиеті"},
    "domain": {"en": "Domain", "ru": "Область определения", "kk": "Анықталу облысы"},
    "range": {"en": "Range", "ru": "Область значений", "kk": "Мәндер облысы"},
    "used_with": {"en": "Properties with this domain", "ru": "Свойства с этой областью определения",
                  "kk": "Анықталу облысы осы класс болатын қасиеттер"},
    "shapes": {"en": "SHACL shapes", "ru": "Формы SHACL", "kk": "SHACL пішіндері"},
    "no_shapes": {"en": "No shape constrains it.", "ru": "Ни одна форма его не ограничивает.",
                  "kk": "Оны ешбір пішін шектемейді."},
    "shape_targets": {"en": "applies to the class", "ru": "применяется к классу",
                      "kk": "қолданылатын класс"},
    "shape_path": {"en": "property", "ru": "свойство", "kk": "қасиет"},
    "count": {"en": "count", "ru": "количество", "kk": "саны"},
    "values": {"en": "values", "ru": "значения", "kk": "мәндері"},
    "rule": {"en": "rule", "ru": "правило", "kk": "ереже"},
    "as_rdf": {"en": "As RDF", "ru": "В виде RDF", "kk": "RDF түрінде"},
    "generated": {"en": "Generated from the served build's ontology and ontology/shapes.ttl.",
                  "ru": "Составлено по онтологии обслуживаемой сборки и ontology/shapes.ttl.",
                  "kk": "Қызмет көрсетіп тұрған жинақтың онтологиясы мен ontology/shapes.ttl "
                        "бойынша жасалды."},
}


