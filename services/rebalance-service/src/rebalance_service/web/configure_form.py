"""The configure form: the user's settings as fields, and the fields as posted.

The form carries everything it needs to draw itself again (the accounts found
in the CSV, the class names to choose from), so a failed Save, or adding,
removing or moving a row without JavaScript, redraws it from the posted fields
alone: the CSV is not sent twice and nothing is kept between requests.

`form_document` turns it into the API's configuration document, and
`configure_prefill` fills it from the stored settings and the uploads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from starlette.datastructures import FormData

from rebalance_service.web.formatting import INVESTABLE, to_decimal
from rebalancer.money import format_decimal

MAX_ROWS = 300  # of each kind; a form is never that long unless forged
MAX_SLEEVES = 20  # of one mix: no fund holds more classes than the catalogue has
MIX_ROWS_SHOWN = 3  # at least this many (class, percent) rows, blanks for a page without JS
_NUMBER_NOISE = re.compile(r"[\s$%]")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_MENU_SPLIT = re.compile(r"[\s,;]+")


@dataclass
class AccountRow:
    index: int
    number: str  # in full: travels only in a hidden field, never shown
    label: str  # masked: what the page shows
    name: str
    brokerage: str
    value: str
    tax_group: str  # "" until the user picks one
    description: str = ""
    credit_default: bool = False
    held: list[str] = field(default_factory=list)  # symbols it holds, offered first for its menu
    menu: list[str] = field(default_factory=list)  # the held ones ticked
    menu_more: str = ""  # other symbols, as typed

    def menu_symbols(self) -> list[str]:
        """The account's menu: the ticked symbols, then the typed ones; empty means any."""
        typed = [s.upper() for s in _MENU_SPLIT.split(self.menu_more) if s]
        return list(dict.fromkeys([*self.menu, *typed]))


@dataclass
class TargetRow:
    index: int
    asset_class: str = ""
    kind: str = "percent"
    value: str = ""


@dataclass
class AffinityRow:
    asset_class: str
    option: int  # its place in `class_options`, for stable element ids
    enabled: bool


@dataclass
class SleeveRow:
    """One (class, percent) row of a mix, as typed."""

    index: int
    asset_class: str = ""
    percent: str = ""


@dataclass
class SecurityRow:
    index: int
    # "csv": unknown in the upload; "saved": the user's own; "new": added here;
    # "builtin": a mix fund of the catalogue that the upload holds, sent only once changed.
    origin: str
    symbol: str = ""
    asset_class: str = ""
    fractional: bool = False
    default: bool = False
    price: str = ""
    description: str = ""  # of a CSV row: what the brokerage calls it
    instrument: str = ""  # of a CSV row: "stock", "fund", ... (`rebalancer.instruments`)
    suggestion: str = ""  # of a CSV fund: the class its description suggests
    kind: str = "class"  # "class": all of it is `asset_class`; "mix": it holds `mix`
    mix: list[SleeveRow] = field(default_factory=list)  # rows with a class or a percent
    published: str = ""  # the catalogue's entry, as `as_published` writes it; "" if none
    published_on: str = ""  # the date the catalogue's mix was published, if known

    def name(self) -> str:
        return self.symbol or f"row {self.index + 1}"

    @property
    def sleeves(self) -> list[SleeveRow]:
        """The rows the page shows: those typed, then blanks to type into."""
        start = max((r.index for r in self.mix), default=-1) + 1
        blank = any(not (r.asset_class or r.percent) for r in self.mix)  # one just added
        blanks = max(0 if blank else 1, MIX_ROWS_SHOWN - len(self.mix))
        return [*self.mix, *(SleeveRow(start + k) for k in range(blanks))]

    def mix_sum(self) -> Decimal | None:
        """The percents typed; None on a typo."""
        total = Decimal(0)
        for row in self.mix:
            value = to_decimal(clean_number(row.percent)) if row.percent else Decimal(0)
            if value is None:
                return None
            total += value
        return total

    @property
    def mix_total(self) -> str:
        total = self.mix_sum()
        return "?" if total is None else format_decimal(total)

    @property
    def mix_problem(self) -> str:
        """What the live total says under a chosen mix; the same rule as the API's."""
        if self.kind != "mix" or not self.mix:
            return ""
        total = self.mix_sum()
        if total is None:
            return f"{self.name()}: a percent of the mix is not a number"
        if total != 100:
            return f"{self.name()}: the mix adds up to {format_decimal(total)} %, not 100 %"
        return ""

    def as_published(self) -> str:
        """The mix and the fractional flag in one hidden field, to tell a change by."""
        return f"{mix_text(self.mix)}|{'fractional' if self.fractional else 'whole'}"

    def changed_from_published(self) -> bool:
        """Whether the user made a catalogue entry their own: a class, a default, a change."""
        if self.kind == "class":
            return bool(self.asset_class)
        return self.default or self.as_published() != self.published


def mix_text(rows: list[SleeveRow]) -> str:
    """`"US TSM=54;US TBM=46"`: a mix in one hidden field, and the form to compare it in."""
    return ";".join(f"{r.asset_class}={clean_number(r.percent)}" for r in rows)


