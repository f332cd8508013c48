"""IPv6 addresses that carry an IPv4 address (6to4, NAT64, IPv4-mapped, Teredo) are judged by the IPv4 inside.

Whether a *public* IPv4 behind such a prefix is allowed depends on the Python version's address tables (some
refuse the whole 6to4 or NAT64 range); only the refusals are asserted.
"""

from __future__ import annotations

import pytest

from stanceline.errors import FetchError
from stanceline.ingest.web import check_public

WRAPPED_NON_PUBLIC = [
    "http://[2002:a9fe:a9fe::]/latest/meta-data/",  # 6to4 of 169.254.169.254 (cloud metadata)
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://[2002:c0a8:101::1]/",  # 6to4 of 192.168.1.1
    "http://[2002:a00:1::]/",  # 6to4 of 10.0.0.1
    "http://[2002:6440:1::]/",  # 6to4 of 100.64.0.1 (shared address space)
    "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
    "http://[64:ff9b::c0a8:101]/",  # NAT64 of 192.168.1.1
    "http://[64:ff9b:1::5db8:d822]/",  # local-use NAT64 prefix: never public
    "http://[::ffff:a9fe:a9fe]/",  # IPv4-mapped, hex spelling
    "http://[::ffff:10.0.0.1]/",
]


@pytest.mark.parametrize("url", WRAPPED_NON_PUBLIC)
def test_an_ipv6_address_wrapping_a_non_public_ipv4_is_refused(url: str) -> None:
    with pytest.raises(FetchError, match="non-public address"):
        check_public(url, allow_private=False)
