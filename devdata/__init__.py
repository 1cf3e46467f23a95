"""The demo data of the embedded default (LK_DEMO_DATA)."""
