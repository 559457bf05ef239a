"""`config-service`: migrate the database, then serve the internal API."""

from __future__ import annotations

import logging
import os

import uvicorn

from config_service.app import create_app
from config_service.database import migrate
from config_service.settings import Settings
from service_kit.logs import configure_logging


def main() -> None:
    configure_logging()
    os.umask(0o077)  # the database, its journal and the secrets are for this user alone
    settings = Settings.from_env(os.environ)
    migrate(settings.database_url)
    logging.getLogger("config_service").info(
        "config service on http://%s:%d", settings.bind, settings.port
    )
    uvicorn.run(
        create_app(settings),
        host=settings.bind,
        port=settings.port,
        access_log=False,  # ours logs without query strings
        log_config=None,
        server_header=False,
        proxy_headers=False,  # nothing proxies it: no request names another client address
    )


if __name__ == "__main__":
    main()
