"""The HTTP API: FastAPI over the store interface and the query catalogue."""
