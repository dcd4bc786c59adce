"""``/sparql``: the SPARQL 1.1 Protocol, query operation only.

- GET ``?query=`` and POST (``application/x-www-form-urlencoded`` or a direct ``application/sparql-query`` body, UTF-8);
  ``default-graph-uri`` / ``named-graph-uri`` set the dataset (they override the query's FROM / FROM NAMED);
- results by content negotiation (JSON, XML, CSV, TSV; Turtle, N-Triples, JSON-LD, RDF/XML for CONSTRUCT and
  DESCRIBE), or by a ``format`` / ``output`` / ``results`` parameter (what SPARQLWrapper and download links send; a
  value it does not know leaves the choice to Accept);
- the answer is computed whole before anything is sent: a query over its time limit is a 503 and one over its row
  limit a 400, each with a message, never a 200 cut short;
- updates are refused: 403 for an update POSTed as the protocol says (this service is read-only), 400 for one sent
  in a way the protocol forbids (GET, several ``update`` parameters, …); SERVICE is refused (the server never fetches
  remote data for a query), and so is LOAD (an update). The base IRI of a query is the endpoint's IRI.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from ..sparql import (
    Answer,
    BindingError,
    ForbiddenQuery,
    NotAcceptable,
    QuerySyntaxError,
    QueryTimeout,
    Result,
    ResultTooLarge,
    StoreError,
    TruncatedResult,
    answer_for,
    result_from_oxigraph,
    tokens,
    uses_service,
)
from ..store import EmbeddedStore, Store
from .isolation import QueryWorkers

MAX_BODY = 1024 * 1024  # bytes of a POSTed request
MAX_QUERY = 256 * 1024  # characters of a query

FORM = "application/x-www-form-urlencoded"
DIRECT_QUERY = "application/sparql-query"
DIRECT_UPDATE = "application/sparql-update"

# format= / output= / results= short names → an Accept header that fits every query form.
FORMAT_PARAMS = {
    "json": "application/sparql-results+json, application/ld+json;q=0.9",
    "xml": "application/sparql-results+xml, application/rdf+xml;q=0.9",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "n3": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
}


class ProtocolError(Exception):
    """A request the protocol does not allow, with the HTTP status to answer."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class Operation:
    query: str | None  # None: no query (service description / query page)
    default_graphs: list[str]
    named_graphs: list[str]
    accept: str | None


def _media(content_type: str | None) -> tuple[str, dict[str, str]]:
    if not content_type:
        return "", {}
    media, _, rest = content_type.partition(";")
    params = {}
    for part in rest.split(";"):
        k, eq, v = part.strip().partition("=")
        if eq:
            params[k.strip().lower()] = v.strip().strip('"').lower()
    return media.strip().lower(), params


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the {what} is not valid UTF-8 (byte {exc.start}); the protocol requires UTF-8") \
            from None


