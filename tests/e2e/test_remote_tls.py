"""The remote storage suite of test_remote.py again over TLS (https://, rediss://), each server's
certificate signed by an authority the test makes (ca-file): what works in the clear works over
TLS, and failing servers fail the same way. TLS' own cases (verification, client certificates)
are in test_remote_http.py and test_remote_redis.py."""

import os
import unittest

from remote_servers import NGINX, OPENSSL, REDIS_SERVER, NginxServer, RedisServer, make_certificates
from test_remote import FailingRemoteTests, RemoteTestCase, ServerTests


@unittest.skipUnless(NGINX and OPENSSL, "nginx or openssl is not installed")
class HttpsRemoteTest(ServerTests, RemoteTestCase):
    """Over TLS, the server's certificate signed by the test's own authority (ca-file)."""

    def start_server(self):
        return NginxServer(self.root, tls=make_certificates(os.path.join(self.root, "tls")))


@unittest.skipUnless(REDIS_SERVER and OPENSSL, "redis-server or openssl is not installed")
class RedissRemoteTest(ServerTests, RemoteTestCase):
    """Redis over TLS (rediss://), the server's certificate signed by the test's authority."""

    def start_server(self):
        return RedisServer(self.root, tls=make_certificates(os.path.join(self.root, "tls")))


class FailingHttpsTest(FailingRemoteTests, RemoteTestCase):
    scheme = "https"


class FailingRedissTest(FailingRemoteTests, RemoteTestCase):
    scheme = "rediss"


if __name__ == "__main__":
    unittest.main()
