"""One ``Store`` interface, two implementations that give the same answers.

- :class:`EmbeddedStore`: pyoxigraph on disk under the build folder (``BUILD/store/``), bulk-loaded from the build's
  TriG with its named graphs; queries see the union of the named graphs as their default graph (a triple stated in
  two graphs matches twice, as on Oxigraph server with ``--union-default-graph``: use DISTINCT where it matters).
- :class:`RemoteStore`: any SPARQL 1.1 store. Queries go through SPARQLWrapper (content negotiation only, POST),
  named graphs are put and replaced through the SPARQL 1.1 Graph Store HTTP Protocol, with optional basic or digest
  authentication. Answers are parsed strictly, so a body cut short (Oxigraph server's timeout) or capped (Virtuoso's
  ``ResultSetMaxRows``) is reported as :class:`TruncatedResult`, never returned as if complete.

Parameters are RDF terms, never text pasted into a query: both stores write them, checked and serialised by
pyoxigraph, as a ``VALUES`` block of N-Triples terms at the start of the query's top-level WHERE group (see
:func:`coopgraph.sparql.bind_values`). One mechanism for both keeps their answers equal; pyoxigraph's own
``substitutions=`` is not used because it requires the variable in the SELECT projection and, in pyoxigraph 0.5.13,
leaves ``BOUND(?param)`` false inside FILTERs (so ``FILTER(!BOUND(?p) || …)`` keeps every row).

SERVICE is refused unless a store is created with ``allow_service=True``: a query must not make the machine that
runs it fetch other endpoints.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .rdfio import to_rdflib
from .sparql import (
    Answer,
    BindingError,
    ForbiddenQuery,
    QuerySyntaxError,
    QueryTimeout,
    Result,
    ResultTooLarge,
    SelectResult,
    StoreError,
    TruncatedResult,
    answer_for,
    bind_values,
    graph_from_triples,
    position,
    query_form,
    result_from_oxigraph,
    uses_service,
)

__all__ = [
    "Answer",
    "BindingError",
    "EmbeddedStore",
    "ForbiddenQuery",
    "QuerySyntaxError",
    "QueryTimeout",
    "RemoteStore",
    "ResultTooLarge",
    "SelectResult",
    "Store",
    "StoreError",
    "TruncatedResult",
    "load_store",
    "open_store",
]

STORE_DIR = "store"
Bindings = Mapping[str, object] | None

_OX_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)


def _syntax_error(exc: BaseException, text: str) -> QuerySyntaxError:
    message = str(exc)
    m = _OX_POSITION.search(message)
    if m:
        line, column = int(m.group(1)), int(m.group(2))
        lines = text.split("\n")
        offset = sum(len(x) + 1 for x in lines[: line - 1]) + column - 1
        rest = text[offset:]
        if not rest.strip() or all(not x.strip() or x.lstrip().startswith("#") for x in rest.split("\n")):
            # Oxigraph points past the end when the query stops early: show the last thing written instead
            end = len(text.rstrip())
            while end > 0 and text[:end].split("\n")[-1].lstrip().startswith("#"):
                end = len(text[: end - len(text[:end].split("\n")[-1])].rstrip())
            line, column = position(text, max(end - 1, 0))
        return QuerySyntaxError(f"SPARQL syntax error: {m.group(3).strip()}", line=line, column=column)
    return QuerySyntaxError(f"SPARQL syntax error: {message}")


_PARSER = ox.Store()  # always empty: parses queries for line/column errors without touching data


def _check_syntax(text: str) -> None:
    """Raise QuerySyntaxError (with line and column) when the text is not a valid SPARQL 1.1 query."""
    try:
        res = _PARSER.query(text)
        if isinstance(res, ox.QuerySolutions | ox.QueryTriples):
            next(iter(res), None)
    except SyntaxError as exc:
        raise _syntax_error(exc, text) from None
    except (RuntimeError, OSError):
        pass  # evaluation on an empty store: not a syntax matter


class Store:
    """What every store offers. Results are rdflib terms; ``bindings`` maps variable names to RDF terms."""

    allow_service = False

    # -- the one method each implementation provides -----------------------------------------------------------
    def query(self, query: str, bindings: Bindings = None, *, timeout: float | None = None,
              max_rows: int | None = None) -> Result:
        """Run any query form: a SelectResult (SELECT), a bool (ASK) or an rdflib Graph (CONSTRUCT, DESCRIBE)."""
        raise NotImplementedError

    def graphs(self) -> list[URIRef]:
        """The names of the store's named graphs, sorted."""
        raise NotImplementedError

    def replace_graph(self, name: str | URIRef, ntriples: bytes) -> int:
        """Replace one named graph by the N-Triples given (Graph Store PUT semantics); returns the bytes sent."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the store holds (files, connections)."""

    # -- typed helpers --------------------------------------------------------------------------------------------
    def select(self, query: str, bindings: Bindings = None, *, timeout: float | None = None,
               max_rows: int | None = None) -> SelectResult:
        self._expect(query, ("SELECT",))
        return self.query(query, bindings, timeout=timeout, max_rows=max_rows)  # type: ignore[return-value]

    def ask(self, query: str, bindings: Bindings = None, *, timeout: float | None = None) -> bool:
        self._expect(query, ("ASK",))
        return self.query(query, bindings, timeout=timeout)  # type: ignore[return-value]

    def construct(self, query: str, bindings: Bindings = None, *, timeout: float | None = None,
                  max_rows: int | None = None) -> Graph:
        self._expect(query, ("CONSTRUCT", "DESCRIBE"))
        return self.query(query, bindings, timeout=timeout, max_rows=max_rows)  # type: ignore[return-value]

    describe = construct

    def answer(self, query: str, accept: str | None = None, bindings: Bindings = None, *,
               timeout: float | None = None, max_rows: int | None = None,
               prefixes: Mapping[str, str] | None = None) -> Answer:
        """Answer a SPARQL Protocol request: run the query, serialise in the media type ``accept`` prefers.

        Raises NotAcceptable (HTTP 406), QuerySyntaxError (400), ForbiddenQuery (400/403), QueryTimeout (503),
        ResultTooLarge, TruncatedResult and StoreError.
        """
        return answer_for(self.query(query, bindings, timeout=timeout, max_rows=max_rows), accept, prefixes)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- shared checks --------------------------------------------------------------------------------------------
    @staticmethod
    def _expect(query: str, forms: tuple[str, ...]) -> None:
        form = query_form(query)
        if form not in forms:
            raise StoreError(f"expected a {' or '.join(forms)} query, got {form}")

    def _check(self, query: str) -> str:
        form = query_form(query)
        if not self.allow_service and uses_service(query):
            raise ForbiddenQuery("SERVICE is not allowed here: this store does not fetch data from other endpoints")
        return form


