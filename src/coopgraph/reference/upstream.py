"""Reading one release of the Etalab *decoupage-administratif* npm package, strictly.

A release is given as the archive ``npm pack @etalab/decoupage-administratif@VERSION`` writes (a ``.tgz``) or as
the folder it unpacks to. Its ``package.json`` says the version; the version says the millésime (the year of the
official geography it holds). Every row used is checked here — codes, SIRENs and their Luhn key, references to
rows of other files — so that a bad release fails with the file and the row, before anything is written.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError

PACKAGE = "@etalab/decoupage-administratif"
NPM_URL = "https://www.npmjs.com/package/@etalab/decoupage-administratif/v/{version}"
OBTAIN = "npm pack @etalab/decoupage-administratif@{version}"

# Version of the package -> millésime, from the table of the package's README (6.0.0).
KNOWN_VERSIONS: dict[str, int] = {
    "1.1.1": 2021,
    "2.3.1": 2022,
    "3.1.1": 2023,
    "4.1.0": 2024,
    "5.3.0": 2025,
    "6.0.0": 2026,
}

DATA_FILES = ("regions", "departements", "arrondissements", "communes", "epci")
OPTIONAL_DATA_FILES = ("ept",)  # published since the 2023 millésime
MAX_MEMBER_BYTES = 200_000_000  # no data file of the package comes near this; anything larger is not the package

CODE_REGION = re.compile(r"\d{2}")
CODE_DEPARTEMENT = re.compile(r"\d{2}|2[AB]|97\d")
CODE_COM = re.compile(r"97[578]|98\d")  # collectivités d'outre-mer (975, 977, 978, 984, 986, 987, 988, 989)
CODE_ARRONDISSEMENT = re.compile(r"\d{3}|2[AB]\d|97\d{2}")
CODE_COMMUNE = re.compile(r"\d{5}|2[AB]\d{3}")
SIREN = re.compile(r"\d{9}")

COMMUNE_TYPES = ("commune-actuelle", "commune-deleguee", "commune-associee", "arrondissement-municipal")
EPCI_TYPES = ("CC", "CA", "CU", "METRO", "MET69")


def luhn_ok(number: str) -> bool:
    """The Luhn key a SIREN carries (its ninth digit)."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@dataclass(frozen=True)
class Row:
    """One object of a data file, with where it is (1-based index in the array, line in the file)."""

    file: str
    index: int
    line: int
    data: dict[str, Any]

    def error(self, message: str, field: str | None = None) -> InputError:
        return InputError(f"row {self.index} (line {self.line}): {message}", file=self.file, line=self.line,
                          field=field)

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error(f"missing '{key}'", key)
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"'{key}' must be a non-empty string, not {value!r}", key)
        return value.strip()

    def code(self, key: str, pattern: re.Pattern[str], what: str, *, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise self.error(f"malformed {what} code {value!r} in '{key}'", key)
        return value

    def siren(self, key: str, *, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not SIREN.fullmatch(value):
            raise self.error(f"malformed SIREN {value!r} in '{key}' (9 digits expected)", key)
        if not luhn_ok(value):
            raise self.error(f"SIREN {value} in '{key}' fails its Luhn key", key)
        return value

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(f"'{key}' must be a non-negative integer, not {value!r}", key)
        return value


@dataclass
class Release:
    """One release of the package, read and checked: its identity and the rows of each data file."""

    origin: str  # the path given
    version: str
    millesime: int
    archive_sha256: str | None  # sha256 of the .tgz, when given one
    data_sha256: str  # sha256 over package.json and the data files, the same for the archive and its folder
    rows: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def npm(self) -> str:
        return f"{PACKAGE}@{self.version}"

    def raw_counts(self) -> dict[str, int]:
        return {f"{name}.json": len(rows) for name, rows in sorted(self.rows.items())}


# ----------------------------------------------------------------------------------------------- reading files


def _read_archive(path: Path) -> tuple[dict[str, bytes], str]:
    """The files of an npm archive, by their path under ``package/``, and the archive's sha256."""
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    digest = hashlib.sha256(blob).hexdigest()
    files: dict[str, bytes] = {}
    try:
        import io

        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:*") as tar:
            for member in tar:  # reading to the end is what detects a truncated archive
                if not member.isfile():
                    continue
                name = member.name
                if name.startswith("./"):
                    name = name[2:]
                top, _, rest = name.partition("/")
                if not rest or top != "package":
                    continue
                wanted = rest in ("package.json", "README.md") or (
                    rest.startswith("data/") and rest.endswith(".json")
                )
                if not wanted:
                    continue
                if member.size > MAX_MEMBER_BYTES:
                    raise InputError(f"{rest} is {member.size} bytes: not the expected package", file=str(path))
                fh = tar.extractfile(member)
                if fh is None:
                    continue
                files[rest] = fh.read()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise InputError(
            f"not a readable npm archive (corrupt or truncated): {exc}; "
            f"obtain it with `{OBTAIN.format(version='VERSION')}`",
            file=str(path),
        ) from None
    return files, digest


def _read_folder(path: Path) -> dict[str, bytes]:
    root = path / "package" if (path / "package" / "package.json").is_file() else path
    files: dict[str, bytes] = {}
    candidates = [root / "package.json", root / "README.md", *sorted((root / "data").glob("*.json"))]
    for file in candidates:
        if file.is_file():
            try:
                files[file.relative_to(root).as_posix()] = file.read_bytes()
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror or exc}", file=str(file)) from None
    return files


def _readme_versions(readme: bytes | None) -> dict[str, int]:
    """The "Année | Version du package" table of the README, when it has one."""
    if not readme:
        return {}
    found: dict[str, int] = {}
    for line in readme.decode("utf-8", "replace").splitlines():
        m = re.match(r"^\|\s*((?:19|20)\d\d)\s*\|\s*(\d+\.\d+\.\d+)\s*\|", line)
        if m:
            found[m.group(2)] = int(m.group(1))
    return found


def _rows(label: str, blob: bytes) -> list[Row]:
    """The objects of a JSON array, each with its 1-based index and the line where it starts."""
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 (byte {exc.start})", file=label) from None
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line_of(pos: int) -> int:
        return bisect.bisect_left(newlines, pos) + 1

    decoder = json.JSONDecoder()
    ws = re.compile(r"[ \t\r\n]*")
    pos = ws.match(text, 0).end()
    if pos >= len(text) or text[pos] != "[":
        raise InputError("expected a JSON array of objects", file=label, line=line_of(pos))
    pos = ws.match(text, pos + 1).end()
    out: list[Row] = []
    if pos < len(text) and text[pos] == "]":
        pos += 1
    else:
        while True:
            start = pos
            try:
                obj, pos = decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"row {len(out) + 1}: not valid JSON ({exc.msg})", file=label, line=exc.lineno, column=exc.colno
                ) from None
            if not isinstance(obj, dict):
                raise InputError(f"row {len(out) + 1}: expected an object, found {type(obj).__name__}", file=label,
                                 line=line_of(start))
            out.append(Row(label, len(out) + 1, line_of(start), obj))
            pos = ws.match(text, pos).end()
            if pos < len(text) and text[pos] == ",":
                pos = ws.match(text, pos + 1).end()
                continue
            if pos < len(text) and text[pos] == "]":
                pos += 1
                break
            raise InputError(f"after row {len(out)}: expected ',' or ']' (truncated file?)", file=label,
                             line=line_of(pos))
    if text[pos:].strip():
        raise InputError("unexpected text after the JSON array", file=label, line=line_of(pos))
    return out


