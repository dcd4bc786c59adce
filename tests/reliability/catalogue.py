"""The catalogue of bad inputs: each case once, with what it must give. ``docs/bad-inputs.md`` holds the same table.

Every case has exactly one test, marked with :func:`case` (``@case("rec-malformed-yaml")``); ``test_catalogue.py``
checks that the cases, their tests and the table of the document agree, row for row. To print the table after
changing a case::

    .venv/bin/python -m tests.reliability.catalogue
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar


@dataclass(frozen=True)
class Case:
    id: str
    command: str  # what receives the input
    bad_input: str
    expected: str  # the error, in the words of the message
    outcome: str  # exit code(s) or HTTP status


RC = "`records check` / `build`"
EXTRACT = "`extract FILE -o OUT`"
QUERY = "`query` / library"
HTTP = "`serve`"

CASES: list[Case] = [
    # ---- records: `coopgraph records check FILE` and `coopgraph build --sources DIR --out DIR` -------------------
    Case("rec-malformed-yaml", RC, "a flow list left open (`- [unclosed`)",
         "`FILE:20:1: malformed YAML: … did not find expected ',' or ']'`", "2 / 2"),
    Case("rec-wrong-type", RC, "`lines: trois` where a line number is expected",
         "`FILE:11:12 [actors[0].lines]: … a line number, 'start-end' or [start, end]`", "2 / 2"),
    Case("rec-unknown-key", RC, "`colour: blue` in an actor",
         "`FILE:12:13 [actors[0].colour]: Extra inputs are not permitted`", "2 / 2"),
    Case("rec-unknown-actor", RC, "a party `asso-essay` that no record declares",
         "`FILE:16:15 [instruments[0].parties[0]]: unknown actor 'asso-essay' … closest: asso-essai` (the build "
         "resolves references across records; `records check` reads one file)", "0 / 2"),
    Case("rec-ambiguous-actor", RC, "`commune:14408`, governed by two legal persons (before and after a merger)",
         "`FILE:16:27 [instruments[0].parties[1]]: 'commune:14408' is ambiguous: 2 legal persons govern it: "
         "siren:211404082 (…, 2021); siren:933801342 (…, 2026); write the siren: …`", "0 / 2"),
    Case("rec-siren-bad-luhn", RC, "`siren: \"200071554\"` on a declared actor (Luhn key wrong)",
         "SHACL violation, path `coop:siren`, value `200071554`: \"The check digit (Luhn) of this SIREN is wrong\", "
         "`source: FILE: <document>, lines 3-3`", "0 / 1"),
    Case("rec-siren-ref-bad-luhn", RC, "the reference `siren:200071554`",
         "`FILE:16:27 [instruments[0].parties[1]]: 'siren:200071554' is not in the reference layer`", "0 / 2"),
    Case("rec-insee-malformed", RC, "a perimeter `commune:4221` (four digits)",
         "`FILE:18:56 [instruments[0].perimeter.territories[0]]: String should match pattern …`", "2 / 2"),
    Case("rec-insee-unknown", RC, "a perimeter `commune:42999` (well formed, no such commune)",
         "`FILE:18:56 [instruments[0].perimeter.territories[0]]: 'commune:42999' is not a territory of the reference "
         "layer`", "0 / 2"),
    Case("rec-start-after-end", RC, "a period from 2025-01-01 to 2024-12-31",
         "`FILE:17:13 [instruments[0].period]: … the period starts (2025-01-01) after it ends (2024-12-31)`", "2 / 2"),
    Case("rec-duplicate-document-id", RC, "two records with the same `document.id`",
         "`SECOND:3:7 [document.id]: document id 'convention-essai' is already used by FIRST`", "0 / 2"),
    Case("rec-duplicate-actor-id", RC, "two records declaring the actor `asso-essai`",
         "`SECOND:8:9 [actors[0].id]: actor id 'asso-essai' is already declared in FIRST`", "0 / 2"),
    Case("rec-duplicate-key", RC, "`kind:` twice in one mapping",
         "`FILE:6:3 [kind]: duplicate key 'kind' (first at line 5)`", "2 / 2"),
    Case("rec-latin1", RC, "a record saved in Latin-1",
         "`FILE:4: not UTF-8 (byte 0xe9); save the record as UTF-8`", "2 / 2"),
    Case("rec-empty", RC, "an empty file", "`FILE: empty record`", "2 / 2"),
    Case("rec-50mb", RC, "a 50 MB file",
         "`FILE: record is 52428800 bytes; the limit is 2000000`, refused on its size before any parsing", "2 / 2"),
    Case("rec-alias-bomb", RC, "a YAML alias bomb (\"billion laughs\")",
         "`FILE:1:4: YAML anchors and aliases are not allowed in records`, before any expansion", "2 / 2"),
    Case("rec-fails-shacl", RC, "an instrument with a single party (loads, but breaks a shape)",
         "SHACL violation, path `coop:partie`: \"A cooperation instrument binds at least two parties\", "
         "`source: FILE: <document>, lines 2-2`", "0 / 1"),
    Case("rec-no-folder", "`build`", "`--sources` naming a folder that does not exist",
         "`DIR: records folder does not exist`", "2"),
    # ---- documents given to the extractor: `coopgraph extract FILE -o OUT` -------------------------------------
    Case("doc-empty", EXTRACT, "an empty file", "`FILE: empty document: there is no text to read`", "2"),
    Case("doc-binary", EXTRACT, "binary bytes (NUL, control bytes)",
         "`FILE: binary content (NUL or control bytes): not a plain-text document`", "2"),
    Case("doc-pdf", EXTRACT, "a PDF instead of its text",
         "`FILE: not a text document but a PDF file: extract its text first …`", "2"),
    Case("doc-huge", EXTRACT, "a 50 MB file",
         "`FILE: file is 50000000 bytes; the limit for a document is 20000000`, refused on its size", "2"),
    Case("doc-no-parties", EXTRACT, "a text that names no party",
         "a draft for review whose notes start `MISSING: no party found …`; the same on standard error", "0"),
    Case("doc-mixed-encodings", EXTRACT, "a text part UTF-8, part Latin-1",
         "a draft with both parts read right, and the note `the file mixes encodings: line(s) … are not UTF-8 and "
         "were decoded as Windows-1252 (cp1252)`", "0"),
    Case("doc-output-exists", EXTRACT, "`-o` naming an existing file, without `--force`",
         "`OUT: already exists; give --force to replace it (nothing was written)`", "2"),
    # ---- queries: `coopgraph query NAME|FILE --param …` and the library (queries, store, sparql) ---------------
    Case("qry-syntax-error", QUERY, "a .rq file with a triple pattern cut short",
         "`FILE:9:1: SPARQL syntax error: …` (line and column in the file, header included)", "2"),
    Case("qry-update-in-file", QUERY, "a .rq file holding `DELETE WHERE { … }`",
         "`FILE:6:1: expected a query (SELECT, CONSTRUCT, DESCRIBE or ASK), found 'DELETE'; updates are not run "
         "here`", "2"),
    Case("qry-unknown-param", QUERY, "`--param epic=1` for a query without `epic`",
         "`QUERY [epic]: unknown parameter 'epic' for query epci-communes (its parameters: epci, millesime)`", "2"),
    Case("qry-missing-param", QUERY, "a required parameter not given",
         "`FILE [actor]: query … needs the parameter actor (iri): --param actor=VALUE`", "2"),
    Case("qry-ill-typed-param", QUERY, "`--param millesime=deux-mille` for a gYear",
         "`QUERY [millesime]: parameter millesime: 'deux-mille' is not a valid gYear (a year such as 2021 "
         "expected)`", "2"),
    Case("qry-inject-drop-all", QUERY, "`\"> } ; DROP ALL #` as a parameter",
         "bound as one literal: no row, the store unchanged; as an IRI parameter `… is not a valid iri`", "0 / 2"),
    Case("qry-inject-or-true", QUERY, "`\" || true || \"` as a parameter",
         "bound as one literal: no row, the store unchanged; as an IRI parameter `… is not a valid iri`", "0 / 2"),
    Case("qry-inject-newline-brace", QUERY, "a parameter with a newline and `}` then an update",
         "bound as one literal: no row, the store unchanged; as an IRI parameter `… is not a valid iri`", "0 / 2"),
    Case("qry-timeout", QUERY, "a cross join of the million triples, `--timeout 1`",
         "`the query ran longer than 1 s and was stopped; narrow it or add a LIMIT` (the library raises "
         "QueryTimeout)", "2"),
    # ---- HTTP: `coopgraph serve` (the Starlette app, and uvicorn where the size of the request matters) --------
    Case("http-accept-malformed", HTTP, "`Accept: text/html;q=abc`, `;;;,,,`",
         "406 listing the types offered (documents, `/sparql`); the home page ignores it (200)", "406"),
    Case("http-accept-huge", HTTP, "a 100 kB `Accept` header",
         "406 in well under a second; the message quotes at most 4000 characters of it", "406"),
    Case("http-query-string-huge", HTTP, "a 100 kB `query=` in the URL; a 300 kB one",
         "100 kB: a syntax error (400), message cut at 4000 characters; over 256 kB: `the query is longer than "
         "262144 characters`", "400 / 413"),
    Case("http-body-too-large", HTTP, "a POST body of 1 MB + 1 byte (with `Content-Length`, or chunked)",
         "`the request body is larger than 1048576 bytes`", "413"),
    Case("http-dumps-dotdot", HTTP, "`/dumps/../summary.json`, `/dumps/x/../../summary.json`",
         "not found: only the build's own files are served", "404"),
    Case("http-dumps-encoded-dotdot", HTTP, "`/dumps/%2e%2e/summary.json`, `/dumps/%2e%2e%2f…`, `/dumps/..%2f…`",
         "not found", "404"),
    Case("http-dumps-absolute", HTTP, "`/dumps//etc/passwd`, `/dumps/%2Fetc%2Fpasswd`", "not found", "404"),
    Case("http-service", HTTP, "`SERVICE <http://127.0.0.1:PORT/sparql>`",
         "`SERVICE is not allowed: this server does not fetch data from other endpoints`; nothing connects", "403"),
    Case("http-load", HTTP, "`LOAD <http://127.0.0.1:PORT/data.ttl>` as a query, and as an update",
         "as `query=`: `expected a query …; updates are not run here` (400); as an update: read-only (403); "
         "nothing connects", "400 / 403"),
    Case("http-from", HTTP, "`FROM <http://127.0.0.1:PORT/g>`",
         "an empty answer: FROM names a graph of this dataset, it is never fetched; nothing connects", "200"),
    Case("http-from-named", HTTP, "`FROM NAMED <http://127.0.0.1:PORT/g>` and `GRAPH ?g`",
         "an empty answer; nothing connects", "200"),
    Case("http-dataset-param", HTTP, "`default-graph-uri` / `named-graph-uri` on another host",
         "an empty answer; nothing connects", "200"),
    Case("http-update-get", HTTP, "`GET /sparql?update=…`",
         "`SPARQL Update is not accepted with GET …; and this endpoint is read-only`", "400"),
    Case("http-update-post-direct", HTTP, "`POST` with `Content-Type: application/sparql-update`",
         "`this SPARQL endpoint is read-only: SPARQL Update is not accepted`; the store unchanged", "403"),
    Case("http-update-post-form", HTTP, "`POST` form `update=…`",
         "`this SPARQL endpoint is read-only: SPARQL Update is not accepted`; the store unchanged", "403"),
    Case("http-unknown-route", HTTP, "`GET /nope`, `GET /id/acteur/nobody`",
         "not found (an HTML page for a browser)", "404"),
    Case("http-method-not-allowed", HTTP, "`DELETE /dataset`, `PUT /sparql`",
         "`Method Not Allowed` with an `Allow` header", "405"),
    Case("http-remote-store-xxe", HTTP, "over `--endpoint`, a store answering RDF/XML with an external entity",
         "the answer is refused as invalid RDF/XML; nothing connects, no file is read", "502"),
    Case("http-remote-store-remote-context", HTTP, "over `--endpoint`, a store answering JSON-LD with a remote "
         "`@context`", "the answer is refused (no remote context is loaded); nothing connects", "502"),
    # ---- RDF files read by the package (`coopgraph validate`, the build's model) ------------------------------
    Case("rdf-xxe", "`validate FILE`", "RDF/XML with external entities (`SYSTEM \"http://127.0.0.1:PORT/…\"`, "
         "`file:///etc/passwd`)", "`FILE: not valid RDF/XML: <!ENTITY values should be enclosed in double quotes` (no external entity is "
         "resolved); nothing connects, no file is read", "2"),
    Case("rdf-remote-context", "`validate FILE`", "JSON-LD with `\"@context\": \"http://127.0.0.1:PORT/ctx\"`",
         "`FILE: not valid JSON-LD: No LoadDocumentCallback has been set to load remote contexts`; nothing "
         "connects", "2"),
]

BY_ID: dict[str, Case] = {c.id: c for c in CASES}
assert len(BY_ID) == len(CASES), "duplicate case ids"

# id → the test that checks it (filled by @case when the test modules are imported)
TESTS: dict[str, str] = {}

F = TypeVar("F", bound=Callable[..., object])


def case(case_id: str) -> Callable[[F], F]:
    """Mark a test as the one that checks a catalogue case."""

    def mark(fn: F) -> F:
        if case_id not in BY_ID:
            raise KeyError(f"{case_id!r} is not in the catalogue")
        if case_id in TESTS:
            raise ValueError(f"{case_id!r} has two tests: {TESTS[case_id]} and {fn.__qualname__}")
        TESTS[case_id] = f"{fn.__module__}.{fn.__qualname__}"
        fn.catalogue_id = case_id  # type: ignore[attr-defined]
        return fn

    return mark


HEADER = ["id", "command", "bad input", "expected error", "exit / HTTP"]


def row(c: Case) -> str:
    cells = [f"`{c.id}`", c.command, c.bad_input, c.expected, c.outcome]
    return "| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |"


def table() -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    return "\n".join(lines + [row(c) for c in CASES])


if __name__ == "__main__":  # pragma: no cover
    print(table())
