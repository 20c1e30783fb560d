"""deploy/nginx.conf: WebSocket upgrades reach the portals, and Socket.IO's polling sticks to one."""
from __future__ import annotations

import re

from clearance.config import from_environ
from portal.events.routes import MAX_EVENTS
from tests.deploy.compose import NGINX_CONF, project_services, services

CONF = NGINX_CONF.read_text()


def block(name: str) -> str:
    """The text of the first `name … { … }` block (nested blocks included)."""
    start = re.search(rf"^\s*{name}\b[^{{;]*\{{", CONF, flags=re.M)
    assert start, f"no {name} block"
    depth, index = 1, start.end()
    while depth:
        depth += {"{": 1, "}": -1}.get(CONF[index], 0)
        index += 1
    return CONF[start.end():index - 1]


def test_websocket_upgrade_headers_are_passed() -> None:
    location = block("location")
    assert re.search(r"proxy_http_version 1\.1;", location)
    assert re.search(r"proxy_set_header Upgrade \$http_upgrade;", location)
    connection = re.search(r"proxy_set_header Connection (\$\w+);", location)
    assert connection, "Connection header not set"
    upgrade_map = re.search(r"map \$http_upgrade \$(\w+) \{([^}]*)\}", CONF)
    assert upgrade_map and connection[1] == f"${upgrade_map[1]}"
    assert re.search(r"default\s+upgrade;", upgrade_map[2])


def test_polling_is_sticky_to_one_portal() -> None:
    upstream = block("upstream portal")
    sticky = re.search(r"^\s*(ip_hash;|hash \$(\w+)( consistent)?;)", upstream, flags=re.M)
    assert sticky, "no ip_hash or hash directive in the upstream"
    if sticky[2]:
        key_map = re.search(rf"map \$(\w+) \${sticky[2]} \{{([^}}]*)\}}", CONF)
        assert key_map, f"${sticky[2]} is not defined"
        assert key_map[1] == "cookie_session", "keyed by the portal's session cookie"
        assert re.search(r'""\s+\$remote_addr;', key_map[2]), "the client's address without a cookie"


def test_the_upstream_is_the_portal_service_on_its_port() -> None:
    servers = re.findall(r"^\s*server (\S+?):(\d+)\b", block("upstream portal"), flags=re.M)
    port = str(project_services()["portal"]["environment"]["PORTAL_PORT"])
    assert servers == [("portal", port)]
    assert "proxy_pass http://portal;" in block("location")


def test_origin_checks_see_the_browser_host() -> None:
    # Socket.IO compares Origin with Host: $host would drop the port the browser used.
    assert re.search(r"proxy_set_header Host \$http_host;", block("location"))


def test_compose_mounts_this_file_and_requests_fit() -> None:
    nginx = services()["nginx"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in nginx["volumes"]
    size = re.search(r"client_max_body_size (\d+)m;", CONF)
    assert size and int(size[1]) * 2**20 >= MAX_EVENTS * from_environ({}).max_message_bytes, "the portal's own limit"
