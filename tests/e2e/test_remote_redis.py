"""Redis remote storage's own cases, on redis-server on loopback: a password, an ACL user, a
database other than 0, and TLS (rediss://) that asks for a client certificate."""

import os
import unittest

from remote_servers import OPENSSL, PATIENT, REDIS_SERVER, RedisServer, make_certificates
from test_remote import RemoteTestCase


@unittest.skipUnless(REDIS_SERVER, "redis-server is not installed")
class RedisTest(RemoteTestCase):
    def start(self, **kwargs):
        server = RedisServer(self.root, **kwargs)
        self.addCleanup(server.stop)
        return server

    def test_a_password_and_a_database(self):
        """AUTH and SELECT go ahead of the first command: a wrong password is an error and stores
        nothing (and is not logged); the right one stores in the URL's database, and another
        cache hits there."""
        server = self.start(password="s3cret", db=2)
        refused = self.with_remote(server.url(credentials=":wrong@"), "a")
        self.compile(refused)
        self.assertEqual(self.remote_counts(refused)["errors"], 1)
        self.assertEqual(server.keys(), [])
        self.assertNotIn("wrong", self.log())

        writer = self.with_remote(server.url(credentials=":s3cret@"), "b")
        obj, _ = self.compile(writer)
        self.assertTrue(server.keys())
        self.assertEqual(server.keys(db=0), [])
        reader = self.with_remote(server.url(credentials=":s3cret@"), "c")
        self.assertEqual(self.compile(reader)[0], obj)
        self.assertEqual(self.stats(reader)["direct_hits"], 1)
        self.assertNotIn("s3cret", self.log())

    def test_an_acl_user_who_may_only_read(self):
        """A user whose ACL allows GET and not SET: lookups hit, writes are refused and counted,
        and the build goes on."""
        server = self.start(password="admin")
        obj, _ = self.compile(self.with_remote(server.url(credentials=":admin@"), "a"))
        server.command("ACL", "SETUSER", "reader", "on", ">r3ad", "~ddcc:*", "+get")
        reader = self.with_remote(server.url(credentials="reader:r3ad@"), "b")
        self.assertEqual(self.compile(reader)[0], obj)
        self.assertEqual(self.stats(reader)["direct_hits"], 1)

        self.write("other.c", "int other(void) { return 1; }\n")
        self.compile(reader, ["gcc", "-c", "other.c", "-o", "main.o"])
        self.assertGreaterEqual(self.remote_counts(reader)["errors"], 1)
        self.assertIn("NOPERM", self.log())


@unittest.skipUnless(REDIS_SERVER and OPENSSL, "redis-server or openssl is not installed")
class RedisTlsTest(RemoteTestCase):
    def test_a_server_that_asks_for_a_client_certificate(self):
        """Without cert-file and key-file the handshake fails (an error, a miss); with them the
        remote is shared. An untrusted server is refused."""
        tls = make_certificates(os.path.join(self.root, "tls"))
        server = RedisServer(self.root, tls=tls, client_certificates=True)
        self.addCleanup(server.stop)
        client = f"{PATIENT}|cert-file={tls['cert']}|key-file={tls['key']}"
        cases = {"no client certificate": (server.url(), 0),
                 "an untrusted server": (server.url(client, trust=False), 0),
                 "a client certificate": (server.url(client), 1)}
        for case, (url, stored) in cases.items():
            with self.subTest(case=case):
                env = self.with_remote(url, case.replace(" ", "-"))
                obj, _ = self.compile(env)
                self.assertEqual(self.remote_counts(env)["errors"], 1 - stored)
                self.assertEqual(bool(server.keys()), bool(stored))
        self.assertIn("certificate is not trusted", self.log())
        second = self.with_remote(server.url(client), "second")
        self.assertEqual(self.compile(second)[0], obj)
        self.assertEqual(self.stats(second)["direct_hits"], 1)


if __name__ == "__main__":
    unittest.main()
