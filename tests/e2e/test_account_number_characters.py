"""An account number with a hidden character is refused, not stored as a second account."""

from __future__ import annotations

import pytest

from support.api_client import ApiClient

pytestmark = pytest.mark.e2e


def test_a_zero_width_space_in_an_account_number_is_a_422_on_that_field(
    client: ApiClient,
) -> None:
    accounts = [
        {"number": "Z12345678", "tax_group": "taxable"},
        {"number": "Z1234\u200b5678", "tax_group": "tax_free"},
    ]
    refused = client.put_config({"accounts": accounts})
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["field"] == "accounts[1].number"
    assert "ZERO WIDTH SPACE" in error["message"]
