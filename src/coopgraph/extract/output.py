"""An ``Extraction`` as the summary JSON (fixed keys, for other tools) and as a draft record (``status: draft``)."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from ..iris import slug_or_empty
from .core import KIND_CLASS, notation_of
from .model import Actor, Extraction, Instrument, Statement

SUMMARY_KEYS = ("kind", "title", "signature_date", "start_date", "end_date", "place", "parties", "actions", "themes")
STATEMENT_FIELDS = ("principles", "challenges", "triggers", "stakes", "ambitions", "object", "objectives",
                    "expected_results")


# ------------------------------------------------------------------------------------------------- summary


def _party(a: Actor) -> dict[str, Any]:
    return {
        "name": a.name,
        "kind": a.kind,
        "ref": a.iri,
        "representatives": [{"name": p.name, "post": p.post} for p in a.representatives],
    }


def summary(ex: Extraction) -> dict[str, Any]:
    main = ex.main
    if main is None:
        return dict.fromkeys(SUMMARY_KEYS)
    keys: list[str] = []
    for inst in ex.instruments:
        for k in inst.parties:
            if k not in keys and ex.actors[k].named:
                keys.append(k)
    actions = []
    for inst in ex.instruments:
        for a in inst.actions:
            actions.append({"id": a.id, "title": a.label, "lead": [c.name for c in a.lead],
                            "co_carriers": [c.name for c in a.co_carriers]})
    themes = []
    for inst in ex.instruments:
        for t in inst.themes:
            n = notation_of(t)
            if n and n not in themes:
                themes.append(n)
    out = {
        "kind": main.kind,
        "title": main.title,
        "signature_date": main.signature_date.value if main.signature_date else None,
        "start_date": main.start.value if main.start else None,
        "end_date": main.end.value if main.end else None,
        "place": main.place,
        "parties": [_party(ex.actors[k]) for k in keys],
        "actions": actions,
        "themes": themes,
    }
    assert tuple(out) == SUMMARY_KEYS
    return out


# ------------------------------------------------------------------------------------------------- record


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # a record may not hold YAML aliases
        return True


def _lines(span: tuple[int, int] | None) -> Any:
    if span is None:
        return None
    return span[0] if span[0] == span[1] else f"{span[0]}-{span[1]}"


def _conf(x: float) -> float:
    return round(max(0.0, min(1.0, x)), 2)


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in (None, [], {}, "")}


def _slug(text: str, limit: int = 80) -> str:
    s = slug_or_empty(text)[:limit].strip("-")
    return s if s and s[0].isalnum() else ("x-" + s)[:limit].strip("-") or "x"


class RecordWriter:
    def __init__(self, ex: Extraction, resolver=None) -> None:
        self.ex = ex
        self.resolver = resolver
        base = _slug(ex.title if ex.title and ex.title != "(sans titre)" else Path(ex.source).stem, 50).strip("-")
        self.doc_id = f"{base}-{ex.sha256[:6]}"  # document and instrument ids are global: two CTG may share a title
        # actor ids are global across records: the prefix ties them to this document's text
        self.prefix = f"{self.doc_id[:14].strip('-')}-{ex.sha256[:6]}"
        self.ids: dict[str, str] = {}
        self.people: dict[str, dict[str, Any]] = {}
        self.notes: list[str] = []

    def actor_id(self, key: str | None) -> str | None:
        if key is None:
            return None
        if ":" in key:  # already an official reference (departement:49)
            return key
        return self.ids.get(key)

    def _actor(self, a: Actor) -> dict[str, Any]:
        ident = _slug(f"{self.prefix}-{a.key}")
        self.ids[a.key] = ident
        d: dict[str, Any] = {"id": ident}
        note = a.note
        if a.ref:
            d["ref"] = a.ref
            d["label"] = a.name
        else:
            d["kind"] = a.cls if re.fullmatch(r"[A-Z][A-Za-z]+", a.cls or "") else "Acteur"
            d["label"] = a.name
            if a.iri:
                note = (note + "; " if note else "") + f"resolved to <{a.iri}>, which the records format cannot reference"
        d["acronym"] = a.acronym
        aliases = [x for x in dict.fromkeys(a.aliases) if x and x != a.name]
        d["aliases"] = aliases
        if a.siren and not a.ref:
            d["siren"] = a.siren
        if a.country:
            d["country"] = a.country
        if a.count:
            d["count"] = a.count
        if a.category and re.fullmatch(r"[A-Z][A-Za-z]+", a.category):
            d["category"] = a.category
        if a.territory:
            d["territory"] = a.territory
        if a.candidates:
            note = (note + "; " if note else "") + "candidates in the reference layer: " + "; ".join(a.candidates[:3])
        if note:
            d["note"] = note
        d["lines"] = _lines(a.lines)
        d["confidence"] = _conf(a.confidence)
        return _clean(d)

    def _person(self, name: str, org_id: str | None, post: str | None, lines, civility: str | None) -> str:
        pid = _slug(name)
        entry = self.people.setdefault(pid, {"id": pid, "name": name, "posts": [], "lines": _lines(lines),
                                             "confidence": 0.8})
        if org_id and not any(p["org"] == org_id and p["post"] == (post or "signataire") for p in entry["posts"]):
            entry["posts"].append({"org": org_id, "post": post or "signataire"})
        if civility:
            self.notes.append(f"civility of {name}: {civility}")
        return pid

    def _statements(self, items: list[Statement]) -> list[dict[str, Any]]:
        return [_clean({"label": s.label[:300], "lines": _lines(s.lines), "confidence": _conf(s.confidence)})
                for s in items if s.label]

    def _place(self, place: str | None) -> str | None:
        if not place or self.resolver is None:
            return None
        try:
            res = self.resolver.resolve(f"Commune de {place}")
        except Exception:
            return None
        if res and res.cls == "Commune" and getattr(res, "code", None):
            return f"commune:{res.code}"
        return None

    def _instrument(self, inst: Instrument, main: bool) -> dict[str, Any]:
        ident = self.doc_id if main else _slug(f"{self.prefix}-{inst.key}")
        d: dict[str, Any] = {
            "id": ident,
            "kind": KIND_CLASS.get(inst.kind, "InstrumentCooperation"),
            "title": inst.title,
            "acronym": inst.acronym,
            "themes": list(inst.themes),
            "parties": [self.actor_id(k) for k in inst.parties if self.actor_id(k)],
            "lines": _lines(inst.lines),
            "confidence": _conf(inst.confidence),
        }
        if inst.start or inst.end:
            span = inst.period_lines or (inst.start or inst.end).lines
            d["period"] = _clean({"start": inst.start.value if inst.start else None,
                                  "end": inst.end.value if inst.end else None, "lines": _lines(span),
                                  "confidence": _conf(min(x.confidence for x in (inst.start, inst.end) if x))})
        d["duration"] = inst.duration
        d["termination_notice"] = inst.termination_notice
        place_ref = self._place(inst.place)
        if inst.place and not place_ref:
            self.notes.append(f"signature place « {inst.place} » not linked to a commune of the reference layer")
        sigs = []
        for s in inst.signatures:
            org = self.actor_id(s.actor)
            if org is None:
                continue
            sig: dict[str, Any] = {"for": org}
            if s.person:
                sig["person"] = self._person(s.person.name, org, s.person.post, s.lines, s.person.civility)
                sig["post"] = s.person.post
            sig["date"] = s.date.value if s.date else (inst.signature_date.value if inst.signature_date else None)
            if sig["date"] and len(sig["date"]) != 10:
                sig["date"] = None
            sig["place"] = place_ref
            sig["lines"] = _lines(s.lines)
            sig["confidence"] = _conf(s.confidence)
            sigs.append(_clean(sig))
        if not sigs and inst.signature_date and len(inst.signature_date.value) == 10:
            for k in inst.parties:
                org = self.actor_id(k)
                if org and self.ex.actors[k].named:
                    sigs.append(_clean({"for": org, "date": inst.signature_date.value, "place": place_ref,
                                        "lines": _lines(inst.signature_date.lines), "confidence": 0.6}))
        d["signatures"] = sigs
        d["legal_basis"] = [_clean({"kind": a.kind, "title": a.title, "number": a.number, "date": a.date,
                                    "lines": _lines(a.lines), "confidence": _conf(a.confidence)}) for a in inst.legal]
        st = {k: self._statements(inst.statements.get(k, [])) for k in STATEMENT_FIELDS}
        d["statements"] = _clean(st)
        bodies = []
        for b in inst.bodies:
            members = []
            for m in b.members:
                actor = self.actor_id(m.actor)
                if actor:
                    members.append(_clean({"actor": actor, "role": m.role, "post": m.post, "lines": _lines(m.lines)}))
            bodies.append(_clean({"id": _slug(f"{self.prefix}-{b.key}"), "kind": b.kind, "label": b.label,
                                  "meetings_per_year_min": b.meetings_per_year_min, "frequency": b.frequency,
                                  "members": members, "missions": self._statements(b.missions),
                                  "lines": _lines(b.lines), "confidence": _conf(b.confidence)}))
        d["governance"] = bodies
        d["axes"] = [_clean({"number": ax.number, "label": ax.label, "themes": ax.themes, "lines": _lines(ax.lines),
                             "confidence": _conf(ax.confidence),
                             "orientations": [_clean({"number": o.number, "label": o.label[:400], "themes": o.themes,
                                                      "lines": _lines(o.lines), "confidence": _conf(o.confidence)})
                                              for o in ax.orientations]}) for ax in inst.axes]
        d["headings"] = [_clean({"id": h.key, "label": h.label, "themes": h.themes, "lines": _lines(h.lines),
                                 "confidence": _conf(h.confidence)}) for h in inst.headings]
        actions = []
        seen: set[str] = set()
        for a in inst.actions:
            aid = _slug(a.id)
            k, i = aid, 2
            while k in seen:
                k = f"{aid}-{i}"
                i += 1
            seen.add(k)
            actions.append(_clean({
                "id": k, "number": a.number, "label": a.label[:400], "under": a.under, "themes": a.themes,
                "start_year": a.start_year, "projet_de_territoire": a.projet_de_territoire,
                "lead": [x for x in (self.actor_id(c.actor) for c in a.lead) if x],
                "lead_as_written": a.lead_as_written,
                "lead_uncertain": True if any(c.uncertain for c in a.lead) else None,
                "co_carriers": [_clean({"actor": self.actor_id(c.actor), "as_written": c.name, "uncertain": c.uncertain
                                        or None, "lines": _lines(a.lines)}) for c in a.co_carriers
                                if self.actor_id(c.actor)],
                "partners": [_clean({"actor": self.actor_id(c.actor), "as_written": c.name, "uncertain": c.uncertain
                                     or None, "lines": _lines(a.lines)}) for c in a.partners if self.actor_id(c.actor)],
                "objectives": self._statements(a.objectives),
                "expected_results": self._statements(a.expected_results),
                "summary": _clean({"label": a.summary.label[:300], "lines": _lines(a.summary.lines),
                                   "confidence": _conf(a.summary.confidence)}) if a.summary else None,
                "lines": _lines(a.lines), "confidence": _conf(a.confidence),
            }))
        d["actions"] = actions
        return _clean(d)

    def record(self) -> dict[str, Any]:
        ex = self.ex
        actors = []
        # organisations first (services refer to them)
        ordered = sorted(ex.actors.values(), key=lambda a: a.unit_of is not None)
        for a in ordered:
            actors.append(self._actor(a))
        for a, d in zip(ordered, actors, strict=True):
            if a.unit_of:
                d["unit_of"] = self.actor_id(a.unit_of) if ":" not in a.unit_of else a.unit_of
                if d.get("unit_of") is None:
                    d.pop("unit_of")
        used = self._used_actor_keys()
        actors = [d for a, d in zip(ordered, actors, strict=True) if a.key in used]
        for a in ex.actors.values():
            for p in a.representatives:
                self._person(p.name, self.actor_id(a.key), p.post, p.lines, p.civility)
        instruments = [self._instrument(inst, i == 0) for i, inst in enumerate(ex.instruments) if not (ex.multi and i == 0)]
        doc_date = ex.doc_date.value if ex.doc_date else None
        main = ex.main
        if doc_date is None and main and main.signature_date:
            doc_date = main.signature_date.value
        document = _clean({
            "id": self.doc_id, "title": ex.title, "kind": ex.doc_kind, "date": doc_date,
            "source": f"{Path(ex.source).name} (draft made by coopgraph extract; reviewer: say where the document is "
                      "published)",
            "sha256": ex.sha256, "line_count": max(1, ex.line_count),
        })
        notes = ["DRAFT made by `coopgraph extract`: every fact carries its lines and a confidence (0-1). Review it, "
                 "reword statement labels in your own words, then set `status: reviewed`."]
        notes += [f"MISSING: {m}" for m in ex.missing]
        notes += ex.notes
        notes += list(dict.fromkeys(self.notes))
        if ex.encoding != "utf-8":
            notes.append(f"text decoded as {ex.encoding}")
        return _clean({
            "coopgraph": 1,
            "status": "draft",
            "document": document,
            "actors": actors,
            "people": [_clean(p) for p in self.people.values()],
            "instruments": instruments,
            "notes": notes,
        })

    def _used_actor_keys(self) -> set[str]:
        used: set[str] = set()
        for inst in self.ex.instruments:
            used.update(inst.parties)
            used.update(s.actor for s in inst.signatures if s.actor)
            for a in inst.actions:
                used.update(c.actor for c in (*a.lead, *a.co_carriers, *a.partners) if c.actor)
            for b in inst.bodies:
                used.update(m.actor for m in b.members)
        for a in self.ex.actors.values():
            if a.unit_of and a.key in used and ":" not in a.unit_of:
                used.add(a.unit_of)
        return used


def record(ex: Extraction, resolver=None) -> dict[str, Any]:
    return RecordWriter(ex, resolver).record()


def dump_record(data: dict[str, Any]) -> str:
    head = ("# Draft record made by `coopgraph extract` — review every fact (lines, confidence), then set "
            "status: reviewed.\n")
    return head + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


def write_record(data: dict[str, Any], target: Path, *, force: bool = False) -> None:
    """Write a draft record; an existing file is kept unless ``force`` (and only replaced once the new one loads)."""
    from ..records import load_record

    target = Path(target)
    if target.exists() and not force:
        raise InputError("already exists; give --force to replace it (nothing was written)", file=str(target))
    if target.exists() and target.is_dir():
        raise InputError("is a folder", file=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".draft-", suffix=".yaml", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dump_record(data))
        load_record(tmp)  # the draft must be a valid record before it replaces anything
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