def mix_rows_of(text: str) -> list[SleeveRow]:
    rows = []
    for i, part in enumerate(p for p in text.split(";")[:MAX_SLEEVES] if p):
        asset_class, _, percent = part.rpartition("=")
        rows.append(SleeveRow(i, asset_class, percent))
    return rows


@dataclass
class ConfigureForm:
    token: str
    class_options: list[str]
    accounts: list[AccountRow] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)
    affinities: dict[str, list[AffinityRow]] = field(default_factory=dict)
    no_sell: set[tuple[str, str]] = field(default_factory=set)
    securities: list[SecurityRow] = field(default_factory=list)
    catalogue_defaults: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)  # by element id
    summary: list[tuple[str, str, str]] = field(default_factory=list)  # id, what, message
    focus: str = ""  # the element to focus when the page comes back
    min_trade: str = ""
    band_absolute: str = ""
    band_relative: str = ""
    had_bands: bool = False  # stored bands that blank fields must clear
    untargeted: list[str] = field(default_factory=list)  # "no target" warnings of the uploads
    stock_class: str = ""  # the class chosen to map every individual stock to

    def stock_rows(self) -> list[SecurityRow]:
        """Unmapped individual stocks of the CSV, which one action maps at once."""
        return [s for s in self.securities if s.origin == "csv" and s.instrument == "stock"]

    def suggested_rows(self) -> list[SecurityRow]:
        return [s for s in self.securities if s.suggestion and s.asset_class != s.suggestion]

    def option(self, asset_class: str) -> int:
        return self.class_options.index(asset_class)

    def target_sums(self) -> tuple[Decimal, Decimal, bool] | None:
        """Percent and percent-of-remainder totals, whether any of the latter; None on a typo."""
        sums = {"percent": Decimal(0), "percent_of_remainder": Decimal(0)}
        for row in self.targets:
            if row.kind in sums and row.value:
                value = to_decimal(clean_number(row.value))
                if value is None:
                    return None
                sums[row.kind] += value
        remainder = any(r.kind == "percent_of_remainder" for r in self.targets)
        return sums["percent"], sums["percent_of_remainder"], remainder

    def total_problem(self) -> str:
        """What the live total says under the targets; the same rule as the API's."""
        sums = self.target_sums()
        if sums is None:
            return "a target value is not a number"
        percent, remainder, has_remainder = sums
        problems = []
        if has_remainder:
            if percent > 100:
                problems.append(
                    f"percent targets add up to {format_decimal(percent)}; "
                    "with percent_of_remainder targets they must add up to at most 100"
                )
            if remainder != 100:
                problems.append(
                    f"percent_of_remainder targets add up to {format_decimal(remainder)}; "
                    "they must add up to 100"
                )
        elif percent != 100:
            problems.append(
                f"percent targets add up to {format_decimal(percent)}; they must add up to 100"
            )
        return ". ".join(problems)

    def next_index(self, rows: list[TargetRow] | list[SecurityRow]) -> int:
        return max((r.index for r in rows), default=-1) + 1


def clean_number(text: str) -> str:
    """`" $1,250.50 "` -> `"1250.50"`; `"1,5"` stays as it is, for the API to refuse."""
    bare = _NUMBER_NOISE.sub("", text)
    return bare.replace(",", "") if _THOUSANDS.fullmatch(bare) else bare


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _texts(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name)[: MAX_ROWS * 4] if isinstance(v, str)]


def _indexes(form: FormData, name: str) -> list[int]:
    found: list[int] = []
    for text in _texts(form, name):
        if text.isdigit() and len(text) < 6 and int(text) not in found:
            found.append(int(text))
    return found[:MAX_ROWS]


