"""Small, pure helpers for showing catalog values to people (diff, explain, report)."""
from __future__ import annotations

import unicodedata
from decimal import Decimal

SIZE_UNITS = ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K"))


def human_size(parameters: int) -> str:
    """Spell a parameter count the way the notes do: 7000000000 -> 7B, 6200000000 -> 6.2B."""
    for scale, unit in SIZE_UNITS:
        if parameters >= scale:
            amount = (Decimal(parameters) / scale).quantize(Decimal("0.01")).normalize()
            return f"{amount:f}{unit}"
    return str(parameters)


def printable(text: str) -> str:
    """Make untrusted note text safe to print on a terminal.

    Notes are untrusted: an escape sequence in a quote would otherwise drive the
    reader's terminal. Control and format characters are shown as escapes.
    """
    return "".join(
        ch if not unicodedata.category(ch).startswith("C") else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )
