"""Download audio given by URL, with a size limit."""

from __future__ import annotations

import httpx


class FetchError(RuntimeError):
    """The URL could not be downloaded (or was too large)."""


def fetch_audio(url: str, max_bytes: int, timeout: float = 30.0) -> bytes:
    """GET the URL, following redirects, refusing bodies larger than `max_bytes`."""
    chunks: list[bytes] = []
    size = 0
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{url}: larger than {max_bytes} bytes")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {exc}") from exc
    return b"".join(chunks)
