"""Fixtures: import paths for the services, a real redis-server on loopback, WAV generation."""

from __future__ import annotations

import io
import math
import shutil
import socket
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

STACK = Path(__file__).resolve().parents[1]
for path in (STACK, *sorted((STACK / "services").iterdir())):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from shared.config import Settings  # noqa: E402
from shared.jobs import JobStore  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_redis(url: str, proc: subprocess.Popen[bytes], deadline: float) -> None:
    client = redis.Redis.from_url(url)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server exited with {proc.returncode}")
        try:
            if client.ping():
                return
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not answer within 10 s")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """A throwaway Debian redis-server on a free loopback port; yields its URL."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_for_redis(url, proc, time.monotonic() + 10)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The server's URL, with the database emptied before the test."""
    redis.Redis.from_url(redis_server).flushdb()
    return redis_server


@pytest.fixture
def store(redis_url: str) -> JobStore:
    return JobStore.from_url(redis_url)


@pytest.fixture
def settings(redis_url: str) -> Settings:
    """Offline backends, no .env file, this test's Redis."""
    return Settings(
        _env_file=None, redis_url=redis_url, transcription_backend="offline", llm_backend="offline"
    )


def _pcm(value: int, width: int) -> bytes:
    if width == 1:
        return (value + 128).to_bytes(1, "little")
    return value.to_bytes(width, "little", signed=True)


def make_wav(
    tones: list[tuple[float, float]], rate: int = 16000, channels: int = 1, width: int = 2
) -> bytes:
    """PCM WAV bytes: each (hertz, seconds) a sine at half scale; hertz 0 is silence."""
    frames = bytearray()
    peak = (1 << (8 * width - 1)) - 1
    for hertz, seconds in tones:
        for n in range(int(rate * seconds)):
            value = int(0.5 * peak * math.sin(2 * math.pi * hertz * n / rate)) if hertz else 0
            frames += _pcm(value, width) * channels
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(bytes(frames))
    return buffer.getvalue()


@pytest.fixture
def port() -> object:
    """The `free_port` function."""
    return free_port


@pytest.fixture
def wav() -> object:
    """The `make_wav` function (test modules cannot import conftest in importlib mode)."""
    return make_wav


@pytest.fixture
def two_tones() -> bytes:
    """440 Hz for 1 s, 0.5 s silence, 880 Hz for 0.5 s (about 64 KB, made at test time)."""
    return make_wav([(440, 1.0), (0, 0.5), (880, 0.5)])
