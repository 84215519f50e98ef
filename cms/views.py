"""Small site-wide files: the icon browsers ask for, and what search engines may read."""

from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse


def favicon(request):
    return redirect(static("favicon.svg"), permanent=True)


def robots_txt(request):
    # Private pages (bookings, waitlists, material links, the admin) are kept out of search engines.
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    return render(request, "robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain")
