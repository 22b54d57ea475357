"""Who may read reports and export the programme's data: the one place that says it (issue 14).

- The programme dashboard and the cohort comparison over every cohort: programme admins.
- A cohort's report, and the comparison of cohorts they facilitate: the cohort's facilitators
  too (they wrote the cohort reports of the source documents).
- Exports of lists and the analysts' data set: programme admins (every cohort) and facilitators
  (only the cohorts they facilitate, `reports.selectors.reportable_cohort_ids`).
- Personal data (email addresses) in exports: programme admins only.
- An export file (reports/exports.py): downloaded by the person who asked for it while they
  may still export, and by programme admins.
"""

import rules

from accounts.rules import is_facilitator, is_programme_admin

rules.add_perm("reports.view_dashboard", is_programme_admin)
rules.add_perm("reports.view_cohort_reports", is_programme_admin | is_facilitator)
rules.add_perm("reports.export_data", is_programme_admin | is_facilitator)
rules.add_perm("reports.view_personal_data", is_programme_admin)


@rules.predicate
def is_export_requester(user, export):
    return export is not None and export.requested_by_id == user.pk


rules.add_perm(
    "reports.download_export", is_programme_admin | (is_facilitator & is_export_requester)
)
