"""The configure form's mix editor: a security of one class or of a mix of classes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from starlette.datastructures import FormData

from rebalance_service.household import assemble
from rebalance_service.web.configure_form import apply_action, read_configure_form
from rebalance_service.web.configure_prefill import prefilled_form
from rebalance_service.web.form_document import config_document, show_errors
from rebalancer.catalogue import AssetClass, Catalogue, Security, Sleeve, TaxGroup
from rebalancer.configuration import EffectiveSettings
from rebalancer.field_errors import InvalidInput
from rebalancer.statement import AccountStatement, Holding, Statement
from rebalancer.targets import Target, TargetKind
from rebalancer.wire import decode_config_document

CLASSES = ["US TSM", "ex-US TSM", "US TBM", "Cash"]


def _posted(*pairs: tuple[str, str]) -> FormData:
    base = [("token", "t" * 64), *(("class_option", c) for c in CLASSES)]
    return FormData([*base, *pairs])


def _security(
    i: int, origin: str, symbol: str, kind: str, asset_class: str, *sleeves: tuple[str, str]
) -> list[tuple[str, str]]:
    """A security row as the page posts it: its choice, its class, and its mix rows."""
    p = f"security-{i}-"
    fields = [
        ("security_row", str(i)),
        (p + "origin", origin),
        (p + "symbol", symbol),
        (p + "kind", kind),
        (p + "class", asset_class),
        (p + "fractional", "true"),
    ]
    for j, (sleeve_class, percent) in enumerate(sleeves):
        fields += [
            (p + "sleeve", str(j)),
            (f"{p}mix-{j}-class", sleeve_class),
            (f"{p}mix-{j}-percent", percent),
        ]
    return fields


def _api_errors(document: dict[str, object]) -> list[dict[str, str]]:
    """The errors `PUT /api/v1/config` answers for the document."""
    with pytest.raises(InvalidInput) as refused:
        decode_config_document(document)
    return [{"field": e.field, "message": e.message} for e in refused.value.errors]


def test_a_mix_is_sent_in_place_of_the_class_and_its_blank_rows_are_ignored() -> None:
    form = read_configure_form(
        _posted(
            *_security(
                0,
                "csv",
                "84679P504",
                "mix",
                "",
                ("US TSM", "60"),
                ("", ""),
                ("US TBM", " 40 % "),
                ("", ""),
            )
        )
    )
    document, anchors = config_document(form)
    assert document["securities"] == [
        {
            "symbol": "84679P504",
            "mix": [
                {"asset_class": "US TSM", "percent": "60"},
                {"asset_class": "US TBM", "percent": "40"},
            ],
            "fractional": True,
            "default": False,
        }
    ]
    decode_config_document(document)  # the API takes it as it is
    # The second sleeve sent is the third row shown.
    assert anchors["securities[0].mix[1].percent"][0] == "security-0-mix-2-percent"
    assert form.securities[0].mix_problem == ""


def test_a_mix_that_does_not_add_up_to_100_is_refused_on_its_row_naming_the_symbol() -> None:
    form = read_configure_form(
        _posted(*_security(3, "new", "vfifx", "mix", "", ("US TSM", "60"), ("US TBM", "35")))
    )
    assert form.securities[0].mix_total == "95"
    assert form.securities[0].mix_problem == "VFIFX: the mix adds up to 95 %, not 100 %"
    document, anchors = config_document(form)
    errors = _api_errors(document)
    assert errors == [
        {"field": "securities[0].mix", "message": "percents add up to 95; they must add up to 100"}
    ]
    show_errors(form, errors, anchors)
    assert form.errors == {"security-3-mix-total": ["VFIFX: the mix adds up to 95 %, not 100 %"]}
    assert form.summary == [
        ("security-3-mix-total", "security VFIFX, mix", "VFIFX: the mix adds up to 95 %, not 100 %")
    ]
    # What the user typed stays on the form to be drawn again.
    assert [(m.asset_class, m.percent) for m in form.securities[0].mix] == [
        ("US TSM", "60"),
        ("US TBM", "35"),
    ]


def test_an_error_of_one_mix_row_is_shown_beside_that_row() -> None:
    form = read_configure_form(
        _posted(
            *_security(0, "new", "MYTDF", "mix", "", ("", ""), ("US TSM", "100"), ("US TBM", "0"))
        )
    )
    document, anchors = config_document(form)
    errors = _api_errors(document)
    show_errors(form, errors, anchors)
    assert form.errors["security-0-mix-2-percent"] == ["must be greater than 0"]
    assert ("security-0-mix-2-percent", "security MYTDF, mix, US TBM percent") in [
        (element, what) for element, what, _ in form.summary
    ]


def test_given_both_a_class_and_a_mix_the_rows_choice_decides_which_is_saved() -> None:
    sleeves = (("US TSM", "60"), ("US TBM", "40"))
    form = read_configure_form(
        _posted(
            *_security(0, "new", "AAA", "mix", "US TSM", *sleeves),
            *_security(1, "new", "BBB", "class", "US TSM", *sleeves),
            # Without JavaScript a mix may be typed with the choice left at one class.
            *_security(2, "new", "CCC", "class", "", *sleeves),
        )
    )
    document, _ = config_document(form)
    securities = document["securities"]
    assert isinstance(securities, list)
    assert [("mix" in s, s.get("asset_class")) for s in securities] == [
        (True, None),
        (False, "US TSM"),
        (True, None),
    ]
    # The other half is kept on the page, for the user to switch back to.
    assert form.securities[0].asset_class == "US TSM"
    assert len(form.securities[1].mix) == 2


def test_a_mix_fund_cannot_be_its_classes_default_and_says_so_beside_the_box() -> None:
    form = read_configure_form(
        _posted(
            *_security(0, "new", "MYTDF", "mix", "", ("US TSM", "100")),
            ("security-0-default", "true"),
        )
    )
    document, anchors = config_document(form)
    show_errors(form, _api_errors(document), anchors)
    assert form.errors == {"security-0-default": ["a mix fund cannot be an asset class's default"]}


def test_without_javascript_mix_rows_are_added_and_removed_on_the_server() -> None:
    form = read_configure_form(
        _posted(*_security(0, "new", "MYTDF", "class", "", ("US TSM", "60"), ("US TBM", "40")))
    )
    row = form.securities[0]
    assert [m.index for m in row.sleeves] == [0, 1, 2]  # the page always offers a blank row
    apply_action(form, "add_sleeve:0")
    assert [m.index for m in row.sleeves] == [0, 1, 2, 3]
    assert row.kind == "mix"
    assert form.focus == "security-0-mix-3-class"
    apply_action(form, "remove_sleeve:0:0")
    assert [(m.asset_class, m.percent) for m in row.sleeves] == [
        ("US TBM", "40"),
        ("", ""),
        ("", ""),
    ]
    assert form.focus == "security-0-add-sleeve"
    assert row.mix_problem == "MYTDF: the mix adds up to 40 %, not 100 %"


def test_a_built_in_mix_fund_is_saved_as_the_users_own_only_once_they_change_it() -> None:
    def sent(
        kind: str, asset_class: str, *sleeves: tuple[str, str], fractional: bool = True
    ) -> list[object]:
        fields = [
            *_security(0, "builtin", "VFIFX", kind, asset_class, *sleeves),
            ("security-0-published", "US TSM=60;US TBM=40|fractional"),
        ]
        if not fractional:
            fields.remove(("security-0-fractional", "true"))
        document, _ = config_document(read_configure_form(_posted(*fields)))
        securities = document["securities"]
        assert isinstance(securities, list)
        return securities

    assert sent("mix", "", ("US TSM", "60"), ("US TBM", "40")) == []  # as published
    assert sent("mix", "", ("US TSM", "55"), ("US TBM", "45")) == [
        {
            "symbol": "VFIFX",
            "mix": [
                {"asset_class": "US TSM", "percent": "55"},
                {"asset_class": "US TBM", "percent": "45"},
            ],
            "fractional": True,
            "default": False,
        }
    ]
    (whole,) = sent("mix", "", ("US TSM", "60"), ("US TBM", "40"), fractional=False)
    assert whole == {
        "symbol": "VFIFX",
        "mix": [
            {"asset_class": "US TSM", "percent": "60"},
            {"asset_class": "US TBM", "percent": "40"},
        ],
        "fractional": False,
        "default": False,
    }
    assert sent("class", "US TSM", ("US TSM", "60"), ("US TBM", "40")) == [
        {"symbol": "VFIFX", "asset_class": "US TSM", "fractional": True, "default": False}
    ]


def test_the_mix_is_prefilled_from_the_users_own_else_from_the_catalogue_with_its_date() -> None:
    mine = Security.of_mix(
        "MYTDF", (Sleeve("US TSM", Decimal(70)), Sleeve("US TBM", Decimal(30))), fractional=True
    )
    built_in = [
        Security.of_mix("VFIFX", (Sleeve("US TSM", Decimal(54)), Sleeve("ex-US TSM", Decimal(46)))),
        Security.of_mix("VTHRX", (Sleeve("US TSM", Decimal(38)), Sleeve("US TBM", Decimal(62)))),
    ]
    catalogue = Catalogue.of(
        [AssetClass(c, "Stocks") for c in CLASSES],
        built_in,
        {"VFIFX": "2025-06-30", "VTHRX": "2025-06-30"},
    )
    settings = EffectiveSettings(
        catalogue=catalogue.with_additions([], [mine]),
        targets=(Target("US TSM", TargetKind.PERCENT, Decimal("100")),),
        affinities={TaxGroup.TAXABLE: ("US TSM",)},
        securities=(mine,),
    )
    holdings = tuple(
        Holding(symbol, "TARGET RETIREMENT", Decimal(1), Decimal(10), Decimal(10))
        for symbol in ("MYTDF", "VFIFX", "AAPL")
    )
    statement = Statement(
        (AccountStatement("Z11112222", "Individual", "Fidelity", Decimal(5), holdings),)
    )
    form = prefilled_form("t" * 64, assemble(statement, {}, settings), settings)
    rows = {s.symbol: s for s in form.securities}
    assert set(rows) == {"MYTDF", "VFIFX", "AAPL"}  # VTHRX is not held: no row
    assert (rows["MYTDF"].origin, rows["MYTDF"].kind, rows["MYTDF"].published_on) == (
        "saved",
        "mix",
        "",
    )
    assert [(m.asset_class, m.percent) for m in rows["MYTDF"].mix] == [
        ("US TSM", "70"),
        ("US TBM", "30"),
    ]
    vfifx = rows["VFIFX"]
    assert (vfifx.origin, vfifx.kind, vfifx.published_on) == ("builtin", "mix", "2025-06-30")
    assert [(m.asset_class, m.percent) for m in vfifx.mix] == [
        ("US TSM", "54"),
        ("ex-US TSM", "46"),
    ]
    assert (rows["AAPL"].kind, rows["AAPL"].mix) == ("class", [])
    assert vfifx.published == "US TSM=54;ex-US TSM=46|whole"
