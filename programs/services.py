"""Writes that keep a cohort's sessions in step with its rule."""

from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from programs.exceptions import SessionNotMovable
from programs.models import Cohort, Session, SessionMaterial
from programs.schedule import build_rule, read_pattern

SessionStatus = Session.Status


@dataclass
class ScheduleChanges:
    """What one expansion did, so the admin (and later the emails) can say so."""

    added: list[Session] = field(default_factory=list)
    retimed: list[Session] = field(default_factory=list)
    removed: list[Session] = field(default_factory=list)
    restored: list[Session] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.retimed or self.removed or self.restored)


def expand_schedule(*, cohort_id: int) -> ScheduleChanges:
    """Create, retime, remove or restore sessions so they match the cohort's rule.

    A session keeps its row (its id, materials and one-off changes) for as long as its
    date stays in the rule. Dates that leave the rule are marked removed, never deleted;
    a session moved by hand keeps its time; a cancelled one stays cancelled.
    Raises `programs.schedule.RuleError` when the rule is empty or endless.
    """
    now = timezone.now()
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort_id)
        dates = cohort.scheduled_dates()
        existing = {s.occurrence_date: s for s in Session.objects.select_for_update().filter(cohort=cohort)}
        changes = ScheduleChanges()

        for day in dates:
            starts_at, ends_at = cohort.session_span_on(day)
            session = existing.pop(day, None)
            if session is None:
                changes.added.append(
                    Session(cohort=cohort, occurrence_date=day, starts_at=starts_at, ends_at=ends_at)
                )
                continue
            touched = False
            if session.status == SessionStatus.REMOVED:
                session.status = SessionStatus.SCHEDULED
                changes.restored.append(session)
                touched = True
            if not session.is_rescheduled and (session.starts_at, session.ends_at) != (starts_at, ends_at):
                session.starts_at, session.ends_at = starts_at, ends_at
                changes.retimed.append(session)
                touched = True
            if touched:
                session.sequence += 1
                session.changed_at = now

        for session in existing.values():
            if session.status == SessionStatus.SCHEDULED:
                session.status = SessionStatus.REMOVED
                session.sequence += 1
                session.changed_at = now
                changes.removed.append(session)

        Session.objects.bulk_create(changes.added)
        updated = {s.pk: s for s in changes.retimed + changes.restored + changes.removed}
        Session.objects.bulk_update(updated.values(), ["starts_at", "ends_at", "status", "sequence", "changed_at"])
    return changes


def reschedule_session(*, session_id: int, starts_at: datetime, ends_at: datetime, note: str = "") -> Session:
    """Move one session by hand; later expansions of the rule leave its time alone."""
    if ends_at <= starts_at:
        raise SessionNotMovable("A session must end after it starts.")
    with transaction.atomic():
        session = _lock_session(session_id)
        if session.status != SessionStatus.SCHEDULED:
            raise SessionNotMovable("Only a scheduled session can be moved; restore it first.")
        if (session.starts_at, session.ends_at) == (starts_at, ends_at):
            return session
        session.starts_at, session.ends_at = starts_at, ends_at
        session.is_rescheduled = True
        session.change_note = note
        session.sequence += 1
        session.changed_at = timezone.now()
        session.save(update_fields=["starts_at", "ends_at", "is_rescheduled", "change_note", "sequence", "changed_at"])
    return session


def cancel_session(*, session_id: int, note: str = "") -> Session:
    """Cancel one meeting of a cohort; it stays in the list, marked cancelled."""
    with transaction.atomic():
        session = _lock_session(session_id)
        if session.status == SessionStatus.CANCELLED:
            return session
        _set_status_and_announce(session, status=SessionStatus.CANCELLED, note=note)
    return session


def restore_session(*, session_id: int, note: str = "") -> Session:
    """Bring back a cancelled session; participants hear that it is on again."""
    with transaction.atomic():
        session = _lock_session(session_id)
        if session.status == SessionStatus.SCHEDULED:
            return session
        if session.status == SessionStatus.REMOVED:
            raise SessionNotMovable("This date is no longer in the cohort's schedule; add it as an extra date instead.")
        _set_status_and_announce(session, status=SessionStatus.SCHEDULED, note=note)
    return session


def _set_status_and_announce(session: Session, *, status: str, note: str) -> None:
    # A new sequence and changed_at are what the email planner and calendar files follow.
    session.status = status
    session.change_note = note
    session.sequence += 1
    session.changed_at = timezone.now()
    session.save(update_fields=["status", "change_note", "sequence", "changed_at"])


def _lock_session(session_id: int) -> Session:
    # Lock the cohort first, in the same order as expand_schedule, so a hand edit and a
    # re-expansion of the same cohort wait for each other instead of deadlocking.
    cohort_id = Session.objects.values_list("cohort_id", flat=True).get(pk=session_id)
    Cohort.objects.select_for_update().filter(pk=cohort_id).first()
    return Session.objects.select_for_update().get(pk=session_id)


def duplicate_cohort(*, cohort_id: int, start_date, title: str) -> Cohort:
    """A draft copy of a cohort for the next term: same rule, shifted to start on `start_date`.

    Skipped and extra dates move by the same number of days; topics and materials are copied
    to the session on the same date of the shifted rule.
    """
    with transaction.atomic():
        source = Cohort.objects.get(pk=cohort_id)
        shift = start_date - source.start_date
        pattern = read_pattern(source.recurrence, zone=source.zone)
        copy = Cohort.objects.get(pk=cohort_id)
        copy.pk = None
        copy.title = title
        copy.status = Cohort.Status.DRAFT
        copy.start_date = start_date
        copy.booking_opens_at = copy.booking_closes_at = None
        copy.recurrence = build_rule(
            pattern=replace(
                pattern,
                last_date=pattern.last_date + shift if pattern.last_date else None,
                skip_dates=tuple(day + shift for day in pattern.skip_dates),
                extra_dates=tuple(day + shift for day in pattern.extra_dates),
            ),
            start_time=source.start_time,
            zone=source.zone,
        )
        copy.save()
        expand_schedule(cohort_id=copy.pk)
        # Matched by the date the rule gave each session, so a session cancelled in the old
        # term (still in its rule) keeps the following weeks' topics on their own weeks.
        old_by_date = {
            s.occurrence_date + shift: s
            for s in source.sessions.exclude(status=SessionStatus.REMOVED).prefetch_related("materials")
        }
        for new in copy.sessions.all():
            old = old_by_date.get(new.occurrence_date)
            if old is None:
                continue
            new.topic = old.topic
            new.save(update_fields=["topic"])
            SessionMaterial.objects.bulk_create(
                SessionMaterial(session=new, title=m.title, document_id=m.document_id, url=m.url, note=m.note,
                                sort_order=m.sort_order)
                for m in old.materials.all()
            )
    return copy
