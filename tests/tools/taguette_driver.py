"""Drive a real Taguette server the way its web page does, and save what it exports.

Run with the Python of the side environment that has Taguette (``make tools-env``), never
qualcode's: ``.tools-venv/taguette/bin/python tests/tools/taguette_driver.py SPEC.json OUT``.
Used by tests/test_tools_live.py. It starts ``taguette`` in single-user mode on a free
loopback port with a fresh database, logs in with the token link the server prints, and
makes the calls the page makes (``/project/new``, ``/api/project/N/tag/new``,
``/api/project/N/document/new``, ``.../highlight/new``, ``/project/N/import_codebook``),
sending the ``_xsrf`` cookie back as ``X-XSRFToken``. Taguette computes each highlight's
snippet itself; the driver only says where it starts and ends.

SPEC (JSON): ``tags`` [{path, description}], ``documents`` [{name, html}], ``highlights``
[{document, start, end, tags: [path]}] where ``start``/``end`` are texts in the document (the
highlight runs from the start of ``start`` to the end of ``end``), and optionally
``codebook_csv``: a file to import with "Import codebook" into a second project.
OUT receives codebook.qdc, codebook.csv, highlights.csv, highlights.xlsx and, with
``codebook_csv``, imported-codebook.csv (that project's codebook exported again).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString  # Taguette's own dependencies


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def xsrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "_xsrf")

    def request(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> bytes:
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        if data is not None:
            req.add_header("X-XSRFToken", self.xsrf())
        with self.opener.open(req, timeout=60) as resp:
            return resp.read()

    def form(self, path: str, fields: dict[str, str]) -> bytes:
        fields = {**fields, "_xsrf": self.xsrf()}
        return self.request(path, urllib.parse.urlencode(fields).encode("utf-8"),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def json(self, path: str, obj: object) -> dict:
        body = self.request(path, json.dumps(obj).encode("utf-8"), {"Content-Type": "application/json"})
        return json.loads(body)

    def multipart(self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> bytes:
        boundary = uuid.uuid4().hex
        parts: list[bytes] = []
        for name, value in {**fields, "_xsrf": self.xsrf()}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                         .encode())
        for name, (filename, data, ctype) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def text_bytes(html: str) -> str:
    """The document's text as Taguette counts offsets: every text node, in order (extract.find_pos)."""
    soup = BeautifulSoup(html, "html5lib")
    return "".join(str(s) for s in soup.descendants if isinstance(s, NavigableString))


def byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def new_project(client: Client, name: str) -> int:
    client.request("/project/new")  # sets the _xsrf cookie
    client.form("/project/new", {"name": name, "description": "qualcode test"})
    page = client.request("/").decode("utf-8")
    ids = [int(n) for n in re.findall(r'href="/project/(\d+)"', page)]
    return max(ids)


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="taguette-home-"))
    port = free_port()
    exe = str(Path(sys.executable).with_name("taguette"))
    server = subprocess.Popen(
        [exe, "--no-browser", "--bind", "127.0.0.1", "--port", str(port), "--database",
         str(home / "taguette.sqlite3")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "HOME": str(home)}, text=True)
    try:
        token = None
        deadline = time.time() + 120
        assert server.stdout is not None
        for line in server.stdout:
            m = re.search(r"\?token=([0-9a-f]+)", line)
            if m:
                token = m.group(1)
                break
            if time.time() > deadline:
                break
        if token is None:
            raise SystemExit("taguette did not print its login link")
        client = Client(f"http://127.0.0.1:{port}")
        client.request(f"/?token={token}")
        pid = new_project(client, "Klantmanagers Zuidwoude")
        tag_ids: dict[str, int] = {}
        for tag in spec["tags"]:
            tag_ids[tag["path"]] = client.json(f"/api/project/{pid}/tag/new", tag)["id"]
        doc_ids: dict[str, int] = {}
        for doc in spec["documents"]:
            body = client.multipart(f"/api/project/{pid}/document/new", {"name": doc["name"], "description": ""},
                                    {"file": (f"{doc['name']}.html", doc["html"].encode("utf-8"), "text/html")})
            doc_ids[doc["name"]] = json.loads(body)["created"]
        for hl in spec["highlights"]:
            did = doc_ids[hl["document"]]
            contents = json.loads(client.request(f"/api/project/{pid}/document/{did}/contents"))
            text = text_bytes("".join(c["contents"] for c in contents["contents"]))
            start = text.index(hl["start"])
            end = text.index(hl["end"], start) + len(hl["end"])
            client.json(f"/api/project/{pid}/document/{did}/highlight/new", {
                "start_offset": byte_offset(text, start), "end_offset": byte_offset(text, end),
                "tags": [tag_ids[t] for t in hl["tags"]]})
        for name, url in (("codebook.qdc", "codebook.qdc"), ("codebook.csv", "codebook.csv"),
                          ("highlights.csv", "highlights/.csv"), ("highlights.xlsx", "highlights/.xlsx")):
            (out / name).write_bytes(client.request(f"/project/{pid}/export/{url}"))
        if spec.get("codebook_csv"):
            other = new_project(client, "Codeboek van qualcode")
            client.request(f"/project/{other}/import_codebook")
            data = Path(spec["codebook_csv"]).read_bytes()
            page = client.multipart(f"/project/{other}/import_codebook", {}, {"file": ("codebook.csv", data,
                                                                                       "text/csv")})
            soup = BeautifulSoup(page.decode("utf-8"), "html5lib")
            fields = {el["name"]: el.get("value", "") for el in soup.select("input[name^=tag]")
                      if el.get("type") != "checkbox"}
            fields |= {el["name"]: "1" for el in soup.select("input[type=checkbox][name$=-import]")}
            if not fields:
                raise SystemExit("Taguette did not accept the codebook: " + soup.get_text(" ", strip=True)[:500])
            client.form(f"/project/{other}/import_codebook", fields)
            (out / "imported-codebook.csv").write_bytes(client.request(f"/project/{other}/export/codebook.csv"))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
