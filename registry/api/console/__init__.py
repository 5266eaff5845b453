"""The console's routes: server-rendered pages over the same commands and queries as the API."""
