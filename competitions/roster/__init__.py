"""Student roster files as schools have them, by step: reading a file (reading), checking each row (checking),
matching students (matching), keeping a checked roster between preview and confirmation (preview), writing
templates and exports (writing); what a row holds in values. Pure Python, needs no app or request. Applying a
roster to the database is competitions.services.students (plan, then import)."""