def read_configure_form(form: FormData) -> ConfigureForm:
    """The form as posted, whatever it holds; `save_settings` judges it."""
    options = list(dict.fromkeys(t for t in _texts(form, "class_option") if t))
    result = ConfigureForm(
        token=_text(form, "token"),
        class_options=options,
        catalogue_defaults=[s.upper() for s in _texts(form, "catalogue_default")],
        min_trade=_text(form, "min_trade"),
        band_absolute=_text(form, "bands-absolute"),
        band_relative=_text(form, "bands-relative"),
        had_bands=bool(_text(form, "had_bands")),
        untargeted=[w for w in _texts(form, "untargeted") if w][:MAX_ROWS],
        stock_class=_text(form, "stock_class"),
    )
    for i in _indexes(form, "account_row"):
        p = f"account-{i}-"
        held = [s.upper() for s in dict.fromkeys(_texts(form, p + "held")) if s]
        result.accounts.append(
            AccountRow(
                i,
                _text(form, p + "number"),
                _text(form, p + "label"),
                _text(form, p + "name"),
                _text(form, p + "brokerage"),
                _text(form, p + "value"),
                _text(form, p + "tax_group"),
                _text(form, p + "description"),
                bool(_text(form, p + "credit_default")),
                held,
                [s for s in dict.fromkeys(_texts(form, p + "menu")) if s.upper() in held],
                _text(form, p + "menu_more"),
            )
        )
    for i in _indexes(form, "target_row"):
        p = f"target-{i}-"
        kind = _text(form, p + "kind") or "percent"
        result.targets.append(
            TargetRow(i, _text(form, p + "class"), kind, _text(form, p + "value"))
        )
    for group in INVESTABLE:
        order = [c for c in dict.fromkeys(_texts(form, f"affinity-{group}")) if c in options]
        order += [c for c in options if c not in order]
        enabled = set(_texts(form, f"affinity-{group}-on"))
        result.affinities[group] = [AffinityRow(c, options.index(c), c in enabled) for c in order]
    for lock in _texts(form, "no_sell"):
        group, _, asset_class = lock.partition("|")
        if group in INVESTABLE and asset_class in options:
            result.no_sell.add((group, asset_class))
    for i in _indexes(form, "security_row"):
        p = f"security-{i}-"
        origin = _text(form, p + "origin")
        result.securities.append(
            SecurityRow(
                i,
                origin if origin in {"csv", "saved", "builtin"} else "new",
                _text(form, p + "symbol").upper(),
                _text(form, p + "class"),
                bool(_text(form, p + "fractional")),
                bool(_text(form, p + "default")),
                _text(form, p + "price"),
                _text(form, p + "description"),
                _text(form, p + "instrument"),
                _text(form, p + "suggestion") if _text(form, p + "suggestion") in options else "",
            )
        )
        _read_mix(form, result.securities[-1], options)
    return result


def _read_mix(form: FormData, row: SecurityRow, options: list[str]) -> None:
    """The row's choice and its mix; blank rows are none, so a page may offer spares."""
    p = f"security-{row.index}-"
    for j in _indexes(form, p + "sleeve")[:MAX_SLEEVES]:
        sleeve = SleeveRow(j, _text(form, f"{p}mix-{j}-class"), _text(form, f"{p}mix-{j}-percent"))
        if sleeve.asset_class or sleeve.percent:
            row.mix.append(sleeve)
    kind = _text(form, p + "kind")
    # Without JavaScript a mix may be typed without ticking its choice: a row with a
    # mix and no class means the mix. Given both, the choice decides.
    if kind not in {"class", "mix"}:
        kind = "class"
    if kind == "class" and row.mix and not row.asset_class:
        kind = "mix"
    row.kind = kind
    row.published = _text(form, p + "published")
    row.published_on = _text(form, p + "published_on")


def apply_action(form: ConfigureForm, action: str) -> None:
    """Add, remove or move a row, for a browser without JavaScript."""
    verb, _, rest = action.partition(":")
    if verb == "add_target":
        row = TargetRow(form.next_index(form.targets))
        form.targets.append(row)
        form.focus = f"target-{row.index}-class"
    elif verb == "add_security":
        added = SecurityRow(form.next_index(form.securities), "new")
        form.securities.append(added)
        form.focus = f"security-{added.index}-symbol"
    elif verb == "remove_target":
        form.targets = [r for r in form.targets if str(r.index) != rest]
        form.focus = "add-target"
    elif verb == "remove_security":
        form.securities = [r for r in form.securities if str(r.index) != rest]
        form.focus = "add-security"
    elif verb in {"add_sleeve", "remove_sleeve"}:
        _edit_mix(form, verb, rest)
    elif verb == "move":
        group, _, place = rest.partition(":")
        option, _, direction = place.partition(":")
        _move(form, group, option, direction)
    elif verb == "map_stocks" and form.stock_class in form.class_options:
        for stock in form.stock_rows():
            stock.asset_class = form.stock_class
        form.focus = "map-stocks"
    elif verb == "use_suggestion":
        for fund in form.suggested_rows():
            if rest in {"all", str(fund.index)}:
                fund.asset_class = fund.suggestion
        form.focus = "use-suggestions" if rest == "all" else f"security-{rest}-class"


def _edit_mix(form: ConfigureForm, verb: str, rest: str) -> None:
    row_index, _, sleeve = rest.partition(":")
    for security in (s for s in form.securities if str(s.index) == row_index):
        security.kind = "mix"
        if verb == "remove_sleeve":
            security.mix = [m for m in security.mix if str(m.index) != sleeve]
            form.focus = f"security-{row_index}-add-sleeve"
        else:
            shown = security.sleeves  # the blanks shown are kept as rows, and one added
            security.mix = [*shown, SleeveRow(shown[-1].index + 1)][:MAX_SLEEVES]
            form.focus = f"security-{row_index}-mix-{security.mix[-1].index}-class"


def _move(form: ConfigureForm, group: str, option: str, direction: str) -> None:
    rows = form.affinities.get(group, [])
    at = next((i for i, r in enumerate(rows) if str(r.option) == option), None)
    if at is None:
        return
    to = at - 1 if direction == "up" else at + 1
    if 0 <= to < len(rows):
        rows[at], rows[to] = rows[to], rows[at]
    form.focus = f"move-{group}-{option}-{direction}"
