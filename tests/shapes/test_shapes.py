"""Each shape against its fixtures: the valid ones give no violation, each invalid one gives exactly the
expected (shape, component, focus node). A coverage test keeps the table complete."""

from __future__ import annotations

import pytest
from rdflib import Graph

from coopgraph.validate import Report, validate
from tests.shapes.cases import ID, INVALID, SPARQL, VALID, Invalid
from tests.shapes.support import (
    COOPSH,
    FIXTURES,
    SH,
    components,
    focus_nodes,
    load_fixture,
    local_name,
    node_shapes,
    parent_of,
    rdflib_path,
    top_level_shapes,
)

# rdflib compares xsd:gYear literals (sh:lessThanOrEquals on years) through a deprecated NotImplemented test.
pytestmark = pytest.mark.filterwarnings("ignore:NotImplemented should not be used:DeprecationWarning")


def _triples(report: Report) -> list[tuple[str, str, str]]:
    return sorted((local_name(r.shape), r.component, str(r.focus)) for r in report.results)


@pytest.mark.parametrize("fixture", sorted(VALID), ids=str)
def test_valid_fixture_gives_no_violation(fixture: str, shapes: Graph, model: Graph) -> None:
    data = load_fixture(fixture)
    report = validate(data)
    assert not report.violations, _triples(report)
    covered = set(VALID[fixture])
    from_covered = [t for t in _triples(report) if t[0] in covered]
    assert not from_covered, f"the shapes this fixture exercises report: {from_covered}"

    # Each listed shape really is exercised: a focus node, and a value on the path of a property shape.
    merged = data + model
    for name in covered:
        shape = COOPSH[name]
        parent = parent_of(shapes, shape)
        node_shape = parent if parent is not None else shape
        if (node_shape, SH.target, None) in shapes:
            continue  # a SPARQL target that selects the failing nodes only: none here, by design
        focus = focus_nodes(shapes, node_shape, merged)
        assert focus, f"{name} has no focus node in {fixture}"
        path = shapes.value(shape, SH.path)
        if path is not None:
            p = rdflib_path(shapes, path)
            assert any(next(iter(merged.objects(f, p)), None) is not None for f in focus), (
                f"{name}: no focus node of {fixture} has a value on its path"
            )


@pytest.mark.parametrize("case", INVALID, ids=lambda c: c.fixture.rsplit("/", 1)[-1].removesuffix(".ttl"))
def test_invalid_fixture_fails_as_expected(case: Invalid, shapes: Graph) -> None:
    report = validate(load_fixture(case.fixture))
    focus = ID + case.focus
    expected = {(case.shape, case.component, focus)} | {(shape, component, focus) for shape, component in case.also}
    watched = {case.shape} | {shape for shape, _ in case.also}
    got = {t for t in _triples(report) if t[0] in watched}
    assert got == expected, f"expected {sorted(expected)}, got {sorted(got)}"

    declared = str(shapes.value(COOPSH[case.shape], SH.severity)).rsplit("#", 1)[-1]
    for r in report.results:
        if local_name(r.shape) == case.shape:
            assert r.severity == declared
            if r.component != SPARQL:  # see test_codes.py: pySHACL drops the tags of SPARQL messages
                assert set(r.message) == {"fr", "en"}, r.message

    others = {(local_name(r.shape), r.component, str(r.focus)) for r in report.violations} - expected
    assert not others, f"the fixture breaks other shapes too: {sorted(others)}"


def test_every_shape_has_a_valid_and_an_invalid_case(shapes: Graph) -> None:
    valid_covered = {name for names in VALID.values() for name in names}
    invalid_covered = {(c.shape, c.component) for c in INVALID}
    invalid_shapes = {c.shape for c in INVALID}
    missing: list[str] = []
    for name, shape in top_level_shapes(shapes).items():
        if name not in valid_covered:
            missing.append(f"{name}: no valid fixture")
        own = components(shapes, shape)
        for component in sorted(own):
            if (name, component) not in invalid_covered:
                missing.append(f"{name}: no invalid fixture for {component}")
        if not own:  # a node shape that only groups property shapes
            props = {local_name(p) for p in shapes.objects(shape, SH.property)}
            if not props & invalid_shapes:
                missing.append(f"{name}: no invalid fixture for any of its property shapes")
    assert not missing, "\n".join(missing)


def test_the_table_names_real_shapes_and_components(shapes: Graph) -> None:
    known = top_level_shapes(shapes)
    for names in VALID.values():
        assert set(names) <= set(known), set(names) - set(known)
    for case in INVALID:
        assert case.shape in known, case.shape
        assert case.component in components(shapes, known[case.shape]), case
        for shape, component in case.also:
            assert component in components(shapes, known[shape]), (case, shape)


def test_every_fixture_file_is_in_the_table() -> None:
    on_disk = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.ttl")}
    listed = set(VALID) | {c.fixture for c in INVALID}
    assert listed <= on_disk, sorted(listed - on_disk)
    assert on_disk <= listed, sorted(on_disk - listed)
    assert all("/valid/" in f for f in VALID)
    assert all("/invalid/" in c.fixture for c in INVALID)


def test_every_targeted_shape_is_named(shapes: Graph) -> None:
    for ns in node_shapes(shapes):
        for shape in (ns, *shapes.objects(ns, SH.property)):
            assert str(shape).startswith(str(COOPSH)), f"unnamed shape {shape} (give it a coopsh: IRI)"
