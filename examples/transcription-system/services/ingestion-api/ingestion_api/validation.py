"""Checks on what a client submits, independent of FastAPI."""

from __future__ import annotations

from urllib.parse import urlparse

from shared.audio import ALLOWED_FORMATS, AudioError, decode_wav, sniff_format


class Rejected(ValueError):
    """A submission that cannot become a job; `status` is the HTTP code to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def check_upload(data: bytes, max_bytes: int) -> str:
    """The audio format of an upload; Rejected when empty, too large, unknown or a broken WAV."""
    if not data:
        raise Rejected(422, "the uploaded file is empty")
    if len(data) > max_bytes:
        raise Rejected(413, f"the uploaded file is larger than {max_bytes} bytes")
    fmt = sniff_format(data)
    if fmt not in ALLOWED_FORMATS:
        raise Rejected(415, f"not a supported audio file (accepted: {', '.join(ALLOWED_FORMATS)})")
    if fmt == "wav":
        try:
            clip = decode_wav(data)
        except AudioError as exc:
            raise Rejected(422, str(exc)) from exc
        if clip.duration == 0:
            raise Rejected(422, "the WAV file has no audio frames")
    return fmt


def check_url(url: str) -> str:
    """The URL, stripped; Rejected unless it is an absolute http(s) URL."""
    url = url.strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise Rejected(422, "audio_url must be an absolute http:// or https:// URL")
    return url
