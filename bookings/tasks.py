"""Background tasks of the bookings app: thin adapters that load ids and call one service."""

from django_tasks import task

from bookings.services import email_sending, payments, waitlist


@task()
def send_refund_to_stripe(*, refund_id: int) -> None:
    payments.send_refund(refund_id=refund_id)


@task()
def offer_waitlist_seats(*, cohort_id: int) -> int:
    return len(waitlist.offer_free_seats(cohort_id=cohort_id))


@task()
def send_email(*, log_id: int) -> str:
    from cms.models import SiteSettings

    organisation = SiteSettings.objects.values_list("organisation_name", flat=True).first() or "Inner Child Circles"
    return email_sending.send_planned_email(log_id=log_id, organisation=organisation).status
