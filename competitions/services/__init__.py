"""Competitions services, one module per concern: every state change and non-trivial query of the area. They flush,
never commit. Rules are in the docstrings; the pure rules live beside the package (eligibility, codes, definition,
materials, roster, sorting). Import the concern module you need."""
