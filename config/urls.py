from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from programs.admin_views import site_history_urls

urlpatterns = [
    # Before Wagtail's admin: its site-history report, restricted to staff.
    path("admin/reports/", include(site_history_urls)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include("bookings.urls")),
    # ESP tracking webhooks (delivered, bounced, complained), e.g. /anymail/mailgun/tracking/.
    path("anymail/", include("anymail.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