# ----------------------------------------------------------------------------------------------------------------
# Embedded: pyoxigraph on disk
# ----------------------------------------------------------------------------------------------------------------


def _timed(fn: Callable[[Callable[[], bool]], object], timeout: float | None) -> object:
    """Run ``fn(cancelled)`` with a time limit. pyoxigraph releases the GIL while it evaluates, so the caller gets
    control back on time; the worker stops at its next row (a blocking sort or aggregate finishes in the
    background first — Oxigraph has no way to cancel it)."""
    if timeout is None:
        return fn(lambda: False)
    stop = threading.Event()
    box: dict[str, object] = {}

    def work() -> None:
        try:
            box["value"] = fn(stop.is_set)
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    worker = threading.Thread(target=work, name="coopgraph-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        stop.set()
        raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped; narrow it or add a LIMIT")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]


class EmbeddedStore(Store):
    """The build's Oxigraph store. Read-only by default (several processes may read one build)."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = True, allow_service: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only if path is not None else False
        self.allow_service = allow_service
        if self.path is None:
            self._store = ox.Store()
        else:
            if read_only and not (self.path / "CURRENT").exists():
                raise StoreError(f"no Oxigraph store in {self.path}; run `coopgraph build` to create it")
            try:
                self._store = ox.Store.read_only(str(self.path)) if read_only else ox.Store(str(self.path))
            except OSError as exc:
                raise StoreError(f"cannot open the Oxigraph store in {self.path}: {exc}") from None

    @classmethod
    def for_build(cls, build: str | Path, **kwargs: object) -> EmbeddedStore:
        """The embedded store of a build folder (``BUILD/store``)."""
        build = Path(build)
        if not (build / STORE_DIR).is_dir():
            raise StoreError(f"no embedded store in {build} ({STORE_DIR}/ is missing): run `coopgraph build` "
                             "(or `coopgraph build --out DIR`), or give the folder of a build with --build")
        return cls(build / STORE_DIR, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def from_files(cls, *paths: str | Path, allow_service: bool = False) -> EmbeddedStore:
        """An in-memory store with some RDF files loaded (TriG/N-Quads keep their graphs; others go to the
        default graph). For tests and benchmarks."""
        store = cls(None, allow_service=allow_service)
        for p in paths:
            fmt = ox.RdfFormat.from_extension(Path(p).suffix.lstrip("."))
            if fmt is None:
                raise StoreError(f"unknown RDF file extension: {p}")
            store._store.bulk_load(path=str(p), format=fmt)
        return store

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store (for bulk reads such as quads_for_pattern)."""
        return self._store

    def query(self, query: str, bindings: Bindings = None, *, timeout: float | None = None,
              max_rows: int | None = None) -> Result:
        self._check(query)
        text = bind_values(query, bindings or {})

        def run(cancelled: Callable[[], bool]) -> Result:
            try:
                res = self._store.query(text, use_default_graph_as_union=True)
            except SyntaxError as exc:
                if text is not query:
                    if not uses_service(query):
                        _check_syntax(query)  # the error's place in the text as written
                    raise BindingError(f"the parameters could not be bound in this query: {exc}") from None
                raise _syntax_error(exc, query) from None
            except (RuntimeError, OSError) as exc:
                raise StoreError(f"query failed: {exc}") from None
            try:
                return result_from_oxigraph(res, max_rows, cancelled)
            finally:
                # pyoxigraph results must be dropped on the thread that made them: an error raised here (the row
                # limit) is re-raised on the caller's thread with this frame in its traceback, which would drop
                # `res` there (pyo3 then refuses, and leaks it)
                del res

        try:
            return _timed(run, timeout)  # type: ignore[return-value]
        except OSError as exc:
            raise StoreError(f"query failed: {exc}") from None

    def graphs(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def replace_graph(self, name: str | URIRef, ntriples: bytes) -> int:
        if self.read_only:
            raise StoreError(f"the store in {self.path} is open read-only")
        graph = ox.NamedNode(str(name))
        try:
            quads = [ox.Quad(t.subject, t.predicate, t.object, graph)
                     for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)]
        except SyntaxError as exc:
            raise StoreError(f"not valid N-Triples for <{name}>: {exc}") from None
        self._store.remove_graph(graph) if self._store.contains_named_graph(graph) else None
        self._store.add_graph(graph)
        self._store.extend(quads)
        self._store.flush()
        return len(ntriples)

    def quads(self, graph: str | URIRef | None = None) -> Iterator[ox.Quad]:
        g = ox.NamedNode(str(graph)) if graph is not None else None
        yield from self._store.quads_for_pattern(None, None, None, g)

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        self._store = None  # type: ignore[assignment]  # pyoxigraph closes the database when dropped


def load_store(trig: str | Path, target: str | Path) -> int:
    """Bulk-load a TriG file into a fresh on-disk Oxigraph store at ``target`` (replaced); returns the quad count."""
    target = Path(target)
    if target.exists():
        shutil.rmtree(target)
    store = ox.Store(str(target))
    try:
        store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
        n = len(store)
    finally:
        del store
    return n


def open_store(*, build: str | Path | None = None, endpoint: str | None = None, **kwargs: object) -> Store:
    """The store a command works on: the remote endpoint when given, otherwise the build's embedded store."""
    if endpoint:
        return RemoteStore(endpoint, **kwargs)  # type: ignore[arg-type]
    from .paths import default_build_dir

    return EmbeddedStore.for_build(build or default_build_dir())


# ----------------------------------------------------------------------------------------------------------------
# Remote: SPARQL 1.1 Protocol + Graph Store HTTP Protocol
# ----------------------------------------------------------------------------------------------------------------

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RESULTS_JSON = "application/sparql-results+json"
_GRAPH_ACCEPT = "application/rdf+xml"  # XML: a body cut short can never parse as complete, unlike N-Triples


def guess_graph_store(endpoint: str) -> str | None:
    """The Graph Store endpoint of the usual servers, from their query endpoint.

    Oxigraph ``/query`` → ``/store``; Virtuoso ``/sparql`` → ``/sparql-graph-crud-auth``; Fuseki ``/DS/sparql`` or
    ``/DS/query`` → ``/DS/data``. Anything else must be given explicitly.
    """
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    if path == "/query":
        new = "/store"
    elif path == "/sparql":
        new = "/sparql-graph-crud-auth"
    elif path.endswith(("/sparql", "/query")) and path.count("/") >= 2:
        new = path.rsplit("/", 1)[0] + "/data"
    else:
        return None
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new, "", ""))


