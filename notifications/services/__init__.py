"""The notifications services, one module per concern (no re-exports: import the module you need).

- `sending`: notify() and notify_many(), the one call every area makes; claiming, resending, due messages.
- `addresses`: recipients (an account or a Contact), their addresses and language; clean_email, clean_address.
- `rendering`: a kind's texts in a language, the email and SMS of a message, link_for() for messages.
- `preferences`: what a recipient turned off; the signed unsubscribe link.
- `inbox`: a user's inbox, an organiser's outbox, the names of channels and statuses.
- `codes`: one-time codes sent to an address.
"""
