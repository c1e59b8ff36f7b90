#!/usr/bin/env python3
"""tsa-server.py - a throw-away RFC 3161 time-stamp authority for tests.

Usage: tsa-server.py DIR [--lifetime SECONDS] [--status CODE]

DIR holds tsa.pem (a certificate with extendedKeyUsage critical
timeStamping), tsa.key and ca.pem.  The server listens on 127.0.0.1 on a
free port, prints "port N" on its first line of output, and answers each
POST of an application/timestamp-query with `openssl ts -reply`.  With
--status CODE it answers every request with that HTTP status instead (to
test failures).  It exits by itself after --lifetime seconds (default 120)
so a test that dies cannot leave it running; tests stop it earlier by pid.
"""
import http.server
import os
import subprocess
import sys
import tempfile
import time

CONF = """[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = {d}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5.6
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    d = os.path.abspath(args[0])
    lifetime = 120.0
    status = 200
    if "--lifetime" in args:
        lifetime = float(args[args.index("--lifetime") + 1])
    if "--status" in args:
        status = int(args[args.index("--status") + 1])
    conf = os.path.join(d, "tsa.cnf")
    with open(conf, "w") as f:
        f.write(CONF.format(d=d))
    serial = os.path.join(d, "tsaserial")
    if not os.path.exists(serial):
        with open(serial, "w") as f:
            f.write("01\n")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            if status != 200:
                self.send_error(status)
                return
            with tempfile.TemporaryDirectory() as t:
                q = os.path.join(t, "q.tsq")
                r = os.path.join(t, "r.tsr")
                with open(q, "wb") as f:
                    f.write(body)
                p = subprocess.run(["openssl", "ts", "-reply", "-config", conf,
                                    "-queryfile", q, "-out", r],
                                   capture_output=True, timeout=30)
                if p.returncode != 0:
                    sys.stderr.write(p.stderr.decode(errors="replace"))
                    self.send_error(500)
                    return
                with open(r, "rb") as f:
                    reply = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, fmt, *a):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    srv.timeout = 1.0
    print("port %d" % srv.server_address[1], flush=True)
    end = time.monotonic() + lifetime
    while time.monotonic() < end:
        srv.handle_request()
    srv.server_close()


if __name__ == "__main__":
    main()
