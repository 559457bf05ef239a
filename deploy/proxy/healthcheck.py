"""The proxy container's health check: GET /healthz through Caddy's TLS to a replica.

Healthy means the whole path works: Caddy holds a certificate for its first host name,
and a rebalance replica answers behind it. The certificate is not verified here (it is
Caddy's own, on loopback); clients verify it against the exported root.
"""

from __future__ import annotations

import http.client
import os
import ssl
import sys


def main() -> int:
    hosts = os.environ.get("PROXY_HOSTS", "localhost").replace(",", " ").split()
    host = os.environ.get("PROXY_DEFAULT_SNI") or (hosts[0] if hosts else "localhost")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # Connecting to the loopback address sends no server name, like a client typing an IP:
    # Caddy answers with PROXY_DEFAULT_SNI's certificate.
    connection = http.client.HTTPSConnection("127.0.0.1", 8443, timeout=3, context=context)
    try:
        connection.request("GET", "/healthz", headers={"Host": host})
        status = connection.getresponse().status
    except OSError as error:
        print(f"proxy health: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
