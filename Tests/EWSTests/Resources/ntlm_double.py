#!/usr/bin/env python3
"""An NTLM-checking HTTP(S) double for the EWS client's NTLM test.

IIS-style: NTLM authenticates the *connection* (the handler object lives as long as it); later requests on it carry no Authorization header.
Answers every authenticated POST to /EWS/Exchange.asmx with a fixed GetFolder response, and
POST /stats (no auth) with {"handshakes": N, "requests": M, "connections": C}.

usage: ntlm_double.py --user DOMAIN\\user --password PW [--cert CERT --key KEY]
Prints "port N" on stdout once listening on 127.0.0.1.
"""
import argparse, base64, http.server, json, os, ssl, sys, tempfile, threading

import spnego

RESPONSE = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"
            "<s:Body><m:GetFolderResponse xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" "
            "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><m:ResponseMessages>"
            "<m:GetFolderResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode><m:Folders>"
            "<t:TasksFolder><t:FolderId Id=\"AQMk-tasks\" ChangeKey=\"AQ==\"/><t:DisplayName>Tasks</t:DisplayName>"
            "<t:TotalCount>0</t:TotalCount></t:TasksFolder></m:Folders></m:GetFolderResponseMessage>"
            "</m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>").encode()

stats = {"handshakes": 0, "requests": 0, "connections": 0}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        if self.path == "/stats":
            with lock:
                body = json.dumps(stats).encode()
            return self.reply(200, body, [("Content-Type", "application/json")])
        if getattr(self, "authed", False):
            return self.ok()
        header = self.headers.get("Authorization", "")
        if not header.startswith("NTLM "):
            return self.reply(401, b"", [("WWW-Authenticate", "NTLM")])
        token = base64.b64decode(header[5:])
        context = getattr(self, "ntlm", None)
        if context is None or token[8:12] == b"\x01\x00\x00\x00":
            context = spnego.server(protocol="ntlm")
            self.ntlm = context
        try:
            answer = context.step(token)
        except Exception:
            self.ntlm = None
            return self.reply(401, b"", [("WWW-Authenticate", "NTLM")])
        if not context.complete:
            return self.reply(401, b"", [("WWW-Authenticate", "NTLM " + base64.b64encode(answer).decode())])
        self.authed = True
        with lock:
            stats["handshakes"] += 1
        return self.ok()

    def ok(self):
        with lock:
            stats["requests"] += 1
        self.reply(200, RESPONSE, [("Content-Type", "text/xml; charset=utf-8")])


class Server(http.server.ThreadingHTTPServer):
    # Every TCP connection, a failed TLS handshake included (the handshake runs later, in the handler's thread):
    # how a test sees whether the client retried.
    def get_request(self):
        connection = super().get_request()
        stats["connections"] += 1
        return connection


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    domain, _, user = args.user.rpartition("\\")
    users = tempfile.NamedTemporaryFile("w", delete=False)
    users.write(f"{domain}:{user}:{args.password}\n")
    users.close()
    os.environ["NTLM_USER_FILE"] = users.name  # pyspnego's NTLM acceptor reads credentials from it
    server = Server(("127.0.0.1", 0), Handler)
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
