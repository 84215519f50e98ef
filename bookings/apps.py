from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings and payments"

    def ready(self):
        from bookings import signals  # noqa: F401  (connects the ESP tracking receiver)
