"""What an account number and an account description may hold.

An account number names one account in a CSV, in the settings and in a keyed hash, so
two strings a person reads as one ("Z123" and "Z\\u200b123", or fullwidth "Ｚ１２３") would
be two accounts behind the same masked label. A number typed into the settings is held to
what brokerages print: ASCII letters and digits, and - . / * # _ and space; anything else
is refused with the character named. Numbers read from elsewhere are NFKC-normalized
first (`normalize_account_number`), which folds fullwidth and other compatibility forms
into the plain ones.

A description may hold any letters, but no control, format (zero-width, bidi override and
isolate), separator, private-use or unassigned characters, which hide or reorder text.
"""

from __future__ import annotations

import unicodedata

_NUMBER_EXTRAS = frozenset("-./*#_ ")
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def normalize_account_number(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def account_number_problem(text: str) -> str | None:
    """Why `text` cannot be an account number as typed, or None if it can."""
    for char in text:
        if not _number_character(char):
            plain = unicodedata.normalize("NFKC", char)
            typable = plain and all(map(_number_character, plain))
            hint = f"; type {plain!r} instead" if typable else ""
            return (
                "may hold only the letters A-Z, digits, spaces and - . / * # _, "
                f"not {_describe(char)}{hint}"
            )
    return None


def description_problem(text: str) -> str | None:
    """Why `text` cannot be a description, or None if it can."""
    for char in text:
        if unicodedata.category(char) in _HIDDEN_CATEGORIES:
            return f"must not contain invisible or control characters such as {_describe(char)}"
    return None


def _number_character(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in _NUMBER_EXTRAS)


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".rstrip()
