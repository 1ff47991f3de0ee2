"""Real servers for the remote storage tests, on loopback ports, each started and stopped by a
test: redis-server, nginx with WebDAV, and servers that fail in given ways."""

import os
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request

REDIS_SERVER = shutil.which("redis-server")
OPENSSL = shutil.which("openssl")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)

# With timeouts no loaded machine reaches: the tests that use them are about what is stored.
PATIENT = "connect-timeout=10000|timeout=10000"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(check, server, what):
    deadline = time.monotonic() + 10
    while True:
        try:
            if check():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.02)


def resp_command(port, *args, tls=None, setup=()):
    """Sends one command in the Redis protocol (after the `setup` commands, on the same
    connection; over TLS with make_certificates' `tls`) and returns its reply (bytes, int, str or
    list)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as plain:
        if tls:
            context = ssl.create_default_context(cafile=tls["ca"])
            context.load_cert_chain(tls["cert"], tls["key"])
        with context.wrap_socket(plain, server_hostname="127.0.0.1") if tls else plain as s:
            request = b""
            for command in (*setup, args):
                request += b"*%d\r\n" % len(command)
                for arg in command:
                    arg = arg if isinstance(arg, bytes) else str(arg).encode()
                    request += b"$%d\r\n%s\r\n" % (len(arg), arg)
            s.sendall(request)
            with s.makefile("rb") as replies:
                for _ in setup:
                    read_reply(replies)
                return read_reply(replies)


def read_reply(stream):
    line = stream.readline()[:-2]
    kind, rest = line[:1], line[1:]
    if kind in (b"+", b"-"):
        return rest.decode()
    if kind == b":":
        return int(rest)
    if kind == b"$":
        return None if int(rest) < 0 else stream.read(int(rest) + 2)[:-2]
    if kind == b"*":
        return [read_reply(stream) for _ in range(int(rest))]
    raise ValueError(f"bad reply {line!r}")


class RedisServer:
    """redis-server on a loopback port: over TLS with make_certificates' `tls` (asking clients
    for a certificate with `client_certificates`), with `password` (requirepass), entries looked
    at in database `db`."""

    def __init__(self, directory, tls=None, client_certificates=False, password=None, db=0):
        self.tls, self.password, self.db = tls, password, db
        self.scheme = "rediss" if tls else "redis"
        self.port = free_port()
        listen = ["--port", str(self.port)]
        if tls:
            listen = ["--port", "0", "--tls-port", str(self.port), "--tls-cert-file", tls["cert"],
                      "--tls-key-file", tls["key"], "--tls-ca-cert-file", tls["ca"],
                      "--tls-auth-clients", "yes" if client_certificates else "no"]
        if password:
            listen += ["--requirepass", password]
        self.process = subprocess.Popen(
            [REDIS_SERVER, *listen, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", directory],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_up(lambda: self.command("PING") == "PONG", self, "redis-server")

    def command(self, *args, db=None):
        """As the server's administrator, in database `db` (the server's by default)."""
        db = self.db if db is None else db
        setup = ([("AUTH", self.password)] if self.password else []) + \
            ([("SELECT", db)] if db else [])
        return resp_command(self.port, *args, tls=self.tls, setup=setup)

    def url(self, attributes=PATIENT, credentials="", trust=True):
        """With TLS and `trust`, the URL names the test's certificate authority (ca-file)."""
        if self.tls and trust:
            attributes = "|".join(a for a in (attributes, f"ca-file={self.tls['ca']}") if a)
        db = f"/{self.db}" if self.db else ""
        return (f"{self.scheme}://{credentials}127.0.0.1:{self.port}{db}" +
                (f"|{attributes}" if attributes else ""))

    def keys(self, db=None):
        return sorted(self.command("KEYS", "ddcc:*", db=db))

    def get(self, key):
        return self.command("GET", key)

    def put(self, key, value):
        assert self.command("SET", key, value) == "OK"

    def kill(self):
        self.process.send_signal(signal.SIGKILL)

    def stop(self):
        self.process.terminate()
        self.process.wait()


