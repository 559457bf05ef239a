"""The JSON wire contract of the configuration document (see API.md).

Decoding is strict and collects every problem with the path of its field
(`targets[2].value`), so a client sees all of them at once. Numbers travel as
decimal strings; a JSON float is refused so that no amount ever passes through
binary floating point.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from rebalancer.account_text import account_number_problem, description_problem
from rebalancer.bands import Bands
from rebalancer.catalogue import (
    HUNDRED_PERCENT,
    INVESTABLE_TAX_GROUPS,
    AssetClass,
    Mix,
    Security,
    Sleeve,
    TaxGroup,
    mix_label,
)
from rebalancer.configuration import AccountSettings, NoSell, UserSettings
from rebalancer.field_errors import FieldError, InvalidInput
from rebalancer.money import NotANumber, format_decimal, parse_plain_decimal
from rebalancer.targets import Target, TargetKind

T = TypeVar("T")

MAX_ITEMS = 1000  # of any list in a document
MAX_NAME = 64  # asset class names, symbols, account numbers
MAX_DESCRIPTION = 200
MAX_DECIMAL_DIGITS = 20


@dataclass(frozen=True)
class AccountEntry:
    number: str
    settings: AccountSettings


@dataclass(frozen=True)
class ConfigDocument:
    accounts: tuple[AccountEntry, ...]
    settings: UserSettings


class _Decoder:
    def __init__(self, incoming: bool = True) -> None:
        self.errors: list[FieldError] = []
        # What a client sends is held to account_text's rules; what is already stored
        # is read back as it was, so settings saved before those rules still open.
        self.incoming = incoming

    def fail(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def record(self, value: object, path: str, keys: set[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return None
        for key in sorted(set(value) - keys):
            self.fail(f"{path}.{key}" if path else key, "is not a known field")
        return value

    def list_of(
        self, value: object, path: str, item: Callable[[object, str], T | None]
    ) -> tuple[T, ...] | None:
        if not isinstance(value, list):
            self.fail(path, "must be a list")
            return None
        if len(value) > MAX_ITEMS:
            self.fail(path, f"has {len(value)} items; at most {MAX_ITEMS} are allowed")
            return None
        decoded = [item(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return tuple(d for d in decoded if d is not None)

    def text(self, value: object, path: str, limit: int = MAX_NAME, empty: bool = False) -> str:
        if not isinstance(value, str):
            self.fail(path, "must be a string")
            return ""
        stripped = value.strip()
        if not stripped and not empty:
            self.fail(path, "must not be empty")
        elif len(stripped) > limit:
            self.fail(path, f"must be at most {limit} characters")
        elif any(ord(c) < 32 for c in stripped):
            self.fail(path, "must not contain control characters")
        return stripped

    def flag(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, "must be true or false")
            return False
        return value

    def decimal(self, value: object, path: str) -> Decimal | None:
        if not isinstance(value, str):
            self.fail(path, 'must be a decimal number in a string, such as "12.5"')
            return None
        try:
            number = parse_plain_decimal(value)
        except NotANumber:
            self.fail(path, f'"{value[:40]}" is not a decimal number')
            return None
        digits, exponent = number.as_tuple()[1:]
        if len(digits) > MAX_DECIMAL_DIGITS:
            self.fail(path, f"must have at most {MAX_DECIMAL_DIGITS} digits")
            return None
        if isinstance(exponent, int) and exponent < -MAX_DECIMAL_DIGITS:
            # "0.000…01": one digit, but as long as the zeros before it.
            self.fail(path, f"must have at most {MAX_DECIMAL_DIGITS} digits after the point")
            return None
        return number

    def tax_group(self, value: object, path: str, allowed: tuple[TaxGroup, ...]) -> TaxGroup | None:
        if isinstance(value, str) and value in {g.value for g in allowed}:
            return TaxGroup(value)
        self.fail(path, f"must be one of {', '.join(g.value for g in allowed)}")
        return None

    # The document's parts.

    def account(self, value: object, path: str) -> AccountEntry | None:
        keys = {"number", "tax_group", "description", "credit_default", "menu"}
        obj = self.record(value, path, keys)
        if obj is None:
            return None
        for required in ("number", "tax_group"):
            if required not in obj:
                self.fail(f"{path}.{required}", "is required")
        number = self.text(obj.get("number", ""), f"{path}.number")
        group = self.tax_group(obj.get("tax_group"), f"{path}.tax_group", tuple(TaxGroup))
        description = self.text(
            obj.get("description", ""), f"{path}.description", MAX_DESCRIPTION, empty=True
        )
        credit_default = self.flag(obj.get("credit_default", False), f"{path}.credit_default")
        if self.incoming:
            for field, problem in (
                ("number", account_number_problem(number)),
                ("description", description_problem(description)),
            ):
                named = f"{path}.{field}"
                if problem and all(e.field != named for e in self.errors):
                    self.fail(named, problem)
                    number = ""
        menu = self.list_of(obj.get("menu") or [], f"{path}.menu", self.symbol) or ()
        if len(set(menu)) != len(menu):
            self.fail(f"{path}.menu", "lists the same symbol more than once")
        if group is None or not number:
            return None
        return AccountEntry(number, AccountSettings(group, description, credit_default, menu))

    def symbol(self, value: object, path: str) -> str:
        return self.text(value, path).upper()

    def target(self, value: object, path: str) -> Target | None:
        obj = self.record(value, path, {"asset_class", "kind", "value"})
        if obj is None:
            return None
        asset_class = self.text(obj.get("asset_class"), f"{path}.asset_class")
        kind = obj.get("kind")
        known = isinstance(kind, str) and kind in {k.value for k in TargetKind}  # {} is unhashable
        if not known:
            self.fail(f"{path}.kind", f"must be one of {', '.join(k.value for k in TargetKind)}")
        amount = self.decimal(obj.get("value"), f"{path}.value")
        if amount is None or not isinstance(kind, str) or not known:
            return None
        return Target(asset_class, TargetKind(kind), amount)

    def affinities(self, value: object, path: str) -> dict[TaxGroup, tuple[str, ...]] | None:
        keys = {g.value for g in INVESTABLE_TAX_GROUPS}
        obj = self.record(value, path, keys)
        if obj is None:
            return None
        result: dict[TaxGroup, tuple[str, ...]] = {}
        for group in INVESTABLE_TAX_GROUPS:
            names = self.list_of(obj.get(group.value, []), f"{path}.{group.value}", self.text)
            result[group] = names or ()
        return result

    def no_sell(self, value: object, path: str) -> NoSell | None:
        obj = self.record(value, path, {"tax_group", "asset_class"})
        if obj is None:
            return None
        group = self.tax_group(obj.get("tax_group"), f"{path}.tax_group", INVESTABLE_TAX_GROUPS)
        asset_class = self.text(obj.get("asset_class"), f"{path}.asset_class")
        return NoSell(group, asset_class) if group else None

    def asset_class(self, value: object, path: str) -> AssetClass | None:
        obj = self.record(value, path, {"name", "group"})
        if obj is None:
            return None
        return AssetClass(
            self.text(obj.get("name"), f"{path}.name"), self.text(obj.get("group"), f"{path}.group")
        )

    def security(self, value: object, path: str) -> Security | None:
        keys = {"symbol", "asset_class", "mix", "fractional", "default", "price", "increment"}
        obj = self.record(value, path, keys)
        if obj is None:
            return None
        symbol = self.text(obj.get("symbol"), f"{path}.symbol").upper()
        mix: Mix = ()
        if obj.get("mix") is not None:
            if "asset_class" in obj:
                self.fail(f"{path}.asset_class", "give either asset_class or mix, not both")
            mix = self.mix(obj["mix"], f"{path}.mix")
            asset_class = mix_label(mix) if mix else ""
        else:
            asset_class = self.text(obj.get("asset_class"), f"{path}.asset_class")
        fractional = self.flag(obj.get("fractional", False), f"{path}.fractional")
        default = self.flag(obj.get("default", False), f"{path}.default")
        if default and mix:
            self.fail(f"{path}.default", "a mix fund cannot be an asset class's default")
        price = None
        if obj.get("price") is not None:
            price = self.decimal(obj["price"], f"{path}.price")
            if price is not None and price <= 0:
                self.fail(f"{path}.price", "must be greater than 0")
        increment = None
        if obj.get("increment") is not None:
            increment = self.decimal(obj["increment"], f"{path}.increment")
            if increment is not None and increment <= 0:
                self.fail(f"{path}.increment", "must be greater than 0")
        return Security(symbol, asset_class, fractional, default, price, increment, mix)

    def mix(self, value: object, path: str) -> Mix:
        """Sleeves of distinct classes, each above 0 %, adding up to exactly 100 %."""
        sleeves = self.list_of(value, path, self.sleeve)
        if sleeves is None:
            return ()
        if not value:
            self.fail(path, "must list at least one asset class")
            return ()
        names = [s.asset_class for s in sleeves]
        if len(set(names)) != len(names):
            self.fail(path, "lists the same asset class more than once")
        total = sum((s.percent for s in sleeves), Decimal(0))
        whole = isinstance(value, list) and len(sleeves) == len(value)  # none failed
        if whole and total != HUNDRED_PERCENT:
            self.fail(path, f"percents add up to {format_decimal(total)}; they must add up to 100")
        return sleeves

    def sleeve(self, value: object, path: str) -> Sleeve | None:
        obj = self.record(value, path, {"asset_class", "percent"})
        if obj is None:
            return None
        asset_class = self.text(obj.get("asset_class"), f"{path}.asset_class")
        percent = self.amount(obj.get("percent"), f"{path}.percent", HUNDRED_PERCENT)
        if percent is not None and percent == 0:
            self.fail(f"{path}.percent", "must be greater than 0")
            return None
        return Sleeve(asset_class, percent) if percent is not None and asset_class else None

    def amount(self, value: object, path: str, most: Decimal | None = None) -> Decimal | None:
        """A decimal at least 0 (and at most `most`)."""
        number = self.decimal(value, path)
        if number is None:
            return None
        if number < 0:
            self.fail(path, "must not be negative")
            return None
        if most is not None and number > most:
            self.fail(path, f"must be at most {format_decimal(most)}")
            return None
        return number

    def bands(self, value: object, path: str) -> Bands | None:
        obj = self.record(value, path, {"absolute", "relative"})
        if obj is None:
            return None
        widths: list[Decimal | None] = []
        for key in ("absolute", "relative"):
            if key not in obj:
                self.fail(f"{path}.{key}", "is required")
                widths.append(None)
            else:  # percentage points, and percent of a target: 0 to 100 both
                widths.append(self.amount(obj[key], f"{path}.{key}", Decimal(100)))
        absolute, relative = widths
        if absolute is None or relative is None:
            return None
        return Bands(absolute, relative)


_DOCUMENT_KEYS = {
    "accounts", "targets", "affinities", "no_sell", "asset_classes", "securities", "min_trade",
    "bands",
}  # fmt: skip


def decode_config_document(value: object) -> ConfigDocument:
    """The document of `PUT /api/v1/config`; raises InvalidInput listing every problem."""
    decoder = _Decoder()
    obj = decoder.record(value, "", _DOCUMENT_KEYS)
    if obj is None:
        raise InvalidInput([FieldError("body", "must be a JSON object")])

    def part(name: str, item: Callable[[object, str], T | None]) -> tuple[T, ...] | None:
        return decoder.list_of(obj[name], name, item) if name in obj else None

    accounts = part("accounts", decoder.account) or ()
    settings = UserSettings(
        targets=part("targets", decoder.target),
        affinities=decoder.affinities(obj["affinities"], "affinities")
        if "affinities" in obj
        else None,
        no_sell=part("no_sell", decoder.no_sell),
        asset_classes=part("asset_classes", decoder.asset_class),
        securities=part("securities", decoder.security),
        min_trade=decoder.amount(obj["min_trade"], "min_trade") if "min_trade" in obj else None,
        bands=decoder.bands(obj["bands"], "bands") if "bands" in obj else None,
    )
    numbers = [a.number for a in accounts]
    if len(set(numbers)) != len(numbers):
        decoder.fail("accounts", "lists the same account number more than once")
    if decoder.errors:
        raise InvalidInput(decoder.errors)
    return ConfigDocument(accounts, settings)


def decode_user_settings(value: object) -> UserSettings:
    """A stored settings document (our own encoding, read back)."""
    return decode_config_document(value).settings


def encode_user_settings(settings: UserSettings) -> dict[str, object]:
    """The fields a user has set, as the wire document writes them."""
    document: dict[str, object] = {}
    if settings.targets is not None:
        document["targets"] = [encode_target(t) for t in settings.targets]
    if settings.affinities is not None:
        document["affinities"] = encode_affinities(settings.affinities)
    if settings.no_sell is not None:
        document["no_sell"] = [
            {"tax_group": n.tax_group.value, "asset_class": n.asset_class} for n in settings.no_sell
        ]
    if settings.asset_classes is not None:
        document["asset_classes"] = [
            {"name": c.name, "group": c.group} for c in settings.asset_classes
        ]
    if settings.securities is not None:
        document["securities"] = [encode_security(s) for s in settings.securities]
    if settings.min_trade is not None:
        document["min_trade"] = format_decimal(settings.min_trade)
    if settings.bands is not None:
        document["bands"] = encode_bands(settings.bands)
    return document


def encode_bands(bands: Bands) -> dict[str, str]:
    return {"absolute": format_decimal(bands.absolute), "relative": format_decimal(bands.relative)}


def encode_target(target: Target) -> dict[str, str]:
    return {
        "asset_class": target.asset_class,
        "kind": target.kind.value,
        "value": format_decimal(target.value),
    }


def encode_affinities(affinities: Mapping[TaxGroup, tuple[str, ...]]) -> dict[str, list[str]]:
    return {g.value: list(affinities.get(g, ())) for g in INVESTABLE_TAX_GROUPS}


def encode_security(security: Security) -> dict[str, object]:
    encoded: dict[str, object] = {"symbol": security.symbol}
    if security.mix:  # in place of asset_class: documents without one stay as they were
        encoded["mix"] = encode_mix(security.mix)
    else:
        encoded["asset_class"] = security.asset_class
    encoded |= {
        "fractional": security.fractional,
        "default": security.default,
        "price": None if security.price is None else format_decimal(security.price),
    }
    if security.increment is not None:  # left out when unset: documents stay as they were
        encoded["increment"] = format_decimal(security.increment)
    return encoded


def encode_mix(mix: Mix) -> list[dict[str, str]]:
    return [{"asset_class": s.asset_class, "percent": format_decimal(s.percent)} for s in mix]


def encode_account_settings(settings: AccountSettings) -> dict[str, object]:
    encoded: dict[str, object] = {
        "tax_group": settings.tax_group.value,
        "description": settings.description,
        "credit_default": settings.credit_default,
    }
    if settings.menu:  # left out when empty: stored documents stay as they were
        encoded["menu"] = list(settings.menu)
    return encoded


def decode_account_settings(value: object) -> AccountSettings:
    """Stored account settings (our own encoding, read back)."""
    decoder = _Decoder(incoming=False)
    entry = decoder.account({"number": "-", **value} if isinstance(value, dict) else value, "")
    if entry is None:
        raise InvalidInput([FieldError("account", "stored account settings are unreadable")])
    return entry.settings
