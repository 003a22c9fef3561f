#!/usr/bin/env python3
"""A small HTTP server for labctl's download tests, on 127.0.0.1 only.

    httpd.py DIR PORTFILE LOGFILE

Serves DIR on a port picked at run time (written to PORTFILE), with byte
Range requests (bytes=N- and bytes=N-M). Faults, chosen by path prefix:
  /drop/NAME     the first GET of NAME sends half the body and drops the connection
  /fail500/NAME  the first GET of NAME answers 500
  /norange/NAME  Range is ignored: every GET answers 200 with the whole file
  /slow/NAME     the body is sent at about 3 MiB/s (64 KiB every 20 ms), so a
                 test can act while a download is under way
Every request is logged to LOGFILE as "METHOD PATH RANGE".
"""
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT, PORTFILE, LOGFILE = sys.argv[1], sys.argv[2], sys.argv[3]
seen = set()
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        rng = self.headers.get("Range", "-")
        with lock:
            with open(LOGFILE, "a") as log:
                log.write("GET %s %s\n" % (self.path, rng))
            first = self.path not in seen
            seen.add(self.path)
        fault, name = None, self.path.lstrip("/")
        for f in ("drop", "fail500", "norange", "slow"):
            if name.startswith(f + "/"):
                fault, name = f, name[len(f) + 1:]
        path = os.path.join(ROOT, os.path.basename(name))
        if fault == "fail500" and first:
            return self.error(500)
        if not os.path.isfile(path):
            return self.error(404)
        size = os.path.getsize(path)
        start, end = 0, size - 1
        if rng != "-" and rng.startswith("bytes=") and fault != "norange":
            a, _, b = rng[6:].partition("-")
            start = int(a)
            end = int(b) if b else size - 1
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        else:
            self.send_response(200)
        length = end - start + 1
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        with open(path, "rb") as f:
            if fault == "drop" and first:
                f.seek(start)
                self.wfile.write(f.read(length // 2))
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.wfile.flush()
            if fault == "slow":
                f.seek(start)
                left = length
                while left > 0:
                    chunk = f.read(min(left, 64 << 10))
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    left -= len(chunk)
                    time.sleep(0.02)
            elif length > 0:  # socket.sendfile refuses a count of 0
                self.connection.sendfile(f, start, length)

    def error(self, code):
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
