"""Benchmark: results published to the coordinators of 300 schools and a message to the 5,000 registrants of a
big event (SQLite), then one worker delivering every email to a local SMTP server (aiosmtpd, loopback).

Figures: time to enqueue both (notify_many + commit; the issue asks ≤ 2 s), emails/s delivered by one worker
process (≥ 50/s) and that worker's peak RSS (≤ 200 MB). The reference is smtplib sending the same number of
prebuilt messages over one connection to the same server, measured in the same run.

    .venv/bin/python bench/notifications.py [--schools 300] [--registrants 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def _app(tmp: str, port: int):
    from core import create_app

    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "SQLALCHEMY_DATABASE_URI": None,
            "SECRET_KEY": "bench-" + "x" * 40,
            "UPLOAD_DIR": f"{tmp}/uploads",
            "JOBS_IMMEDIATE": True,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "BASE_URL": "http://127.0.0.1:5000",
        },
        instance_path=tmp,
    )


class _Count:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker(tmp: str, port: int) -> None:
    """The sending worker, alone in its process: deliver every queued message, print its figures as JSON."""
    import sqlalchemy as sa

    from core.extensions import db
    from notifications.jobs import deliver
    from notifications.models import Message
    from notifications.services.sending import CHUNK

    app = _app(tmp, port)
    with app.app_context():
        ids = list(
            db.session.execute(sa.select(Message.id).where(Message.status == "queued").order_by(Message.id)).scalars()
        )
    start = time.perf_counter()
    sent = 0
    for at in range(0, len(ids), CHUNK):  # what the Huey task does, chunk by chunk
        with app.app_context():
            sent += deliver(ids[at : at + CHUNK])["sent"]
    elapsed = time.perf_counter() - start
    print(
        json.dumps(
            {"sent": sent, "seconds": elapsed, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        )
    )


def main(schools: int = 300, registrants: int = 5000) -> dict:
    from aiosmtpd.controller import Controller

    from accounts.models import Membership, Organisation, User
    from core.extensions import db
    from notifications import notify_many
    from notifications.services.addresses import Contact

    tmp = tempfile.mkdtemp(prefix="kc-bench-notify-")
    port = _free_port()
    counter = _Count()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = _app(tmp, port)
        surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高", "子涵欣怡梓萱浩宇一诺宇轩思远雨桐俊杰佳琪明轩嘉怡"
        with app.app_context():
            db.create_all()
            county = Organisation(kind="association", name="青溪县科学技术协会", code="QXKX")
            db.session.add(county)
            db.session.flush()
            coordinators = []
            for i in range(schools):
                school = Organisation(
                    kind="school", name=f"青溪县第{i + 1}中学", code=f"S{i}", parent_id=county.id, stage="junior"
                )
                user = User(
                    name=surnames[i % 20] + "老师", email=f"coordinator{i}@school.example.cn", password_hash="x"
                )
                db.session.add_all([school, user])
                db.session.flush()
                db.session.add(Membership(user_id=user.id, role="coordinator", organisation_id=school.id))
                coordinators.append(user)
            db.session.commit()
            visitors = [
                Contact(email=f"visitor{i}@example.cn", name=surnames[i % 20] + given[i % 24])
                for i in range(registrants)
            ]

            start = time.perf_counter()
            notify_many(
                [
                    (
                        u,
                        {
                            "subject": "第25届青少年科技创新大赛结果公示",
                            "body": "评审结果已公示，请登录查看。",
                            "link": "http://127.0.0.1:5000/contests/1",
                        },
                    )
                    for u in coordinators
                ],
                "notifications.announcement",
                key="bench-results",
                organisation_id=county.id,
                channels=["inbox", "email"],
            )
            notify_many(
                [
                    (
                        v,
                        {
                            "subject": "暴雨停课",
                            "body": f"{v.name}，因暴雨明天的活动取消。",
                            "link": "http://127.0.0.1:5000/events/1",
                        },
                    )
                    for v in visitors
                ],
                "notifications.announcement",
                key="bench-event",
                organisation_id=county.id,
                channels=["email"],
            )
            db.session.commit()
            enqueue_s = time.perf_counter() - start
            app.extensions.pop("notifications_backlog", None)  # the subprocess worker sends them

        process = subprocess.run(
            [sys.executable, __file__, "--worker", tmp, str(port)], capture_output=True, text=True, check=True, cwd=ROOT
        )
        figures = json.loads(process.stdout.strip().splitlines()[-1])
        emails = schools + registrants
        assert figures["sent"] == emails and counter.received == emails, (figures, counter.received)

        reference_count = min(emails, 1000)
        prebuilt = []
        for i in range(reference_count):
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = "kx@example.cn", f"r{i}@example.cn", "暴雨停课"
            message.set_content("因暴雨明天的活动取消。")
            prebuilt.append(message)
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for message in prebuilt:
                smtp.send_message(message)
        reference_per_s = reference_count / (time.perf_counter() - start)
    finally:
        controller.stop()

    per_s = figures["sent"] / figures["seconds"]
    result = {
        "enqueue_s": enqueue_s,
        "messages": emails + schools,
        "emails_per_s": per_s,
        "worker_max_rss_mb": figures["max_rss_mb"],
        "reference_smtplib_per_s": reference_per_s,
    }
    print(
        f"notifications_enqueue: {enqueue_s:.2f} s for {schools} coordinators (inbox + email) and "
        f"{registrants} registrants (limit 2 s)"
    )
    print(
        f"notifications_delivery: {per_s:.0f} emails/s by one worker to a local SMTP server "
        f"({per_s / reference_per_s:.2f}x of bare smtplib at {reference_per_s:.0f}/s; floor 50/s)"
    )
    print(f"notifications_worker_memory: {figures['max_rss_mb']:.0f} MB peak RSS of the worker (limit 200 MB)")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--registrants", type=int, default=5000)
    parser.add_argument("--worker", nargs=2, metavar=("TMP", "PORT"))
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]))
    else:
        main(args.schools, args.registrants)
