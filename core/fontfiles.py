"""Font files and the font index: which TrueType faces are installed or uploaded, and what each covers.

Discovery, loading and the index in instance/ (keyed by path, size and modification time, so a file is parsed
only when new or changed). Plain Python (no Flask) except `app_system_faces()`, which keeps the index in the
running app's instance folder. ReportLab's parser is imported only when a file must actually be parsed.
The chain built from these faces and their registration with ReportLab: core.pdffonts; coverage per
Unicode block: core.fontcoverage.

Only TrueType outlines (.ttf and the subfonts of a .ttc) are accepted, because
ReportLab embeds TrueType fonts as subsets and a PDF whose CJK font is not embedded shows empty boxes on
a viewer without Chinese fonts. CFF/OpenType (.otf) and Type 1 fonts are rejected with a clear reason.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

#: Where installed fonts live on Debian-like systems (WenQuanYi, AR PL, Droid Sans Fallback, Noto …).
SYSTEM_FONT_DIRS: tuple[str, ...] = ("/usr/share/fonts", "/usr/local/share/fonts")

#: Characters every usable Chinese certificate font must have (common words on a certificate).
CJK_PROBE = "中国科技创新大赛证书获奖一二三等学校"

FONT_SUFFIXES = (".ttf", ".ttc")
_TRUETYPE_MAGICS = (b"\x00\x01\x00\x00", b"true", b"ttcf")


class FontError(ValueError):
    """A font file cannot be used (not TrueType, unreadable, or PostScript outlines)."""


@dataclass(frozen=True)
class FontFace:
    """One usable face: a .ttf file, or one subfont of a .ttc collection."""

    key: str  # stable identifier stored in templates, e.g. "wqy-zenhei-0" or "upload:fzxbs-0"
    family: str
    path: str
    subfont_index: int
    source: str  # "system" or "uploaded"
    codepoints: frozenset[int] = field(repr=False, compare=False, hash=False)
    ascent: float = 800.0  # per 1000 units of em
    descent: float = -200.0

    def covers(self, char: str) -> bool:
        """True when the face has a real glyph (not .notdef) for the character."""
        return ord(char) in self.codepoints

    @property
    def glyph_count(self) -> int:
        return len(self.codepoints)

    @property
    def pdf_name(self) -> str:
        """Name under which the face is registered with ReportLab (ASCII, unique per file and face)."""
        digest = hashlib.sha1(f"{self.path}\0{self.subfont_index}".encode(), usedforsecurity=False).hexdigest()[:8]
        return "KC_" + re.sub(r"[^A-Za-z0-9]", "_", self.key) + "_" + digest


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "font"


def sniff_truetype(data: bytes) -> bool:
    """True when the bytes start like a TrueType font or collection (not OpenType/CFF 'OTTO', not Type 1)."""
    return data[:4] in _TRUETYPE_MAGICS


_face_cache: dict[tuple[str, int, float], tuple[str, frozenset[int], float, float]] = {}
_cache_lock = threading.Lock()


def _read_face(path: str, index: int) -> tuple[str, frozenset[int], float, float]:
    """Parse one face; cached by path, subfont index and mtime (parsing a 20 MB .ttc takes ~0.1 s)."""
    mtime = os.path.getmtime(path)
    cache_key = (path, index, mtime)
    with _cache_lock:
        hit = _face_cache.get(cache_key)
    if hit is not None:
        return hit
    from reportlab.pdfbase.ttfonts import TTFError, TTFontFile

    try:
        ttf = TTFontFile(path, subfontIndex=index)
    except TTFError as exc:
        message = str(exc)
        if "postscript outlines" in message.lower():
            raise FontError("PostScript (CFF) outlines are not supported; upload a TrueType font") from exc
        raise FontError(f"not a usable TrueType font: {message}") from exc
    except (OSError, ValueError, IndexError, KeyError, TypeError) as exc:  # truncated or garbage files
        raise FontError(f"not a usable TrueType font: {exc}") from exc
    raw = ttf.familyName or ttf.name or b""
    family = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    codepoints = frozenset(cp for cp, glyph in ttf.charToGlyph.items() if glyph)
    result = (family, codepoints, float(ttf.ascent), float(ttf.descent))
    with _cache_lock:
        _face_cache[cache_key] = result
    return result


# ---- the font index: what each font file covers, kept on disk ------------------------------------------
#
# Parsing a CJK TrueType file (cmap, metrics) takes 0.05–0.3 s; a machine has dozens. The index records,
# per file, its size and modification time and per face the family, metrics and covered code points (as
# ranges), so discovery and coverage never parse a file whose size and mtime did not change. ReportLab
# itself parses (and embeds) only the faces a PDF actually draws with, when they are registered.

INDEX_VERSION = 2  # 2: each face records whether it is a CJK face (is_cjk_codepoints), so discovery builds
#                    the code point sets of the CJK faces only


def _ranges(codepoints) -> list[list[int]]:
    out: list[list[int]] = []
    for cp in sorted(codepoints):
        if out and cp == out[-1][1] + 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def _from_ranges(ranges) -> frozenset[int]:
    return frozenset(itertools.chain.from_iterable(range(lo, hi + 1) for lo, hi in ranges))


class FontIndex:
    """Per-file face descriptions keyed by path, valid while the file's size and mtime are unchanged.

    Stored as JSON at `path` (None: in memory only). Writes are atomic (temporary file + rename), so
    two processes building it at once at worst both parse once."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = str(path) if path else None
        self.entries: dict[str, dict] = {}
        self.dirty = False
        self.parsed: list[str] = []  # files parsed by this instance (what the cache saved the others)
        if self.path and os.path.exists(self.path):
            try:
                with open(self.path, encoding="utf-8") as fh:
                    data = json.load(fh)
                if data.get("version") == INDEX_VERSION:
                    self.entries = data.get("files", {})
            except (OSError, ValueError, AttributeError):
                self.entries = {}  # a damaged index is rebuilt

    @staticmethod
    def _stamp(path: str) -> list[int]:
        st = os.stat(path)
        return [st.st_size, st.st_mtime_ns]

    def faces(self, path: str, cjk_only: bool = False) -> list[tuple[int, str, frozenset[int], float, float]]:
        """(subfont index, family, codepoints, ascent, descent) of every face of the file (of its CJK faces
        only with cjk_only); parsed only when not indexed. From the index, the code point sets of the faces
        left out are never built (they are most of the installed faces' code points)."""
        stamp = self._stamp(path)
        entry = self.entries.get(path)
        if entry is not None and entry.get("stamp") == stamp:
            if "error" in entry:
                raise FontError(entry["error"])
            return [
                (i, f["family"], _from_ranges(f["ranges"]), f["ascent"], f["descent"])
                for i, f in enumerate(entry["faces"])
                if f["cjk"] or not cjk_only
            ]
        self.parsed.append(path)
        try:
            faces = [_read_face(path, i) for i in range(count_subfonts(path))]
        except FontError as exc:
            self.entries[path] = {"stamp": stamp, "error": str(exc)}
            self.dirty = True
            raise
        cjk = [is_cjk_codepoints(cps) for _fam, cps, _asc, _desc in faces]
        self.entries[path] = {
            "stamp": stamp,
            "faces": [
                {"family": fam, "ascent": asc, "descent": desc, "cjk": is_cjk, "ranges": _ranges(cps)}
                for (fam, cps, asc, desc), is_cjk in zip(faces, cjk, strict=True)
            ],
        }
        self.dirty = True
        return [(i, *face) for i, (face, is_cjk) in enumerate(zip(faces, cjk, strict=True)) if is_cjk or not cjk_only]

    def forget_missing(self) -> None:
        for path in [p for p in self.entries if not os.path.exists(p)]:
            del self.entries[path]
            self.dirty = True

    def save(self) -> None:
        if not self.path or not self.dirty:
            return
        directory = os.path.dirname(self.path) or "."
        os.makedirs(directory, exist_ok=True)
        tmp = f"{self.path}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"version": INDEX_VERSION, "files": self.entries}, fh, separators=(",", ":"))
        os.replace(tmp, self.path)
        self.dirty = False


