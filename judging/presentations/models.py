"""Tables of presentation rounds (答辩/路演): rooms, slots, a slot's panel, the submissions placed in a slot."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime
from core.extensions import db
from judging.models import Judge, Round


class PresentationRoom(db.Model):
    """A room (会场) of a presentation round."""

    __tablename__ = "judging_rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("judging_rounds.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(80), nullable=False)

    round: Mapped[Round] = relationship()

    __table_args__ = (sa.UniqueConstraint("round_id", "name"),)

    @property
    def audit_organisation_id(self) -> int:
        return self.round.owner.organisation_id


class PresentationSlot(db.Model):
    """A time slot in a room, heard by a panel (some of the round owner's judges), half-open [starts, ends)."""

    __tablename__ = "judging_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("judging_rounds.id", ondelete="CASCADE"), nullable=False, index=True
    )
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("judging_rooms.id", ondelete="CASCADE"), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    round: Mapped[Round] = relationship()
    room: Mapped[PresentationRoom] = relationship()
    panel: Mapped[list[PresentationPanelist]] = relationship(
        back_populates="slot", cascade="all, delete-orphan", order_by="PresentationPanelist.id"
    )
    placements: Mapped[list[PresentationPlacement]] = relationship(
        back_populates="slot", cascade="all, delete-orphan", order_by="PresentationPlacement.id"
    )

    __table_args__ = (
        sa.UniqueConstraint("room_id", "starts_at"),
        sa.CheckConstraint("ends_at > starts_at", name="interval"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.round.owner.organisation_id


class PresentationPanelist(db.Model):
    """A judge on a slot's panel."""

    __tablename__ = "judging_panelists"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("judging_slots.id", ondelete="CASCADE"), nullable=False)
    judge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("judging_judges.id", ondelete="CASCADE"), nullable=False, index=True
    )

    slot: Mapped[PresentationSlot] = relationship(back_populates="panel")
    judge: Mapped[Judge] = relationship()

    __table_args__ = (sa.UniqueConstraint("slot_id", "judge_id"),)


class PresentationPlacement(db.Model):
    """A submission of the round (an entry, an application: no foreign key, decision 0007) placed in a slot;
    once per round (the unique key is what stops two concurrent placements of one submission)."""

    __tablename__ = "judging_placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("judging_slots.id", ondelete="CASCADE"), nullable=False, index=True
    )
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("judging_rounds.id", ondelete="CASCADE"), nullable=False)
    entry_id: Mapped[int] = mapped_column(nullable=False, index=True)

    slot: Mapped[PresentationSlot] = relationship(back_populates="placements")

    __table_args__ = (sa.UniqueConstraint("round_id", "entry_id"),)
