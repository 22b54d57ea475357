"""Group Study Visits (issue 12): a call offers visits to host Mission Cities; cities apply with
their preferences and delegates; reviewers score applications against the call's criteria;
scoring computes each application's lines and total (visits/scoring.py); the allocation pairs
ranked applicants with visits and keeps a waitlist; publishing tells each applicant.

Score lines are derived rows: scoring recomputes them from the reviews, the criteria and the
portal's data, never edits them by hand, so running it again gives the same rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cities.models import City
from cohorts.models import Cohort
from portal.dates import long_date
from portal.text import PARAGRAPH_MAX, SHORT_TEXT_MAX
from taxonomy.models import ThematicSector
from visits.enums import (
    Aggregation,
    ApplicationStatus,
    AutomaticRule,
    CallStatus,
    CriterionKind,
    Decision,
    ReviewStatus,
)

# Motivation, a spotlight challenge, an action plan: a page of text at most.
APPLICATION_TEXT_MAX = 5_000


class Call(models.Model):
    """A call for applications to Group Study Visits (003: three Mission Cities host 30
    delegates in all)."""

    title = models.CharField(_("title"), max_length=SHORT_TEXT_MAX)
    description = models.TextField(_("description"), max_length=PARAGRAPH_MAX, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CallStatus.choices, default=CallStatus.DRAFT
    )
    # Eligibility: cities enrolled (accepted) in any of these cohorts and, when any type is
    # listed, of one of these city types (cities.enums.CityType values).
    eligible_cohorts = models.ManyToManyField(
        Cohort, related_name="visit_calls", verbose_name=_("cohorts whose cities may apply")
    )
    eligible_city_types = models.JSONField(_("city types that may apply"), default=list, blank=True)
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))
    review_deadline = models.DateTimeField(_("reviews due"))
    aggregation = models.CharField(
        _("reviewers' points combined by"),
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.MEAN,
    )
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"), default=2
    )
    exclude_same_country = models.BooleanField(
        _("no reviewer from the applicant's country"), default=False
    )
    # A manual criterion whose reviewers' standard deviation reaches this many points is
    # flagged for discussion.
    disagreement_threshold = models.DecimalField(
        _("flag disagreement from (points of standard deviation)"),
        max_digits=4,
        decimal_places=2,
        default=1,
    )
    # Questions the call asks each applicant beside the fixed ones: a list of
    # {"key": str, "text": str, "required": bool}.
    questions = models.JSONField(_("further questions"), default=list, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "pk"]
        verbose_name = _("study visit call")
        verbose_name_plural = _("study visit calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(review_deadline__gte=models.F("closes_at")),
                name="call_reviews_after_closing",
            ),
        ]

    def __str__(self):
        return self.title


class Visit(models.Model):
    """A two-day visit a host Mission City offers in a call."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="visits")
    host_city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="hosted_visits", verbose_name=_("host city")
    )
    title = models.CharField(_("title"), max_length=SHORT_TEXT_MAX, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("second day"))
    sector = models.ForeignKey(
        ThematicSector,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("thematic sector"),
    )
    capacity_cities = models.PositiveSmallIntegerField(_("cities"), default=5)
    delegates_per_city = models.PositiveSmallIntegerField(_("delegates per city"), default=2)

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("study visit")
        verbose_name_plural = _("study visits")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="visit_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity_cities__gt=0), name="visit_has_room"),
        ]

    def __str__(self):
        return self.title or f"{self.host_city} ({long_date(self.starts_on)})"


class Application(models.Model):
    """A city's application to a call: one per city and call.

    Its indexes are few on purpose: scoring and the allocation rewrite the totals, ranks and
    placements of a whole call at once (20,000 rows on the scale call), and each row updated
    outside its page is written into every index again. The call's own index and the status's
    two (`db_index`, and its text pattern twin on PostgreSQL) are left out: every read by call
    uses one of the indexes below that start with the call, and status is only ever read
    within a call or a city. On PostgreSQL the table keeps half of each page free (fillfactor
    50, set by migration visits.0003): the allocation's update after scoring's then stays on
    each row's page and skips the indexes."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="applications", db_index=False
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="visit_applications")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    motivation = models.TextField(_("motivation"), max_length=APPLICATION_TEXT_MAX, blank=True)
    # Prefilled from the city's roadmap (its spotlight challenge), editable here.
    spotlight_challenge = models.TextField(
        _("spotlight challenge"), max_length=APPLICATION_TEXT_MAX, blank=True
    )
    # The answers to the call's further questions: {question key: text}.
    answers = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Scoring's results (visits/scoring.py): the weighted total and the rank by it.
    total = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    # The allocation (visits/allocation.py): a visit for a selected city; the waitlist order.
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices, blank=True)
    allocated_visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="selected"
    )
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    # Set when an admin moved it by hand: a new allocation run keeps it.
    allocated_by_hand = models.BooleanField(default=False)
    decision_notified_at = models.DateTimeField(null=True, blank=True)
    # Written or uploaded by the city after its visit.
    action_plan = models.TextField(_("action plan"), max_length=APPLICATION_TEXT_MAX, blank=True)
    action_plan_file = models.FileField(
        _("action plan (file)"), upload_to="visits/action-plans/", blank=True
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("study visit application")
        verbose_name_plural = _("study visit applications")
        constraints = [
            models.UniqueConstraint(fields=["call", "city"], name="application_once_per_city"),
        ]
        indexes = [
            models.Index(fields=["call", "rank"], name="application_ranking"),
            # The ranking page counts a call's applications by status: read from this index
            # alone, not from every row of a call of 20,000 (bench_visits_scoring.py).
            models.Index(fields=["call", "status"], name="application_call_status"),
        ]

    def __str__(self):
        return f"{self.city} · {self.call}"


class Preference(models.Model):
    """A visit an application asks for, ranked (1 first)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="preferences"
    )
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="preferences")
    rank = models.PositiveSmallIntegerField(_("preference"))

    class Meta:
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "visit"], name="preference_visit_once"),
            models.UniqueConstraint(fields=["application", "rank"], name="preference_rank_once"),
        ]

    def __str__(self):
        return f"{self.application_id} · {self.rank}: {self.visit_id}"


