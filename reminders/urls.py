from django.urls import path

from reminders import views, views_outbox, views_rules

urlpatterns = [
    # Everyone's: their own choice of reminders, and the link in every reminder email.
    path("preferences/", views.preferences, name="reminders_preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="reminders_unsubscribe"),
    # Programme admins': the outbox and the rules.
    path("outbox/", views_outbox.outbox, name="reminders_outbox"),
    path("outbox/<int:pk>/", views_outbox.outbox_email, name="reminders_outbox_email"),
    path("outbox/cancel/", views_outbox.outbox_cancel, name="reminders_outbox_cancel"),
    path("outbox/send-again/", views_outbox.outbox_send_again, name="reminders_outbox_send_again"),
    path("rules/", views_rules.rule_list, name="reminders_rules"),
    path("rules/<str:kind>/", views_rules.rule_edit, name="reminders_rule_edit"),
]
