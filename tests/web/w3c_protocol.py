"""A runner for the W3C SPARQL 1.1 Protocol test suite (``../shared/w3c/sparql11-protocol/manifest.ttl``).

Each test is a list of raw HTTP requests (method, path under ``/sparql/``, headers, body in a stated encoding) and
what each answer must be: a status class, and for some a boolean, a result format or an RDF graph. The requests are
sent as written with ``http.client`` (no client library adds or fixes anything), the path prefix ``/sparql/`` being
replaced by the endpoint's.
"""

from __future__ import annotations

import http.client
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
HTS = "http://www.w3.org/2011/http-statusCodes#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values", "application/json", "application/xml"}
RDF_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
             "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD}


@dataclass
class Request:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes | None
    expected_status: set[str]  # "2xx", "3xx", "4xx"…
    expected_boolean: bool | None
    expected_format: str | None


@dataclass
class ProtocolTest:
    id: str
    name: str
    requests: list[Request]
    graph_data: list[tuple[str, str]] = field(default_factory=list)  # (file name, graph IRI)

    @property
    def is_update(self) -> bool:
        """An update the endpoint is expected to perform (2xx): not applicable to a read-only endpoint."""
        first = self.requests[0]
        ctype = dict((k.lower(), v) for k, v in first.headers).get("content-type", "")
        body = (first.body or b"").decode("utf-8", "replace")
        is_update = "sparql-update" in ctype or body.startswith("update=") or "update=" in first.path
        return is_update and "2xx" in first.expected_status


class _Graph:
    def __init__(self, path: Path) -> None:
        self.by_subject: dict[str, dict[str, list[ox.Term]]] = {}
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            self.by_subject.setdefault(str(q.subject), {}).setdefault(q.predicate.value, []).append(q.object)

    def one(self, node: ox.Term, prop: str) -> ox.Term | None:
        values = self.by_subject.get(str(node), {}).get(prop, [])
        return values[0] if values else None

    def all(self, node: ox.Term, prop: str) -> list[ox.Term]:
        return self.by_subject.get(str(node), {}).get(prop, [])

    def items(self, head: ox.Term | None) -> list[ox.Term]:
        out = []
        while head is not None and not (isinstance(head, ox.NamedNode) and head.value == RDF + "nil"):
            first = self.one(head, RDF + "first")
            if first is not None:
                out.append(first)
            head = self.one(head, RDF + "rest")
        return out


def load(manifest: Path) -> list[ProtocolTest]:
    g = _Graph(manifest)
    root = next(s for s, props in g.by_subject.items() if MF + "entries" in props)
    entries = g.items(g.by_subject[root][MF + "entries"][0])
    tests = []
    for entry in entries:
        action = g.one(entry, MF + "action")
        requests = []
        for req in g.items(g.one(action, HT + "requests")):
            headers = [(g.one(h, HT + "fieldName").value, g.one(h, HT + "fieldValue").value)  # type: ignore[union-attr]
                       for h in g.items(g.one(req, HT + "headers"))]
            body_node = g.one(req, HT + "body")
            body = None
            if body_node is not None:
                chars = g.one(body_node, CNT + "chars").value  # type: ignore[union-attr]
                enc = g.one(body_node, CNT + "characterEncoding")
                body = chars.encode(enc.value if enc is not None else "utf-8")
            resp = g.one(req, HT + "resp")
            statuses = {s.value.rsplit("StatusCode", 1)[-1] for s in g.all(resp, MF + "expectedStatus")}
            boolean = g.one(resp, MF + "expectedBoolean")
            fmt = g.one(resp, MF + "expectedFormat")
            requests.append(Request(
                g.one(req, HT + "methodName").value,  # type: ignore[union-attr]
                g.one(req, HT + "absolutePath").value,  # type: ignore[union-attr]
                headers, body, statuses,
                None if boolean is None else boolean.value == "true",
                None if fmt is None else fmt.value,
            ))
        data = []
        for gd in g.all(entry, UT + "graphData"):
            data.append((g.one(gd, UT + "graph").value.rsplit("/", 1)[-1],  # type: ignore[union-attr]
                         g.one(gd, RDFS + "label").value))  # type: ignore[union-attr]
        tests.append(ProtocolTest(entry.value.rsplit("#", 1)[-1], g.one(entry, MF + "name").value,  # type: ignore
                                  requests, data))
    return tests


@dataclass
class Outcome:
    ok: bool
    reason: str
    status: int


def send(host: str, port: int, req: Request, prefix: str = "/sparql") -> tuple[int, dict[str, str], bytes]:
    path = prefix + req.path[len("/sparql"):] if req.path.startswith("/sparql") else req.path
    if path.startswith(prefix + "/?"):
        path = prefix + path[len(prefix) + 1:]
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.putrequest(req.method, path, skip_accept_encoding=True)
        for k, v in req.headers:
            conn.putheader(k, v)
        if req.body is not None:
            conn.putheader("Content-Length", str(len(req.body)))
        elif req.method in ("POST", "PUT"):
            conn.putheader("Content-Length", "0")
        conn.endheaders(req.body)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def _boolean(media: str, body: bytes) -> bool | None:
    if media in ("application/sparql-results+json", "application/json"):
        doc = json.loads(body)
        return doc.get("boolean") if isinstance(doc, dict) else None
    if media in ("application/sparql-results+xml", "application/xml"):
        root = ET.fromstring(body)
        el = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
        return None if el is None else el.text == "true"
    return None


def check(req: Request, status: int, headers: dict[str, str], body: bytes) -> Outcome:
    cls = f"{status // 100}xx"
    if cls not in req.expected_status:
        return Outcome(False, f"status {status}, expected {'/'.join(sorted(req.expected_status))}: "
                              f"{body[:200].decode('utf-8', 'replace')}", status)
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    if req.expected_format == "boolean" or req.expected_boolean is not None:
        try:
            value = _boolean(media, body)
        except (ValueError, ET.ParseError) as exc:
            return Outcome(False, f"not a boolean result ({media}): {exc}", status)
        if value is None:
            return Outcome(False, f"not a boolean result ({media})", status)
        if req.expected_boolean is not None and value != req.expected_boolean:
            return Outcome(False, f"boolean {value}, expected {req.expected_boolean}", status)
    if req.expected_format == "tabular" and media not in RESULT_TYPES:
        return Outcome(False, f"{media} is not a SPARQL results format", status)
    if req.expected_format == "RDF":
        if media not in RDF_TYPES:
            return Outcome(False, f"{media} is not an RDF format", status)
        try:
            list(ox.parse(body, format=RDF_TYPES[media]))
        except SyntaxError as exc:
            return Outcome(False, f"invalid {media}: {exc}", status)
    return Outcome(True, "", status)


def run(test: ProtocolTest, host: str, port: int, prefix: str = "/sparql") -> Outcome:
    outcome = Outcome(True, "", 0)
    for req in test.requests:
        status, headers, body = send(host, port, req, prefix)
        outcome = check(req, status, headers, body)
        if not outcome.ok:
            return outcome
    return outcome