def _term_from_json(b: Mapping[str, str]) -> Node:
    kind = b.get("type")
    value = b.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):  # "typed-literal": SPARQL 1.0 JSON, still sent by Virtuoso
        if "xml:lang" in b:
            return Literal(value, lang=b["xml:lang"])
        datatype = b.get("datatype")
        if datatype and datatype != _XSD + "string":
            return Literal(value, datatype=URIRef(datatype))
        return Literal(value)
    raise TruncatedResult(f"the store sent a binding of unknown type {kind!r}")


def _parse_json_results(body: bytes, source: str) -> SelectResult | bool:
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise TruncatedResult(
            f"{source} answered with incomplete JSON ({exc}; {len(body)} bytes). Oxigraph server does this when its "
            "--timeout-s expires after it has started answering: the result is cut, not complete. Narrow the query or "
            "raise the server's timeout."
        ) from None
    if not isinstance(doc, dict):
        raise StoreError(f"{source} answered with JSON that is not SPARQL results")
    if "boolean" in doc:
        return bool(doc["boolean"])
    try:
        variables = list(doc["head"]["vars"])
        rows = [
            tuple(_term_from_json(b[v]) if v in b else None for v in variables)
            for b in doc["results"]["bindings"]
        ]
    except (KeyError, TypeError) as exc:
        raise StoreError(f"{source} answered with JSON that is not SPARQL results (missing {exc})") from None
    return SelectResult(variables, rows)


