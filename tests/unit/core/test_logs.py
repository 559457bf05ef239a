"""Logged exceptions keep their type and stack, never their message; one line per request."""

from __future__ import annotations

import logging

import pytest

from service_kit.logs import configure_logging


def test_an_exception_uvicorn_logs_loses_its_message_but_keeps_its_type(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging()
    number, shares = "Z2339" + "0746", "651" + ".397"  # built, so no source line shows them
    try:
        raise ValueError(f"account {number} holds {shares} FSKAX")
    except ValueError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    logged = capsys.readouterr().err
    assert "Exception in ASGI application: unhandled ValueError" in logged
    assert "test_logs.py" in logged
    assert "Z23390746" not in logged
    assert "651.397" not in logged


def test_calls_to_the_config_service_add_no_line_of_their_own_but_their_warnings_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging()
    logging.getLogger("httpx").info('HTTP Request: POST http://config/ "HTTP/1.1 200 OK"')
    logging.getLogger("httpx").warning("a warning from the client")
    logged = capsys.readouterr().err
    assert "HTTP Request" not in logged
    assert "a warning from the client" in logged
