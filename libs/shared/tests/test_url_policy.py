"""The outgoing-call policy as a URL is saved: every spelling of a non-public address is
refused with the address it means; public hosts, unresolved names and allowed hosts pass."""

from ipaddress import ip_address

import pytest
from pydantic import ValidationError

from wfm_shared.sealing import SecretBox
from wfm_shared.settings import Settings
from wfm_shared.url_policy import OutgoingUrlPolicy, address_kind, ip_literal

POLICY = OutgoingUrlPolicy()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        # loopback, in every spelling the resolver accepts
        ("http://127.0.0.1/hook", "points to a loopback address (127.0.0.1)"),
        ("http://127.1/hook", "points to a loopback address (127.0.0.1)"),
        ("http://2130706433/hook", "points to a loopback address (127.0.0.1)"),
        ("http://0x7f.1/hook", "points to a loopback address (127.0.0.1)"),
        ("http://0x7F000001/hook", "points to a loopback address (127.0.0.1)"),
        ("http://0177.0.0.1/hook", "points to a loopback address (127.0.0.1)"),
        ("http://127.0.0.1./hook", "points to a loopback address (127.0.0.1)"),
        ("http://127.0.0.1:6379/", "points to a loopback address (127.0.0.1)"),
        ("HTTP://127.0.0.1/hook", "points to a loopback address (127.0.0.1)"),
        ("http://[::1]/hook", "points to a loopback address (::1)"),
        ("http://[0:0:0:0:0:0:0:1]/hook", "points to a loopback address (::1)"),
        ("http://localhost/hook", "names this machine (localhost)"),
        ("http://LOCALHOST./hook", "names this machine (localhost)"),
        ("http://api.localhost/hook", "names this machine (api.localhost)"),
        # the cloud metadata service and the rest of link-local
        ("http://169.254.169.254/latest/meta-data/", "points to the cloud metadata address"),
        ("http://2852039166/latest/meta-data/", "points to the cloud metadata address"),
        ("http://0xa9.0xfe.0xa9.0xfe/", "points to the cloud metadata address"),
        ("http://0251.0376.0251.0376/", "points to the cloud metadata address"),
        ("http://169.254.1.1/", "points to a link-local address (169.254.1.1)"),
        ("http://[fe80::1]/", "points to a link-local address (fe80::1)"),
        # private, shared, unspecified, multicast, broadcast, reserved
        ("http://10.0.0.5/hook", "points to a private address (10.0.0.5)"),
        ("http://10.1/hook", "points to a private address (10.0.0.1)"),
        ("http://172.16.0.1/", "points to a private address (172.16.0.1)"),
        ("http://192.168.1.20:8080/", "points to a private address (192.168.1.20)"),
        ("http://[fd12:3456::1]/", "points to a private address (fd12:3456::1)"),
        ("http://100.64.0.1/", "points to a shared (carrier-grade NAT) address (100.64.0.1)"),
        ("http://0.0.0.0/", "points to an unspecified address (0.0.0.0)"),
        ("http://0/", "points to an unspecified address (0.0.0.0)"),
        ("http://[::]/", "points to an unspecified address (::)"),
        ("http://224.0.0.1/", "points to a multicast address (224.0.0.1)"),
        ("http://[ff02::1]/", "points to a multicast address (ff02::1)"),
        ("http://255.255.255.255/", "points to a reserved address (255.255.255.255)"),
        ("http://240.0.0.1/", "points to a reserved address (240.0.0.1)"),
        ("http://[fec0::1]/", "points to a site-local address (fec0::1)"),
        # IPv4 inside IPv6
        ("http://[::ffff:127.0.0.1]/", "a loopback address (127.0.0.1, wrapped in IPv6 as"),
        ("http://[::ffff:7f00:1]/", "a loopback address (127.0.0.1, wrapped in IPv6 as"),
        ("http://[::ffff:169.254.169.254]/", "the cloud metadata address (169.254.169.254, "),
        ("http://[::127.0.0.1]/", "points to an IPv4-compatible IPv6 address (::7f00:1)"),
        ("http://[2002:a00:5::1]/", "a private address (10.0.0.5, wrapped in IPv6 as 2002:"),
        ("http://[64:ff9b::a9fe:a9fe]/", "the cloud metadata address (169.254.169.254, "),
        ("http://[2001:0:4136:e378:8000:63bf:f5ff:fffa]/", "a private address (10.0.0.5, "),
        # the form: credentials, encodings, schemes
        ("http://good.example@127.0.0.1/", "must not carry a user name or password"),
        ("https://user:secret@hooks.example.com/", "must not carry a user name or password"),
        ("http://good.example\\@127.0.0.1/", "must not contain spaces, control characters"),
        ("http://%31%32%37.0.0.1/", "must not percent-encode its host"),
        ("http://[fe80::1%25eth0]/", "must not percent-encode its host"),
        ("http://hooks.example .com/", "must not contain spaces, control characters"),
        ("ftp://hooks.example.com/x", "must be an http:// or https:// URL"),
        ("file:///etc/passwd", "must be an http:// or https:// URL"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "must be an http:// or https:// URL"),
        ("https://", "must name a host"),
        ("http://hooks.example.com:99999/", "is not a valid URL"),
    ],
)
def test_a_url_to_a_non_public_address_is_refused_in_every_spelling(url, reason):
    problem = POLICY.url_problem(url)
    assert problem is not None, url
    assert reason in problem


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/in",
        "http://hooks.example.com:8080/in",
        "https://93.184.216.34/in",
        "https://[2606:2800:220:1:248:1893:25c8:1946]/in",
        "https://[::ffff:93.184.216.34]/in",
        "https://b.example.test/hook",  # unresolvable: judged when it is called
        "https://xn--bcher-kva.example/",
        "https://10.0.0.5.example.com/",  # a name, not an address
    ],
)
def test_a_public_or_unresolved_host_is_accepted_when_saved(url):
    assert POLICY.url_problem(url) is None


