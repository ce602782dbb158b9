"""Judging services, one module per concern: every state change and non-trivial query of the area. They flush,
never commit. Rules are in the docstrings; the algorithms live in the pure modules (aggregation, assignment,
awards, performance, quality, scores, importing, exports, pdf). Import the concern module you need."""
