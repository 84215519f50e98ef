from django.urls import path

from bookings import views

app_name = "bookings"

urlpatterns = [
    path("book/<int:cohort_id>/", views.book, name="book"),
    path("booking/<str:code>/", views.booking_page, name="detail"),
    path("booking/<str:code>/pay/", views.pay, name="pay"),
    path("booking/<str:code>/cancel/", views.cancel, name="cancel"),
    path("waitlist/join/<int:cohort_id>/", views.join_waitlist_view, name="join-waitlist"),
    path("waitlist/<str:code>/", views.waitlist_page, name="waitlist"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
]
