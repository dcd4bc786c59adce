"""Property-based tests (hypothesis) of the parts that take text from outside: the records loader, IRI minting,
content negotiation and the binding of query parameters.

Every property runs under one settings profile, derandomized and bounded, so a run is deterministic and takes seconds.
Each ``@example`` marked "regression" is an input a property found failing; the fix is in src and the example stays.
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
import urllib.parse
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from coopgraph.errors import InputError
from coopgraph.iris import BASE, graph_iri, iri, name_key, slugify, vocab
from coopgraph.records import Record, load_record
from coopgraph.sparql import (
    ASK_TYPES,
    GRAPH_TYPES,
    SELECT_TYPES,
    BindingError,
    NotAcceptable,
    bind_values,
    negotiate,
    values_block,
)
from coopgraph.store import EmbeddedStore
from coopgraph.web import negotiation as neg

# Deterministic (derandomize: the examples come from the test's own name), no example database, bounded.
PROPS = settings(derandomize=True, database=None, deadline=None, max_examples=200,
                 suppress_health_check=[HealthCheck.too_slow])
FEW = settings(PROPS, max_examples=100)  # the ones that write a file and parse YAML per example


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


# ----------------------------------------------------------------------------------------------------------------
# The records loader
# ----------------------------------------------------------------------------------------------------------------

# Errors about the file or its YAML as a whole: they have a line (except an empty file) but no field.
_WHOLE_FILE = ("malformed YAML", "YAML anchors", "lists and mappings nested", "a record is a YAML mapping", "not UTF-8",
               "empty record")


def _check_input_error(err: InputError, path: Path, text: str | bytes) -> None:
    assert err.file == str(path)
    lines = (text.count("\n") if isinstance(text, str) else text.count(b"\n")) + 1
    if err.message != "empty record":
        assert err.line is not None and 1 <= err.line <= lines + 1, (err.line, str(err))  # +1: the end of the text
    if not err.message.startswith(_WHOLE_FILE):
        assert err.field, str(err)
        head = re.split(r"[.\[]", err.field, maxsplit=1)[0]
        assert head in Record.model_fields or head == "for" or (isinstance(text, str) and head in text), err.field


def _load(path: Path, text: str | bytes) -> Record | InputError:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    try:
        return load_record(path)[0]
    except InputError as err:
        _check_input_error(err, path, text)
        return err


def _round_trips(record: Record, path: Path) -> None:
    """What loaded dumps back to YAML and loads again as the same record."""
    data = record.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    again = _load(path.with_name("again.yaml"), yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert again == record


_TOKENS = st.sampled_from([
    "coopgraph", "document", "id", "title", "kind", "actors", "instruments", "actions", "lines", "label", "period",
    "start", "end", "for", "signatures", "1", "2020-01-01", "2020-02-30", "convention", "departement:42", ": ", ":",
    "- ", "-", "\n", "\n  ", "\n    ", "  ", "[", "]", "{", "}", ", ", "&a ", "*a", "!!int ", "!!float ", "!!timestamp ",
    "!!binary ", "!!set ", "!!python/object:os.system ", "!custom ", "---\n", "...\n", "? ", "| ", "> ", "# ", "\t",
    "'", '"', "%YAML 1.2\n", "~", "null", ".nan", ".inf", "0x1F", "1e400", "\\", "\x00", "\x85", "\u2028", "\ufeff",
    "\ufffe", "é", "中",
])
yamlish = st.lists(st.one_of(_TOKENS, st.text(max_size=4)), max_size=40).map("".join)

_MINIMAL = "coopgraph: 1\ndocument: {id: doc, title: Titre, kind: convention}\n"


@FEW
@given(text=st.one_of(yamlish, yamlish.map(lambda t: _MINIMAL + t), st.text(max_size=80)))
@example(text="a: !!int xyz\n").via("regression: a tagged value that does not fit its tag raised ValueError")
@example(text="a: 1\n---\nb: 2\n").via("regression: a second YAML document raised ComposerError")
@example(text="a: " + "[" * 2000 + "]" * 2000).via("regression: deep nesting raised RecursionError")
@example(text="a: !!timestamp x\n").via("regression: a bad !!timestamp raised AttributeError")
@example(text="a: 1\nb: \x01\n").via("regression: a refused character had no line")
def test_any_text_loads_or_fails_with_an_input_error_naming_the_place(workdir: Path, text: str) -> None:
    result = _load(workdir / "text.yaml", text)
    if isinstance(result, Record):
        _round_trips(result, workdir / "text.yaml")


@FEW
@given(data=st.binary(max_size=60).map(lambda b: b"coopgraph: 1\n" + b))
def test_any_bytes_load_or_fail_with_an_input_error(workdir: Path, data: bytes) -> None:
    _load(workdir / "bytes.yaml", data)


slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}", fullmatch=True)
texts = st.text(max_size=20)
labels = st.text(min_size=1, max_size=20)
anything = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**20), st.floats(), texts, slugs,
                     st.lists(st.integers(-1, 60), max_size=3), st.dictionaries(slugs, st.integers(), max_size=2))


def record_strategy(valid: bool) -> st.SearchStrategy:
    """Record dicts: all valid, or with some values anything at all (and an unknown key now and then)."""

    def maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
        # about one field in 15 goes wrong (one_of would weigh the two alike)
        return strategy if valid else st.integers(0, 14).flatmap(lambda n: anything if n == 0 else strategy)

    def record(fixed: dict, optional: dict) -> st.SearchStrategy:
        return st.fixed_dictionaries(fixed, optional=optional)

    lines = maybe(st.one_of(st.integers(1, 500), st.integers(1, 60).map(lambda n: f"{n}-{n + 3}"),
                            st.lists(st.integers(1, 60), min_size=2, max_size=2).map(sorted)))
    partial = st.one_of(st.dates().map(str), st.integers(1900, 2100), st.dates().map(lambda d: str(d)[:7]))
    dates = maybe(partial if valid else st.one_of(partial, st.sampled_from(["2020-02-30", "2020-13", "20"])))
    official = ["departement:42", "siren:200071553", "caf:49", "commune:49069", "region:84", "commune:2A004"]
    refs = maybe(st.one_of(slugs, st.sampled_from(official if valid else [*official, "departement:999x"])))
    kinds = maybe(st.sampled_from(["Association", "CAF", "ConventionPartenariat", "ConventionTerritorialeGlobale"]))
    mention = st.one_of(refs, record({"actor": refs}, {"uncertain": maybe(st.booleans()), "as_written": texts,
                                                        "lines": lines}))
    action = record({"label": maybe(labels)},
                    {"id": maybe(slugs), "lines": lines, "lead": st.one_of(refs, st.lists(refs, max_size=2)),
                     "start_year": maybe(st.integers(1900, 2100)), "co_carriers": st.lists(mention, max_size=2),
                     "confidence": maybe(st.floats(0, 1)), "date": dates, "under": texts})
    axis = record({"label": maybe(texts)}, {"number": maybe(texts), "orientations": st.lists(
        record({"number": maybe(texts), "label": maybe(texts)}, {"lines": lines}), max_size=2)})
    signature = record({"for": refs}, {"date": maybe(st.dates().map(str)), "post": texts, "person": maybe(slugs)})
    period = (st.lists(partial.map(str), min_size=2, max_size=2).map(sorted)
              .map(lambda se: {"start": se[0], "end": se[1]}) if valid
              else record({}, {"start": dates, "end": dates, "lines": lines}))
    declared = {"kind": kinds, "title": maybe(labels)}
    optional = {"parties": st.lists(refs, max_size=3), "period": period, "actions": st.lists(action, max_size=3),
                "axes": st.lists(axis, max_size=2), "signatures": st.lists(signature, max_size=2),
                "duration": maybe(st.sampled_from(["P3Y", "P1Y6M"]))}
    if not valid:
        optional = {**declared, **optional, "extends": anything}
    instrument = record({"id": maybe(slugs), **(declared if valid else {})}, optional)
    described = {"kind": kinds, "label": maybe(labels)}
    actor = st.one_of(record({"id": maybe(slugs), **described}, {"lines": lines}),
                      record({"id": maybe(slugs), "ref": refs}, {"lines": lines, "confidence": maybe(st.floats(0, 1)),
                                                                  "aliases": st.lists(texts, max_size=2),
                                                                  **({} if valid else described)}))
    document = record({"id": maybe(slugs), "title": maybe(labels), "kind": maybe(slugs)},
                      {"date": dates, "publisher": st.one_of(refs, st.lists(refs, max_size=2)),
                       "line_count": maybe(st.integers(1, 10**6)), "sha256": maybe(st.just("0" * 64))})
    return record(
        {"coopgraph": maybe(st.just(1)), "document": maybe(document)},
        {"status": maybe(st.sampled_from(["reviewed", "draft"])), "actors": st.lists(actor, max_size=3),
         "instruments": st.lists(instrument, max_size=2), "notes": st.lists(texts, max_size=2),
         **({} if valid else {"colour": anything})},
    )


records = st.one_of(record_strategy(valid=True), record_strategy(valid=False))


@FEW
@given(data=records)
def test_any_record_dumped_to_yaml_loads_and_round_trips_or_names_file_line_and_field(workdir: Path,
                                                                                      data: dict) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    result = _load(workdir / "record.yaml", text)
    if isinstance(result, Record):
        _round_trips(result, workdir / "record.yaml")
    else:
        assert not result.message.startswith("malformed YAML"), str(result)  # safe_dump writes valid YAML


# ----------------------------------------------------------------------------------------------------------------
# IRI minting
# ----------------------------------------------------------------------------------------------------------------

# RFC 3987: the characters an IRI may hold (iunreserved, reserved, "%" of pct-encoded, ucschar, iprivate).
_UCSCHAR = ("\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd\U00030000-\U0003fffd"
            "\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd\U00070000-\U0007fffd\U00080000-\U0008fffd"
            "\U00090000-\U0009fffd\U000a0000-\U000afffd\U000b0000-\U000bfffd\U000c0000-\U000cfffd\U000d0000-\U000dfffd"
            "\U000e1000-\U000efffd\ue000-\uf8ff")
_IRI_CHARS = re.compile(rf"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%{_UCSCHAR}]+")
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def assert_valid_iri(value: str) -> None:
    ox.NamedNode(value)  # pyoxigraph validates IRIs (raises ValueError)
    assert _IRI_CHARS.fullmatch(value), value
    parts = urllib.parse.urlsplit(value)
    assert parts.scheme == "https" and parts.netloc == "w3id.org", value
    assert value.startswith(BASE)


names = st.one_of(st.text(), st.text(alphabet=st.characters(codec="ascii")),
                  st.text(alphabet=" \"'<>{}|\\^`\x00\x01\x1f\x7f\u200b\u2028é中-_./#?%"))
odd_names = ["", " ", "???", "—", "中文", '"quoted"', "a>b", "<script>", "tab\there", "\x00\x01", "é", "E", "-", "%41"]


@PROPS
@given(name=names, limit=st.one_of(st.none(), st.integers(1, 80)))
@example(name="???", limit=60).via("regression: a label with nothing to slug crashed the build (ValueError)")
@example(name="中文", limit=None).via("regression: a name in another script crashed the build (ValueError)")
def test_a_name_always_mints_one_valid_stable_iri(name: str, limit: int | None) -> None:
    key = name_key(name, limit)
    assert _KEY.fullmatch(key)
    assert limit is None or len(key) <= max(limit, len("n_") + 16)
    for kind in ("action", "acte", "poste"):
        assert_valid_iri(str(iri(kind, "instrument-x", key)))
    assert name_key(name, limit) == key  # stable
    assert name_key(unicodedata.normalize("NFC", name), limit) == key  # the same name however it is encoded


@PROPS
@given(a=names, b=names, limit=st.one_of(st.none(), st.integers(20, 80)))
@example(a="?", b="!", limit=None).via("two names without a slug get two IRIs")
@example(a="?", b="n-0", limit=None)
def test_names_mint_distinct_keys_unless_they_are_the_same_name_or_slug(a: str, b: str, limit: int | None) -> None:
    def slug(text: str) -> str:
        try:
            s = slugify(text)
        except ValueError:
            return ""
        return s[:limit].rstrip("-") if limit else s

    same_name = unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b)
    same_slug = slug(a) != "" and slug(a) == slug(b)
    assert (name_key(a, limit) == name_key(b, limit)) == (same_name or same_slug)


@PROPS
@given(kind=st.sampled_from(["acteur", "action", "instrument", "territoire"]), keys=st.lists(names, min_size=1, max_size=3))
def test_iri_takes_safe_keys_only_and_keys_map_one_to_one(kind: str, keys: list[str]) -> None:
    try:
        made = iri(kind, *keys)
    except ValueError:
        assert not all(_KEY.fullmatch(k) for k in keys)
        return
    assert all(_KEY.fullmatch(k) for k in keys)
    assert_valid_iri(str(made))
    assert str(made) == BASE + "id/" + "/".join([kind, *keys])  # nothing added, nothing escaped: one-to-one
    assert_valid_iri(str(graph_iri("source", *keys)))
    if len(keys) == 1:
        assert_valid_iri(str(vocab("role", keys[0])))


def test_a_build_mints_iris_for_names_without_a_slug_and_refuses_numbers_that_merge(tmp_path: Path) -> None:
    """Regression (through the builder): an action label, a post and a legal act title with nothing to slug made the
    build crash with ValueError; two axis numbers with the same slug silently became one axis."""
    from coopgraph.sources import build_sources
    from coopgraph.validate import load_model

    record_text = _MINIMAL + """\
