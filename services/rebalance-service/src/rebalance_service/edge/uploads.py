"""Reading the multipart form of a request: the CSV files and the plain fields.

Uploaded files stay in memory (the body limit bounds them); a CSV never touches
the disk. A file that is plainly not text (a zip, a PDF, an image, anything with
NUL bytes) is refused with 415 before any parser sees it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePosixPath

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from rebalance_service.edge.errors import RequestError
from rebalance_service.use_cases import RebalanceRequest, Upload
from rebalancer.catalogue import INVESTABLE_TAX_GROUPS, TaxGroup
from rebalancer.money import NotANumber, parse_plain_decimal
from rebalancer.problem import Mode

MAX_FILES = 20
_BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b")
_TEXT_EXTENSIONS = frozenset({".csv", ".txt", ""})  # "" for a name without an extension


async def read_form(request: Request) -> FormData:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise RequestError(
            415, "body", "send multipart/form-data, with the CSV files in the field 'positions'"
        )
    return await request.form(max_files=MAX_FILES, max_fields=50)


async def read_uploads(form: FormData) -> list[Upload]:
    uploads = []
    for item in form.getlist("positions"):
        if not isinstance(item, UploadFile):
            raise RequestError(400, "positions", "must be a file upload")
        content = await item.read()
        await item.close()  # its memory goes now, not whenever the collector finds it
        name = _safe_name(item.filename)
        if not content.strip():
            continue  # an empty file input on a form: nothing chosen
        extension = PurePosixPath(name.lower()).suffix
        if _looks_binary(content) or extension not in _TEXT_EXTENSIONS:
            raise RequestError(415, "positions", f"{name} is not a CSV file")
        uploads.append((name, content))
    if not uploads:
        raise RequestError(400, "positions", "upload at least one positions CSV file")
    return uploads


def _safe_name(filename: str | None) -> str:
    """The file's own name, without any directory a client put in front of it."""
    base = (filename or "upload.csv").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable())[:100]
    return cleaned or "upload.csv"


def _looks_binary(content: bytes) -> bool:
    return content.startswith(_BINARY_MAGIC) or b"\x00" in content[:8192]


def read_rebalance_request(form: FormData) -> RebalanceRequest:
    mode_text = _text(form, "mode") or Mode.BUY_ONLY.value
    if mode_text not in {m.value for m in Mode}:
        raise RequestError(422, "mode", f"must be one of {', '.join(m.value for m in Mode)}")
    credits: dict[TaxGroup, Decimal] = {}
    for group in INVESTABLE_TAX_GROUPS:
        field = f"credit_{group.value}"
        text = _text(form, field)
        if not text:
            continue
        try:
            amount = parse_plain_decimal(text.replace(",", "").replace("$", ""))
        except NotANumber:
            raise RequestError(422, field, f'"{text[:40]}" is not a decimal number') from None
        if abs(amount) >= Decimal("1e12"):
            raise RequestError(422, field, "must be less than a trillion dollars")
        credits[group] = amount
    return RebalanceRequest(
        mode=Mode(mode_text),
        fractional=_flag(form, "fractional"),
        credits=credits,
        prove=_flag(form, "prove"),
    )


def _flag(form: FormData, name: str) -> bool:
    """A true/false field, as scripts (true/false, 1/0) and check boxes (on) send it."""
    text = (_text(form, name) or "false").lower()
    if text not in {"true", "false", "on", "off", "1", "0"}:
        raise RequestError(422, name, "must be true or false")
    return text in {"true", "on", "1"}


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RequestError(400, name, "must be a plain form field, not a file")
    return value.strip()
