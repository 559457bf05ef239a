"""Bad requests get a clear 4xx in the JSON shape of API.md, never a 500 or a stack trace."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx
import pytest

from stack import Stack
from support.api_client import ApiClient
from support.samples import FIDELITY_2025, FIDELITY_HISTORY, fidelity_2025_config

pytestmark = pytest.mark.e2e


def _errors(response: httpx.Response, status: int) -> list[dict[str, str]]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    errors: list[dict[str, str]] = response.json()["errors"]
    assert errors
    assert all(set(e) == {"field", "message"} for e in errors)
    assert "Traceback" not in response.text
    return errors


def test_a_request_without_a_token_gets_401(shared_stack: Stack) -> None:
    anonymous = ApiClient(shared_stack.url)
    _errors(anonymous.get_config(), 401)
    _errors(anonymous.rebalance([FIDELITY_2025]), 401)
    anonymous.close()


def test_a_token_shorter_than_16_characters_gets_400_saying_why(shared_stack: Stack) -> None:
    short = ApiClient(shared_stack.url, token="abc123")
    (error,) = _errors(short.get_config(), 400)
    assert "at least 16" in error["message"]
    short.close()


def test_an_upload_over_5_mib_gets_413(client: ApiClient, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(FIDELITY_2025.read_bytes() + b"x" * (5 * 1024 * 1024))
    _errors(client.rebalance([big]), 413)


def test_a_file_that_is_not_a_csv_gets_415(client: ApiClient, tmp_path: Path) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("positions.csv", FIDELITY_2025.read_bytes())
    bomb = tmp_path / "positions.csv"
    bomb.write_bytes(archive.getvalue())
    _errors(client.rebalance([bomb]), 415)
    picture = tmp_path / "statement.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    _errors(client.portfolio([picture]), 415)


def test_a_json_body_where_a_form_belongs_gets_415(client: ApiClient) -> None:
    response = client.http.post(
        "/api/v1/rebalance",
        json={"positions": "x"},
        headers={"Authorization": f"Bearer {client.token}"},
    )
    _errors(response, 415)


def test_a_bad_row_gets_422_naming_the_file_and_the_line(client: ApiClient, tmp_path: Path) -> None:
    lines = FIDELITY_2025.read_text(encoding="utf-8-sig").splitlines()
    fields = lines[3].split(",")
    fields[4] = "12..5"
    lines[3] = ",".join(fields)
    broken = tmp_path / "Portfolio_Positions.csv"
    broken.write_text("\n".join(lines))
    (error,) = _errors(client.portfolio([broken]), 422)
    assert error["field"] == "positions"
    assert "Portfolio_Positions.csv line 4" in error["message"]
    assert "12..5" in error["message"]


def test_an_activity_export_is_refused_with_a_clear_message(client: ApiClient) -> None:
    (error,) = _errors(client.portfolio([FIDELITY_HISTORY]), 422)
    assert "activity export" in error["message"]


def test_a_malformed_configuration_document_gets_400(client: ApiClient) -> None:
    response = client.http.put(
        "/api/v1/config", content=b"{not json", headers={"Authorization": f"Bearer {client.token}"}
    )
    _errors(response, 400)


def test_every_invalid_field_of_a_configuration_is_named(client: ApiClient) -> None:
    document = {
        "accounts": [{"number": "", "tax_group": "offshore"}],
        "targets": [{"asset_class": "US TSM", "kind": "percent", "value": 100.0}],
        "colour": "blue",
    }
    fields = {e["field"] for e in _errors(client.put_config(document), 422)}
    assert {"accounts[0].number", "accounts[0].tax_group", "targets[0].value", "colour"} <= fields


def test_unknown_classes_and_bad_rebalance_fields_get_422(client: ApiClient) -> None:
    document = {"targets": [{"asset_class": "Gold", "kind": "percent", "value": "100"}]}
    assert "targets[0].asset_class" in {
        e["field"] for e in _errors(client.put_config(document), 422)
    }
    client.json(client.put_config(fidelity_2025_config()))
    assert _errors(client.rebalance([FIDELITY_2025], mode="yolo"), 422)[0]["field"] == "mode"
    bad_credit = _errors(client.rebalance([FIDELITY_2025], credit_taxable="NaN"), 422)
    assert bad_credit[0]["field"] == "credit_taxable"


def test_an_unknown_path_gets_a_json_404(client: ApiClient) -> None:
    _errors(client.http.get("/api/v1/nothing-here"), 404)
