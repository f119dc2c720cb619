"""ingestion-api: accept audio (upload or URL), validate and store it, queue a transcription."""
