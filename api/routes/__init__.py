"""JSON routes under /api/v1. Each module exposes `router`; api/app.py lists them in one place."""