actors:
  - {id: partenaire-a, kind: Association, label: Association A}
people:
  - {id: personne-a, name: A, posts: [{org: partenaire-a, post: "???"}]}
instruments:
  - id: convention-x
    kind: ConventionPartenariat
    title: Convention X
    parties: [partenaire-a]
    legal_basis: [{kind: loi, title: "§§"}]
    axes: [{number: "1.1", label: Un}, {number: "2", label: Deux}]
    actions:
      - {label: "???", lead: partenaire-a}
      - {label: "中文", lead: partenaire-a}
"""
    (tmp_path / "r.yaml").write_text(record_text, encoding="utf-8")
    _, graphs = build_sources(tmp_path, load_model(), lambda ref: None, lambda ref: None)
    subjects = {str(s) for g in graphs.graphs.values() for s in g.subjects()}
    actions = sorted(s for s in subjects if s.startswith(BASE + "id/action/convention-x/"))
    assert len(actions) == 2
    for s in subjects:
        if s.startswith(BASE):
            assert_valid_iri(s)
    (tmp_path / "r.yaml").write_text(record_text.replace('number: "2"', 'number: "1-1"'), encoding="utf-8")
    with pytest.raises(InputError) as info:
        build_sources(tmp_path, load_model(), lambda ref: None, lambda ref: None)
    assert info.value.file == str(tmp_path / "r.yaml") and info.value.line == 13
    assert info.value.field == "instruments[0].axes[1].number" and "both get the IRI" in info.value.message


# ----------------------------------------------------------------------------------------------------------------
# Content negotiation
# ----------------------------------------------------------------------------------------------------------------

_MEDIA = ["text/html", "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
          "application/json", "application/xhtml+xml", "application/x-turtle", "text/*", "application/*", "*/*",
          "image/png", "text/plain", "application/sparql-results+json", "text/csv", "application/xml"]
_Q_TOKENS = ["nan", "inf", "-inf", "-1", "2", "abc", "", "1.0", "0", "0.000", "1e-3", " 0.5"]

garbage_accept = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from([*_MEDIA, ",", ";", "q=", "=", " ", "*", "/", ";q=0", ";level=1", '"']),
                       st.text(max_size=3)), max_size=12).map("".join),
)


@PROPS
@given(accept=st.one_of(st.none(), garbage_accept))
def test_any_accept_header_gets_an_offered_type_or_not_acceptable(accept: str | None) -> None:
    for offered in (neg.VARIANTS, neg.RDF_VARIANTS):
        with contextlib.suppress(NotAcceptable):
            assert neg.choose(accept, offered) in offered
    for types in (SELECT_TYPES, ASK_TYPES, GRAPH_TYPES):
        with contextlib.suppress(NotAcceptable):
            assert negotiate(accept, list(types)) in types


def _qvalue(token: str) -> float:
    """The weight the negotiation gives a q parameter: a number from 0 to 1; unreadable, NaN or out of range is
    clamped (NaN and unreadable count as 0)."""
    try:
        q = float(token)
    except ValueError:
        return 0.0
    return 0.0 if math.isnan(q) else min(max(q, 0.0), 1.0)


def _expected(ranges: list[tuple[str, str | None]], offered: list[str]) -> str | None:
    """Reference model: each offered type takes the weight of the most specific range matching it; the heaviest
    wins, ties going to the server's order; none above 0 is "not acceptable"."""
    best: tuple[float, int] | None = None
    chosen = None
    for i, media in enumerate(offered):
        weight, specificity = -1.0, -1
        for rng, q in ranges:
            spec = 2 if rng == media else 1 if rng == media.split("/")[0] + "/*" else 0 if rng == "*/*" else -1
            if spec > specificity:
                weight, specificity = (1.0 if q is None else _qvalue(q)), spec
        if best is None or (weight, -i) > best:
            best, chosen = (weight, -i), media
    return chosen if best is not None and best[0] > 0 else None


