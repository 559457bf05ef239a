"""The configure form as the API's configuration document, and the API's errors back on it.

While it builds the document, `config_document` records which control each
entry came from, so an error that `save_settings` reports at `targets[2].value`
is shown next to that control, and in the summary with a name a person knows.
"""

from __future__ import annotations

import re

from rebalance_service.web.configure_form import ConfigureForm, SecurityRow, clean_number
from rebalance_service.web.formatting import INVESTABLE, TAX_GROUP_LABELS

Anchors = dict[str, tuple[str, str]]  # API field path -> (element id, what a person calls it)


def config_document(form: ConfigureForm) -> tuple[dict[str, object], Anchors]:
    """The `PUT /api/v1/config` document, and where each of its fields came from."""
    anchors: Anchors = {
        "accounts": ("accounts-section", "Accounts"),
        "targets": ("targets-total", "Targets"),
        "affinities": ("affinities-section", "Affinities"),
        "no_sell": ("no-sell-section", "Never sell"),
        "securities": ("securities-section", "Securities"),
        "min_trade": ("min_trade", "Smallest trade"),
        "bands": ("bands-absolute", "Bands"),
        "bands.absolute": ("bands-absolute", "Bands, percentage points"),
        "bands.relative": ("bands-relative", "Bands, percent of the target"),
    }
    securities: list[dict[str, object]] = []
    for row in form.securities:
        entry = _security(form, row, f"securities[{len(securities)}]", anchors)
        if entry is not None:
            securities.append(entry)
    document: dict[str, object] = {
        "accounts": _accounts(form, anchors),
        "targets": _targets(form, anchors),
        "affinities": _affinities(form, anchors),
        "no_sell": _locks(form, anchors),
        "securities": securities,
        "min_trade": clean_number(form.min_trade) or "0",  # blank: no minimum
    }
    if form.band_absolute or form.band_relative or form.had_bands:
        # Both blank clears stored bands: zero-wide bands trade every deviation, as none do.
        document["bands"] = {
            "absolute": clean_number(form.band_absolute) or "0",
            "relative": clean_number(form.band_relative) or "0",
        }
    return document, anchors


def _accounts(form: ConfigureForm, anchors: Anchors) -> list[dict[str, object]]:
    """Accounts given a tax group; one left blank stays as it is."""
    accounts: list[dict[str, object]] = []
    for row in (r for r in form.accounts if r.tax_group):
        path, where = f"accounts[{len(accounts)}]", f"account {row.label}"
        entry: dict[str, object] = {
            "number": row.number,
            "tax_group": row.tax_group,
            "description": row.description,
            "credit_default": row.credit_default,
        }
        menu = row.menu_symbols()
        if menu:  # none ticked or typed: it may buy anything
            entry["menu"] = menu
        accounts.append(entry)
        anchors[path] = anchors[path + ".number"] = (
            f"account-{row.index}-tax_group",
            f"{where}, tax group",
        )
        anchors[f"{path}.menu"] = (f"account-{row.index}-menu_more", f"{where}, menu")
        for name, what in (
            ("tax_group", "tax group"),
            ("description", "description"),
            ("credit_default", "credit"),
        ):
            anchors[f"{path}.{name}"] = (f"account-{row.index}-{name}", f"{where}, {what}")
    return accounts


def _targets(form: ConfigureForm, anchors: Anchors) -> list[dict[str, str]]:
    """Every row with a class or a value; a blank row is no target."""
    targets: list[dict[str, str]] = []
    for row in (r for r in form.targets if r.asset_class or r.value):
        path = f"targets[{len(targets)}]"
        where = f"target {row.asset_class or len(targets) + 1}"
        targets.append(
            {"asset_class": row.asset_class, "kind": row.kind, "value": clean_number(row.value)}
        )
        anchors[path] = (f"target-{row.index}-class", where)
        for name, control in (("asset_class", "class"), ("kind", "kind"), ("value", "value")):
            anchors[f"{path}.{name}"] = (f"target-{row.index}-{control}", f"{where}, {control}")
    return targets


def _affinities(form: ConfigureForm, anchors: Anchors) -> dict[str, list[str]]:
    """Each tax group's enabled classes, in the order shown."""
    affinities: dict[str, list[str]] = {}
    for group, rows in form.affinities.items():
        label = TAX_GROUP_LABELS[group]
        anchors[f"affinities.{group}"] = (f"affinities-{group}", f"{label} affinities")
        names = affinities[group] = []
        for row in (r for r in rows if r.enabled):
            anchors[f"affinities.{group}[{len(names)}]"] = (
                f"affinity-{group}-{row.option}",
                f"{label} affinities, {row.asset_class}",
            )
            names.append(row.asset_class)
    return affinities


