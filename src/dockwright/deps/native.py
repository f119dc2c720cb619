"""What a build needs beyond wheels.

Packages that only ship sdists for the target (a build stage needs compilers) and the Debian
packages that installed wheels load or call at run time.
"""

from __future__ import annotations

from collections.abc import Iterable

from dockwright.deps.index import PackageIndex, chosen_file
from dockwright.deps.records import DepsReport, NativeNeeds, Pin
from dockwright.deps.target import Target

# Wheels that need a library or program from the OS at run time (not bundled in the wheel).
RUNTIME_PACKAGES: dict[str, tuple[str, ...]] = {
    "openai-whisper": ("ffmpeg",),
    "whisperx": ("ffmpeg",),
    "pydub": ("ffmpeg",),
    "ffmpeg-python": ("ffmpeg",),
    "moviepy": ("ffmpeg",),
    "soundfile": ("libsndfile1",),
    "librosa": ("libsndfile1",),
    "lightgbm": ("libgomp1",),
    "xgboost": ("libgomp1",),
    "opencv-python": ("libgl1", "libglib2.0-0"),
    "opencv-contrib-python": ("libgl1", "libglib2.0-0"),
    "psycopg2": ("libpq5",),
    "mysqlclient": ("libmariadb3",),
    "pyaudio": ("libportaudio2",),
    "sounddevice": ("libportaudio2",),
    "python-magic": ("libmagic1",),
    "weasyprint": ("libpango-1.0-0", "libpangoft2-1.0-0"),
    "cairosvg": ("libcairo2",),
    "cairocffi": ("libcairo2",),
    "pyzbar": ("libzbar0",),
    "pdf2image": ("poppler-utils",),
    "pytesseract": ("tesseract-ocr",),
    "pyvips": ("libvips42",),
    "pygraphviz": ("libgraphviz-dev",),
}
# Headers and tools an sdist needs to build (besides build-essential).
BUILD_PACKAGES: dict[str, tuple[str, ...]] = {
    "psycopg2": ("libpq-dev",),
    "mysqlclient": ("libmariadb-dev", "pkg-config"),
    "pyaudio": ("portaudio19-dev",),
    "pygraphviz": ("libgraphviz-dev",),
    "python-ldap": ("libldap2-dev", "libsasl2-dev"),
    "lxml": ("libxml2-dev", "libxslt1-dev"),
    "cffi": ("libffi-dev",),
}


def sdist_only(pins: Iterable[Pin], index: PackageIndex, target: Target) -> tuple[str, ...]:
    """Resolved packages whose chosen file for the target is an sdist."""
    found = []
    for pin in pins:
        files = index.files_of(pin.name, pin.version) if _is_version(pin) else ()
        chosen = chosen_file(files, pin.version, target) if files else None
        if chosen is not None and not chosen.is_wheel:
            found.append(f"{pin.name}=={pin.version}")
    return tuple(found)


def _is_version(pin: Pin) -> bool:
    return bool(pin.version) and "/" not in pin.version and ":" not in pin.version


def native_needs(pins: tuple[Pin, ...], index: PackageIndex, target: Target) -> NativeNeeds:
    """sdist-only packages, runtime system libraries, and build packages for the sdists."""
    names = {p.name for p in pins}
    sdists = sdist_only(pins, index, target)
    runtime = sorted({lib for n in names for lib in RUNTIME_PACKAGES.get(n, ())})
    sdist_names = {s.split("==", 1)[0] for s in sdists}
    build = {lib for n in sdist_names for lib in BUILD_PACKAGES.get(n, ())}
    build |= {"build-essential"} if sdists else set()
    return NativeNeeds(sdists, tuple(runtime), tuple(sorted(build)))


def wheels_only(report: DepsReport) -> frozenset[str]:
    """Services that resolved and whose every package installs from a wheel for the target."""
    return frozenset(s.service for s in report.services if s.resolution and not s.native.sdist_only)