qvalues = st.one_of(st.none(), st.integers(0, 1000).map(lambda n: f"{n / 1000:.3f}".rstrip("0").rstrip(".")),
                    st.sampled_from(_Q_TOKENS))


@PROPS
@given(ranges=st.lists(st.tuples(st.sampled_from([m for m in _MEDIA if m not in neg.ALIASES]), qvalues),
                       max_size=6, unique_by=lambda r: r[0]),
       offered=st.sampled_from([[v.media_type for v in neg.VARIANTS], list(SELECT_TYPES), list(GRAPH_TYPES)]))
@example(ranges=[("text/html", "nan")], offered=[v.media_type for v in neg.VARIANTS]).via(
    "regression: q=nan made a type acceptable (and the ranking depend on the order of the offered types)")
@example(ranges=[("text/turtle", "nan"), ("text/html", "0.5")], offered=[v.media_type for v in neg.VARIANTS])
def test_q_values_order_the_choice(ranges: list[tuple[str, str | None]], offered: list[str]) -> None:
    header = ", ".join(rng if q is None else f"{rng};q={q}" for rng, q in ranges)
    want = _expected(ranges, offered) if ranges else offered[0]
    try:
        got = negotiate(header, offered)
    except NotAcceptable:
        got = None
    assert got == want, header


