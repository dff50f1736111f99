"""The client's address when the service runs behind proxies (a load balancer)."""

from __future__ import annotations

import ipaddress


def direccion_del_cliente(remota: str, reenviada_por: str, proxies: int) -> str:
    """The address the login limits and the audit should see.

    ``remota`` is REMOTE_ADDR (the nearest proxy's address when there is one),
    ``reenviada_por`` the X-Forwarded-For header, ``proxies`` how many proxies we run in
    front. Each proxy appends the address it received the request from, so the client is
    the ``proxies``-th entry from the right; entries further left were written by the
    client and prove nothing. With no proxies, with a header shorter than that (the
    request did not come through them) or with a malformed entry: ``remota``.
    """
    if proxies <= 0:
        return remota
    saltos = [d.strip() for d in reenviada_por.split(",") if d.strip()]
    if len(saltos) < proxies:
        return remota
    candidata = saltos[-proxies]
    try:
        return str(ipaddress.ip_address(candidata))
    except ValueError:
        return remota
