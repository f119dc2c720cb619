"""transcription-worker: take jobs off the transcription queue, decode the audio, transcribe it."""