def _locks(form: ConfigureForm, anchors: Anchors) -> list[dict[str, str]]:
    locks = sorted(form.no_sell, key=lambda g: (INVESTABLE.index(g[0]), form.option(g[1])))
    for k, (group, asset_class) in enumerate(locks):
        anchors[f"no_sell[{k}]"] = (
            f"no-sell-{group}-{form.option(asset_class)}",
            f"never sell {asset_class} in {TAX_GROUP_LABELS[group]}",
        )
    return [{"tax_group": g, "asset_class": c} for g, c in locks]


def _security(
    form: ConfigureForm, row: SecurityRow, path: str, anchors: Anchors
) -> dict[str, object] | None:
    """A mapped row; an unmapped symbol of the CSV is left out, a half-filled new row is not.

    A row given "a mix" sends its mix in place of its class, which stays on the page
    only; a built-in mix fund is sent only once the user makes it their own.
    """
    mix = row.kind == "mix"
    if row.origin == "builtin" and not row.changed_from_published():
        return None
    if not (row.mix if mix else row.asset_class) and (
        row.origin != "new" or not (row.symbol or row.price)
    ):
        return None
    where = f"security {row.name()}"
    p = f"security-{row.index}-"
    anchors[path] = (p + ("mix-total" if mix else "class"), where)
    for name, control in (
        ("symbol", "symbol" if row.origin == "new" else "class"),
        ("asset_class", "class"),
        ("fractional", "fractional"),
        ("default", "default"),
        ("price", "price"),
    ):
        anchors[f"{path}.{name}"] = (p + control, f"{where}, {name}")
    entry: dict[str, object] = {"symbol": row.symbol}
    if mix:
        anchors[f"{path}.mix"] = (p + "mix-total", f"{where}, mix")
        for k, sleeve in enumerate(row.mix):
            for name, control in (("asset_class", "class"), ("percent", "percent")):
                anchors[f"{path}.mix[{k}].{name}"] = (
                    f"{p}mix-{sleeve.index}-{control}",
                    f"{where}, mix, {sleeve.asset_class or 'row ' + str(k + 1)} {control}",
                )
        entry["mix"] = [
            {"asset_class": s.asset_class, "percent": clean_number(s.percent)} for s in row.mix
        ]
    else:
        entry["asset_class"] = row.asset_class
    entry["fractional"] = row.fractional
    # A catalogue default given a price here stays its class's default.
    entry["default"] = row.default or (
        row.origin == "new" and not mix and row.symbol in form.catalogue_defaults
    )
    if row.price:
        entry["price"] = clean_number(row.price)
    return entry


def show_errors(form: ConfigureForm, errors: list[dict[str, str]], anchors: Anchors) -> None:
    """Put each error next to its control, and all of them in the summary."""
    for error in errors:
        message = _readable(error["message"])
        element, what = _anchor(error["field"], anchors)
        if error["field"] == "targets":
            element, what = _target_row_named(form, message) or (element, what)
        if element.endswith("-mix-total"):
            message = _mix_message(form, element, message)
        if element:
            form.errors.setdefault(element, []).append(message)
        form.summary.append((element, what or error["field"], message))


def _anchor(path: str, anchors: Anchors) -> tuple[str, str]:
    """The control of `targets[2].value`, else of `targets[2]`, else of `targets`."""
    while path not in anchors:
        shorter = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path)
        if shorter in {path, ""}:
            return "", ""
        path = shorter
    return anchors[path]


def _target_row_named(form: ConfigureForm, message: str) -> tuple[str, str] | None:
    """A target message that names a class (`US TSM has more than one target`) goes on its row."""
    for row in sorted(form.targets, key=lambda r: -len(r.asset_class)):
        if row.asset_class and message.startswith((f"{row.asset_class}:", f"{row.asset_class} ")):
            return f"target-{row.index}-value", f"target {row.asset_class}"
    return None


def _mix_message(form: ConfigureForm, element: str, message: str) -> str:
    """A mix's error names its row: "VFIFX: the mix adds up to 95 %, not 100 %"."""
    for row in (r for r in form.securities if element == f"security-{r.index}-mix-total"):
        summed = "add up to" in message and row.mix_problem
        return summed or f"{row.name()}: {message}"
    return message


def _readable(message: str) -> str:
    return "enter a number" if message == '"" is not a decimal number' else message