def _pairs(qs: str, what: str) -> list[tuple[str, str]]:
    try:
        return urllib.parse.parse_qsl(qs, keep_blank_values=True, strict_parsing=False, encoding="utf-8",
                                      errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(400, f"the {what} has percent-encoded bytes that are not UTF-8") from None


def parse_request(method: str, query_string: str, content_type: str | None, body: bytes,
                  accept: str | None) -> Operation:
    """Read a protocol request into an operation, or raise ProtocolError with the status to answer."""
    url = _pairs(query_string, "URL")
    names = [k for k, _ in url]
    params = list(url)
    direct: str | None = None
    if method in ("GET", "HEAD"):
        if "update" in names:
            raise ProtocolError(400, "SPARQL Update is not accepted with GET (the protocol requires POST); and this "
                                     "endpoint is read-only")
    elif method == "POST":
        media, mparams = _media(content_type)
        charset = mparams.get("charset")
        if media in (DIRECT_QUERY, DIRECT_UPDATE, FORM) and charset and charset not in ("utf-8", "utf8"):
            raise ProtocolError(415, f"charset {charset} is not accepted: the protocol requires UTF-8")
        if media == FORM:
            form = _pairs(_decode(body, "request body"), "request body")
            if any(k == "update" for k, _ in form) or "update" in names:
                if sum(1 for k, _ in form if k == "update") > 1:
                    raise ProtocolError(400, "more than one update string in the request")
                if any(k == "query" for k, _ in form):
                    raise ProtocolError(400, "a request carries either a query or an update, not both")
                raise ProtocolError(403, "this SPARQL endpoint is read-only: SPARQL Update is not accepted")
            params += form
        elif media == DIRECT_QUERY:
            direct = _decode(body, "query")
            if "query" in names:
                raise ProtocolError(400, "the query is given twice: in the body and in the URL")
        elif media == DIRECT_UPDATE:
            _decode(body, "update")
            raise ProtocolError(403, "this SPARQL endpoint is read-only: SPARQL Update is not accepted")
        elif not media:
            raise ProtocolError(400, "a POSTed query needs a Content-Type: application/x-www-form-urlencoded or "
                                     "application/sparql-query")
        else:
            raise ProtocolError(415, f"Content-Type {media} is not a SPARQL request: use "
                                     "application/x-www-form-urlencoded or application/sparql-query")
    else:
        raise ProtocolError(405, f"{method} is not a SPARQL Protocol method: use GET or POST",
                            {"Allow": "GET, HEAD, POST, OPTIONS"})
    queries = [v for k, v in params if k == "query"]
    if direct is not None:
        queries.append(direct)
    if len(queries) > 1:
        raise ProtocolError(400, f"{len(queries)} query strings in one request; send exactly one")
    query = queries[0] if queries else None
    if query is not None and len(query) > MAX_QUERY:
        raise ProtocolError(413, f"the query is longer than {MAX_QUERY} characters")
    fmt = next((v for k, v in params if k in ("format", "output", "results") and v), None)
    if fmt is not None:  # a name we do not know is left to the Accept header, as clients send all sorts
        fmt = fmt.strip().lower()
        accept = FORMAT_PARAMS.get(fmt) or (fmt if re.fullmatch(r"[a-z]+/[a-z0-9.+-]+", fmt) else accept)
    return Operation(
        query,
        [_check_iri(v, "default-graph-uri") for k, v in params if k == "default-graph-uri"],
        [_check_iri(v, "named-graph-uri") for k, v in params if k == "named-graph-uri"],
        accept,
    )


def _check_iri(value: str, name: str) -> str:
    try:
        return ox.NamedNode(value).value
    except ValueError:
        raise ProtocolError(400, f"{name} is not an absolute IRI: {value!r}") from None


# ----------------------------------------------------------------------------------------------------------------
# Running a query
# ----------------------------------------------------------------------------------------------------------------

def has_dataset_clause(query: str) -> bool:
    """True when the query names its own dataset (FROM / FROM NAMED before its WHERE group)."""
    for t in tokens(query):
        if t.text == "{":
            return False
        if t.kind == "word" and t.text.upper() == "FROM":
            return True
    return False


def with_base(query: str, base: str) -> str:
    """The query with the endpoint as base IRI for its relative IRIs (a BASE of its own still wins). The BASE is
    put on the query's first line, so line numbers in error messages do not move."""
    return f"BASE <{base}> {query}"


def _shift(exc: QuerySyntaxError, offset: int) -> QuerySyntaxError:
    """The error's position in the query as the client wrote it (before the BASE we put in front)."""
    column = exc.column
    if exc.line == 1 and column is not None:
        column = max(1, column - offset)
    return QuerySyntaxError(exc.message, line=exc.line, column=column)


class QueryRunner:
    """Runs protocol queries with the server's limits: a time limit, a row limit, and a cap on how many queries run
    at once (the rest wait, up to the time limit, then get 503)."""

    def __init__(self, store: Store, *, base: str, timeout: float | None, max_rows: int | None,
                 concurrency: int = 4, workers: QueryWorkers | None = None) -> None:
        self.store = store
        self.base = base
        self.timeout = timeout
        self.max_rows = max_rows
        self.workers = workers  # worker processes that run the queries (isolation.py); None: this process
        self._slots = threading.BoundedSemaphore(concurrency)

    def run(self, op: Operation, prefixes: dict[str, str] | None = None) -> Answer:
        """Answer a protocol request: serialised in the negotiated media type (Store.answer on the usual path)."""
        if self.workers is not None:
            workers = self.workers
            return self._limited(lambda: workers.call("answer", (op, prefixes), self.timeout))
        return self._limited(lambda: self._answer(op, prefixes))

    def result(self, op: Operation, bindings: dict[str, object] | None = None) -> Result:
        """The raw result (for the query page), with the same checks and limits as :meth:`run`."""
        if self.workers is not None:
            workers = self.workers
            return self._limited(lambda: workers.call("result", (op, bindings), self.timeout))
        return self._limited(lambda: self._result(op, bindings))

    def _limited(self, fn):  # type: ignore[no-untyped-def]
        if not self._slots.acquire(timeout=self.timeout if self.timeout else None):
            raise QueryTimeout("the server is busy with other queries; try again in a moment")
        try:
            return fn()
        finally:
            self._slots.release()

    def _prepare(self, op: Operation) -> tuple[str, int, bool]:
        text = op.query or ""
        if uses_service(text):
            raise ForbiddenQuery("SERVICE is not allowed: this server does not fetch data from other endpoints for a "
                                 "query")
        based = with_base(text, self.base)
        special = bool(op.default_graphs or op.named_graphs or has_dataset_clause(text))
        if special and not isinstance(self.store, EmbeddedStore) and (op.default_graphs or op.named_graphs):
            raise ProtocolError(400, "default-graph-uri / named-graph-uri are not supported when this server answers "
                                     "from a remote store; write FROM / FROM NAMED in the query")
        return based, len(based) - len(text), special and isinstance(self.store, EmbeddedStore)

    def _answer(self, op: Operation, prefixes: dict[str, str] | None) -> Answer:
        based, offset, own_dataset = self._prepare(op)
        try:
            if own_dataset:
                return answer_for(self._embedded_dataset(based, op), op.accept, prefixes)
            return self.store.answer(based, op.accept, timeout=self.timeout, max_rows=self.max_rows,
                                     prefixes=prefixes)
        except QuerySyntaxError as exc:
            raise _shift(exc, offset) from None

    def _result(self, op: Operation, bindings: dict[str, object] | None) -> Result:
        based, offset, own_dataset = self._prepare(op)
        try:
            if own_dataset:
                if bindings:
                    raise BindingError("parameters cannot be bound in a query with FROM / FROM NAMED here")
                return self._embedded_dataset(based, op)  # type: ignore[return-value]
            return self.store.query(based, bindings, timeout=self.timeout, max_rows=self.max_rows)
        except QuerySyntaxError as exc:
            raise _shift(exc, offset) from None

    def _embedded_dataset(self, text: str, op: Operation) -> object:
        """An embedded-store query whose dataset is not the union default graph: the protocol's default-graph-uri /
        named-graph-uri, or the query's own FROM / FROM NAMED."""
        from .. import store as store_module

        store: EmbeddedStore = self.store  # type: ignore[assignment]
        kwargs: dict[str, object] = {}
        if op.default_graphs or op.named_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in op.default_graphs]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in op.named_graphs]
        max_rows = self.max_rows

        def work(cancelled):  # type: ignore[no-untyped-def]
            try:
                res = store.oxigraph.query(text, **kwargs)  # type: ignore[arg-type]
            except SyntaxError as exc:
                raise store_module._syntax_error(exc, text) from None
            except (RuntimeError, OSError) as exc:
                raise StoreError(f"query failed: {exc}") from None
            try:
                return result_from_oxigraph(res, max_rows, cancelled)
            finally:
                del res  # pyoxigraph results must be dropped on the thread that made them

        return store_module._timed(work, self.timeout)


