from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views
from config import admin_2fa
from config.esp_webhooks import tracking_urlpatterns
from programs.admin_views import staff_report_urls

urlpatterns = [
    # Before Wagtail's admin, under its prefix: the second sign-in step (config/admin_2fa.py).
    path("admin/two-factor/verify/", admin_2fa.verify, name="admin-2fa-verify"),
    path("admin/two-factor/setup/", admin_2fa.setup, name="admin-2fa-setup"),
    # Before Wagtail's admin: its site-history and page-types reports, restricted to staff.
    path("admin/reports/", include(staff_report_urls)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("favicon.ico", cms_views.favicon, name="favicon"),
    path("robots.txt", cms_views.robots_txt, name="robots-txt"),
    # Wagtail's sitemap lists live, public pages only.
    path("sitemap.xml", sitemap, name="sitemap"),
    path("", include("bookings.urls")),
    # The tracking webhook (delivered, bounced, complained) of the ESP in use only, e.g. /anymail/mailgun/tracking/.
    path("anymail/", include((tracking_urlpatterns(settings.ANYMAIL_ESP), "anymail"))),
]

if settings.DEBUG:
    from django.views.static import serve

    # The developer's server serves uploads, less documents: those are private prep materials,
    # reached only through Wagtail's serve view and its permission check, as in production.
    media = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{media}(?P<path>(?!documents/).*)$", serve, {"document_root": settings.MEDIA_ROOT})]

urlpatterns += [path("", include(wagtail_urls))]