def count_subfonts(path: str) -> int:
    """Number of faces in a font file: 1 for .ttf, the collection size for .ttc."""
    with open(path, "rb") as fh:
        head = fh.read(12)
    if not sniff_truetype(head):
        raise FontError("not a TrueType font (.ttf/.ttc)")
    if head[:4] == b"ttcf":
        return int.from_bytes(head[8:12], "big")
    return 1


def load_font_file(
    path: str | os.PathLike,
    source: str = "uploaded",
    key_prefix: str | None = None,
    index: FontIndex | None = None,
    cjk_only: bool = False,
) -> list[FontFace]:
    """Load every face (every CJK face with cjk_only) of a .ttf/.ttc file; raises FontError if the file is
    not TrueType.

    Keys are "<prefix><file stem>-<subfont index>", the prefix being "upload:" for uploaded fonts. With an
    index, a file whose size and mtime are unchanged is not parsed again.
    """
    path = str(path)
    if not path.lower().endswith(FONT_SUFFIXES):
        raise FontError("font files must be .ttf or .ttc")
    prefix = key_prefix if key_prefix is not None else ("upload:" if source == "uploaded" else "")
    stem = _slug(Path(path).stem)
    described = (index or FontIndex()).faces(path, cjk_only=cjk_only)
    faces = []
    for index_no, family, codepoints, ascent, descent in described:
        faces.append(
            FontFace(
                key=f"{prefix}{stem}-{index_no}",
                family=family,
                path=path,
                subfont_index=index_no,
                source=source,
                codepoints=codepoints,
                ascent=ascent,
                descent=descent,
            )
        )
    return faces


