"""The ASGI application of ``coopgraph serve``: Linked Data pages, the SPARQL endpoint, the dataset and its files.

Addresses (``/`` is the server's root, ``--root-path`` when it sits behind a proxy under a path):

- ``/id/…``, ``/vocab/…``, ``/graph/…``: every IRI under the base IRI. The IRI names a thing, so it answers
  ``303 See Other`` to the document that describes it, chosen by content negotiation — the W3C "Cool URIs for the
  Semantic Web" recipe of 303 URIs forwarding to different documents (§4.2). The documents are the IRI plus an
  extension: ``.html``, ``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``;
- ``/ontology``: the ontology uses hash IRIs (``…/ontology#Acteur``), so ``/ontology`` is itself the document and
  answers 200 with content negotiation (§4.1), as do ``/ontology.html`` and ``/ontology.ttl``…;
- ``/dataset``: VoID + DCAT; ``/dumps/``: the build's files with sizes and SHA-256; ``/sparql``: the SPARQL 1.1
  Protocol; ``/query``: a query page with the example queries; ``/health``.

Pages are French by default, English with ``?lang=en``. Nothing in a page needs JavaScript or the internet.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
import urllib.parse
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, select_autoescape
from rdflib import Graph, Literal, URIRef
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import __version__
from ..errors import CoopgraphError
from ..iris import BASE, PREFIXES
from ..paths import data_path
from ..rdfio import to_oxigraph
from ..sparql import BindingError, NotAcceptable, SelectResult, StoreError, negotiate
from ..store import EmbeddedStore, Store, open_store
from . import negotiation as neg
from .endpoint import (
    MAX_BODY,
    Operation,
    ProtocolError,
    QueryRunner,
    error_text,
    parse_request,
    query_prefixes,
    service_description,
    status_of,
)
from .examples import Example, load_examples
from .files import Dumps, human_size, read_void
from .i18n import pick_lang, text
from .isolation import QueryWorkers
from .model import Model
from .pages import Labeller, Linker, PageBuilder, Value, values_html
from .resources import Description, Reader, TermMemo, source_for

HERE = Path(__file__).resolve().parent
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
TERMS_PER_PAGE = 30  # node answers kept in the memo per page the page cache holds (about 650 bytes each at size L)
HTML_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")


@dataclass
class ServeConfig:
    """What ``coopgraph serve`` is told: where the data is and the limits it keeps."""

    build: Path | None = None
    endpoint: str | None = None
    base_iri: str = BASE
    timeout: float = 10.0
    max_rows: int = 10_000
    root_path: str = ""
    cache_pages: int = 2000
    concurrency: int = 4
    queries: Path | None = None  # the example queries' folder (default: the shipped queries/)
    page_reads: str = "auto"  # "sparql": pages read the embedded store through SPARQL too (as a remote one)
    threads: int = 40  # threads at once: page builds and SPARQL requests waiting on their worker processes
    page_threads: int = 4  # of those, the threads that build pages (guarded routes) at once
    isolate_queries: bool = True  # /sparql and /query run in worker processes (isolation.py; on-disk store only)
    store_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.base_iri.endswith(("/", "#")):
            self.base_iri += "/"
        self.root_path = "/" + self.root_path.strip("/") if self.root_path.strip("/") else ""


class PageCache:
    """Rendered documents of a read-only store, least recently used out first (bounded in entries and bytes)."""

    def __init__(self, entries: int, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self._data: OrderedDict[tuple, tuple[int, str, bytes, dict[str, str]]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[int, str, bytes, dict[str, str]] | None:
        if not self.entries:
            return None
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
            return hit

    def put(self, key: tuple, value: tuple[int, str, bytes, dict[str, str]]) -> None:
        if not self.entries or len(value[2]) > self.max_bytes // 16:
            return
        with self._lock:
            if key in self._data:
                return
            self._data[key] = value
            self._bytes += len(value[2])
            while len(self._data) > self.entries or self._bytes > self.max_bytes:
                _, old = self._data.popitem(last=False)
                self._bytes -= len(old[2])


class Site:
    """Everything the routes share: store, model, templates, files, limits."""

    def __init__(self, config: ServeConfig, store: Store | None = None) -> None:
        self.config = config
        self.base = config.base_iri
        self.root = config.root_path
        self.store = store or open_store(build=config.build, endpoint=config.endpoint, **config.store_options)
        self.embedded = isinstance(self.store, EmbeddedStore)
        self.ns = self.base + "ontology#"
        self.model = Model(self._model_graph(), self.base)
        self.build = config.build if config.build is not None and config.build.is_dir() else None
        self.dumps = Dumps(self.build)
        self.void = read_void(self.build)
        self.summary = self._summary()
        self.examples = load_examples(config.queries)
        self.graphs = [str(g) for g in self._graphs()]
        workers = None
        if config.isolate_queries and self.embedded and getattr(self.store, "path", None) is not None:
            workers = QueryWorkers(self.store.path, base=self.base + "sparql",  # type: ignore[attr-defined]
                                   max_rows=config.max_rows)
            workers.warm()
        self.runner = QueryRunner(self.store, base=self.base + "sparql", timeout=config.timeout,
                                  max_rows=config.max_rows, concurrency=config.concurrency, workers=workers)
        self.cache = PageCache(config.cache_pages if self.embedded else 0)
        self.page_limiter = anyio.CapacityLimiter(max(1, min(config.page_threads, config.threads)))
        # The store's answers per node behind the pages (labels, participations…), shared by all requests: bounded
        # with the page cache (--cache-pages 0 turns both off), about 40 MB when full.
        self.memo = TermMemo(config.cache_pages * TERMS_PER_PAGE if self.embedded else 0)
        self.build_id = hashlib.sha256(
            (json.dumps(self.summary, sort_keys=True) + __version__ + self.base + str(config.build)).encode()
        ).hexdigest()[:16]
        self.env = Environment(loader=PackageLoader("coopgraph.web", "templates"),
                               autoescape=select_autoescape(["html", "svg", "xml"]), trim_blocks=True,
                               lstrip_blocks=True, auto_reload=False)
        self.env.globals.update(root=self.root, version=__version__)
        self.env.filters["size"] = human_size
        self.env.filters["values"] = values_html
        self.prefixes = dict(PREFIXES)
        self.prefixes["coop"] = self.ns
        self.dumps.warm()

    def reader(self) -> Reader:
        """Store reads for one request, with the server's time limit as its budget."""
        return Reader(source_for(self.store, self.config.timeout, self.config.page_reads == "sparql", self.memo),
                      self.ns)

    def instruments(self, limit: int = 200) -> SelectResult:
        return self.store.select(
            f"PREFIX coop: <{self.ns}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "SELECT ?i (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?a) AS ?parties) WHERE { "
            "?c rdfs:subClassOf* coop:Instrument . ?i a ?c . OPTIONAL { ?i rdfs:label ?l } "
            f"OPTIONAL {{ ?i coop:partie ?a }} }} GROUP BY ?i ORDER BY ?label LIMIT {limit}",
            timeout=self.config.timeout)

    def _model_graph(self) -> Graph:
        try:
            g = self.store.construct("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                                     {"g": URIRef(self.base + "graph/ontology")}, timeout=max(self.config.timeout, 60))
        except StoreError:
            g = Graph()
        if len(g) == 0:
            from ..validate import load_model

            g = load_model()
        return g

    def _summary(self) -> dict[str, Any]:
        if self.build is not None and (self.build / "summary.json").is_file():
            try:
                return json.loads((self.build / "summary.json").read_text(encoding="utf-8"))
            except ValueError:
                return {}
        return {}

    def _graphs(self) -> list[URIRef]:
        try:
            return self.store.graphs()
        except StoreError:
            return []

    # -- rendering --------------------------------------------------------------------------------------------
    def render(self, template: str, request: Request, lang: str, status: int = 200, **context: Any) -> Response:
        linker = Linker(self.base, self.root, lang)
        other = "en" if lang == "fr" else "fr"
        params = dict(request.query_params)
        params.pop("lang", None)
        if other != "fr":
            params["lang"] = other
        switch = request.url.path + ("?" + urllib.parse.urlencode(params) if params else "")
        html = self.env.get_template(template).render(
            t=lambda key, **kw: text(key, lang, **kw), lang=lang, link=linker, switch_lang=switch,
            colon="\u00a0:" if lang == "fr" else ":", **context)
        return Response(html, status_code=status, media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": HTML_CSP, "Content-Language": lang})

    def error(self, request: Request, status: int, message: str, lang: str | None = None,
              headers: dict[str, str] | None = None) -> Response:
        lang = lang or pick_lang(request.query_params.get("lang"))
        try:
            wants_html = neg.choose(request.headers.get("accept"), (neg.HTML, neg.TURTLE)).is_html \
                and "text/html" in (request.headers.get("accept") or "")
        except NotAcceptable:
            wants_html = False
        if wants_html:
            title = {404: text("error.404", lang), 406: text("error.406", lang)}.get(status, text("error.generic",
                                                                                                   lang))
            resp = self.render("error.html", request, lang, status=status, title=title, message=message,
                               code=status)
        else:
            resp = PlainTextResponse(message + "\n", status_code=status)
        for k, v in (headers or {}).items():
            resp.headers[k] = v
        return resp

    def not_found(self, request: Request, lang: str | None = None) -> Response:
        lang = lang or pick_lang(request.query_params.get("lang"))
        return self.error(request, 404, text("error.404.text", lang), lang)

    def serialize(self, triples: list[ox.Triple], variant: neg.Variant) -> bytes:
        assert variant.rdf_format is not None
        if variant.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
            used = {p: ns for p, ns in self.prefixes.items() if any(ns in str(t) for t in triples[:2000])}
            return ox.serialize(triples, format=variant.rdf_format, prefixes=used)
        return ox.serialize(triples, format=variant.rdf_format)

    def cached(self, request: Request, key: tuple, make: Callable[[], tuple[int, str, bytes, dict[str, str]]]
               ) -> Response:
        """A document from the cache or made now, with an ETag (the build and the variant) and 304s."""
        etag = '"' + hashlib.sha256(repr((self.build_id, key)).encode()).hexdigest()[:20] + '"'
        if self.embedded and request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        hit = self.cache.get(key)
        if hit is None:
            hit = make()
            if hit[0] == 200:
                self.cache.put(key, hit)
        status, media, body, headers = hit
        resp = Response(body, status_code=status, media_type=media, headers=headers)
        if status == 200 and self.embedded:
            resp.headers["ETag"] = etag
            resp.headers["Cache-Control"] = "public, max-age=300"
        return resp


# --------------------------------------------------------------------------------------------------------------
# Resources: /id/…, /vocab/…, /graph/…, /describe
# --------------------------------------------------------------------------------------------------------------


def _lang(request: Request) -> str:
    return pick_lang(request.query_params.get("lang"))


def _alternates(site: Site, local: str, lang: str) -> list[tuple[str, str, str]]:
    q = "?lang=en" if lang == "en" else ""
    path = f"{site.root}/{urllib.parse.quote(local)}"
    return [(v.ext, v.media_type, f"{path}.{v.ext}" + (q if v.is_html else "")) for v in neg.VARIANTS]


def thing(site: Site, request: Request, local: str) -> Response:
    """An IRI under the base: 303 to the document chosen by Accept. The IRI plus an extension is that document (the
    extension wins if an IRI happened to end like one and its stem names a resource too)."""
    lang = _lang(request)
    stem, variant = neg.split_extension(local)
    if variant is not None:
        resp = document(site, request, stem, variant, lang)
        if resp.status_code != 404:
            return resp
    iri = site.base + local
    try:
        is_thing = (site.base + local) in site.graphs or site.reader().src.exists(iri)
    except BindingError:
        return site.not_found(request, lang)
    if not is_thing:
        return site.not_found(request, lang)
    try:
        chosen = neg.choose(request.headers.get("accept"))
    except NotAcceptable:
        return site.error(request, 406, f"{iri} is described in: {neg.OFFERED}", lang, {"Vary": "Accept"})
    target = f"{site.root}/{urllib.parse.quote(local)}.{chosen.ext}"
    if request.url.query:
        target += "?" + request.url.query
    return Response(status_code=303, headers={"Location": target, "Vary": "Accept",
                                              "Link": f'<{target}>; rel="describedby"'})


def _graph_local(site: Site, local: str) -> bool:
    return local.startswith("graph/") and (site.base + local) in site.graphs


def document(site: Site, request: Request, local: str, variant: neg.Variant, lang: str) -> Response:
    iri = site.base + local

    def make() -> tuple[int, str, bytes, dict[str, str]]:
        reader = site.reader()
        d = _graph_description(site, iri) if _graph_local(site, local) else reader.describe(iri)
        if not d.exists:
            resp = site.not_found(request, lang)
            return resp.status_code, resp.media_type or "text/plain", bytes(resp.body), {}
        link = {"Link": f'<{iri}>; rel="describes"'}
        if variant.is_html:
            linker = Linker(site.base, site.root, lang)
            page = PageBuilder(reader, site.model, linker, lang).build(
                d, [(ext, href) for ext, _, href in _alternates(site, local, lang) if ext != "html"])
            resp = site.render("resource.html", request, lang, page=page, title=page.title,
                               alternates=[(m, h) for e, m, h in _alternates(site, local, lang) if e != "html"])
            return 200, "text/html; charset=utf-8", bytes(resp.body), {**dict(resp.headers.items()), **link}
        body = site.serialize(d.triples(), variant)
        media = variant.media_type + ("; charset=utf-8" if variant.media_type.startswith("text/") else "")
        return 200, media, body, link

    resp = site.cached(request, ("doc", local, variant.ext, lang if variant.is_html else ""), make)
    for k, v in SECURITY_HEADERS.items():
        resp.headers.setdefault(k, v)
    return resp


def _graph_description(site: Site, iri: str) -> Description:
    """A named graph's document: what the VoID description says of it, and the document it was read from."""
    d = Description(iri)
    for t in site.void:
        if isinstance(t.subject, ox.NamedNode) and t.subject.value == iri:
            d.out.append((t.predicate, t.object, None))
        elif isinstance(t.object, ox.NamedNode) and t.object.value == iri:
            d.incoming.append((t.subject, t.predicate, None))
    if not d.out:
        d.out.append((ox.NamedNode(RDF_TYPE), ox.NamedNode(VOID + "Dataset"), None))
    rest = iri[len(site.base):]
    if rest.startswith("graph/source/"):
        d.out.append((ox.NamedNode(DCT + "source"), ox.NamedNode(site.base + "id/document/" +
                                                                rest[len("graph/source/"):]), None))
    d.incoming_total = len(d.incoming)
    return d


def guarded(fn: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """A page route whose store query fails (time limit, remote store down) answers 503/502 with the reason."""

    def sync(request: Request) -> Response:
        try:
            return fn(request)
        except StoreError as exc:
            return get_site(request).error(request, status_of(exc) if status_of(exc) != 400 else 500, error_text(exc))

    async def route(request: Request) -> Response:
        # Pages are built by a few threads of their own (--threads counts them too): their store reads and
        # rendering hold the GIL, so more of them at once only take turns (at size L, 40 at once served a third
        # fewer pages per CPU-second than 4), while SPARQL queries, which wait on their worker processes, keep the
        # other threads.
        return await anyio.to_thread.run_sync(sync, request, limiter=get_site(request).page_limiter)

    route.__name__ = fn.__name__
    route.__doc__ = fn.__doc__
    return route


@guarded
def id_route(request: Request) -> Response:
    return thing(get_site(request), request, "id/" + request.path_params["path"])


@guarded
def vocab_route(request: Request) -> Response:
    return thing(get_site(request), request, "vocab/" + request.path_params["path"])


@guarded
def graph_route(request: Request) -> Response:
    return thing(get_site(request), request, "graph/" + request.path_params["path"])


def vocab_index(request: Request) -> Response:
    site = get_site(request)
    lang = _lang(request)
    linker = Linker(site.base, site.root, lang)
    schemes = sorted(((site.model.label(s, lang), linker.href(s), len(c)) for s, c in site.model.schemes.items()),
                     key=lambda x: x[0].lower())
    return site.render("vocab.html", request, lang, title=text("nav.vocab", lang), schemes=schemes)


@guarded
def describe_route(request: Request) -> Response:
    """A page for any IRI — an ontology term (hash IRI), an external IRI the data links to."""
    site = get_site(request)
    lang = _lang(request)
    iri = request.query_params.get("iri", "")
    try:
        iri = ox.NamedNode(iri).value
    except ValueError:
        return site.error(request, 400, f"not an absolute IRI: {iri!r}", lang)
    local = iri[len(site.base):] if iri.startswith(site.base) else None
    if local and "#" not in local and local.startswith(("id/", "vocab/", "graph/")):
        return RedirectResponse(Linker(site.base, site.root, lang).href(iri) or "/", status_code=303)
    try:
        variant = neg.choose(request.headers.get("accept"))
    except NotAcceptable:
        return site.error(request, 406, f"{iri} is described in: {neg.OFFERED}", lang, {"Vary": "Accept"})
    reader = site.reader()
    d = reader.describe(iri)
    if not d.exists:
        return site.not_found(request, lang)
    if not variant.is_html:
        return Response(site.serialize(d.triples(), variant), media_type=variant.media_type,
                        headers={"Vary": "Accept"})
    linker = Linker(site.base, site.root, lang)
    page = PageBuilder(reader, site.model, linker, lang).build(d, [])
    resp = site.render("resource.html", request, lang, page=page, title=page.title, alternates=[])
    resp.headers["Vary"] = "Accept"
    return resp


# --------------------------------------------------------------------------------------------------------------
# Ontology, dataset, dumps, home, health
# --------------------------------------------------------------------------------------------------------------


def _negotiated(request: Request, ext: str | None) -> neg.Variant:
    if ext is not None:
        if ext not in neg.BY_EXT:
            raise KeyError(ext)
        return neg.BY_EXT[ext]
    return neg.choose(request.headers.get("accept"))


def ontology_route(request: Request) -> Response:
    site = get_site(request)
    lang = _lang(request)
    ext = request.path_params.get("ext")
    try:
        variant = _negotiated(request, ext)
    except KeyError:
        return site.not_found(request, lang)
    except NotAcceptable:
        return site.error(request, 406, f"the ontology is available as: {neg.OFFERED}", lang, {"Vary": "Accept"})
    vary = {"Vary": "Accept"} if ext is None else {}

    def make() -> tuple[int, str, bytes, dict[str, str]]:
        if variant.is_html:
            resp = site.render("ontology.html", request, lang, title=site.model.label(site.model.ontology_iri, lang),
                               **ontology_context(site, lang),
                               alternates=[(v.media_type, f"{site.root}/ontology.{v.ext}") for v in neg.RDF_VARIANTS])
            return 200, "text/html; charset=utf-8", bytes(resp.body), dict(resp.headers.items())
        path = data_path("ontology") / "coop.ttl"
        if variant is neg.TURTLE and path.is_file():
            return 200, "text/turtle; charset=utf-8", path.read_bytes(), {}
        triples = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
        return 200, variant.media_type, site.serialize(triples, variant), {}

    resp = site.cached(request, ("ontology", variant.ext, lang if variant.is_html else ""), make)
    for k, v in vary.items():
        resp.headers[k] = v
    return resp


def ontology_version(request: Request) -> Response:
    """The ontology's version IRI (``/ontology/0.1.0``): this server has the current version only."""
    site = get_site(request)
    version = request.path_params["version"]
    stem, variant = neg.split_extension(version)
    current = (site.model.ontology_meta.get("http://www.w3.org/2002/07/owl#versionInfo") or {}).get("", "")
    if stem != current:
        return site.not_found(request)
    target = f"{site.root}/ontology" + (f".{variant.ext}" if variant else "")
    return Response(status_code=303, headers={"Location": target, "Vary": "Accept"})


def ontology_context(site: Site, lang: str) -> dict[str, Any]:
    m = site.model
    linker = Linker(site.base, site.root, lang)
    counts: dict[str, int] = {}
    uses: dict[str, int] = {}
    by_subject: dict[str, dict[str, str]] = defaultdict(dict)
    for t in site.void:
        if isinstance(t.subject, ox.BlankNode):
            by_subject[t.subject.value][t.predicate.value] = t.object.value
    for part in by_subject.values():
        if VOID + "class" in part and VOID + "entities" in part:
            counts[part[VOID + "class"]] = int(part[VOID + "entities"])
        if VOID + "property" in part and VOID + "triples" in part:
            uses[part[VOID + "property"]] = int(part[VOID + "triples"])

    def v(iri: str) -> Value:
        return Value(m.label(iri, lang), linker.href(iri), iri, linker.is_external(iri))

    def frag(iri: str) -> str:
        return iri[len(m.ns):] if iri.startswith(m.ns) else iri

    def describe_link(iri: str) -> str:
        return linker.path("describe", {"iri": iri})

    classes = []
    for c in m.coop_classes():
        classes.append({
            "id": frag(c), "iri": c, "label": m.label(c, lang), "definition": m.definition(c, lang),
            "supers": sorted((v(s) for s in m.superclasses.get(c, ())), key=lambda x: x.text.lower()),
            "subs": sorted((v(s) for s in m.subclasses.get(c, ())), key=lambda x: x.text.lower()),
            "count": counts.get(c, 0), "links": describe_link(c),
        })
    properties = []
    for p in m.coop_properties():
        properties.append({
            "id": frag(p), "iri": p, "label": m.label(p, lang), "definition": m.definition(p, lang),
            "kind": m.label(m.properties[p], lang),
            "domain": [v(c) for c in m.domains.get(p, [])], "range": [v(c) for c in m.ranges.get(p, [])],
            "supers": [v(s) for s in sorted(m.superproperties.get(p, ()))],
            "inverse": v(m.inverse[p]) if p in m.inverse else None,
            "count": uses.get(p, 0), "links": describe_link(p),
        })
    meta = m.ontology_meta
    pick = lambda prop: (meta.get(prop, {}).get(lang) or meta.get(prop, {}).get("fr")  # noqa: E731
                         or next(iter(meta.get(prop, {}).values()), None))
    schemes = sorted(((m.label(s, lang), linker.href(s), len(c)) for s, c in m.schemes.items()),
                     key=lambda x: x[0].lower())
    return {"classes": classes, "properties": properties, "schemes": schemes, "namespace": m.ns,
            "description": pick(DCT + "description"), "version": pick("http://www.w3.org/2002/07/owl#versionInfo"),
            "ontology_iri": m.ontology_iri}


def _void_triples(site: Site) -> list[ox.Triple]:
    triples = list(site.void)
    ds = ox.NamedNode(site.base + "dataset")
    if triples:
        triples.append(ox.Triple(ds, ox.NamedNode(VOID + "sparqlEndpoint"), ox.NamedNode(site.base + "sparql")))
        triples.append(ox.Triple(ds, ox.NamedNode(VOID + "rootResource"), ox.NamedNode(site.base + "ontology")))
    return triples


def dataset_route(request: Request) -> Response:
    site = get_site(request)
    lang = _lang(request)
    ext = request.path_params.get("ext")
    try:
        variant = _negotiated(request, ext)
    except KeyError:
        return site.not_found(request, lang)
    except NotAcceptable:
        return site.error(request, 406, f"the dataset description is available as: {neg.OFFERED}", lang,
                          {"Vary": "Accept"})
    triples = _void_triples(site)
    headers = {"Vary": "Accept"} if ext is None else {}
    if not variant.is_html:
        if not triples:
            return site.error(request, 404, text("dataset.missing", lang), lang)
        return Response(site.serialize(triples, variant), media_type=variant.media_type, headers=headers)
    resp = site.render("dataset.html", request, lang, title=text("dataset.title", lang),
                       **dataset_context(site, triples, lang),
                       alternates=[(v.media_type, f"{site.root}/dataset.{v.ext}") for v in neg.RDF_VARIANTS])
    resp.headers.update(headers)
    return resp


def dataset_context(site: Site, triples: list[ox.Triple], lang: str) -> dict[str, Any]:
    linker = Linker(site.base, site.root, lang)
    ds = site.base + "dataset"
    props: dict[str, dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        props[str(t.subject)][t.predicate.value].append(t.object)
    me = props.get(f"<{ds}>", {})

    def lit(values: list, prefer: str | None = None) -> str | None:
        if not values:
            return None
        if prefer:
            for val in values:
                if isinstance(val, ox.Literal) and val.language == prefer:
                    return val.value
        return values[0].value

    title = lit(me.get(DCT + "title", []), lang)
    figures = [(text(key, lang), lit(me.get(VOID + name, [])))
               for key, name in (("col.triples", "triples"), ("col.entities", "entities"),
                                 ("dataset.classes", "classes"), ("dataset.properties", "properties"))]
    subsets = []
    for g in me.get(VOID + "subset", []):
        gp = props.get(str(g), {})
        subsets.append((Value(site.model.short(g.value) if not g.value.startswith(site.base) else g.value[len(site.base):],
                              linker.href(g.value), g.value), lit(gp.get(VOID + "triples", []))))
    dists = []
    for dnode in me.get(DCAT + "distribution", []):
        dp = props.get(str(dnode), {})
        name = lit(dp.get(DCT + "title", [])) or dnode.value.rsplit("/", 1)[-1]
        media = (lit(dp.get(DCAT + "mediaType", [])) or "").rsplit("media-types/", 1)[-1]
        size = lit(dp.get(DCAT + "byteSize", []))
        dists.append({"name": name, "href": linker.href(dnode.value), "media": media,
                      "size": human_size(int(size), lang) if size and size.isdigit() else ""})
    classes, properties = [], []
    for part in me.get(VOID + "classPartition", []):
        pp = props.get(str(part), {})
        c = lit(pp.get(VOID + "class", []))
        if c:
            classes.append((Value(site.model.label(c, lang), linker.href(c), c), int(lit(pp.get(VOID + "entities",
                                                                                               [])) or 0)))
    for part in me.get(VOID + "propertyPartition", []):
        pp = props.get(str(part), {})
        p = lit(pp.get(VOID + "property", []))
        if p:
            properties.append((Value(site.model.label(p, lang), linker.href(p), p),
                               int(lit(pp.get(VOID + "triples", [])) or 0)))
    classes.sort(key=lambda x: -x[1])
    properties.sort(key=lambda x: -x[1])
    license_ = lit(me.get(DCT + "license", []))
    return {"has_void": bool(triples), "ds_title": title, "figures": figures, "subsets": subsets, "dists": dists,
            "classes": classes, "properties": properties, "license": license_, "dataset_iri": ds,
            "version": lit(me.get("http://www.w3.org/2002/07/owl#versionInfo", []))}


def void_wellknown(request: Request) -> Response:
    site = get_site(request)
    return Response(status_code=303, headers={"Location": f"{site.root}/dataset", "Vary": "Accept"})


def dumps_index(request: Request) -> Response:
    site = get_site(request)
    lang = _lang(request)
    files = site.dumps.files()
    try:
        media = negotiate(request.headers.get("accept"), ["text/html", "application/json"])
    except NotAcceptable:
        media = "text/html"
    if media == "application/json":
        return JSONResponse([{"name": f.name, "size": f.size, "sha256": f.sha256, "mediaType": f.media_type,
                              "url": f"{site.root}/dumps/{f.name}"} for f in files], headers={"Vary": "Accept"})
    resp = site.render("dumps.html", request, lang, title=text("dumps.title", lang), files=files)
    resp.headers["Vary"] = "Accept"
    return resp


def dumps_file(request: Request) -> Response:
    site = get_site(request)
    name = request.path_params["name"]
    if name == "SHA256SUMS":
        return PlainTextResponse(site.dumps.sha256sums())
    path = site.dumps.path(name)
    if path is None:
        return site.not_found(request)
    from .files import OFFERED

    return FileResponse(path, media_type=OFFERED[name], filename=None,
                        headers={"Content-Disposition": f'inline; filename="{name}"', **SECURITY_HEADERS})


def dumps_redirect(request: Request) -> Response:
    return RedirectResponse(f"{get_site(request).root}/dumps/", status_code=301)


@guarded
def home(request: Request) -> Response:
    site = get_site(request)
    lang = _lang(request)
    try:
        if not neg.choose(request.headers.get("accept")).is_html:
            return Response(status_code=303, headers={"Location": f"{site.root}/dataset", "Vary": "Accept"})
    except NotAcceptable:
        pass

    def make() -> tuple[int, str, bytes, dict[str, str]]:
        linker = Linker(site.base, site.root, lang)
        res = site.instruments()
        rows = []
        for inst, label, parties in res.rows:
            rows.append((Value(str(label) if label is not None else site.model.short(str(inst)),
                               linker.href(str(inst)), str(inst)), int(str(parties))))
        s = site.summary
        figures = [(k, s[k]) for k in ("triples", "instruments", "actions", "actors", "participations", "signatures",
                                       "statements") if k in s]
        resp = site.render("home.html", request, lang, title=text("home.title", lang), instruments=rows,
                           figures=figures, alternates=[])
        return 200, "text/html; charset=utf-8", bytes(resp.body), dict(resp.headers.items())

    resp = site.cached(request, ("home", lang), make)
    resp.headers["Vary"] = "Accept"
    return resp


def health(request: Request) -> Response:
    site = get_site(request)
    started = time.perf_counter()
    try:
        site.store.ask("ASK { }", timeout=5)
        ok = True
        detail = ""
    except StoreError as exc:
        ok, detail = False, str(exc)
    body = {"status": "ok" if ok else "unavailable", "version": __version__,
            "store": "embedded" if site.embedded else "remote", "graphs": len(site.graphs),
            "triples": site.summary.get("triples"), "milliseconds": round((time.perf_counter() - started) * 1000, 2)}
    if detail:
        body["error"] = detail
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})


# --------------------------------------------------------------------------------------------------------------
# SPARQL endpoint and query page
# --------------------------------------------------------------------------------------------------------------


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise ProtocolError(413, f"the request body is larger than {MAX_BODY} bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ProtocolError(413, f"the request body is larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def sparql_route(request: Request) -> Response:
    site = get_site(request)
    headers = {"Vary": "Accept", **SECURITY_HEADERS}
    try:
        body = await _body(request) if request.method == "POST" else b""
        op = parse_request(request.method, request.url.query, request.headers.get("content-type"), body,
                           request.headers.get("accept"))
    except ProtocolError as exc:
        return PlainTextResponse(exc.message + "\n", status_code=exc.status, headers={**headers, **exc.headers})
    if op.query is None:
        return sparql_description(site, request, headers)
    try:
        answer = await run_in_threadpool(site.runner.run, op, query_prefixes(op.query) or site.prefixes)
    except (StoreError, ProtocolError) as exc:
        return PlainTextResponse(error_text(exc) + "\n", status_code=status_of(exc), headers=headers)
    media = answer.media_type
    if media.startswith("text/") or media in ("application/sparql-results+xml", "application/xml",
                                              "application/rdf+xml"):
        media += "; charset=utf-8"
    return Response(answer.body, media_type=media, headers=headers)


def sparql_description(site: Site, request: Request, headers: dict[str, str]) -> Response:
    """A GET without a query: the service description (RDF), or the query page for a browser."""
    try:
        variant = neg.choose(request.headers.get("accept"))
    except NotAcceptable:
        return PlainTextResponse(f"the service description is available as: {neg.OFFERED}\n", status_code=406,
                                 headers=headers)
    if variant.is_html:
        return Response(status_code=303, headers={"Location": f"{site.root}/query", **headers})
    triples = service_description(site.base + "sparql", site.base + "dataset", site.graphs)
    return Response(site.serialize(triples, variant), media_type=variant.media_type, headers=headers)


def _example(site: Site, name: str | None) -> Example | None:
    return next((e for e in site.examples if e.name == name), None) if name else None


async def query_page(request: Request) -> Response:
    site = get_site(request)
    lang = _lang(request)
    params: dict[str, str] = dict(request.query_params)
    if request.method == "POST":
        try:
            body = await _body(request)
        except ProtocolError as exc:
            return site.error(request, exc.status, exc.message, lang)
        params.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return await run_in_threadpool(_query_page, site, request, lang, params)


def _query_page(site: Site, request: Request, lang: str, params: dict[str, str]) -> Response:
    example = _example(site, params.get("example"))
    query = params.get("query")
    if query is None and example is not None:
        query = example.text
    run = "query" in params and bool((query or "").strip())
    values: dict[str, str] = {}
    if example is not None:
        for p in example.params:
            values[p.name] = params.get("p_" + p.name, p.default or "")
    result: dict[str, Any] | None = None
    error: str | None = None
    status = 200
    if run:
        try:
            bindings = example.bindings(values) if example is not None else {}
            result = _run_for_page(site, query or "", bindings, lang)
        except (StoreError, ProtocolError) as exc:
            error, status = error_text(exc), status_of(exc)
        except CoopgraphError as exc:  # a parameter that does not fit its type
            error, status = str(exc), 400
    linker = Linker(site.base, site.root, lang)
    examples = [{"name": e.name, "title": e.title(lang), "question": e.question(lang),
                 "href": linker.path("query", {"example": e.name})} for e in site.examples]
    downloads = []
    if run and not error and not (example and example.params):
        for label, fmt in (("JSON", "json"), ("XML", "xml"), ("CSV", "csv"), ("TSV", "tsv"), ("Turtle", "turtle")):
            downloads.append((label, f"{site.root}/sparql?" + urllib.parse.urlencode({"query": query, "format": fmt})))
    return site.render("query.html", request, lang, status=status, title=text("query.title", lang),
                       examples=examples, example=example, query=query or (site.examples[0].text if site.examples
                                                                             else ""),
                       values=values, result=result, error=error, downloads=downloads,
                       limits=(f"{site.config.timeout:g}", site.config.max_rows),
                       alternates=[])


def _run_for_page(site: Site, query: str, bindings: dict[str, URIRef | Literal], lang: str) -> dict[str, Any]:
    """Run a query for the HTML page (the same checks and limits as /sparql) and label the IRIs of its answer."""
    linker = Linker(site.base, site.root, lang)
    result = site.runner.result(Operation(query, [], [], None), bindings or None)  # type: ignore[arg-type]
    if isinstance(result, bool):
        return {"kind": "boolean", "value": result}
    if isinstance(result, SelectResult):
        variables, raw = result.variables, result.rows
    else:
        variables, raw = ["s", "p", "o"], sorted(result, key=str)  # type: ignore[arg-type]
    raw = [tuple(None if t is None else to_oxigraph(t) for t in row) for row in raw]
    iris = {t.value for row in raw[:2000] for t in row if isinstance(t, ox.NamedNode)}
    lab = Labeller(site.model, site.reader().labels(iris) if iris else {}, {}, lang, linker)
    rows = [[lab.value(t) if t is not None else None for t in row] for row in raw]
    return {"kind": "rows", "variables": variables, "rows": rows, "graph": not isinstance(result, SelectResult)}


# --------------------------------------------------------------------------------------------------------------
# The application
# --------------------------------------------------------------------------------------------------------------


def get_site(request: Request) -> Site:
    return request.app.state.site


async def not_found_handler(request: Request, exc: Exception) -> Response:
    return get_site(request).not_found(request)


async def server_error(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("internal error; the server log has the details\n", status_code=500)


def _ext_routes(path: str, endpoint: Callable) -> list[Route]:
    return [Route(path, endpoint, methods=["GET"]), Route(path + ".{ext}", endpoint, methods=["GET"])]


def fewer_malloc_arenas() -> bool:
    """Cap glibc's malloc arenas at one per core; call it before the server starts its threads. Pages are built in
    up to ``--threads`` threads at once, and glibc gives threads up to 8 arenas per core, each a heap of its own that
    fragments: under concurrent load the server's memory crept up for minutes (benchmarks/serve_load.py, about
    15 MB/min after a minute at 64 clients) where it stays flat with one arena per core. Nothing happens elsewhere
    than on glibc."""
    import ctypes
    import ctypes.util
    import os

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(-8, max(1, min(os.cpu_count() or 1, 8))))  # -8: M_ARENA_MAX
    except (OSError, AttributeError):
        return False


def create_app(config: ServeConfig | None = None, store: Store | None = None) -> Starlette:
    """The web application over a store (the build's embedded store, or the ``--endpoint`` remote store)."""
    config = config or ServeConfig()
    site = Site(config, store)
    routes = [
        Route("/", home, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/sparql", sparql_route, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/sparql/", sparql_route, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/query", query_page, methods=["GET", "POST"]),
        *_ext_routes("/ontology", ontology_route),
        Route("/ontology/{version}", ontology_version, methods=["GET"]),
        *_ext_routes("/dataset", dataset_route),
        Route("/.well-known/void", void_wellknown, methods=["GET"]),
        Route("/dumps", dumps_redirect, methods=["GET"]),
        Route("/dumps/", dumps_index, methods=["GET"]),
        Route("/dumps/{name}", dumps_file, methods=["GET"]),
        Route("/vocab", vocab_index, methods=["GET"]),
        Route("/vocab/{path:path}", vocab_route, methods=["GET"]),
        Route("/id/{path:path}", id_route, methods=["GET"]),
        Route("/graph/{path:path}", graph_route, methods=["GET"]),
        Route("/describe", describe_route, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
                             allow_headers=["Accept", "Content-Type", "Accept-Language", "If-None-Match"],
                             expose_headers=["Content-Type", "Content-Length", "Location", "Vary", "ETag", "Link"],
                             max_age=86400)]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        anyio.to_thread.current_default_thread_limiter().total_tokens = max(1, config.threads)
        try:
            yield
        finally:
            if site.runner.workers is not None:
                site.runner.workers.close()

    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={404: not_found_handler, 500: server_error})
    app.state.site = site
    return app


def create_app_from_env() -> Starlette:
    """Factory for ``uvicorn --factory`` (several worker processes): the configuration comes from
    ``COOPGRAPH_SERVE_CONFIG`` (JSON written by ``coopgraph serve``)."""
    import os

    fewer_malloc_arenas()
    raw = json.loads(os.environ["COOPGRAPH_SERVE_CONFIG"])
    if raw.get("build"):
        raw["build"] = Path(raw["build"])
    return create_app(ServeConfig(**raw))
