import pytest

from buzon.lib.red import direccion_del_cliente


def test_without_proxies_the_header_is_ignored():
    assert direccion_del_cliente("203.0.113.7", "198.51.100.1", 0) == "203.0.113.7"


def test_behind_one_proxy_the_client_is_the_last_entry_the_proxy_appended():
    assert direccion_del_cliente("10.0.0.2", "198.51.100.1", 1) == "198.51.100.1"


def test_entries_the_client_wrote_itself_are_not_believed():
    # The client sent "X-Forwarded-For: 1.2.3.4"; the balancer appended its real address.
    assert direccion_del_cliente("10.0.0.2", "1.2.3.4, 198.51.100.1", 1) == "198.51.100.1"


def test_behind_two_proxies_the_client_is_second_from_the_right():
    cabecera = "1.2.3.4, 198.51.100.1, 10.0.0.9"
    assert direccion_del_cliente("10.0.0.2", cabecera, 2) == "198.51.100.1"


@pytest.mark.parametrize("cabecera", ["", "  ", "no-es-ip", "198.51.100.1, basura"])
def test_a_missing_short_or_malformed_header_falls_back_to_the_peer(cabecera):
    assert direccion_del_cliente("10.0.0.2", cabecera, 1) == "10.0.0.2"


def test_short_header_for_two_proxies_falls_back_to_the_peer():
    assert direccion_del_cliente("10.0.0.2", "198.51.100.1", 2) == "10.0.0.2"


def test_ipv6_addresses_come_back_in_canonical_form():
    assert direccion_del_cliente("10.0.0.2", "2001:DB8:0:0::1", 1) == "2001:db8::1"
