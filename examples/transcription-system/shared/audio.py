"""Audio helpers: sniff the format, decode WAV with the standard library, ffmpeg for the rest."""

from __future__ import annotations

import array
import io
import shutil
import struct
import subprocess
import sys
import wave
from dataclasses import dataclass

ALLOWED_FORMATS = ("wav", "mp3", "flac", "ogg", "m4a")


class AudioError(ValueError):
    """The bytes are not audio this system can read."""


@dataclass(frozen=True)
class AudioClip:
    """Mono samples in [-1, 1] and their rate."""

    sample_rate: int
    samples: tuple[float, ...]

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate if self.sample_rate else 0.0


def sniff_format(data: bytes) -> str | None:
    """The container format named by the file's magic bytes, or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:3] == b"ID3" or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "mp3"
    if data[:4] == b"fLaC":
        return "flac"
    if data[:4] == b"OggS":
        return "ogg"
    if data[4:8] == b"ftyp":
        return "m4a"
    return None


def _pcm_to_floats(frames: bytes, width: int) -> list[float]:
    if width == 1:
        return [(byte - 128) / 128.0 for byte in frames]
    if width == 3:
        ints = [
            int.from_bytes(frames[i : i + 3], "little", signed=True)
            for i in range(0, len(frames), 3)
        ]
        return [value / 8388608.0 for value in ints]
    codes = {2: ("h", 32768.0), 4: ("i", 2147483648.0)}
    if width not in codes:
        raise AudioError(f"unsupported sample width: {width} bytes")
    code, scale = codes[width]
    values = array.array(code, frames)
    if sys.byteorder == "big":
        values.byteswap()
    return [value / scale for value in values]


def _mixdown(samples: list[float], channels: int) -> tuple[float, ...]:
    if channels == 1:
        return tuple(samples)
    frames = range(0, len(samples) - channels + 1, channels)
    return tuple(sum(samples[i : i + channels]) / channels for i in frames)


def decode_wav(data: bytes) -> AudioClip:
    """Decode PCM WAV bytes into a mono clip; AudioError when they are not valid PCM WAV."""
    try:
        with wave.open(io.BytesIO(data)) as reader:
            rate, width, channels = (
                reader.getframerate(),
                reader.getsampwidth(),
                reader.getnchannels(),
            )
            frames = reader.readframes(reader.getnframes())
    except (wave.Error, EOFError, RuntimeError, struct.error) as exc:  # wave raises all of these
        raise AudioError(f"not a readable PCM WAV file: {exc}") from exc
    if rate <= 0 or channels <= 0:
        raise AudioError("WAV header has no sample rate or channels")
    return AudioClip(rate, _mixdown(_pcm_to_floats(frames, width), channels))


def ffmpeg_to_wav(data: bytes, timeout: float = 120.0) -> bytes:
    """Convert any ffmpeg-readable audio to 16 kHz mono 16-bit WAV."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise AudioError("ffmpeg is not installed; only WAV can be decoded")
    argv = [ffmpeg, "-nostdin", "-loglevel", "error", "-i", "pipe:0", "-ac", "1", "-ar", "16000"]
    done = subprocess.run(
        [*argv, "-f", "wav", "pipe:1"],
        input=data,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise AudioError(
            f"ffmpeg could not decode the audio: {done.stderr.decode(errors='replace')[:500]}"
        )
    return done.stdout


def decode_audio(data: bytes) -> AudioClip:
    """Decode WAV directly and any other format through ffmpeg."""
    if sniff_format(data) == "wav":
        return decode_wav(data)
    return decode_wav(ffmpeg_to_wav(data))
