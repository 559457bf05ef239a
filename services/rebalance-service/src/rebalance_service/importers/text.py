"""Turn the bytes a user uploaded into text, or say why that is impossible.

Brokerages write UTF-8, usually with a byte-order mark (Fidelity does, Schwab does
not). Once a user opens the file in Excel and saves it again on Windows it becomes
Windows-1252 with no mark, so that is the fallback; the five bytes Windows-1252 leaves
undefined are read as Latin-1 rather than refused. A file with a UTF-16 mark (Excel's
"Unicode text") is decoded as such; one with the UTF-8 mark stays UTF-8 even with a
stray invalid byte, which is replaced, with a warning.

What is refused, with a sentence the user can act on: an empty file, a spreadsheet
or PDF saved in place of the CSV (recognised by their first bytes), and anything
else that is not text (NUL bytes, or mostly control characters once decoded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The first bytes of files users upload by mistake, and what to tell them.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "is an Excel workbook or another zip archive, not a CSV file"),
    (b"\xd0\xcf\x11\xe0", "is an old-style Excel workbook (.xls), not a CSV file"),
    (b"%PDF", "is a PDF document, not a CSV file"),
    (b"\x1f\x8b", "is a gzip archive, not a CSV file"),
)
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_MARK = b"\xef\xbb\xbf"
# C0 controls other than tab, LF and CR, DEL, and the C1 block that Latin-1 maps
# undefined Windows-1252 bytes to: text a brokerage wrote never contains them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SNIFF = 65536  # characters examined for control characters
_MOSTLY_CONTROL = 0.01  # more than 1% control characters: binary, not text


@dataclass(frozen=True, slots=True)
class Decoded:
    """The file's text, or the reason it has none; `note` is a warning worth showing."""

    text: str | None
    problem: str | None = None
    note: str | None = None


def decode(data: bytes) -> Decoded:
    """Decode an uploaded file: UTF-8 (with or without BOM), UTF-16 with BOM, cp1252."""
    refusal = _refusal(data)
    if refusal is not None:
        return Decoded(None, refusal)
    if data.startswith(_UTF16_MARKS):
        try:
            return _checked(data.decode("utf-16"), None)
        except UnicodeDecodeError:
            return Decoded(None, "is not a text file (it starts like UTF-16 but is not)")
    try:
        # utf-8-sig drops the BOM Fidelity writes; nothing else in the text changes.
        return Decoded(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        if data.startswith(_UTF8_MARK):
            # The mark says UTF-8, so a stray bad byte is just that; read as
            # Windows-1252, the mark itself would garble the first header cell.
            return _checked(
                data.decode("utf-8-sig", errors="replace"),
                "is not valid UTF-8; the bytes that are not were replaced by \ufffd",
            )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; Latin-1 reads every byte.
        text = data.decode("latin-1")
    return _checked(text, "is not UTF-8; it was read as Windows-1252 text")


def _refusal(data: bytes) -> str | None:
    """Why the bytes cannot be a CSV file at all, judged before decoding."""
    if not data.strip():
        return "is empty"
    for magic, problem in _MAGIC:
        if data.startswith(magic):
            return f"{problem}; download the positions export as CSV"
    if b"\x00" in data and not data.startswith(_UTF16_MARKS):
        return "is not a text file"
    return None


def _checked(text: str, note: str | None) -> Decoded:
    """Refuse decoded text that is mostly control characters: it was never text."""
    sample = text[:_SNIFF]
    controls = len(_CONTROL.findall(sample))
    if controls > len(sample) * _MOSTLY_CONTROL:
        return Decoded(None, "is not a text file")
    return Decoded(text.lstrip("\ufeff"), None, note)
