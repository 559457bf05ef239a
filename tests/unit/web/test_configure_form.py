"""The configure form: posted fields into the API's document, and its errors back on the fields."""

from __future__ import annotations

from decimal import Decimal

from starlette.datastructures import FormData

from rebalance_service.household import assemble
from rebalance_service.web.configure_form import (
    apply_action,
    clean_number,
    read_configure_form,
)
from rebalance_service.web.configure_prefill import prefilled_form
from rebalance_service.web.form_document import config_document, show_errors
from rebalancer.catalogue import AssetClass, Catalogue, Security, TaxGroup
from rebalancer.configuration import AccountSettings, EffectiveSettings, NoSell
from rebalancer.statement import AccountStatement, Holding, Statement
from rebalancer.targets import Target, TargetKind

CLASSES = ["US TSM", "ex-US TSM", "US TBM", "Cash"]


def _posted(*pairs: tuple[str, str]) -> FormData:
    base = [("token", "t" * 64), *(("class_option", c) for c in CLASSES)]
    return FormData([*base, ("catalogue_default", "BND"), *pairs])


def _account(i: int, number: str, group: str, description: str = "") -> list[tuple[str, str]]:
    p = f"account-{i}-"
    return [
        ("account_row", str(i)),
        (p + "number", number),
        (p + "label", "..." + number[-4:]),
        (p + "name", "Individual"),
        (p + "brokerage", "Fidelity"),
        (p + "value", "100.00"),
        (p + "tax_group", group),
        (p + "description", description),
    ]


def _target(i: int, asset_class: str, kind: str, value: str) -> list[tuple[str, str]]:
    p = f"target-{i}-"
    return [
        ("target_row", str(i)),
        (p + "class", asset_class),
        (p + "kind", kind),
        (p + "value", value),
    ]


def _security(
    i: int, origin: str, symbol: str, asset_class: str, *extra: tuple[str, str]
) -> list[tuple[str, str]]:
    p = f"security-{i}-"
    return [
        ("security_row", str(i)),
        (p + "origin", origin),
        (p + "symbol", symbol),
        (p + "class", asset_class),
        *((p + k, v) for k, v in extra),
    ]


def test_the_posted_form_becomes_the_api_document() -> None:
    form = read_configure_form(
        _posted(
            *_account(0, "Z11112222", "taxable", "Joint"),
            ("account-0-credit_default", "true"),
            *_account(1, "X99998888", ""),
            *_target(0, "US TSM", "percent", "60"),
            *_target(3, "US TBM", "percent", " 40 % "),
            *_target(5, "", "percent", ""),
            ("affinity-taxable", "US TSM"),
            ("affinity-taxable", "ex-US TSM"),
            ("affinity-taxable", "Cash"),
            ("affinity-taxable-on", "Cash"),
            ("affinity-taxable-on", "US TSM"),
            ("no_sell", "taxable|US TSM"),
            ("no_sell", "nowhere|US TSM"),
            *_security(0, "csv", "84679P504", "US TSM", ("fractional", "true")),
            *_security(1, "csv", "AAPL", ""),
            *_security(2, "new", "bnd", "US TBM", ("price", "$72.50")),
        )
    )
    document, _ = config_document(form)
    assert document["accounts"] == [
        {
            "number": "Z11112222",
            "tax_group": "taxable",
            "description": "Joint",
            "credit_default": True,
        }
    ]
    assert document["targets"] == [
        {"asset_class": "US TSM", "kind": "percent", "value": "60"},
        {"asset_class": "US TBM", "kind": "percent", "value": "40"},
    ]
    affinities = document["affinities"]
    assert isinstance(affinities, dict)
    assert affinities["taxable"] == ["US TSM", "Cash"]  # in the order shown, enabled only
    assert affinities["tax_free"] == []
    assert document["no_sell"] == [{"tax_group": "taxable", "asset_class": "US TSM"}]
    assert document["securities"] == [
        {"symbol": "84679P504", "asset_class": "US TSM", "fractional": True, "default": False},
        # A catalogue default given a price keeps its role as its class's default.
        {
            "symbol": "BND",
            "asset_class": "US TBM",
            "fractional": False,
            "default": True,
            "price": "72.50",
        },
    ]


