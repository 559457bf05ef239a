"""Account numbers never leave the importers in full.

Problems go back to the client and into logs, and warnings onto the page, so a
message may name an account only by its last characters (`mask`: `...6789`).
Three guards, from the specific to the general:

- messages about an account build its name with `mask`;
- cell text quoted back in a message (`clip`) has any run of five or more letters
  and digits with at least four digits masked, since a garbled row can put an
  account number where a quantity belongs;
- `redact`, applied by `read_statement` to every message and file name on the way
  out, replaces each account number read from the upload by its mask.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_CLIP = 40  # longest cell text quoted back in a message
_ACCOUNTISH = re.compile(r"[A-Za-z0-9]{5,}")  # a run that may be an account number


def mask(number: str) -> str:
    """An account number safe to show: its last four characters, as every page shows it
    (`...6964` for `86964`); a shorter number keeps all but its first character."""
    number = number.strip()
    if number.startswith("...") and len(number) > 3:
        return number  # masked by the brokerage already (Schwab's "...789")
    keep = max(0, min(4, len(number) - 1))
    return "..." + number[len(number) - keep :] if keep else "..."


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every full account number in text with its masked form."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, mask(secret))
    return text


def clip(text: str) -> str:
    """Cell text safe to quote back in a message: short, and with no account number.

    A garbled row can put an account number where a quantity belongs, so any run of
    five or more letters and digits with at least four digits is masked like one.
    """
    text = " ".join(text.split())
    text = text if len(text) <= _CLIP else text[: _CLIP - 3] + "..."
    return _ACCOUNTISH.sub(_mask_token, text)


def _mask_token(found: re.Match[str]) -> str:
    token = found[0]
    return mask(token) if sum(character.isdigit() for character in token) >= 4 else token
