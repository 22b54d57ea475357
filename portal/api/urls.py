from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from cities.api import CityViewSet, CountryViewSet
from portal.api.views import MeView, not_found

router = DefaultRouter()
router.register("cities", CityViewSet, basename="city")
router.register("countries", CountryViewSet, basename="country")

urlpatterns = [
    path("v1/me/", MeView.as_view(), name="api-me"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Unknown API paths answer in the API's error shape, not with the HTML 404 page.
    path("<path:rest>", not_found),
]
