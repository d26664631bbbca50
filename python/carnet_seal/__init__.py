"""Server-side tools around course exercise modules: sealing, stand-ins, validation (seal.py)."""
