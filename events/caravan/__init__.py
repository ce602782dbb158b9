"""The science caravan (科普大篷车): caravans, crew and blackout days (fleet), schools' visit requests and their
approval into events (visits), the pure scheduling rules (scheduling), and the organisers' and schools' pages
(views). Its tables stay in events.models beside the events they turn into (one metadata, one migration
history)."""