# ----------------------------------------------------------------------------------------------------------------
# Parameter binding
# ----------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    s = EmbeddedStore()
    ex = "http://example.org/"
    s.oxigraph.extend([ox.Quad(ox.NamedNode(ex + "s"), ox.NamedNode(ex + "p"), ox.Literal(str(i)),
                               ox.NamedNode(ex + "g")) for i in range(3)])
    return s


# A parameter cannot change the shape of these queries: each gives exactly one row whatever ?x is.
ONE_ROW = [
    "SELECT ?x WHERE { }",
    "SELECT ?x (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?x",
    'SELECT ?x ?same WHERE { OPTIONAL { ?s ?p ?x } BIND(STR(?x) = STR(?x) AS ?same) } LIMIT 1',
    "SELECT * WHERE { { SELECT ?x WHERE { } } }",
]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_LEXICAL = {  # the XSD lexical spaces a bound number must be written in (any store must read it)
    _XSD + "integer": re.compile(r"[+-]?\d+"),
    _XSD + "decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"),
    _XSD + "double": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([Ee][+-]?\d+)?|[+-]?INF|NaN"),
    _XSD + "boolean": re.compile(r"true|false|1|0"),
}


def _bound_one(store: EmbeddedStore, value: object, query: str = ONE_ROW[0]):  # type: ignore[no-untyped-def]
    res = store.select(query, {"x": value})
    assert len(res.rows) == 1, (query, value)
    return res.rows[0][0]


