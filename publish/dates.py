"""Dates in running text ("on March 21, 2019", "2 February 2024", "2. März 2024"), as ISO 8601."""

import datetime as dt
import re

MONTHS = {
    # English
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "mai": 5, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12,
    # French
    "janvier": 1, "février": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7, "août": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
}  # fmt: skip
MONTH = r"(?P<month>[^\W\d_]{3,10})\.?"
PATTERNS = (
    re.compile(r"\b(?P<year>\d{4})-(?P<num>\d{2})-(?P<day>\d{2})\b"),
    re.compile(MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b"),
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th|\.|er)?\s+(?:de\s+)?" + MONTH
               + r",?\s+(?:de\s+)?(?P<year>\d{4})\b"),
)  # fmt: skip


def find_date(text: str) -> str | None:
    """The first complete calendar date in the text, as ISO 8601, or None."""
    found = dated_matches(text)
    return min(found)[1].isoformat() if found else None


def dates_in(text: str) -> set[str]:
    """Every complete calendar date the text mentions, as ISO 8601."""
    return {date.isoformat() for _, date in dated_matches(text)}


def dated_matches(text: str, patterns: tuple[re.Pattern[str], ...] = PATTERNS) -> list:
    """(position, date) of each complete calendar date the patterns find in the text."""
    found = []
    for pattern in patterns:
        for match in pattern.finditer(text):
            date = to_date(match)
            if date:
                found.append((match.start(), date))
    return found


def date_language(language: str, text: str) -> str:
    """The language whose style a text's dates are printed in: English without a region
    follows the text's own habit, "March 21, 2019" (American) or "21 March 2019"."""
    if language.lower() != "en":
        return language
    month_first = len(dated_matches(text, PATTERNS[1:2]))
    day_first = len(dated_matches(text, PATTERNS[2:3]))
    return "en-US" if month_first > day_first else language


def to_date(match: re.Match[str]) -> dt.date | None:
    groups = match.groupdict()
    month = int(groups["num"]) if groups.get("num") else MONTHS.get(groups["month"].lower())
    if not month:
        return None
    try:
        return dt.date(int(groups["year"]), month, int(groups["day"]))
    except ValueError:
        return None


def iso_date(value: object) -> str | None:
    """A front-matter date (ISO already, or a phrase) as ISO 8601."""
    text = str(value).strip()
    if re.match(r"\d{4}-\d{2}-\d{2}T", text):
        text = text[:10]
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        return text if is_calendar_date(text) else None
    return find_date(text)


def is_calendar_date(iso: str) -> bool:
    """'2024', '2024-05' or '2024-05-17' naming a year, month or day that exists."""
    year, month, day = ([int(part) for part in iso.split("-")] + [1, 1])[:3]
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True