def status_of(exc: BaseException) -> int:
    """The HTTP status of a store error."""
    if isinstance(exc, ProtocolError):
        return exc.status
    if isinstance(exc, NotAcceptable):
        return 406
    if isinstance(exc, QuerySyntaxError | BindingError):
        return 400
    if isinstance(exc, ForbiddenQuery):
        return 403
    if isinstance(exc, QueryTimeout):
        return 503
    if isinstance(exc, ResultTooLarge):
        return 400
    if isinstance(exc, TruncatedResult):
        return 502
    # A remote store that cannot be reached (down, restarting) is unavailable for now, not a bad answer: 503, which
    # clients and proxies may retry (the next request reaches the store again once it is back).
    return 500 if not isinstance(exc, StoreError) else 503 if "cannot reach" in str(exc) else 500


MAX_MESSAGE = 4000  # characters of an error message sent back


def _capped(message: str) -> str:
    """Messages quote what the client sent (its Accept header, the token a query stops at): a 100 kB header must not
    come back as a 100 kB error."""
    if len(message) <= MAX_MESSAGE:
        return message
    return f"{message[:MAX_MESSAGE]}… ({len(message) - MAX_MESSAGE} more characters not shown)"


def error_text(exc: BaseException) -> str:
    if isinstance(exc, ProtocolError):
        return _capped(exc.message)
    if isinstance(exc, StoreError):
        where = f" (line {exc.line}, column {exc.column})" if exc.line is not None and exc.column is not None else \
            f" (line {exc.line})" if exc.line is not None else ""
        return f"{_capped(exc.message)}{where}"
    return _capped(str(exc))


