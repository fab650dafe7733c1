"""Values of the strategy tables.

A year's value in the strategy is one of three things that must never be shown alike:
`"-"` (not planned / not applicable), a number (0 is a real zero), or `"bd"` (no data, e.g.
statistical confidentiality). They are kept as exactly that in events and read models: the
string "-", the string "bd", or an int/float.
"""

from __future__ import annotations

import math
import re
from enum import StrEnum
from typing import Union

from domain.errors import ValidationFailed, bilingual

NOT_PLANNED = "-"
NO_DATA = "bd"
YearValue = Union[int, float, str]

_DASHES = {"-", "–", "—"}
_CODE = re.compile(r"^[IVXLC]+(\.\d+)*$")
_INDICATOR_CODE = re.compile(r"^[IVXLC]+(\.\d+)+\.[A-Z]\d+$")


class Level(StrEnum):
    PRODUCT = "product"  # wskaźniki produktu
    RESULT = "result"  # wskaźniki rezultatu
    IMPACT = "impact"  # wskaźniki oddziaływania


LEVEL_LABELS_PL = {Level.PRODUCT: "Wskaźniki produktu", Level.RESULT: "Wskaźniki rezultatu",
                   Level.IMPACT: "Wskaźniki oddziaływania"}


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"
    MAINTAIN = "maintain"


def number(value: float) -> int | float:
    """Integral values become ints (so 10.0 shows as 10), others stay floats."""
    if isinstance(value, int):
        return value
    return int(value) if float(value).is_integer() else round(float(value), 6)


def check_year_value(value: object, *, field: str) -> YearValue:
    """Accepts a number, "-" (or an en/em dash) for not planned, "bd" for no data, or numeric text."""
    if isinstance(value, bool):
        raise ValidationFailed(bilingual(f"Pole {field} musi być liczbą, '-' lub 'bd'; podano {value!r}.",
                                         f"{field} must be a number, '-' or 'bd'; got {value!r}."), field=field)
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value < 0:
            raise ValidationFailed(bilingual(f"Pole {field} musi być skończoną liczbą nie mniejszą niż 0; "
                                             f"podano {value!r}.",
                                             f"{field} must be a finite number not below 0; got {value!r}."),
                                   field=field)
        return number(value)
    if isinstance(value, str):
        text = value.strip()
        if text in _DASHES:
            return NOT_PLANNED
        if text.lower() == NO_DATA:
            return NO_DATA
        try:
            return check_year_value(float(text.replace(",", ".").rstrip("%")), field=field)
        except ValueError:
            pass
    raise ValidationFailed(bilingual(f"Pole {field} musi być liczbą, '-' (nie planowano) lub 'bd' (brak danych); "
                                     f"podano {value!r}.",
                                     f"{field} must be a number, '-' (not planned) or 'bd' (no data); got {value!r}."),
                           field=field)


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_year(value: object, *, field: str = "year") -> int:
    try:
        year = int(str(value)) if not isinstance(value, bool) else None
    except ValueError:
        year = None
    if year is None or not 2000 <= year <= 2100:
        raise ValidationFailed(bilingual(f"Pole {field} musi być rokiem od 2000 do 2100; podano {value!r}.",
                                         f"{field} must be a year between 2000 and 2100; got {value!r}."), field=field)
    return year


def check_year_map(values: object, *, field: str, years: list[int] | None = None) -> dict[str, YearValue]:
    """A {year: value} map with string year keys (as JSON keeps them), years within the task's years."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ValidationFailed(bilingual(f"Pole {field} musi przypisywać wartości do lat.",
                                         f"{field} must map years to values."), field=field)
    out: dict[str, YearValue] = {}
    for key, value in values.items():
        year = check_year(key, field=f"{field}.{key}")
        if years is not None and year not in years:
            raise ValidationFailed(bilingual(f"Pole {field}: rok {year} nie należy do lat zadania {years}.",
                                             f"{field}: {year} is not one of the task's years {years}."),
                                   field=f"{field}.{key}")
        out[str(year)] = check_year_value(value, field=f"{field}.{year}")
    return dict(sorted(out.items()))


def check_code(value: object, *, field: str = "code") -> str:
    """Strategy codes are a Roman goal number and dotted numbers: "III", "III.1", "III.1.3"."""
    if not isinstance(value, str) or not _CODE.match(value.strip()):
        raise ValidationFailed(bilingual(f"Pole {field} musi mieć postać 'III', 'III.1' lub 'III.1.3'; podano {value!r}.",
                                         f"{field} must look like 'III', 'III.1' or 'III.1.3'; got {value!r}."),
                               field=field)
    return value.strip()


def check_indicator_code(value: object, *, field: str = "code") -> str:
    """Indicator codes are the task code, a letter and a number: "III.1.3.W1" (unique across tasks)."""
    if not isinstance(value, str) or not _INDICATOR_CODE.match(value.strip()):
        raise ValidationFailed(bilingual(f"Pole {field} musi mieć postać 'III.1.3.W1'; podano {value!r}.",
                                         f"{field} must look like 'III.1.3.W1'; got {value!r}."), field=field)
    return value.strip()


def check_percent(value: object, *, field: str) -> int | float:
    checked = check_year_value(value, field=field)
    if not is_number(checked) or checked > 100:
        raise ValidationFailed(bilingual(f"Pole {field} musi być wartością procentową od 0 do 100; podano {value!r}.",
                                         f"{field} must be a percentage between 0 and 100; got {value!r}."),
                               field=field)
    return checked
