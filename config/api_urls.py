"""The API under /api/: version 1 of the data endpoints, its OpenAPI schema and its docs.

Who may call what:
- /api/schema/ and /api/docs/ are public (drf-spectacular's SERVE_PERMISSIONS stays AllowAny and
  SERVE_PUBLIC stays True): integrators read them before they hold an account, and the schema
  describes the shape of the data, never the data itself.
- /api/v1/auth/token/ is public: it is where a person exchanges email and password for a token.
- Every other /api/v1/ endpoint needs a signed-in person (DEFAULT_PERMISSION_CLASSES), by session
  cookie or by `Authorization: Token <key>`.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import TokenView
from cities.api import CityViewSet, ClimateActionViewSet, CountryViewSet
from cohorts.api import CohortViewSet, EnrolmentViewSet, PhaseViewSet, ThematicGroupViewSet
from feedback.api import SurveyViewSet
from home.api import MeView
from portal.api.views import not_found
from reports.api import DatasetDictionaryView, DatasetListView, DatasetView
from roadmaps.api import NetZeroCitiesServiceViewSet, RoadmapViewSet
from sessions.api import PresentationViewSet, RegistrationViewSet, SessionViewSet
from taxonomy.api import EnablingFactorViewSet, EnablingThemeViewSet, ThematicSectorViewSet
from visits.api import ApplicationViewSet, CallViewSet, ReviewViewSet

router = DefaultRouter()
router.register("cities", CityViewSet, basename="city")
router.register("countries", CountryViewSet, basename="country")
router.register("sessions", SessionViewSet, basename="session")
router.register("registrations", RegistrationViewSet, basename="registration")
router.register("cohorts", CohortViewSet, basename="cohort")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("phases", PhaseViewSet, basename="phase")
router.register("thematic-groups", ThematicGroupViewSet, basename="thematic-group")
router.register("session-presentations", PresentationViewSet, basename="session-presentation")
router.register("sectors", ThematicSectorViewSet, basename="sector")
router.register("enabling-factors", EnablingFactorViewSet, basename="enabling-factor")
router.register("enabling-themes", EnablingThemeViewSet, basename="enabling-theme")
router.register("climate-actions", ClimateActionViewSet, basename="climate-action")
router.register("roadmaps", RoadmapViewSet, basename="roadmap")
router.register(
    "netzerocities-services", NetZeroCitiesServiceViewSet, basename="netzerocities-service"
)
router.register("surveys", SurveyViewSet, basename="survey")
router.register("visit-calls", CallViewSet, basename="visit-call")
router.register("visit-applications", ApplicationViewSet, basename="visit-application")
router.register("visit-reviews", ReviewViewSet, basename="visit-review")

urlpatterns = [
    path("v1/me/", MeView.as_view(), name="api-me"),
    path("v1/auth/token/", TokenView.as_view(), name="api-token"),
    # The analysts' read-only export: the data sets as CSV and their dictionary (reports.api).
    path("v1/datasets/", DatasetListView.as_view(), name="api-datasets"),
    path(
        "v1/datasets/dictionary.csv",
        DatasetDictionaryView.as_view(),
        name="api-dataset-dictionary",
    ),
    path("v1/datasets/<slug:key>/", DatasetView.as_view(), name="api-dataset"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up code as a separate same-origin script
    # (?script), so the page needs no inline <script> under our CSP (script-src 'self').
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Unknown API paths answer in the API's error shape, not with the HTML 404 page.
    path("<path:rest>", not_found),
]