class RemoteStore(Store):
    """A SPARQL 1.1 store over HTTP.

    ``endpoint`` is the query endpoint; ``graph_store`` the Graph Store Protocol endpoint (guessed for Oxigraph,
    Virtuoso and Fuseki). ``auth`` is "basic" or "digest" (Virtuoso's ``-auth`` endpoints want digest); the
    credentials are used for the Graph Store and sent with queries only when ``auth_queries`` is true.

    The query endpoint's default graph must be the union of its named graphs to get the embedded store's answers:
    start Oxigraph server with ``--union-default-graph``; Virtuoso and Fuseki (``tdb:unionDefaultGraph``) do so
    by default or by configuration.
    """

    def __init__(self, endpoint: str, *, graph_store: str | None = None, user: str | None = None,
                 password: str | None = None, auth: str = "basic", realm: str = "SPARQL",
                 auth_queries: bool = False, timeout: float | None = None, allow_service: bool = False,
                 check_syntax: bool = True, chunk_bytes: int = 32 * 1024 * 1024,
                 content_type: str = "application/n-triples") -> None:
        if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
            raise StoreError(f"not an http(s) SPARQL endpoint: {endpoint}")
        if auth not in ("basic", "digest"):
            raise StoreError(f"unknown authentication {auth!r}: use basic or digest")
        self.endpoint = endpoint
        self.graph_store = graph_store or guess_graph_store(endpoint)
        self.user, self.password, self.auth, self.realm = user, password, auth, realm
        self.auth_queries = auth_queries
        self.timeout = timeout
        self.allow_service = allow_service
        self.check_syntax = check_syntax
        self.chunk_bytes = chunk_bytes
        self.content_type = content_type

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r}, graph_store={self.graph_store!r})"

    # -- queries --------------------------------------------------------------------------------------------------
    def _syntax(self, text: str) -> None:
        if self.check_syntax and not uses_service(text):
            _check_syntax(text)

    def _wrapper(self, text: str, accept: str, timeout: float | None):
        from SPARQLWrapper import BASIC, DIGEST, POST, URLENCODED, SPARQLWrapper

        sw = SPARQLWrapper(self.endpoint)
        sw.setOnlyConneg(True)  # no format=/output=/results= parameters: some servers reject them
        sw.setMethod(POST)
        sw.setRequestMethod(URLENCODED)
        sw.setQuery(text)
        # SPARQLWrapper guesses the form with a regex that also reads comments ("# the communes that moved" makes
        # a SELECT an update, sent as update=…); the form is known, say it.
        sw.queryType = query_form(text)
        sw.addCustomHttpHeader("Accept", accept)
        t = timeout if timeout is not None else self.timeout
        if t is not None:
            sw.setTimeout(max(1, round(t)))
        if self.auth_queries and self.user:
            sw.setHTTPAuth(DIGEST if self.auth == "digest" else BASIC)
            sw.setRealm(self.realm)
            sw.setCredentials(self.user, self.password or "")
        return sw

    def _fetch(self, text: str, accept: str, timeout: float | None) -> tuple[bytes, Mapping[str, str]]:
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        sw = self._wrapper(text, accept, timeout)
        try:
            result = sw.query()
            body = result.response.read()
            headers = {k.lower(): v for k, v in result.response.headers.items()}
        except SPARQLWrapperException as exc:
            detail = exc.args[0] if exc.args else ""
            if isinstance(detail, bytes):
                detail = detail.decode("utf-8", "replace")
            hint = ""
            if "estimated execution time" in str(detail):
                hint = (" — Virtuoso refuses a query whose *estimated* time exceeds MaxQueryCostEstimationTime ([SPARQL] "
                        "section of virtuoso.ini, 400 s in the stock file); its estimate for joined sub-queries can be "
                        "off by orders of magnitude: raise it, or set it to 0")
            raise StoreError(f"{self.endpoint} refused the query: {type(exc).__name__}: "
                             f"{str(detail).strip()[:2000]}{hint}") from None
        except urllib.error.HTTPError as exc:
            raise StoreError(f"{self.endpoint} answered HTTP {exc.code}: "
                             f"{exc.read().decode('utf-8', 'replace')[:2000]}") from None
        except TimeoutError:
            raise QueryTimeout(f"{self.endpoint} did not answer within {timeout or self.timeout:g} s") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if "timed out" in str(reason):
                raise QueryTimeout(f"{self.endpoint} did not answer within {timeout or self.timeout:g} s") from None
            raise StoreError(f"cannot reach {self.endpoint}: {reason}") from None
        return body, headers

    def query(self, query: str, bindings: Bindings = None, *, timeout: float | None = None,
              max_rows: int | None = None) -> Result:
        form = self._check(query)
        self._syntax(query)
        text = bind_values(query, bindings or {})
        if text is not query and self.check_syntax:
            try:
                _check_syntax(text)
            except QuerySyntaxError as exc:
                raise BindingError(f"the parameters could not be bound in this query: {exc.message}") from None
        if form in ("SELECT", "ASK"):
            body, headers = self._fetch(text, f"{_RESULTS_JSON}, application/json;q=0.5", timeout)
            result = _parse_json_results(body, self.endpoint)
            if isinstance(result, SelectResult):
                self._check_cap(result, headers)
                if max_rows is not None and len(result.rows) > max_rows:
                    raise ResultTooLarge(f"the result has more than {max_rows} rows; add a LIMIT or narrow the query")
            return result
        body, headers = self._fetch(text, f"{_GRAPH_ACCEPT}, text/turtle;q=0.5", timeout)
        media = headers.get("content-type", _GRAPH_ACCEPT).split(";")[0].strip().lower()
        fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.RDF_XML
        try:
            triples = [q.triple for q in ox.parse(body, format=fmt)]
        except SyntaxError as exc:
            raise TruncatedResult(f"{self.endpoint} answered with an incomplete or invalid {fmt.name} graph ({exc}); "
                                  "a server that timed out part-way does this") from None
        graph = graph_from_triples(triples, max_rows)
        self._check_cap(SelectResult(["s"], [()] * len(graph)), headers)
        return graph

    def _check_cap(self, result: SelectResult, headers: Mapping[str, str]) -> None:
        cap = headers.get("x-sparql-maxrows")
        if cap and cap.strip().isdigit() and len(result.rows) >= int(cap):
            raise TruncatedResult(
                f"{self.endpoint} stopped at {cap} rows (X-SPARQL-MaxRows): the result is cut, not complete. "
                "Virtuoso caps every answer at its ResultSetMaxRows ([SPARQL] section of virtuoso.ini) without "
                "saying so in the body; raise it, or page the query with ORDER BY + LIMIT/OFFSET below the cap."
            )

    def graphs(self) -> list[URIRef]:
        res = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        if not res.rows:  # Virtuoso answers nothing to an empty GRAPH pattern
            res = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(URIRef(str(g)) for g in res.column("g") if isinstance(g, URIRef))

    # -- Graph Store HTTP Protocol --------------------------------------------------------------------------------
    def _gsp_url(self, name: str | URIRef | None) -> str:
        if not self.graph_store:
            raise StoreError(f"no Graph Store endpoint known for {self.endpoint}; give it (--graph-store URL)")
        query = "default" if name is None else urllib.parse.urlencode({"graph": str(name)})
        sep = "&" if "?" in self.graph_store else "?"
        return f"{self.graph_store}{sep}{query}"

    def _digest(self, req: urllib.request.Request) -> str | None:
        """The Authorization header for a digest-protected request, from a challenge asked without a body.

        Servers such as Virtuoso answer 401 and close the connection while a large body is still being sent, so
        the usual "send, get 401, send again" never gets its second chance: ask first with a body-less GET.
        """
        probe = urllib.request.Request(req.full_url, method="GET")
        try:
            with urllib.request.urlopen(probe, timeout=self.timeout or 600) as resp:
                resp.read()
            return None  # no authentication asked for
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "")
            exc.read()
            if exc.code != 401 or not challenge.lower().startswith("digest "):
                return None
        mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        mgr.add_password(None, req.full_url, self.user, self.password or "")
        handler = urllib.request.HTTPDigestAuthHandler(mgr)
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(challenge[len("digest ") :]))
        value = handler.get_authorization(req, fields)
        return f"Digest {value}" if value else None

    def _gsp(self, method: str, name: str | URIRef | None, body: bytes | None = None) -> int:
        url = self._gsp_url(name)
        req = urllib.request.Request(url, data=body, method=method)
        if body is not None:
            req.add_header("Content-Type", self.content_type)
        try:
            if self.user and self.auth == "basic":
                token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode()
                req.add_header("Authorization", f"Basic {token}")
            elif self.user and self.auth == "digest":
                header = self._digest(req)
                if header:
                    req.add_header("Authorization", header)
            with urllib.request.urlopen(req, timeout=self.timeout or 600) as resp:
                resp.read()
                return resp.status
        except urllib.error.HTTPError as exc:
            if method == "DELETE" and exc.code == 404:
                return 404
            text = exc.read().decode("utf-8", "replace").strip()[:1000]
            hint = " (check the user, the password and --auth)" if exc.code in (401, 403) else ""
            raise StoreError(f"Graph Store {method} <{name}> at {self.graph_store} failed: HTTP {exc.code}"
                             f"{hint}: {text}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(f"Graph Store {method} <{name}>: cannot reach {self.graph_store}: "
                             f"{getattr(exc, 'reason', exc)}") from None

    def replace_graph(self, name: str | URIRef, ntriples: bytes) -> int:
        """PUT the graph; a large graph is sent as a PUT of its first part and POSTs (merges) of the rest.

        Lines with blank nodes all go in the first part, so a blank node is never split between two requests.
        Running it again after a failure part-way starts over with the PUT: nothing is duplicated.
        """
        chunks = list(_chunks(ntriples, self.chunk_bytes))
        self._gsp("PUT", name, chunks[0])
        for chunk in chunks[1:]:
            self._gsp("POST", name, chunk)
        return len(ntriples)

    def delete_graph(self, name: str | URIRef) -> None:
        self._gsp("DELETE", name)


