"""One logging set-up for both services: plain lines to standard error."""

from __future__ import annotations

import logging
import traceback


class _WithoutExceptionMessages(logging.Filter):
    """Keep a logged exception's type and stack but drop its message: it may quote user data.

    Starlette re-raises an unhandled error after its handler answered, and uvicorn
    then logs it with the full message; this filter is what keeps that out of logs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            kind, error, trace = record.exc_info
            frames = "".join(traceback.format_tb(trace))
            name = kind.__name__ if kind else type(error).__name__
            record.msg = f"{record.getMessage()}: unhandled {name}\n{frames}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    # Alembic reports each migration it runs; that is worth a line at start-up.
    logging.getLogger("alembic").setLevel(logging.INFO)
    # httpx logs each call to the config service at INFO: a second line for every request,
    # paid for on the request's path and saying nothing the access log does not.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for name in ("uvicorn.error", "uvicorn", "starlette"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _WithoutExceptionMessages) for f in logger.filters):
            logger.addFilter(_WithoutExceptionMessages())
