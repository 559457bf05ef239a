"""`rebalance-service`: serve the public API and web page."""

from __future__ import annotations

import logging
import os

import uvicorn

from rebalance_service.settings import Settings
from service_kit.logs import configure_logging


def main() -> None:
    configure_logging()
    settings = Settings.from_env(os.environ)
    settings.credential()  # fail here, once, with a clear message, not in every worker
    logging.getLogger("rebalance_service").info(
        "rebalancer on http://%s:%d/", settings.bind, settings.port
    )
    uvicorn.run(
        "rebalance_service.app:app_from_environment",
        factory=True,
        host=settings.bind,
        port=settings.port,
        workers=settings.workers,
        http="rebalance_service.edge.transport:NoDelayH11Protocol",
        access_log=False,  # ours logs without query strings
        log_config=None,
        server_header=False,
        # uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1 (or its own
        # FORWARDED_ALLOW_IPS): only the proxies the operator names are believed.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=list(settings.forwarded_allow_ips),
    )


if __name__ == "__main__":
    main()
