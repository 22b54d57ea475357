from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from home import views

admin.site.site_header = _("City peer-learning portal · administration")
admin.site.site_title = _("City peer-learning portal")
admin.site.index_title = _("Programme administration")
# The admin has no sign-in form of its own: /admin/login/ sends anonymous people to allauth's
# sign-in (its rate limits and email verification apply to admins too) and answers 403 to a
# signed-in person who is not a programme admin. So /admin/ redirects everyone who is not a
# programme admin to /admin/login/, which then redirects or refuses.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.people_urls")),
    path("invitations/", include("cities.invitation_urls")),
    path("cohorts/", include("cohorts.urls")),
    path("cities/", include("cities.urls")),
    path("sessions/", include("sessions.urls")),
    path("calendar/", include("sessions.feed_urls")),
    path("roadmaps/", include("roadmaps.urls")),
    path("surveys/", include("feedback.urls")),
    path("visits/", include("visits.urls")),
    path("reminders/", include("reminders.urls")),
    path("reports/", include("reports.urls")),
    # Live mode's participants type this address from a shared screen: short, at the root.
    path("live/", include("feedback.urls_live_join")),
    path("roadmaps/", include("roadmaps.urls_outputs")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("health/", views.health, name="health"),
]

handler403 = "home.views.permission_denied"
handler404 = "home.views.page_not_found"
handler500 = "home.views.server_error"

if settings.DEBUG:
    urlpatterns += [
        path("errors/403/", views.permission_denied, {"exception": None}),
        path("errors/404/", views.page_not_found, {"exception": None}),
        path("errors/500/", views.server_error),
    ]
