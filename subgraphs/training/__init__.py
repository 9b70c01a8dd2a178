"""The training subgraph (issue 7): workouts, samples, records, goals, plans, sync, imports.

Rooms (DESIGN §1): models.py (Beanie documents), store*.py (the only MongoDB queries),
loaders.py, types*.py / inputs.py / enums.py (GraphQL), schema.py + mutations_*.py, app.py,
settings.py. Use cases: service.py (workout CRUD, ingestion, events), sync.py (offline sync),
samples.py, records.py, imports.py + importer.py (GPX/TCX/FIT), privacy.py (polylines and
privacy zones), outbox.py (events kept while the bus is down), demo.py (make dev data).
"""
