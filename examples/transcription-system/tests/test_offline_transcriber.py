from __future__ import annotations

from collections.abc import Callable

from shared.audio import decode_wav
from transcription_worker.offline import OfflineTranscriber


def test_segments_follow_the_sound(two_tones: bytes) -> None:
    result = OfflineTranscriber().transcribe(two_tones, decode_wav(two_tones), None)
    segments = result["segments"]
    assert [(s["start"], s["end"]) for s in segments] == [(0.0, 1.0), (1.5, 2.0)]
    assert "about 440 hertz" in segments[0]["text"]
    assert "about 880 hertz" in segments[1]["text"]
    assert result["language"] == "en"
    assert result["text"].startswith("Sound segment 1 lasts 1.00 seconds")


def test_same_audio_same_transcript(two_tones: bytes) -> None:
    backend = OfflineTranscriber()
    clip = decode_wav(two_tones)
    assert backend.transcribe(two_tones, clip, "fr") == backend.transcribe(two_tones, clip, "fr")


def test_silence(wav: Callable[..., bytes]) -> None:
    data = wav([(0, 0.3)])
    result = OfflineTranscriber().transcribe(data, decode_wav(data), None)
    assert result["text"] == "Silence."
    assert result["segments"] == [{"start": 0.0, "end": 0.3, "text": "Silence."}]