def read_release(path: Path | str) -> Release:
    """Read and check a release (archive or folder). Raises InputError naming the file and the row."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"no such file or folder; obtain a release with `{OBTAIN.format(version='VERSION')}`",
                         file=str(path))
    if path.is_dir():
        files = _read_folder(path)
        archive_sha256 = None

        def label(name: str) -> str:
            root = path / "package" if (path / "package" / "package.json").is_file() else path
            return str(root / name)
    else:
        files, archive_sha256 = _read_archive(path)

        def label(name: str) -> str:
            return f"{path}!/package/{name}"

    if "package.json" not in files:
        raise InputError("no package.json: not an npm package of decoupage-administratif", file=str(path))
    try:
        meta = json.loads(files["package.json"].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"unreadable package.json: {exc}", file=label("package.json")) from None
    if not isinstance(meta, dict) or meta.get("name") != PACKAGE:
        name = meta.get("name") if isinstance(meta, dict) else None
        raise InputError(f"package is {name!r}, expected {PACKAGE!r}", file=label("package.json"), field="name")
    version = meta.get("version")
    if not isinstance(version, str):
        raise InputError("no version", file=label("package.json"), field="version")
    millesime = KNOWN_VERSIONS.get(version) or _readme_versions(files.get("README.md")).get(version)
    if millesime is None:
        known = ", ".join(f"{v} ({y})" for v, y in sorted(KNOWN_VERSIONS.items(), key=lambda kv: kv[1]))
        raise InputError(
            f"unknown version {version}: no millésime is known for it (known: {known}; "
            "a newer release is accepted when its README's table lists its year)",
            file=label("package.json"),
            field="version",
        )

    digest = hashlib.sha256()
    for name in sorted(files):
        if name == "package.json" or name.startswith("data/"):
            digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    release = Release(str(path), version, millesime, archive_sha256, digest.hexdigest())
    for name in DATA_FILES + OPTIONAL_DATA_FILES:
        key = f"data/{name}.json"
        if key not in files:
            if name in OPTIONAL_DATA_FILES:
                continue
            raise InputError(f"missing {key}", file=str(path))
        release.rows[name] = _rows(label(key), files[key])
    return release


def iter_rows(release: Release, name: str) -> Iterator[Row]:
    yield from release.rows.get(name, ())
