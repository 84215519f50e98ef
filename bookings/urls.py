from django.urls import path

from bookings import calendar_views, views
from bookings.ratelimit import rate_limited

app_name = "bookings"

urlpatterns = [
    path("book/<int:cohort_id>/", views.book, name="book"),
    path("booking/lost-link/", views.lost_link, name="lost-link"),
    # Limited here, for every method: the page a secret code opens is where codes would be guessed.
    # (Not its calendar file: calendar services fetch every subscriber's from a few addresses.)
    path("booking/<str:code>/", rate_limited("booking-page", limit=120, window=600, methods=("GET", "POST"))(
        views.booking_page), name="detail"),
    path("booking/<str:code>/calendar.ics", calendar_views.booking_calendar_feed, name="calendar"),
    path("booking/<str:code>/pay/", views.pay, name="pay"),
    path("booking/<str:code>/my-data.json", views.my_data, name="my-data"),
    path("booking/<str:code>/erase/", views.erase, name="erase"),
    path("booking/<str:code>/details/", views.edit_details, name="edit-details"),
    path("booking/<str:code>/cancel/", views.cancel, name="cancel"),
    path("waitlist/join/<int:cohort_id>/", views.join_waitlist_view, name="join-waitlist"),
    path("waitlist/<str:code>/", views.waitlist_page, name="waitlist"),
    path("m/<str:token>/", views.material, name="material"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
]