def make_certificates(directory, names=("IP:127.0.0.1",)):
    """A certificate authority of the test's own and a server certificate it signed for `names`
    (subjectAltName entries): {"ca": PEM path, "cert": ..., "key": ...}."""
    os.makedirs(directory, exist_ok=True)
    paths = {name: os.path.join(directory, f"{name}.pem") for name in ("ca", "ca_key", "cert", "key")}
    run = lambda *args: subprocess.run([OPENSSL, *args], check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=ddcc test CA",
        "-keyout", paths["ca_key"], "-out", paths["ca"])
    request = os.path.join(directory, "server.csr")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=ddcc test server",
        "-keyout", paths["key"], "-out", request)
    extensions = os.path.join(directory, "server.ext")
    with open(extensions, "w") as f:
        f.write(f"subjectAltName={','.join(names)}\n")
    run("x509", "-req", "-in", request, "-CA", paths["ca"], "-CAkey", paths["ca_key"],
        "-CAcreateserial", "-days", "2", "-extfile", extensions, "-out", paths["cert"])
    return paths


class NginxServer:
    """nginx serving a directory, taking PUT through its WebDAV module. `config` adds lines to
    the server block; `tls` (make_certificates' paths) serves HTTPS with them."""

    def __init__(self, directory, config="", tls=None):
        self.tls = tls
        self.scheme = "https" if tls else "http"
        if tls:
            config += f"ssl_certificate {tls['cert']}; ssl_certificate_key {tls['key']};"
        self.prefix = os.path.join(directory, "nginx")
        self.root = os.path.join(self.prefix, "root")
        os.makedirs(self.root)
        self.port = free_port()
        conf = os.path.join(self.prefix, "nginx.conf")
        temp = {name: os.path.join(self.prefix, name) for name in
                ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
        with open(conf, "w") as f:
            f.write(f"""daemon off; master_process off; pid {self.prefix}/nginx.pid;
error_log {self.prefix}/error.log;
events {{}}
http {{
  log_format requests '$connection "$request" $status';
  access_log {self.prefix}/access.log requests;
  {" ".join(f"{name}_temp_path {path};" for name, path in temp.items())}
  server {{
    listen 127.0.0.1:{self.port}{" ssl" if tls else ""};
    root {self.root};
    client_max_body_size 0;
    location / {{ dav_methods PUT; create_full_put_path on; }}
    {config}
  }}
}}
""")
        self.process = subprocess.Popen(
            [NGINX, "-p", self.prefix, "-c", conf, "-e", os.path.join(self.prefix, "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_up(self.answers, self, "nginx")

    def answers(self):
        try:
            urllib.request.urlopen(f"{self.scheme}://127.0.0.1:{self.port}/", timeout=5,
                                   context=ssl._create_unverified_context())
        except urllib.error.HTTPError:
            pass  # 403 without a directory index, 401 with authentication
        return True

    def url(self, attributes=PATIENT, path="/ddcc", trust=True):
        """With TLS and `trust`, the URL names the test's certificate authority (ca-file)."""
        if self.tls and trust:
            attributes = "|".join(a for a in (attributes, f"ca-file={self.tls['ca']}") if a)
        return f"{self.scheme}://127.0.0.1:{self.port}{path}" + (f"|{attributes}" if attributes else "")

    def keys(self):
        """The stored files, by their paths below the root."""
        return sorted(os.path.relpath(os.path.join(parent, name), self.root)
                      for parent, _, names in os.walk(self.root) for name in names)

    def get(self, key):
        with open(os.path.join(self.root, key), "rb") as f:
            return f.read()

    def put(self, key, value):
        with open(os.path.join(self.root, key), "wb") as f:
            f.write(value)

    def requests(self):
        """The requests served, as (connection number, request line, status)."""
        with open(os.path.join(self.prefix, "access.log")) as f:
            return [(int(line.split()[0]), line.split('"')[1], int(line.split()[-1]))
                    for line in f]

    def kill(self):
        self.process.send_signal(signal.SIGKILL)

    def stop(self):
        self.process.terminate()
        self.process.wait()


class LoopbackServer:
    """A listener on a loopback port whose connections a thread hands to `handle`."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.stopping = False
        self.thread = threading.Thread(target=self.serve)
        self.thread.start()

    def serve(self):
        while not self.stopping:
            try:
                connection = self.listener.accept()[0]
            except socket.timeout:
                continue
            self.handle(connection)

    def handle(self, connection):
        raise NotImplementedError

    def stop(self):
        self.stopping = True
        self.thread.join()
        self.listener.close()


class SilentServer(LoopbackServer):
    """Accepts connections and never answers."""

    def __init__(self):
        self.held = []
        super().__init__()

    def handle(self, connection):
        self.held.append(connection)

    def stop(self):
        super().stop()
        for connection in self.held:
            connection.close()


class ScriptedHttpServer(LoopbackServer):
    """Answers every request on a connection with `answer(request_line, body)` (bytes), then
    closes the connection if `close_after` is set."""

    def __init__(self, answer, close_after=True):
        self.answer = answer
        self.close_after = close_after
        self.request_lines = []
        super().__init__()

    def handle(self, connection):
        # The stream holds the socket open until it is closed too.
        with connection, connection.makefile("rb") as stream:
            connection.settimeout(5)
            while True:
                line = stream.readline()
                if not line:
                    break
                length = 0
                while True:
                    header = stream.readline()
                    if header in (b"\r\n", b""):
                        break
                    name, _, value = header.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = stream.read(length)
                self.request_lines.append(line.decode().strip())
                connection.sendall(self.answer(line.decode(), body))
                if self.close_after:
                    break


# s3rver, from the npm registry (scripts/install-deps puts it here).
S3RVER = os.path.join(os.environ.get("DDCC_TEST_TOOLS", "/usr/local/lib/ddcc-test-tools"),
                      "node_modules/.bin/s3rver")
S3_KEY_ID, S3_SECRET = "S3RVER", "S3RVER"  # s3rver's account


def botocore_available():
    try:
        import botocore.auth  # noqa: F401
        return True
    except ImportError:
        return False


class S3Server:
    """s3rver holding bucket `bucket`, behind a front that checks each request's AWS Signature
    Version 4 with botocore's signer (s3rver checks only the key id) and passes the sound ones
    on: a request with a wrong secret gets S3's 403 SignatureDoesNotMatch."""

    def __init__(self, directory, bucket="cache"):
        import http.server
        self.bucket = bucket
        self.data = os.path.join(directory, "s3rver")
        os.makedirs(self.data)
        self.backend_port = free_port()
        self.process = subprocess.Popen(
            [S3RVER, "-d", self.data, "-a", "127.0.0.1", "-p", str(self.backend_port), "-s",
             "--configure-bucket", bucket],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.requests = []  # (method, path, status, signed) as the front answered them
        server = self

        class Front(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                self.forward()

            def do_PUT(self):
                self.forward()

            def forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, headers, answer = server.answer(self.command, self.path,
                                                        dict(self.headers.items()), body)
                server.requests.append((self.command, self.path, status,
                                        "Authorization" in self.headers))
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.front = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Front)
        self.port = self.front.server_address[1]
        threading.Thread(target=self.front.serve_forever, daemon=True).start()
        wait_until_up(lambda: self.s3rver_answers(), self, "s3rver")

    def s3rver_answers(self):
        with socket.create_connection(("127.0.0.1", self.backend_port), timeout=1):
            return True

    def answer(self, method, path, headers, body):
        import http.client
        if not self.signature_holds(method, path, headers):
            return 403, [], (b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
                             b"SignatureDoesNotMatch</Code></Error>")
        connection = http.client.HTTPConnection("127.0.0.1", self.backend_port, timeout=10)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def signature_holds(self, method, path, headers):
        """Unsigned requests pass (s3rver lets anyone in); signed ones must match botocore's."""
        from botocore.auth import S3SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        authorization = headers.get("Authorization", "")
        if not authorization:
            return True
        fields = dict(part.strip().split("=", 1) for part in
                      authorization.split(" ", 1)[1].split(","))
        key_id, day, region, service, _ = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        lower = {name.lower(): value for name, value in headers.items()}
        request = AWSRequest(method=method, url=f"http://{lower['host']}{path}",
                             headers={name: lower[name] for name in signed})
        request.context["timestamp"] = lower["x-amz-date"]
        signer = S3SigV4Auth(Credentials(key_id, S3_SECRET), service, region)
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        return expected == fields["Signature"]

    def url(self, prefix="team", attributes=PATIENT):
        return (f"s3://{self.bucket}/{prefix}?endpoint=http://127.0.0.1:{self.port}" +
                (f"|{attributes}" if attributes else ""))

    def keys(self):
        """The stored objects' keys."""
        root = os.path.join(self.data, self.bucket)
        return sorted(os.path.relpath(os.path.join(parent, name), root)[:-len("._S3rver_object")]
                      for parent, _, names in os.walk(root) for name in names
                      if name.endswith("._S3rver_object"))

    def stop(self):
        self.front.shutdown()
        self.front.server_close()
        self.process.terminate()
        self.process.wait()