def test_a_new_security_without_a_class_is_sent_so_that_its_error_is_shown() -> None:
    form = read_configure_form(_posted(*_security(4, "new", "XYZ", "", ("price", "10"))))
    document, anchors = config_document(form)
    assert document["securities"] == [
        {"symbol": "XYZ", "asset_class": "", "fractional": False, "default": False, "price": "10"}
    ]
    assert anchors["securities[0].asset_class"][0] == "security-4-class"


def test_errors_are_placed_next_to_the_control_that_caused_them() -> None:
    form = read_configure_form(
        _posted(
            *_account(2, "Z11112222", "taxable"),
            *_target(0, "", "percent", ""),
            *_target(7, "US TSM", "percent", ""),
            *_target(8, "US TBM", "percent", "99"),
            ("affinity-tax_free", "US TBM"),
            ("affinity-tax_free", "Cash"),
            ("affinity-tax_free-on", "US TBM"),
            ("affinity-tax_free-on", "Cash"),
        )
    )
    _, anchors = config_document(form)
    errors = [
        {"field": "targets[0].value", "message": '"" is not a decimal number'},
        {"field": "targets[1].asset_class", "message": "Gold is not an asset class"},
        {"field": "targets", "message": "percent targets add up to 99; they must add up to 100"},
        {"field": "targets", "message": "US TBM: a percentage cannot exceed 100"},
        {"field": "accounts[0].description", "message": "must be at most 200 characters"},
        {"field": "affinities.tax_free[1]", "message": "Cash is listed twice"},
        {"field": "token", "message": "a token is required"},
    ]
    show_errors(form, errors, anchors)
    assert form.errors == {
        "target-7-value": ["enter a number"],
        "target-8-class": ["Gold is not an asset class"],
        "targets-total": ["percent targets add up to 99; they must add up to 100"],
        "target-8-value": ["US TBM: a percentage cannot exceed 100"],
        "account-2-description": ["must be at most 200 characters"],
        f"affinity-tax_free-{CLASSES.index('Cash')}": ["Cash is listed twice"],
    }
    assert len(form.summary) == len(errors)
    assert form.summary[0] == ("target-7-value", "target US TSM, value", "enter a number")
    assert form.summary[-1] == ("", "token", "a token is required")


def test_the_live_total_follows_the_same_rule_as_the_api() -> None:
    def problem(*rows: tuple[str, str]) -> str:
        targets = [
            p for i, (kind, value) in enumerate(rows) for p in _target(i, "US TSM", kind, value)
        ]
        return read_configure_form(_posted(*targets)).total_problem()

    assert problem(("percent", "60"), ("percent", "40")) == ""
    assert problem(("percent", "60"), ("percent", "39")) == (
        "percent targets add up to 99; they must add up to 100"
    )
    assert problem(("dollars", "5000"), ("percent", "100")) == ""
    assert problem(("percent", "50"), ("percent_of_remainder", "100")) == ""
    assert "percent_of_remainder targets add up to 90" in problem(
        ("percent", "50"), ("percent_of_remainder", "90")
    )
    assert problem(("percent", "abc")) == "a target value is not a number"


def test_without_javascript_rows_are_added_removed_and_moved_on_the_server() -> None:
    form = read_configure_form(
        _posted(
            *_target(0, "US TSM", "percent", "100"),
            ("affinity-taxable", "US TSM"),
            ("affinity-taxable", "Cash"),
        )
    )
    apply_action(form, "add_target")
    assert [t.index for t in form.targets] == [0, 1]
    assert form.focus == "target-1-class"
    apply_action(form, "remove_target:0")
    assert [t.index for t in form.targets] == [1]
    apply_action(form, "move:taxable:3:up")  # Cash is class option 3
    assert [r.asset_class for r in form.affinities["taxable"]][:2] == ["Cash", "US TSM"]
    assert form.focus == "move-taxable-3-up"
    apply_action(form, "move:taxable:3:up")  # already first: stays
    assert form.affinities["taxable"][0].asset_class == "Cash"
    apply_action(form, "add_security")
    assert form.securities[-1].origin == "new"


