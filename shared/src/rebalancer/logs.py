"""One logging set-up for both services: plain lines to standard error."""

from __future__ import annotations

import logging


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    # Alembic reports each migration it runs; that is worth a line at start-up.
    logging.getLogger("alembic").setLevel(logging.INFO)
