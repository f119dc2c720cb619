"""The deterministic offline backend: describes the sound it hears instead of recognising speech.

It splits the clip into sounding and silent stretches (RMS energy over 50 ms frames) and estimates
each stretch's pitch from its zero-crossing rate. Same audio in, same transcript out; no model.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from shared.audio import AudioClip

FRAME_SECONDS = 0.05
SILENCE_RMS = 0.02


def _frames(clip: AudioClip) -> list[tuple[float, ...]]:
    size = max(1, int(clip.sample_rate * FRAME_SECONDS))
    return [clip.samples[i : i + size] for i in range(0, len(clip.samples), size)]


def _rms(frame: tuple[float, ...]) -> float:
    return math.sqrt(sum(s * s for s in frame) / len(frame)) if frame else 0.0


def _runs(loud: list[bool]) -> list[tuple[int, int]]:
    """[start, end) frame index ranges of consecutive loud frames."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for index, flag in enumerate([*loud, False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            runs.append((start, index))
            start = None
    return runs


def _pitch(samples: tuple[float, ...], rate: int) -> int:
    crossings = sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))
    return round(crossings * rate / (2 * len(samples)) / 10) * 10 if samples else 0


def _segment(
    number: int, clip: AudioClip, frames: list[tuple[float, ...]], run: tuple[int, int]
) -> dict[str, Any]:
    samples = tuple(s for frame in frames[run[0] : run[1]] for s in frame)
    start = run[0] * FRAME_SECONDS
    end = min(run[1] * FRAME_SECONDS, clip.duration)
    hertz = _pitch(samples, clip.sample_rate)
    text = f"Sound segment {number} lasts {end - start:.2f} seconds at about {hertz} hertz."
    return {"start": round(start, 2), "end": round(end, 2), "text": text}


class OfflineTranscriber:
    """Deterministic transcripts from the signal itself; what the tests and demos use."""

    name = "offline"

    def transcribe(self, audio: bytes, clip: AudioClip, language: str | None) -> dict[str, Any]:
        """Segments of sound with duration and pitch, as sentences."""
        frames = _frames(clip)
        runs = _runs([_rms(frame) >= SILENCE_RMS for frame in frames])
        segments = [_segment(n, clip, frames, run) for n, run in enumerate(runs, start=1)]
        if not segments:
            segments = [{"start": 0.0, "end": round(clip.duration, 2), "text": "Silence."}]
        text = " ".join(segment["text"] for segment in segments)
        return {"language": language or "en", "text": text, "segments": segments}
