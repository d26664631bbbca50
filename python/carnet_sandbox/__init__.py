"""The grading sandbox's fork-server (ADR 027): `zygote.py`, run inside bubblewrap."""
