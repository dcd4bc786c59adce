"""Small synthetic releases of @etalab/decoupage-administratif, written in tmp folders (the tests run offline).

Two millésimes of a tiny France: 2021 (package 1.1.1: no commune SIREN, members carry them, no EPT) and 2026
(package 6.0.0: commune SIRENs, zones, one EPT). Between them one commune moves from one EPCI to another, one
commune is merged into a commune nouvelle (it becomes a commune déléguée), one EPCI is dissolved and another created;
one commune outside any EPCI has its SIREN only in 2026 (as the islands of Bréhat, Sein, Ouessant and Yeu).
"""

from __future__ import annotations

import copy
import io
import json
import tarfile
from pathlib import Path


def with_luhn(prefix8: str) -> str:
    """The SIREN whose first eight digits are ``prefix8``."""
    for d in "0123456789":
        candidate = prefix8 + d
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            n = int(ch)
            if i % 2:
                n = n * 2 - 9 if n * 2 > 9 else n * 2
            total += n
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def commune_siren(code: str) -> str:
    return with_luhn("21" + code.replace("A", "0").replace("B", "0") + "0")


E_LAYON = "200071553"  # CC Loire Layon Aubance (real SIREN)
E_AGGLO = with_luhn("20004317")  # "CA du Bassin Test"
E_MONTS = with_luhn("20006658")  # "CC des Monts (CCDM)"
E_OLD = with_luhn("24430000")  # dissolved after 2021
E_NEW = with_luhn("20009660")  # created by 2026
T_EPT = with_luhn("20005786")  # an EPT (2026 only)

REGIONS = [
    {"code": "52", "chefLieu": "49007", "nom": "Pays de la Loire", "typeLiaison": 4},
    {"code": "84", "chefLieu": "42218", "nom": "Auvergne-Rhône-Alpes", "typeLiaison": 1},
]
DEPARTEMENTS = [
    {"code": "42", "region": "84", "chefLieu": "42218", "nom": "Loire", "typeLiaison": 3},
    {"code": "43", "region": "84", "chefLieu": "43157", "nom": "Haute-Loire", "typeLiaison": 3},
    {"code": "49", "region": "52", "chefLieu": "49007", "nom": "Maine-et-Loire", "typeLiaison": 0},
]
ARRONDISSEMENTS = [
    {"code": "421", "departement": "42", "region": "84", "chefLieu": "42218", "nom": "Saint-Étienne", "typeLiaison": 0},
    {"code": "431", "departement": "43", "region": "84", "chefLieu": "43157", "nom": "Le Puy-en-Velay",
     "typeLiaison": 0},
    {"code": "491", "departement": "49", "region": "52", "chefLieu": "49007", "nom": "Angers", "typeLiaison": 1},
]


def _commune(code: str, nom: str, dep: str, arr: str, pop: int, tncc: int = 0, **extra) -> dict:
    region = {"42": "84", "43": "84", "49": "52"}[dep]
    row = {"code": code, "nom": nom, "typeLiaison": tncc, "arrondissement": arr, "departement": dep,
           "region": region, "type": "commune-actuelle", "rangChefLieu": 0, "population": pop}
    row.update(extra)
    return row


def _child(code: str, nom: str, kind: str, parent: str, dep: str, arr: str) -> dict:
    region = {"42": "84", "43": "84", "49": "52"}[dep]
    key = "commune" if kind == "arrondissement-municipal" else "chefLieu"
    return {"code": code, "nom": nom, "typeLiaison": 0, "type": kind, key: parent, "arrondissement": arr,
            "departement": dep, "region": region}


COMMUNES_2021 = [
    _commune("42218", "Saint-Étienne", "42", "421", 172000),
    _commune("42280", "Saint-Just", "42", "421", 1500),
    _commune("43157", "Le Puy-en-Velay", "43", "431", 19000, tncc=2),
    _commune("43200", "Saint-Just", "43", "431", 800),
    _commune("49007", "Angers", "49", "491", 155000, tncc=1),
    _commune("49092", "Chemillé-en-Anjou", "49", "491", 21000),
    _commune("49200", "Vieux-Bourg", "49", "491", 400),
    _commune("49300", "Saint-Georges-sur-Loire", "49", "491", 3800),
    _commune("43300", "Île-Test", "43", "431", 40),  # in no EPCI: no SIREN in 2021, one in 2026
    _child("49092", "Chemillé", "commune-deleguee", "49092", "49", "491"),
    _child("49101", "La Jumellière", "commune-associee", "49092", "49", "491"),
    _child("42301", "Saint-Étienne 1er Arrondissement", "arrondissement-municipal", "42218", "42", "421"),
]