_PREFIX_LINE = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


def query_prefixes(query: str) -> dict[str, str]:
    """The PREFIX declarations of a query, to write CONSTRUCT results with the same prefixes."""
    return {m.group(1) or "": m.group(2) for m in _PREFIX_LINE.finditer(query) if m.group(1)}


def service_description(endpoint: str, dataset: str, graphs: Sequence[str]) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint (query only, union default graph)."""
    sd = "http://www.w3.org/ns/sparql-service-description#"
    fmt = "http://www.w3.org/ns/formats/"
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    me = ox.NamedNode(endpoint)
    ds = ox.BlankNode("dataset")
    dg = ox.BlankNode("default")
    out = [
        ox.Triple(me, a, ox.NamedNode(sd + "Service")),
        ox.Triple(me, ox.NamedNode(sd + "endpoint"), me),
        ox.Triple(me, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")),
        ox.Triple(me, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")),
        ox.Triple(me, ox.NamedNode(sd + "defaultDataset"), ds),
        ox.Triple(ds, a, ox.NamedNode(sd + "Dataset")),
        ox.Triple(ds, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"), ox.NamedNode(dataset)),
        ox.Triple(ds, ox.NamedNode(sd + "defaultGraph"), dg),
        ox.Triple(dg, a, ox.NamedNode(sd + "Graph")),
    ]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
                 "N-Triples", "JSON-LD", "RDF_XML"):
        out.append(ox.Triple(me, ox.NamedNode(sd + "resultFormat"), ox.NamedNode(fmt + name)))
    for i, g in enumerate(graphs):
        node = ox.BlankNode(f"g{i}")
        out.append(ox.Triple(ds, ox.NamedNode(sd + "namedGraph"), node))
        out.append(ox.Triple(node, a, ox.NamedNode(sd + "NamedGraph")))
        out.append(ox.Triple(node, ox.NamedNode(sd + "name"), ox.NamedNode(g)))
    return out