@PROPS
@given(text=st.text(), lang=st.one_of(st.none(), st.sampled_from(["fr", "en-GB", "x-a"])), query=st.sampled_from(ONE_ROW))
@example(text='"} . ?s ?p ?o . FILTER(true) } #', lang=None, query=ONE_ROW[0])
@example(text="\\\"'\n\r\t\x00\u2028>", lang="fr", query=ONE_ROW[1])
def test_a_string_parameter_comes_back_unchanged_and_cannot_change_the_query(store: EmbeddedStore, text: str,
                                                                             lang: str | None, query: str) -> None:
    value = Literal(text, lang=lang) if lang else text
    got = _bound_one(store, value, query)
    assert got == (Literal(text, lang=lang) if lang else Literal(text))


@PROPS
@given(tail=st.text(max_size=20), query=st.sampled_from(ONE_ROW))
@example(tail="a> } SELECT * WHERE { ?s ?p ?o", query=ONE_ROW[0])
def test_an_iri_parameter_is_bound_when_valid_and_refused_otherwise(store: EmbeddedStore, tail: str,
                                                                    query: str) -> None:
    value = "http://example.org/" + tail
    try:
        ox.NamedNode(value)
        valid = True
    except ValueError:
        valid = False
    try:
        got = _bound_one(store, URIRef(value), query)
    except BindingError:
        assert not valid
        return
    assert valid and got == URIRef(value)


