from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include("bookings.urls")),
    # ESP tracking webhooks (delivered, bounced, complained), e.g. /anymail/mailgun/tracking/.
    path("anymail/", include("anymail.urls")),
]

if settings.DEBUG:
    from django.views.static import serve

    # The developer's server serves uploads, less documents: those are private prep materials,
    # reached only through Wagtail's serve view and its permission check, as in production.
    media = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{media}(?P<path>(?!documents/).*)$", serve, {"document_root": settings.MEDIA_ROOT})]

urlpatterns += [path("", include(wagtail_urls))]
