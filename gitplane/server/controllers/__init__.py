"""System controllers that run inside the server process, on the storage watch, writing through the
in-process API client (so every write passes the same pipeline as a user's)."""
