"""``coopgraph extract --evaluate DIR``: precision and recall per field against ``*.gold.json`` files.

Each ``NAME.txt`` of the folder that has a ``NAME.gold.json`` beside it (the summary format) is extracted and
compared. Parties match by reference IRI or by name (folded, kind words spelled out); actions match by title
(fuzzy, one to one); leads and co-carriers are compared on the matched actions, as written (the "?" of the plan
is part of the name); dates must be equal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from ..errors import InputError
from .cleaning import fold
from .core import canonical

FIELDS = ("parties", "resolution", "representatives", "posts", "dates", "place", "actions", "leads", "co-carriers",
          "kind")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


@dataclass
class DocResult:
    name: str
    scores: dict[str, Score] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lead_exact: tuple[int, int] = (0, 0)
    co_exact: tuple[int, int] = (0, 0)


def carrier_norm(name: str) -> str:
    f = fold(name)
    unc = "?" in f
    f = re.sub(r"[^a-z0-9]+", " ", f.replace("?", " ")).strip()
    return f + (" ?" if unc else "")


def _title_norm(t: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(t)).strip()


def title_similarity(a: str, b: str) -> float:
    x, y = _title_norm(a), _title_norm(b)
    if not x or not y:
        return 0.0
    score = fuzz.ratio(x, y)
    short, long_ = sorted((x, y), key=len)
    if long_.startswith(short) and (len(short) >= 0.45 * len(long_) or len(short.split()) >= 5) and len(short) >= 15:
        score = max(score, 92.0)
    return float(score)


def match_actions(gold: list[dict], pred: list[dict], threshold: float = 85.0) -> list[tuple[int, int]]:
    pairs = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            s = title_similarity(g.get("title", ""), p.get("title", ""))
            if s >= threshold:
                bonus = 1.0 if g.get("id") and g.get("id") == p.get("id") else 0.0
                pairs.append((s + bonus, i, j))
    pairs.sort(reverse=True)
    used_g, used_p, out = set(), set(), []
    for _s, i, j in pairs:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        out.append((i, j))
    return out


def _party_match(g: dict, p: dict) -> bool:
    if g.get("ref") and g.get("ref") == p.get("ref"):
        return True
    cg, cp = canonical(g.get("name") or ""), canonical(p.get("name") or "")
    return bool(cg) and (cg == cp or fuzz.ratio(cg, cp) >= 92)


def compare(gold: dict[str, Any], pred: dict[str, Any], name: str = "") -> DocResult:
    r = DocResult(name)
    s = {f: Score() for f in FIELDS}
    # parties
    gp, pp = list(gold.get("parties") or []), list(pred.get("parties") or [])
    used: set[int] = set()
    matched = []
    for g in gp:
        j = next((j for j, p in enumerate(pp) if j not in used and _party_match(g, p)), None)
        if j is None:
            s["parties"].fn += 1
            s["resolution"].fn += 1
            r.errors.append(f"party missed: {g.get('name')}")
            continue
        used.add(j)
        s["parties"].tp += 1
        matched.append((g, pp[j]))
        if (g.get("ref") or None) == (pp[j].get("ref") or None):
            s["resolution"].tp += 1
        else:
            s["resolution"].fn += 1
            s["resolution"].fp += 1
            r.errors.append(f"party {g.get('name')}: ref {pp[j].get('ref')} instead of {g.get('ref')}")
    for j, p in enumerate(pp):
        if j not in used:
            s["parties"].fp += 1
            s["resolution"].fp += 1
            r.errors.append(f"party not in gold: {p.get('name')}")
    # representatives (all parties of the document together), and their posts
    def reps(parties: list[dict]) -> dict[str, str]:
        out = {}
        for party in parties:
            for rep in party.get("representatives") or []:
                out[fold(rep.get("name") or "").strip()] = canonical(rep.get("post") or "")
        return out
    gr, pr = reps(gp), reps(pp)
    for k, post in gr.items():
        if k in pr:
            s["representatives"].tp += 1
            if post == pr[k]:
                s["posts"].tp += 1
            else:
                s["posts"].fn += 1
                s["posts"].fp += 1
                r.errors.append(f"post of {k}: {pr[k]!r} instead of {post!r}")
        else:
            s["representatives"].fn += 1
            r.errors.append(f"representative missed: {k}")
    for k in pr:
        if k not in gr:
            s["representatives"].fp += 1
            r.errors.append(f"representative not in gold: {k}")
    # dates
    for key in ("signature_date", "start_date", "end_date"):
        g, p = gold.get(key), pred.get(key)
        if g and p and str(g) == str(p):
            s["dates"].tp += 1
        else:
            if g:
                s["dates"].fn += 1
            if p:
                s["dates"].fp += 1
            if g or p:
                r.errors.append(f"{key}: {p} instead of {g}")
    gpl, ppl = gold.get("place"), pred.get("place")
    if gpl and ppl and canonical(gpl) == canonical(ppl):
        s["place"].tp += 1
    else:
        if gpl:
            s["place"].fn += 1
        if ppl:
            s["place"].fp += 1
        if gpl or ppl:
            r.errors.append(f"place: {ppl} instead of {gpl}")
    # kind
    if gold.get("kind") == pred.get("kind"):
        s["kind"].tp += 1
    else:
        s["kind"].fn += 1
        s["kind"].fp += 1
        r.errors.append(f"kind: {pred.get('kind')} instead of {gold.get('kind')}")
    # actions, then their carriers
    ga, pa = list(gold.get("actions") or []), list(pred.get("actions") or [])
    pairs = match_actions(ga, pa)
    s["actions"].tp = len(pairs)
    s["actions"].fn = len(ga) - len(pairs)
    s["actions"].fp = len(pa) - len(pairs)
    matched_g = {i for i, _ in pairs}
    matched_p = {j for _, j in pairs}
    for i, g in enumerate(ga):
        if i not in matched_g:
            r.errors.append(f"action missed: {g.get('id')} {g.get('title', '')[:70]}")
    for j, p in enumerate(pa):
        if j not in matched_p:
            r.errors.append(f"action not in gold: {p.get('id')} {p.get('title', '')[:70]}")
    lead_ok = co_ok = 0
    for i, j in pairs:
        for key, fname in (("lead", "leads"), ("co_carriers", "co-carriers")):
            g = {carrier_norm(x) for x in ga[i].get(key) or []}
            p = {carrier_norm(x) for x in pa[j].get(key) or []}
            s[fname].tp += len(g & p)
            s[fname].fn += len(g - p)
            s[fname].fp += len(p - g)
            if g == p:
                if key == "lead":
                    lead_ok += 1
                else:
                    co_ok += 1
            else:
                r.errors.append(f"{key} of {ga[i].get('id')}: {sorted(p)} instead of {sorted(g)}")
    r.lead_exact = (lead_ok, len(pairs))
    r.co_exact = (co_ok, len(pairs))
    r.scores = s
    return r


def gold_files(folder: Path, gold_folder: Path | None = None) -> list[tuple[Path, Path]]:
    folder = Path(folder)
    for f in (folder, gold_folder):
        if f is not None and not Path(f).is_dir():
            raise InputError("not a folder", file=str(f))
    out = []
    for txt in sorted(folder.glob("*.txt")):
        gold = Path(gold_folder or folder) / (txt.stem + ".gold.json")
        if gold.exists():
            out.append((txt, gold))
    return out


def read_gold(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable gold file: {exc}", file=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("a gold file is one JSON object in the summary format", file=str(path))
    return data


def evaluate(pairs: list[tuple[Path, Path]] | list[tuple[Path, dict]], extract) -> dict[str, Any]:
    """``extract(path) -> summary dict``; returns totals and per-document results."""
    total = {f: Score() for f in FIELDS}
    docs: list[DocResult] = []
    lead = [0, 0]
    co = [0, 0]
    for txt, gold in pairs:
        gold_data = gold if isinstance(gold, dict) else read_gold(gold)
        pred = extract(txt)
        r = compare(gold_data, pred, Path(txt).name)
        docs.append(r)
        for f in FIELDS:
            total[f].add(r.scores[f])
        lead[0] += r.lead_exact[0]
        lead[1] += r.lead_exact[1]
        co[0] += r.co_exact[0]
        co[1] += r.co_exact[1]
    return {"total": total, "docs": docs, "lead_accuracy": (lead[0] / lead[1]) if lead[1] else None,
            "co_accuracy": (co[0] / co[1]) if co[1] else None}


def _pct(x: float | None) -> str:
    return "    -" if x is None else f"{100 * x:5.1f}"


def report_text(result: dict[str, Any], verbose: bool = False) -> str:
    lines = [f"{len(result['docs'])} document(s)", "",
             f"{'field':<16}{'gold':>6}{'found':>7}{'match':>7}{'precision':>11}{'recall':>8}"]
    for f in FIELDS:
        s: Score = result["total"][f]
        lines.append(f"{f:<16}{s.tp + s.fn:>6}{s.tp + s.fp:>7}{s.tp:>7}{_pct(s.precision):>11}{_pct(s.recall):>8}")
    lines.append("")
    lines.append(f"chef de file accuracy (matched actions, exact set): {_pct(result['lead_accuracy']).strip()} %")
    lines.append(f"co-porteur accuracy   (matched actions, exact set): {_pct(result['co_accuracy']).strip()} %")
    if verbose:
        for d in result["docs"]:
            lines.append("")
            lines.append(f"== {d.name}: " + (", ".join(d.errors[:0]) or ("no difference" if not d.errors else
                                                                         f"{len(d.errors)} difference(s)")))
            lines.extend(f"   {e}" for e in d.errors)
    return "\n".join(lines)


def report_json(result: dict[str, Any]) -> dict[str, Any]:
    def sc(s: Score) -> dict[str, Any]:
        return {"gold": s.tp + s.fn, "found": s.tp + s.fp, "match": s.tp, "precision": s.precision, "recall": s.recall}

    return {
        "documents": len(result["docs"]),
        "fields": {f: sc(result["total"][f]) for f in FIELDS},
        "lead_accuracy": result["lead_accuracy"],
        "co_accuracy": result["co_accuracy"],
        "per_document": {d.name: {"fields": {f: sc(d.scores[f]) for f in FIELDS}, "differences": d.errors}
                         for d in result["docs"]},
    }