def test_the_legacy_ipv4_forms_are_read_as_the_resolver_reads_them():
    expected = ip_address("127.0.0.1")
    for spelling in ("127.1", "0x7f.1", "0177.0.0.1", "2130706433", "127.0.0.1.", "[::1]"):
        assert ip_literal(spelling) in (expected, ip_address("::1"))
    assert ip_literal("hooks.example.com") is None
    assert ip_literal("cafe.be") is None
    assert ip_literal("08.0.0.1") is None  # not an address to the resolver either


def test_only_public_addresses_have_no_kind():
    assert address_kind(ip_address("93.184.216.34")) is None
    assert address_kind(ip_address("2606:2800:220:1:248:1893:25c8:1946")) is None
    assert address_kind(ip_address("192.0.2.1")) == "a reserved address"  # documentation


def test_the_allow_list_lets_named_hosts_addresses_and_networks_through():
    policy = OutgoingUrlPolicy.with_allowed(
        ["hooks.corp.example", "*.intranet.example", "127.0.0.1", "10.20.0.0/16"],
        https_only=False,
    )
    assert policy.url_problem("http://127.0.0.1:8080/hook") is None
    assert policy.url_problem("http://10.20.3.4/hook") is None
    assert policy.url_problem("http://hooks.corp.example/hook") is None
    assert policy.url_problem("http://erp.intranet.example/hook") is None
    assert policy.name_allowed("HOOKS.corp.example.")
    assert not policy.name_allowed("intranet.example.evil.com")
    assert policy.url_problem("http://127.0.0.2/hook") == (
        "points to a loopback address (127.0.0.2)"
    )
    assert policy.url_problem("http://10.21.0.1/hook") == "points to a private address (10.21.0.1)"
    assert policy.url_problem("http://localhost/hook") == "names this machine (localhost)"
    # the allow-list never admits credentials in a URL
    assert policy.url_problem("http://a@127.0.0.1/") == "must not carry a user name or password"


PRODUCTION = {"env": "production", "jwt_secret": "x" * 40, "secret_keys": SecretBox.generate_key()}


def test_production_calls_https_only_unless_the_operator_allows_http():
    strict = OutgoingUrlPolicy.from_settings(Settings(**PRODUCTION))
    assert strict.url_problem("http://hooks.example.com/in") == (
        "must be an https:// URL (plain http is not allowed here)"
    )
    assert strict.url_problem("https://hooks.example.com/in") is None
    allowed = Settings(**PRODUCTION, outgoing_http_allowed=True)
    assert OutgoingUrlPolicy.from_settings(allowed).url_problem("http://hooks.example.com/") is None
    development = OutgoingUrlPolicy.from_settings(Settings(env="dev"))
    assert development.url_problem("http://hooks.example.com/in") is None
    https_everywhere = Settings(env="dev", outgoing_http_allowed=False)
    assert OutgoingUrlPolicy.from_settings(https_everywhere).https_only


def test_allowed_hosts_come_from_the_environment_as_json(monkeypatch):
    monkeypatch.setenv("WFM_OUTGOING_ALLOWED_HOSTS", '["hooks.corp.example", "10.0.0.0/8"]')
    policy = OutgoingUrlPolicy.from_settings(Settings())
    assert policy.allowed_names == ("hooks.corp.example",)
    assert [str(n) for n in policy.allowed_networks] == ["10.0.0.0/8"]


def test_an_allow_list_entry_that_is_no_host_is_refused_at_start():
    with pytest.raises(ValidationError, match="neither a host name, an address nor a network"):
        Settings(outgoing_allowed_hosts=["http://hooks.corp.example/"])