def _member(code: str, with_siren: bool = True) -> dict:
    row = {"code": code, "nom": code, "populationTotale": 1, "populationMunicipale": 1}
    if with_siren:
        row["siren"] = commune_siren(code)
    return row


def _epci(code: str, nom: str, kind: str, members: list[str]) -> dict:
    return {"code": code, "nom": nom, "type": kind, "modeFinancement": "FPU", "populationTotale": 1000,
            "populationMunicipale": 990, "membres": [_member(m) for m in members]}


EPCI_2021 = [
    _epci(E_LAYON, "CC Loire Layon Aubance", "CC", ["49092", "49200", "49300"]),
    _epci(E_AGGLO, "CA du Bassin Test", "CA", ["49007"]),
    _epci(E_MONTS, "CC des Monts (CCDM)", "CC", ["42218", "42280"]),
    _epci(E_OLD, "CC Dissoute", "CC", ["43157", "43200"]),
]


def release_2021() -> dict[str, list[dict]]:
    return {
        "regions": copy.deepcopy(REGIONS),
        "departements": copy.deepcopy(DEPARTEMENTS),
        "arrondissements": copy.deepcopy(ARRONDISSEMENTS),
        "communes": copy.deepcopy(COMMUNES_2021),
        "epci": copy.deepcopy(EPCI_2021),
    }


def release_2026() -> dict[str, list[dict]]:
    data = release_2021()
    for row in (*data["regions"], *data["departements"]):
        row["zone"] = "metro"
    communes = []
    for row in data["communes"]:
        if row["code"] == "49200" and row["type"] == "commune-actuelle":
            continue  # merged into Chemillé-en-Anjou
        row["zone"] = "metro"
        if row["type"] == "commune-actuelle":
            row["siren"] = commune_siren(row["code"])
            row["population"] += 10
        communes.append(row)
    communes.append(_child("49200", "Vieux-Bourg", "commune-deleguee", "49092", "49", "491"))
    data["communes"] = communes
    data["epci"] = [
        _epci(E_LAYON, "CC Loire Layon Aubance", "CC", ["49092"]),
        _epci(E_AGGLO, "CA du Bassin Test", "CA", ["49007", "49300"]),  # 49300 moved here
        _epci(E_MONTS, "CC des Monts (CCDM)", "CC", ["42218", "42280"]),
        _epci(E_NEW, "CC Nouvelle", "CC", ["43157", "43200"]),
    ]
    data["ept"] = [{"code": T_EPT, "nom": "Territoire Test", "type": "EPT", "modeFinancement": "",
                    "populationTotale": 5, "populationMunicipale": 5, "membres": [_member("42280", False)]}]
    return data


def write_release(folder: Path, version: str, data: dict[str, list[dict]], *, readme: str | None = None,
                  one_row_per_line: bool = True) -> Path:
    """An unpacked npm package (``folder/package/…``); returns ``folder``."""
    root = folder / "package"
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text(json.dumps({
        "name": "@etalab/decoupage-administratif", "version": version, "license": "MIT"}), encoding="utf-8")
    (root / "README.md").write_text(readme or "# @etalab/decoupage-administratif (synthetic)\n", encoding="utf-8")
    for name, rows in data.items():
        if one_row_per_line:
            text = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows) + "\n]\n"
        else:
            text = json.dumps(rows, ensure_ascii=False)
        (root / "data" / f"{name}.json").write_text(text, encoding="utf-8")
    return folder


def pack(folder: Path, target: Path) -> Path:
    """The folder as ``npm pack`` would archive it (gzip'd tar with a ``package/`` top folder)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for path in sorted((folder / "package").rglob("*")):
            tar.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    target.write_bytes(buf.getvalue())
    return target