class Delegate(models.Model):
    """A person the city would send."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="delegates")
    name = models.CharField(_("name"), max_length=SHORT_TEXT_MAX)
    role = models.CharField(_("role"), max_length=SHORT_TEXT_MAX, blank=True)
    email = models.EmailField(_("email"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["application", "position", "pk"]

    def __str__(self):
        return self.name


class Criterion(models.Model):
    """A line of the call's scoring: manual (reviewers score it on its anchored scale) or
    automatic (computed by its rule); weighted in the total unless independent."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=SHORT_TEXT_MAX)
    description = models.TextField(_("description"), max_length=PARAGRAPH_MAX, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CriterionKind.choices)
    rule = models.CharField(_("rule"), max_length=20, choices=AutomaticRule.choices, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    # Manual criteria: scored from 0 to scale_max points, each point described by an anchor.
    scale_max = models.PositiveSmallIntegerField(_("highest point"), default=5)
    # Shown beside the score, not counted in the total (manual criteria).
    independent = models.BooleanField(_("independent (not counted)"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["call", "position", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="criterion_weight_positive"),
            models.CheckConstraint(
                condition=(Q(kind=CriterionKind.MANUAL) & Q(rule=""))
                | (Q(kind=CriterionKind.AUTOMATIC) & ~Q(rule="")),
                name="criterion_rule_if_automatic",
            ),
            models.UniqueConstraint(
                fields=["call", "rule"], condition=~Q(rule=""), name="criterion_rule_once"
            ),
        ]

    def __str__(self):
        return self.name


class Anchor(models.Model):
    """What a point of a manual criterion's scale means."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="anchors")
    points = models.PositiveSmallIntegerField(_("points"))
    description = models.CharField(_("description"), max_length=PARAGRAPH_MAX)

    class Meta:
        ordering = ["criterion", "points"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "points"], name="anchor_once_per_point")
        ]

    def __str__(self):
        return f"{self.points}: {self.description}"


class Review(models.Model):
    """A reviewer's assignment to an application and, once submitted, their review."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_reviews"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.ASSIGNED
    )
    comment = models.TextField(_("comment"), max_length=PARAGRAPH_MAX, blank=True)
    recusal_reason = models.TextField(_("reason for recusal"), max_length=PARAGRAPH_MAX, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    recused_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_once")
        ]
        indexes = [models.Index(fields=["reviewer", "status"], name="review_reviewer_status")]

    def __str__(self):
        return f"{self.application} · {self.reviewer_id}"


class Score(models.Model):
    """A reviewer's points for one manual criterion."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    points = models.PositiveSmallIntegerField(_("points"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="score_once")]

    def __str__(self):
        return f"{self.review_id} · {self.criterion_id}: {self.points}"


class ScoreLine(models.Model):
    """A criterion's line of an application's score, computed by scoring (derived, never
    edited): the points (reviewers' mean or median, or the rule's value), the weighted points
    counted in the total, and for manual lines the reviewers counted and their spread."""

    # No index of its own: the unique (application, criterion) index starts with it. (A first
    # scoring inserts 140,000 lines on the scale call, each into every index.)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="score_lines", db_index=False
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="lines")
    points = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    weighted = models.DecimalField(max_digits=9, decimal_places=3, default=0)
    reviewers = models.PositiveSmallIntegerField(default=0)
    deviation = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    disagreement = models.BooleanField(default=False)

    class Meta:
        ordering = ["application", "criterion__position", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="score_line_once")
        ]

    def __str__(self):
        return f"{self.application_id} · {self.criterion_id}: {self.points}"
