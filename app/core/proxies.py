"""Who the client is: the socket peer, unless the peer is a reverse proxy listed in LLMCOURSE_TRUSTED_PROXIES.

uvicorn's own proxy-header handling trusts every local client by default, so any process on the host could
pick its own address with a fresh `X-Forwarded-For` per request and escape the sign-in limit. The launchers
therefore start uvicorn with `--no-proxy-headers` (app/cli.py), and the app rewrites the client address only
for connections from the configured proxies, taking the right-most address that is not itself a proxy (the
one the nearest untrusted hop connected from; entries further left are whatever the client claimed)."""
from __future__ import annotations

import ipaddress

from fastapi import FastAPI, Request
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


def parse_trusted_proxies(value: str) -> list[str]:
    """The comma-separated IPs and CIDR networks of LLMCOURSE_TRUSTED_PROXIES, validated; empty means none."""
    entries = [entry.strip() for entry in (value or "").split(",") if entry.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"LLMCOURSE_TRUSTED_PROXIES: {entry!r} is not an IP address or a CIDR network "
                             "(e.g. 10.0.0.5 or 172.16.0.0/12).") from None
    return entries


def trust_configured_proxies(app: FastAPI, trusted_proxies: str) -> None:
    """Honour X-Forwarded-For and X-Forwarded-Proto only on connections from the configured proxies."""
    proxies = parse_trusted_proxies(trusted_proxies)
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
