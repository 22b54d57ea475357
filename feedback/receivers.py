"""How feedback answers the lower apps' hooks (connected in FeedbackConfig.ready).

sessions never imports feedback (ARCHITECTURE.md): its pages ask, and these answer.
"""

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from feedback.subtopics import subtopics_source_of
from sessions import signals as session_signals


@receiver(
    session_signals.session_subtopics_sources, dispatch_uid="feedback.session_subtopics_sources"
)
def session_subtopics_sources(sender, session, user, **kwargs):
    # A technical session's page: the post-session survey its requested sub-topics came from
    # (feedback.subtopics), with a link to its results for those who may read them.
    sent = subtopics_source_of(session)
    if sent is None:
        return []
    values = {
        "survey": sent.survey.title,
        "session": sent.survey.session.title,
        "n": sent.responses,
        "date": date_format(timezone.localtime(sent.sent_at), "DATE_FORMAT"),
    }
    if sent.text == session.requested_subtopics:
        text = _(
            "From the post-session survey “%(survey)s” of %(session)s: %(n)d responses, "
            "sent on %(date)s."
        )
    else:
        text = _(
            "Sent on %(date)s from the post-session survey “%(survey)s” of %(session)s "
            "(%(n)d responses), and changed since by the facilitators."
        )
    url = ""
    if user.has_perm("feedback.view_survey_results", sent.survey):
        url = reverse("survey_results", args=[sent.survey_id])
    return [session_signals.SubtopicsSource(text=text % values, url=url)]
