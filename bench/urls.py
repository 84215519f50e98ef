"""The site's URLs, with the bare Django view ("ok") the page benchmark uses as its ceiling."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def ok(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/ok/", ok), *site_urlpatterns]