numbers = st.one_of(st.integers(), st.integers(-(10**30), 10**30), st.floats(), st.booleans(),
                    st.decimals(allow_nan=False, allow_infinity=False))


@PROPS
@given(value=numbers, query=st.sampled_from(ONE_ROW))
@example(value=float("nan"), query=ONE_ROW[0]).via('regression: NaN was bound as "nan", not an xsd:double')
@example(value=float("-inf"), query=ONE_ROW[0]).via('regression: -INF was bound as "-inf"')
@example(value=Decimal("1.50"), query=ONE_ROW[1])
def test_a_number_parameter_comes_back_as_a_well_formed_literal_of_the_same_value(
        store: EmbeddedStore, value: object, query: str) -> None:
    got = _bound_one(store, value, query)
    assert isinstance(got, Literal) and got.datatype is not None
    lexical = re.search(r'"(.*)"\^\^<(.*)>', values_block({"x": value})).group(1)  # what the query text holds
    assert _LEXICAL[str(got.datatype)].fullmatch(lexical), (value, lexical)
    back = ox.Literal(lexical, datatype=ox.NamedNode(str(got.datatype)))
    assert _same_number(back, value)
    assert _same_number(ox.Literal(str(got), datatype=ox.NamedNode(str(got.datatype))), value)


def _same_number(literal: ox.Literal, value: object) -> bool:
    text = literal.value
    if isinstance(value, bool):
        return text in ("true", "1") if value else text in ("false", "0")
    if isinstance(value, float):
        table = {"NaN": math.nan, "nan": math.nan, "INF": math.inf, "inf": math.inf, "-INF": -math.inf,
                 "-inf": -math.inf}
        parsed = table[text] if text in table else float(text)
        return (math.isnan(parsed) and math.isnan(value)) or parsed == value
    return Decimal(text) == Decimal(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_a_decimal_without_a_value_is_refused(value: Decimal) -> None:
    """Regression: Decimal("NaN") was bound as "NaN"^^xsd:decimal, which no store reads as a number."""
    with pytest.raises(BindingError):
        values_block({"x": value})


@PROPS
@given(name=st.text(max_size=12))
def test_a_variable_name_is_bound_only_when_it_is_one(name: str) -> None:
    query = "SELECT * WHERE { }"
    try:
        text = bind_values(query, {name: "v"})
    except BindingError:
        assert not re.fullmatch(r"[?$]?[A-Za-z_][A-Za-z0-9_]*", name)
        return
    assert re.fullmatch(r"[?$]?[A-Za-z_][A-Za-z0-9_]*", name)
    assert EmbeddedStore().select(text).rows == [(Literal("v"),)]
