from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest

from shared.audio import AudioError, decode_audio, decode_wav, sniff_format

MakeWav = Callable[..., bytes]


def test_sniff_recognises_containers(two_tones: bytes) -> None:
    assert sniff_format(two_tones) == "wav"
    assert sniff_format(b"ID3\x04" + bytes(20)) == "mp3"
    assert sniff_format(b"fLaC" + bytes(20)) == "flac"
    assert sniff_format(b"OggS" + bytes(20)) == "ogg"
    assert sniff_format(b"\0\0\0\x20ftypM4A " + bytes(20)) == "m4a"
    assert sniff_format(b"hello, this is text") is None


def test_decode_mono_16_bit(two_tones: bytes) -> None:
    clip = decode_wav(two_tones)
    assert clip.sample_rate == 16000
    assert clip.duration == pytest.approx(2.0)
    assert max(clip.samples) == pytest.approx(0.5, abs=0.01)
    assert min(clip.samples) == pytest.approx(-0.5, abs=0.01)


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_decode_stereo_widths_mix_down(wav: MakeWav, width: int) -> None:
    clip = decode_wav(wav([(440, 0.25)], rate=8000, channels=2, width=width))
    assert len(clip.samples) == 2000
    assert max(clip.samples) == pytest.approx(0.5, abs=0.02)


def test_garbage_is_an_audio_error() -> None:
    with pytest.raises(AudioError, match="not a readable PCM WAV"):
        decode_wav(b"RIFF\x10\x00\x00\x00WAVEjunkjunk")


def test_non_wav_without_ffmpeg_is_an_audio_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(AudioError, match="ffmpeg is not installed"):
        decode_audio(b"ID3\x04" + bytes(64))
