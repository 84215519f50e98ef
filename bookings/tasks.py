"""Background tasks of the bookings app: thin adapters that load ids and call one service."""

from django_tasks import task

from bookings.services import payments, waitlist


@task()
def send_refund_to_stripe(*, refund_id: int) -> None:
    payments.send_refund(refund_id=refund_id)


@task()
def offer_waitlist_seats(*, cohort_id: int) -> int:
    return len(waitlist.offer_free_seats(cohort_id=cohort_id))