def validate_font_bytes(data: bytes, filename: str) -> None:
    """Reject an upload that is not a TrueType font, before it is stored. Raises FontError."""
    if not filename.lower().endswith(FONT_SUFFIXES):
        raise FontError("font files must be .ttf or .ttc")
    if not sniff_truetype(data):
        if data[:4] == b"OTTO":
            raise FontError("PostScript (CFF) outlines are not supported; upload a TrueType font")
        raise FontError("not a TrueType font (.ttf/.ttc)")
    import tempfile

    suffix = ".ttc" if data[:4] == b"ttcf" else ".ttf"
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        tmp.write(data)
        tmp.flush()
        faces = load_font_file(tmp.name, source="uploaded")
        if not any(face.codepoints for face in faces):
            raise FontError("the font has no character map")
        # The parse cache keys on the temporary path; drop it so the entry does not linger.
        with _cache_lock:
            for cache_key in [k for k in _face_cache if k[0] == tmp.name]:
                del _face_cache[cache_key]


def _iter_font_files(dirs) -> list[str]:
    found = []
    for base in dirs:
        if not os.path.isdir(base):
            continue
        for root, _dirs, files in os.walk(base, followlinks=True):
            for name in files:
                if name.lower().endswith(FONT_SUFFIXES):
                    found.append(os.path.join(root, name))
    return sorted(found)


#: Faces with at least this many characters of the CJK extensions count as CJK fallbacks (HanaMinB has
#: Extension B and beyond but none of the common hanzi of CJK_PROBE).
CJK_EXTENSION_MIN = 1000
_CJK_EXTENSIONS = ((0x3400, 0x4DBF), (0x20000, 0x3134F))


def is_cjk_codepoints(codepoints: frozenset[int]) -> bool:
    """A face counts as CJK when it covers every character of CJK_PROBE, or many extension hanzi."""
    if all(ord(c) in codepoints for c in CJK_PROBE):
        return True
    return sum(1 for cp in codepoints for lo, hi in _CJK_EXTENSIONS if lo <= cp <= hi) >= CJK_EXTENSION_MIN


def is_cjk_face(face: FontFace) -> bool:
    return is_cjk_codepoints(face.codepoints)


def discover_system_fonts(
    dirs=SYSTEM_FONT_DIRS, cjk_only: bool = True, index: FontIndex | None = None
) -> list[FontFace]:
    """Installed TrueType faces (all subfonts of .ttc files), CJK ones only by default.

    Unreadable or non-TrueType files are skipped: a broken system font must not break the font list.
    With an index, only files that are new or changed since it was written are parsed (and it is saved).
    """
    faces = []
    for path in _iter_font_files(dirs):
        try:
            faces.extend(load_font_file(path, source="system", key_prefix="", index=index, cjk_only=cjk_only))
        except FontError:
            continue
    if index is not None:
        index.save()
    return faces


def load_font_directory(
    directory: str | os.PathLike, index: FontIndex | None = None
) -> tuple[list[FontFace], dict[str, str]]:
    """Uploaded fonts in a directory: (faces, {file name: error}) — bad files are reported, not fatal."""
    faces: list[FontFace] = []
    errors: dict[str, str] = {}
    directory = str(directory)
    if not os.path.isdir(directory):
        return faces, errors
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if not os.path.isfile(path) or not name.lower().endswith(FONT_SUFFIXES):
            continue
        try:
            faces.extend(load_font_file(path, source="uploaded", index=index))
        except FontError as exc:
            errors[name] = str(exc)
    return faces, errors


_app_faces: dict[tuple, dict[str, FontFace]] = {}
_app_lock = threading.Lock()


def index_path(instance_path: str | os.PathLike) -> str:
    """Where the font index of an installation lives: instance/font-index.json."""
    return os.path.join(str(instance_path), "font-index.json")


def system_faces_for(dirs, instance_path: str | os.PathLike | None) -> dict[str, FontFace]:
    """Installed CJK faces by key, once per process and font directories, through the index on disk."""
    key = (tuple(dirs), str(instance_path))
    with _app_lock:
        faces = _app_faces.get(key)
        if faces is None:
            index = FontIndex(index_path(instance_path) if instance_path else None)
            faces = _app_faces[key] = {f.key: f for f in discover_system_fonts(dirs, index=index)}
        return faces


def app_system_faces() -> dict[str, FontFace]:
    """The installed CJK faces of the running app (CERTIFICATE_FONT_DIRS, index in its instance folder);
    outside an app, the system's font directories without an index."""
    from flask import current_app, has_app_context

    if not has_app_context():  # pure callers (tests of document builders): the system's fonts, no index on disk
        return system_faces_for(SYSTEM_FONT_DIRS, None)
    dirs = current_app.config.get("CERTIFICATE_FONT_DIRS") or SYSTEM_FONT_DIRS
    return system_faces_for(dirs, current_app.instance_path)
