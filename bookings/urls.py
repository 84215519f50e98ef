from django.urls import path

from bookings import calendar_views, views

app_name = "bookings"

urlpatterns = [
    path("book/<int:cohort_id>/", views.book, name="book"),
    path("book/<int:cohort_id>/sent/", views.booked, name="booked"),
    path("booking/lost-link/", views.lost_link, name="lost-link"),
    path("booking/your-data/", views.your_data_request, name="your-data-request"),
    path("your-data/<str:token>/", views.your_data, name="your-data"),
    path("your-data/<str:token>/my-data.json", views.your_data_download, name="your-data-download"),
    path("booking/<str:code>/", views.booking_page, name="detail"),
    path("booking/<str:code>/calendar.ics", calendar_views.booking_calendar_feed, name="calendar"),
    path("booking/<str:code>/pay/", views.pay, name="pay"),
    path("booking/<str:code>/my-data.json", views.my_data, name="my-data"),
    path("booking/<str:code>/erase/", views.erase, name="erase"),
    path("booking/<str:code>/details/", views.edit_details, name="edit-details"),
    path("booking/<str:code>/cancel/", views.cancel, name="cancel"),
    path("waitlist/join/<int:cohort_id>/", views.join_waitlist_view, name="join-waitlist"),
    path("waitlist/join/<int:cohort_id>/sent/", views.waitlist_sent, name="waitlist-sent"),
    path("waitlist/<str:code>/", views.waitlist_page, name="waitlist"),
    path("m/<str:token>/", views.material, name="material"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
]
