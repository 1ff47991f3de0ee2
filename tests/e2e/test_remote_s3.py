"""S3 remote storage on loopback: s3rver (from the npm registry) behind a front that checks every
request's AWS Signature Version 4 with botocore (Debian's): a bucket shared by two caches with the
right secret, refused with a wrong one (a clear log line, a miss, the build unharmed), read-only,
credentials from the shared credentials file, and sccache's S3 variables."""

import os
import unittest

from remote_servers import S3_KEY_ID, S3_SECRET, S3RVER, S3Server, botocore_available
from test_remote import RemoteTestCase


@unittest.skipUnless(os.path.exists(S3RVER) and botocore_available(),
                     "s3rver (npm) or botocore (python3-botocore) is not installed")
class S3Test(RemoteTestCase):
    def setUp(self):
        super().setUp()
        self.server = S3Server(self.root)
        self.addCleanup(self.server.stop)

    def with_s3(self, storage, cache, secret=S3_SECRET, **variables):
        env = self.with_remote(storage, cache)
        env.update(AWS_ACCESS_KEY_ID=S3_KEY_ID, AWS_SECRET_ACCESS_KEY=secret, **variables)
        return env

    def test_a_bucket_shared_with_the_right_secret(self):
        writer = self.with_s3(self.server.url(), "a")
        obj, _ = self.compile(writer)
        keys = self.server.keys()
        self.assertTrue(keys)
        for key in keys:
            self.assertRegex(key, r"^team/[0-9a-f]{32}$")
        reader = self.with_s3(self.server.url(), "b")
        self.assertEqual(self.compile(reader)[0], obj)
        self.assertEqual(self.stats(reader)["direct_hits"], 1)
        self.assertEqual(self.remote_counts(reader)["errors"], 0)
        self.assertEqual({(method, status, signed) for method, _, status, signed in
                          self.server.requests},
                         {("GET", 404, True), ("PUT", 200, True), ("GET", 200, True)})

    def test_a_wrong_secret_is_refused(self):
        self.compile(self.with_s3(self.server.url(), "a"))
        wrong = self.with_s3(self.server.url(), "b", secret="not-the-secret")
        self.compile(wrong)
        stats = self.stats(wrong)
        self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (0, 1))
        self.assertEqual(self.remote_counts(wrong)["errors"], 1)
        self.assertIn("GET answered 403 (SignatureDoesNotMatch)", self.log())
        self.assertNotIn("not-the-secret", self.log())

    def test_read_only_never_writes(self):
        env = self.with_s3(self.server.url(attributes="read-only"), "a")
        self.compile(env)
        self.assertEqual(self.server.keys(), [])
        self.assertNotIn("PUT", {method for method, _, _, _ in self.server.requests})

    def test_the_shared_credentials_file(self):
        credentials = self.write("aws/credentials", f"""[default]
aws_access_key_id = {S3_KEY_ID}
aws_secret_access_key = wrong

[ci]
aws_access_key_id = {S3_KEY_ID}
aws_secret_access_key = {S3_SECRET}
""")
        obj, _ = self.compile(self.with_s3(self.server.url(), "a"))
        env = self.with_remote(self.server.url(), "b")
        env.update(AWS_SHARED_CREDENTIALS_FILE=credentials, AWS_PROFILE="ci")
        self.assertEqual(self.compile(env)[0], obj)
        self.assertEqual(self.stats(env)["direct_hits"], 1)

    def test_sccaches_variables(self):
        """SCCACHE_BUCKET, SCCACHE_ENDPOINT (without a scheme: plain HTTP), SCCACHE_REGION and
        SCCACHE_S3_KEY_PREFIX stand in for an unset remote_storage."""
        env = dict(self.env, DDCC_DIR=os.path.join(self.root, "a"), AWS_ACCESS_KEY_ID=S3_KEY_ID,
                   AWS_SECRET_ACCESS_KEY=S3_SECRET, SCCACHE_BUCKET=self.server.bucket,
                   SCCACHE_ENDPOINT=f"127.0.0.1:{self.server.port}", SCCACHE_REGION="eu-west-1",
                   SCCACHE_S3_KEY_PREFIX="sccache-style")
        env.pop("DDCC_REMOTE_STORAGE", None)
        self.compile(env)
        self.assertTrue(self.server.keys())
        for key in self.server.keys():
            self.assertTrue(key.startswith("sccache-style/"), key)


if __name__ == "__main__":
    unittest.main()
