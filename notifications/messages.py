"""The kinds this area sends itself: an organiser's announcement, the CLI's test message, a finished job."""

from flask_babel import lazy_gettext as _l

from notifications.kinds import MessageKind, register_kind
from notifications.models import Channel

ANNOUNCEMENT = register_kind(
    MessageKind(
        "notifications.announcement",
        label=_l("Announcements from organisers"),
        subject=_l("%(subject)s"),
        body=_l("%(body)s"),
        sms=_l("%(subject)s: %(body)s"),
        bulk=True,
    )
)
TEST = register_kind(
    MessageKind(
        "notifications.test",
        label=_l("Test message"),
        security=True,
        subject=_l("Test message from Kechuang"),
        body=_l("This is a test message sent by %(sender)s to check the settings of %(channel)s."),
        sms=_l("Test message: the %(channel)s settings work."),
    )
)
JOB_FINISHED = register_kind(
    MessageKind(
        "notifications.job_finished",
        label=_l("A long task finished"),
        subject=_l("Finished: %(title)s"),
        body=_l("The task “%(title)s” finished.\n\nResult: %(link)s"),
        channels=(Channel.INBOX, Channel.EMAIL),
    )
)
JOB_FAILED = register_kind(
    MessageKind(
        "notifications.job_failed",
        label=_l("A long task failed"),
        subject=_l("Failed: %(title)s"),
        body=_l("The task “%(title)s” failed: %(error)s\n\nDetails: %(link)s"),
        channels=(Channel.INBOX, Channel.EMAIL),
    )
)


def tell_job_owner(app, job) -> None:
    """core.jobs.job_finished: the starter of a long job learns that it finished or failed."""
    from accounts.models import User
    from core.extensions import db
    from notifications.services.rendering import link_for
    from notifications.services.sending import notify

    owner = db.session.get(User, job.owner_id) if job.owner_id else None
    if owner is None:
        return
    failed = job.status == "failed"
    notify(
        owner,
        (JOB_FAILED if failed else JOB_FINISHED).key,
        {
            "title": job.title or job.kind,
            "error": (job.error or "")[:300],
            "link": link_for("core.job_progress", job_id=job.id),
        },
        key=f"job:{job.id}:{job.status}",
    )
