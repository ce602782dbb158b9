"""Sending: a Huey task per chunk of messages, queued after the transaction that created them commits.

The job claims each message (queued → sending) in one UPDATE before sending it, commits every outcome at once,
and schedules failed ones again with back-off. In tests (JOBS_IMMEDIATE) the chunks run after the request, or
when run_backlog(app) is called."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.db import utcnow
from core.extensions import db
from core.jobs import jobs_immediate, queue_task, register_task
from notifications.channels import DeliveryError, EmailSender, channel_configured, sms_provider
from notifications.models import Channel, Message, MessageStatus
from notifications.services.preferences import unsubscribe_url
from notifications.services.sending import BACKOFF_SECONDS, CHUNK, MAX_ATTEMPTS, PENDING_KEY, claim_messages

log = logging.getLogger(__name__)
_BACKLOG = "notifications_backlog"


COMMIT_EVERY = 25  # outcomes written per commit


def deliver(ids: Iterable[int]) -> dict[str, int]:
    """Send claimed messages; returns counts by outcome. Failures keep the server's reason and are retried with
    back-off (the returned 'retry' map: message id → seconds) until MAX_ATTEMPTS.

    The claim ('sending') is committed before anything is sent, so no crash can make a message go twice; outcomes
    are committed every COMMIT_EVERY messages and at the end (a crash in between leaves those few 'sending': they
    went, or may have, and are never sent again by themselves)."""
    claimed = claim_messages(ids)
    db.session.commit()
    messages = {m.id: m for m in db.session.execute(sa.select(Message).where(Message.id.in_(claimed))).scalars()}
    counts = {"sent": 0, "outbox": 0, "failed": 0}
    retry: dict[int, int] = {}
    email_sender = None
    provider = None
    try:
        for done, message_id in enumerate(claimed, 1):
            message = messages[message_id]
            try:
                if not channel_configured(message.channel):
                    message.status = MessageStatus.OUTBOX
                elif message.channel == Channel.EMAIL:
                    email_sender = email_sender or EmailSender()
                    unsubscribe = None
                    if message.bulk:
                        subject = f"user:{message.user_id}" if message.user_id else f"email:{message.address}"
                        unsubscribe = unsubscribe_url(subject, message.kind)
                    email_sender.send(message, unsubscribe)
                    message.status = MessageStatus.SENT
                else:
                    provider = provider or sms_provider()
                    provider.send(message.address, message.body)
                    message.status = MessageStatus.SENT
            except DeliveryError as exc:
                message.status = MessageStatus.FAILED
                message.error = str(exc)[:1000]
                if message.attempts < MAX_ATTEMPTS:
                    delay = BACKOFF_SECONDS[min(message.attempts, len(BACKOFF_SECONDS)) - 1]
                    message.next_attempt_at = utcnow() + timedelta(seconds=delay)
                    retry[message.id] = delay
                else:
                    message.next_attempt_at = None
                counts["failed"] += 1
            else:
                message.sent_at, message.error, message.next_attempt_at = utcnow(), "", None
                counts[message.status] += 1
            if done % COMMIT_EVERY == 0:
                db.session.commit()
        db.session.commit()
    finally:
        if email_sender is not None:
            email_sender.close()
    return {**counts, "retry": retry}


def send_chunks(app: Flask, ids: list[int]) -> None:
    """Hand message ids to the queue in chunks (immediate mode: to the backlog run after the request)."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        if jobs_immediate(app):  # a request's chunks run after it; others when run_backlog(app) is called
            backlog = g.setdefault(_BACKLOG, []) if has_request_context() else app.extensions.setdefault(_BACKLOG, [])
            backlog.append(chunk)
        else:
            queue_task(app, SEND_TASK)(chunk)


def run_backlog(app: Flask, backlog: list | None = None) -> dict[str, int]:
    """Immediate mode: send what commits outside a request queued (or `backlog`), in a fresh app context;
    returns the counts."""
    totals = {"sent": 0, "outbox": 0, "failed": 0}
    backlog = app.extensions.get(_BACKLOG) if backlog is None else backlog
    while backlog:
        chunk = backlog.pop(0)
        with app.app_context():
            counts = deliver(chunk)
        for name in totals:
            totals[name] += counts[name]
    return totals


@event.listens_for(Session, "after_commit")
def _queue_after_commit(session: Session) -> None:
    ids = session.info.pop(PENDING_KEY, None)
    if ids:
        send_chunks(current_app._get_current_object(), ids)  # noqa: SLF001


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


SEND_TASK = "kechuang.notifications.send"


def init_jobs(app: Flask) -> None:
    def send(ids: list[int]) -> None:
        with app.app_context():
            counts = deliver(ids)
        for message_id, delay in counts["retry"].items():
            queue_task(app, SEND_TASK).schedule(args=([message_id],), delay=delay)

    register_task(app, SEND_TASK, send)
    if jobs_immediate(app):

        @app.after_request
        def _run_backlog(response):
            run_backlog(app, g.pop(_BACKLOG, []))
            return response
