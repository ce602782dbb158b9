"""The on-site presentation demo (calls.demo_roadshow): two rooms, every project placed once, 回避 respected by the
placement, the demo judge's slots; a second run adds nothing."""

import sqlalchemy as sa

from calls import demo_roadshow
from calls.models import Call
from core.demo import SEEDERS, DemoContext
from core.extensions import db
from judging.presentations import services as presentations
from judging.presentations.models import PresentationPlacement, PresentationSlot
from judging.services import rounds as rounds_service


def run(ctx):
    for seeder in SEEDERS:
        if seeder.name in ("accounts", "calls: on-site presentations"):
            seeder.run(ctx)
            db.session.commit()


def test_the_roadshow_demo_places_every_project_once_and_is_idempotent(app):
    ctx = DemoContext(scale=1, echo=lambda *_: None)
    run(ctx)
    call = db.session.execute(sa.select(Call).where(Call.title == demo_roadshow.TITLE)).scalar_one()
    rnd = rounds_service.rounds_of(call)[-1]
    assert rnd.accepts_scores()
    schedule = presentations.schedule(rnd)
    assert [room.name for room, _slots in schedule] == ["第一路演厅", "第二路演厅"]
    placed = {sub.title: room.name for room, slots in schedule for s in slots for sub in s.submissions}
    assert len(placed) == len(demo_roadshow.PROJECTS) and not presentations.unplaced(rnd)
    assert placed["中药材林下种植"] == "第一路演厅"  # 刘晓梅 (青溪医学院) sits in the second room: 回避
    assert presentations.slots_of_user(ctx.data["users"]["judge"])  # 孙德明's slots in 我的评审
    counts = [
        db.session.execute(sa.select(sa.func.count()).select_from(t)).scalar()
        for t in (PresentationSlot, PresentationPlacement)
    ]
    run(DemoContext(scale=1, echo=lambda *_: None))
    assert [
        db.session.execute(sa.select(sa.func.count()).select_from(t)).scalar()
        for t in (PresentationSlot, PresentationPlacement)
    ] == counts
