"""job-status-api: report a job's status, and its transcript and notes once it is done."""
