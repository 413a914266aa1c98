#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# tests/http/auth_server.py: a tiny HTTP server with basic auth, for
# test_http.c to prove tests/http/browser.mjs on its own, without parigot.
#
#   /usr/bin/python3 auth_server.py USER:PASSWORD REALM
#
# Listens on a free loopback port and says so on stderr
# ("auth_server: listening on 127.0.0.1:PORT"), then serves until killed:
#   /        needs USER:PASSWORD; answers 200 with a page whose <h1 id="user">
#            says "hello USER", written by script after load (as a page
#            of an app might); otherwise 401 with
#            WWW-Authenticate: Basic realm="REALM"
#   /bare    401 with no WWW-Authenticate header at all
#   /open    200 for anyone: "an open page"
#   /missing 404
#   /slow    answers after 60 s
# Each request is logged on stderr as "auth_server: GET /path -> status".
import base64
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USER, PASSWORD = sys.argv[1].split(":", 1)
REALM = sys.argv[2]

PAGE = """<!doctype html>
<html><head><title>smoke</title></head>
<body><h1 id="user">loading</h1><p id="about">a page behind basic auth</p>
<script>
  setTimeout(function () {
    document.getElementById("user").textContent = "hello " + %s;
  }, 200);
</script></body></html>
"""


class Handler(BaseHTTPRequestHandler):
    def send(self, status, body, headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def user(self):
        """The user the request proved it is, or None."""
        h = self.headers.get("Authorization", "")
        if not h.startswith("Basic "):
            return None
        try:
            u, p = base64.b64decode(h[6:], validate=True).decode().split(":", 1)
        except ValueError:
            return None
        return u if (u, p) == (USER, PASSWORD) else None

    def do_GET(self):
        if self.path == "/open":
            return self.send(200, "<p>an open page</p>")
        if self.path == "/missing":
            return self.send(404, "<p>no such page</p>")
        if self.path == "/bare":
            return self.send(401, "<p>who are you?</p>")
        if self.path == "/slow":
            time.sleep(60)
            return self.send(200, "<p>late</p>")
        if self.path != "/":
            return self.send(404, "<p>no such page</p>")
        u = self.user()
        if u is None:
            return self.send(401, "<p>log in first</p>",
                             [("WWW-Authenticate", 'Basic realm="%s"' % REALM)])
        # The name goes into a script as a JSON-ish string literal.
        lit = '"' + u.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return self.send(200, PAGE % lit)

    def log_message(self, fmt, *args):
        pass

    def log_request(self, code="-", size="-"):
        sys.stderr.write("auth_server: %s %s -> %s\n" %
                         (self.command, self.path, code))
        sys.stderr.flush()


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    sys.stderr.write("auth_server: listening on 127.0.0.1:%d\n" %
                     srv.server_address[1])
    sys.stderr.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