def test_forged_fields_are_ignored_rather_than_trusted() -> None:
    form = read_configure_form(
        _posted(
            ("target_row", "not a number"),
            ("target_row", "99999999"),
            ("affinity-taxable", "Not a class"),
            ("no_sell", "taxable|Not a class"),
            *_security(0, "admin", "X", "US TSM"),
        )
    )
    assert form.targets == []
    assert "Not a class" not in [r.asset_class for r in form.affinities["taxable"]]
    assert form.no_sell == set()
    assert form.securities[0].origin == "new"


def test_the_form_is_prefilled_from_the_stored_settings_and_the_csv() -> None:
    catalogue = Catalogue.of(
        [AssetClass(c, "Stocks") for c in CLASSES],
        [Security("VTI", "US TSM", default=True), Security("BND", "US TBM", default=True)],
    )
    settings = EffectiveSettings(
        catalogue=catalogue.with_additions([], [Security("84679P504", "US TSM", True)]),
        targets=(Target("US TSM", TargetKind.PERCENT, Decimal("100")),),
        affinities={TaxGroup.TAXABLE: ("Cash", "US TSM")},
        no_sell=(NoSell(TaxGroup.TAXABLE, "US TSM"),),
        securities=(Security("84679P504", "US TSM", True),),
    )
    holding = Holding("XYZ", "Unknown fund", Decimal(1), Decimal(10), Decimal(10))
    statement = Statement(
        (AccountStatement("Z11112222", "Individual", "Fidelity", Decimal(5), (holding,)),)
    )
    household = assemble(
        statement, {"Z11112222": AccountSettings(TaxGroup.TAXABLE, "Joint", True)}, settings
    )
    form = prefilled_form("t" * 64, household, settings)
    account = form.accounts[0]
    assert (account.label, account.tax_group, account.description, account.credit_default) == (
        "...2222",
        "taxable",
        "Joint",
        True,
    )
    assert account.value == "15.00"
    assert [(t.asset_class, t.value) for t in form.targets] == [("US TSM", "100")]
    taxable = form.affinities["taxable"]
    assert [(r.asset_class, r.enabled) for r in taxable] == [
        ("Cash", True),
        ("US TSM", True),
        ("ex-US TSM", False),
        ("US TBM", False),
    ]
    assert form.no_sell == {("taxable", "US TSM")}
    assert [(s.origin, s.symbol, s.asset_class) for s in form.securities] == [
        ("saved", "84679P504", "US TSM"),
        ("csv", "XYZ", ""),
    ]
    assert form.catalogue_defaults == ["BND", "VTI"]


def test_numbers_may_be_written_with_symbols_and_thousands_separators_but_not_decimal_commas() -> (
    None
):
    assert clean_number(" $1,250.50 ") == "1250.50"
    assert clean_number("33.5 %") == "33.5"
    assert clean_number("1,5") == "1,5"


def test_an_accounts_menu_is_its_ticked_symbols_then_the_typed_ones() -> None:
    form = read_configure_form(
        _posted(
            *_account(0, "Z11112222", "tax_deferred"),
            ("account-0-held", "FXAIX"),
            ("account-0-held", "FBCGX"),
            ("account-0-menu", "FBCGX"),
            ("account-0-menu", "FORGED"),  # not held: only typed symbols add to the menu
            ("account-0-menu_more", "fxnax, FSKAX;fxnax"),
            *_account(1, "X99998888", "taxable"),
        )
    )
    document, anchors = config_document(form)
    accounts = document["accounts"]
    assert isinstance(accounts, list)
    assert accounts[0]["menu"] == ["FBCGX", "FXNAX", "FSKAX"]
    assert "menu" not in accounts[1]  # nothing ticked or typed: it may buy anything
    assert anchors["accounts[0].menu"][0] == "account-0-menu_more"


