"""llm-worker: turn a finished transcript into structured notes through an LLM client."""
