"""The bookings' periodic tick: tidy lapsed holds, pass free seats down the waitlists, resend refunds,
plan the emails now due and queue them for the worker.

Seats free themselves without it (expired holds and offers stop counting at once); the
tick makes sure the next person in line hears about a seat that freed by lapsing.
Because it works from the current state, it catches up after any downtime.
`make run` starts it with --every 20.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bookings.models import WaitlistEntry, WaitlistState
from bookings.services.email_planning import plan_emails
from bookings.services.email_sending import dispatch_due_emails
from bookings.services.payments import retry_unsent_refunds
from bookings.services.placing import expire_lapsed_holds
from bookings.services.privacy import erase_expired_intake_answers
from bookings.services.waitlist import offer_free_seats


class Command(BaseCommand):
    help = "Expire lapsed holds and offer free seats to waitlists; once, or every N seconds."

    def add_arguments(self, parser):
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--once", action="store_true", help="Run once and stop (the default).")
        when.add_argument("--every", type=int, default=0, help="Repeat every N seconds.")

    def handle(self, *args, every: int, once: bool, **options):
        if every < 0:
            raise CommandError("--every takes a number of seconds above 0.")
        while True:
            self.tick()
            if not every:
                return
            time.sleep(every)

    def tick(self) -> None:
        now = timezone.now()
        expired = expire_lapsed_holds(now=now)
        cohort_ids = (
            WaitlistEntry.objects.filter(state__in=[WaitlistState.WAITING, WaitlistState.OFFERED])
            .values_list("cohort_id", flat=True).distinct()
        )
        offered = sum(len(offer_free_seats(cohort_id=cohort_id, now=now)) for cohort_id in cohort_ids)
        refunds = retry_unsent_refunds(now=now)
        erased = erase_expired_intake_answers(now=now)
        planned = plan_emails(now=now)
        queued = dispatch_due_emails(now=now)
        if expired or offered or refunds or planned or queued or erased:
            self.stdout.write(
                f"{timezone.now():%H:%M:%S} holds expired: {expired}, waitlist offers made: {offered}, "
                f"refunds sent again: {refunds}, emails planned: {planned}, queued: {queued}, "
                f"intake answers past retention erased: {erased}"
            )