def test_the_smallest_trade_and_the_bands_go_into_the_document_and_their_errors_beside_them() -> (
    None
):
    form = read_configure_form(
        _posted(("min_trade", "$250"), ("bands-absolute", "150"), ("bands-relative", "25 %"))
    )
    document, anchors = config_document(form)
    assert document["min_trade"] == "250"
    assert document["bands"] == {"absolute": "150", "relative": "25"}
    show_errors(form, [{"field": "bands.absolute", "message": "must be at most 100"}], anchors)
    assert form.errors == {"bands-absolute": ["must be at most 100"]}
    assert form.summary == [("bands-absolute", "Bands, percentage points", "must be at most 100")]


def test_blank_bands_are_left_out_unless_they_clear_stored_ones() -> None:
    document, _ = config_document(read_configure_form(_posted()))
    assert "bands" not in document
    assert document["min_trade"] == "0"
    cleared, _ = config_document(read_configure_form(_posted(("had_bands", "true"))))
    assert cleared["bands"] == {"absolute": "0", "relative": "0"}


def test_every_stock_is_mapped_at_once_and_a_suggestion_only_when_used() -> None:
    form = read_configure_form(
        _posted(
            ("stock_class", "US TSM"),
            *_security(0, "csv", "AAPL", "", ("instrument", "stock")),
            *_security(1, "csv", "MSFT", "", ("instrument", "stock")),
            *_security(2, "csv", "84679P504", "", ("instrument", "fund"), ("suggestion", "US TSM")),
            *_security(3, "csv", "XYZ", "", ("instrument", "fund"), ("suggestion", "Made up")),
        )
    )
    assert form.securities[3].suggestion == ""  # a suggestion must be one of the classes
    apply_action(form, "map_stocks")
    assert [s.asset_class for s in form.securities] == ["US TSM", "US TSM", "", ""]
    apply_action(form, "use_suggestion:2")
    assert form.securities[2].asset_class == "US TSM"
    assert form.focus == "security-2-class"


def test_the_prefilled_form_offers_held_symbols_for_menus_and_warns_of_untargeted_classes() -> None:
    catalogue = Catalogue.of(
        [AssetClass(c, "Stocks") for c in [*CLASSES, "US LC"]],
        [Security("VTI", "US TSM", default=True), Security("FXAIX", "US LC")],
    )
    settings = EffectiveSettings(
        catalogue=catalogue,
        targets=(Target("US TSM", TargetKind.PERCENT, Decimal("100")),),
        affinities={TaxGroup.TAXABLE: ("US TSM",)},
    )
    holdings = (
        Holding("FXAIX", "FIDELITY 500 INDEX FUND", Decimal(10), Decimal(200), Decimal(2000)),
        Holding("AAPL", "APPLE INC", Decimal(1), Decimal(200), Decimal(200)),
        Holding("84679P504", "SP 500 INDEX PL CL E", Decimal(1), Decimal(50), Decimal(50)),
    )
    statement = Statement(
        (AccountStatement("Z11112222", "Individual", "Fidelity", Decimal(5), holdings),)
    )
    stored = AccountSettings(TaxGroup.TAXABLE, menu=("FXAIX", "FSKAX"))
    household = assemble(statement, {"Z11112222": stored}, settings)
    form = prefilled_form("t" * 64, household, settings)
    account = form.accounts[0]
    assert account.held == ["FXAIX", "AAPL", "84679P504"]
    assert (account.menu, account.menu_more) == (["FXAIX"], "FSKAX")
    rows = {s.symbol: (s.instrument, s.suggestion) for s in form.securities}
    assert rows == {"84679P504": ("fund", "US LC"), "AAPL": ("stock", "")}
    assert form.untargeted == [
        "US LC holds $2,000.00 but has no target: the Full and No taxable sales modes sell it; "
        "give it a target or lock its sales"
    ]
