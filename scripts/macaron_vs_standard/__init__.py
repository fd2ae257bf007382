"""Standard vs Macaron layers trained side by side (issue 14); the driver is scripts/macaron-vs-standard.py."""
