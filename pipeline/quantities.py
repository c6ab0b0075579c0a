"""Normalize parameter counts ("62 亿", "7B1", "1.5万亿") to integers.

Arithmetic is Decimal end to end: 1.11 亿 must be 111000000 exactly, which
binary floats do not promise. The grammar (units, size tokens, words that make
a number a token or memory count) comes from rules/quantities.jsonl.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .rules import RuleSet, fold

NAME_PIECES = re.compile(r"\d+(?:\.\d+)?[A-Za-z]*\d*|[A-Za-z]+")
"""Pieces of a name in which a size can stand: `BLOOMChat176B` -> BLOOMChat, 176B;
`Qwen2-57B-A14B` -> Qwen, 2, 57B, A, 14B; `BLOOMZ-7B1-mt` keeps 7B1 whole."""

SHARED_UNIT_LIST = re.compile(r"(?<![\w.])((?:\d+(?:\.\d+)?[|/])+)(\d+(?:\.\d+)?)([A-Za-z]+)(?![\w.])")
"""Sizes listed with one unit at the end (`Llama 2-7|13|70B`, `LLaMA-7/13B`): every number takes that unit."""

UNDERSCORE_DECIMAL = re.compile(r"(?<![A-Za-z0-9.])(\d{1,4})_(\d{1,3})(?=[bBmM](?![A-Za-z]))")
"""A decimal point written as `_` in a checkpoint's name (`dlite-v2-1_5b` is 1.5B, not 5B)."""

MIN_PARAMETERS = 1_000_000
"""Counts below a million are not model sizes (LLaMA-Adapter's 1.2M adapter is the floor)."""


def scale(number: str, unit: str, rules: RuleSet) -> int | None:
    """Return number x unit as an integer, or None if the unit is not a size unit."""
    multiplier = rules.units.get(fold(unit))
    if multiplier is None:
        return None
    try:
        value = Decimal(number.replace(",", "")) * multiplier
    except InvalidOperation:
        return None
    return _valid(value)


def size_token(text: str, rules: RuleSet, *, in_name: bool = False) -> int | None:
    """Return the size a single token states (`7B`, `6.7b`, `1b4`, `7B1`), else None.

    `1T` counts only inside a model's name: in prose it is nearly always tokens.
    """
    for rule, pattern in rules.size_patterns:
        if rule.name_only and not in_name:
            continue
        match = pattern.match(text.strip())
        if not match:
            continue
        groups = match.groupdict()
        number = groups["int"] + ("." + groups["frac"] if groups.get("frac") else "")
        if groups.get("tail"):
            number = groups["int"] + "." + groups["tail"]
        multiplier = (rules.name_units if in_name else rules.units).get(fold(groups["unit"]))
        if multiplier is None:
            continue
        return _valid(Decimal(number) * multiplier)
    return None


def sizes_in_name(name: str, rules: RuleSet) -> list[int]:
    """Return the sizes written inside a model name (`MPT-7B`, `firefly-1b4`, `OPT-1.3|6.7B`)."""
    found: list[int] = []
    if "|" in name or "/" in name:
        name = SHARED_UNIT_LIST.sub(_unit_on_each, name)
    if "_" in name:
        name = UNDERSCORE_DECIMAL.sub(r"\1.\2", name)
    trillions: list[int] = []
    for piece in NAME_PIECES.findall(name):
        value = size_token(piece, rules, in_name=True)
        if value is not None and value not in found:
            (trillions if piece[-1] in "tT" else found).append(value)
    # `OLMo-7B-Twin-2T`: beside a size in billions, a T is the training tokens, not a second size
    return found or trillions


def _unit_on_each(match: re.Match) -> str:
    """Write a shared-unit list out in full: `7|13|70B` -> `7B|13B|70B`."""
    unit = match.group(3)
    return LISTED_NUMBER.sub(lambda number: number.group() + unit, match.group())


LISTED_NUMBER = re.compile(r"\d+(?:\.\d+)?(?=[|/])")


def _valid(value: Decimal) -> int | None:
    if value != value.to_integral_value():
        value = value.to_integral_value()
    count = int(value)
    if count < MIN_PARAMETERS or count > 10**15:
        return None
    return count


COLUMN_UNIT = re.compile(r"[(（\[]\s*(?P<unit>[A-Za-z]+|[\u4e00-\u9fff]{1,2})\s*[)）\]]")
"""A unit written in a table header (`Params (B)`, `参数（亿）`): bare numbers in that column are in it."""

COLUMN_NUMBER = re.compile(r"(?<![\w.])(\d{1,5}(?:\.\d{1,4})?)(?![\w.])")
"""A bare number in a cell of such a column; a range (`0.06 - 11`) or list (`180, 40, 7`) gives each."""


def column_unit(header: str) -> str | None:
    match = COLUMN_UNIT.search(header)
    return match.group("unit") if match else None


def sizes_in_unit_cell(text: str, unit: str, rules: RuleSet) -> list[tuple[int, int, int]]:
    """Return (count, start, end) for every bare number of a cell whose column header gives the unit."""
    found = []
    for match in COLUMN_NUMBER.finditer(text):
        count = scale(match.group(1), unit, rules)
        if count is not None:
            found.append((count, match.start(1), match.end(1)))
    return found