def _chunks(ntriples: bytes, size: int) -> Iterator[bytes]:
    if len(ntriples) <= size:
        yield ntriples
        return
    lines = ntriples.splitlines(keepends=True)
    with_bnodes = [ln for ln in lines if b"_:" in ln]
    rest = [ln for ln in lines if b"_:" not in ln]
    current: list[bytes] = list(with_bnodes)
    length = sum(map(len, current))
    for ln in rest:
        if length + len(ln) > size and current:
            yield b"".join(current)
            current, length = [], 0
        current.append(ln)
        length += len(ln)
    if current or not with_bnodes:
        yield b"".join(current)


def graph_ntriples(quads: Iterable[ox.Quad]) -> dict[str | None, bytes]:
    """Quads grouped by graph name (None = default graph), each graph as sorted N-Triples bytes."""
    lines: dict[str | None, list[str]] = {}
    for q in quads:
        key = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None
        lines.setdefault(key, []).append(f"{q.subject} {q.predicate} {q.object} .\n")
    return {k: "".join(sorted(v)).encode("utf-8") for k, v in lines.items()}


def rdflib_row(row: Iterable[ox.NamedNode | ox.Literal | ox.BlankNode | None]) -> tuple[Node | None, ...]:
    return tuple(None if t is None else to_rdflib(t) for t in row)
