"""Every figure of the reports area, as queries that can be traced to a list.

Each figure is a count over a set of rows defined by one *filter* (``EntryFilter``, ``EventFilter`` …).
The same filter builds the grouped query behind a figure and the list page that shows what it counts, so a
figure and its list can never disagree. Reports read the other areas' models and never change them.

Definitions (stated once, used by the dashboard, the annual report, the school view and the tests):

- An organisation's figures include its sub-organisations (accounts.models.descendant_ids).
- A year is a calendar year in the installation's time zone (reports.periods; China time by default); contests
  count in their edition year (``Contest.year``), events and caravan visits by their start.
- Pipeline steps of an entry: *registered* (any entry), *submitted* (submitted at least once),
  *approved* (status approved), *scored* (approved, with at least one submitted judge score or a computed
  score in some round), *awarded* (a result with an award in some round).
- *Participating* entry: submitted at least once and not rejected. Participating students: the distinct
  students of participating entries (the advisor track has none).
- Awards in the annual report: results with an award (and special awards) of contests whose results are
  public (public notice, final or archived), one per entry and round that gave it, in the contest's edition
  year whenever they were announced; the report of the year an earlier edition's public notice opened
  points to them (``awards_elsewhere``) without counting them.
- The dashboard's check-in rate: people checked in ÷ people registered over this month's events that have
  ended (an event still to come has registrations but no check-ins yet).
- Events: published events. Registered people: confirmed seats (a group counts its head-count);
  checked-in people: the head-counts recorded at check-in. People reached: checked-in people plus the
  reported audience of caravan visits that took place but whose event has no check-in at all.
- Caravan visits: confirmed visits. Judges: active judges of the year's contests (distinct people).
  Volunteers: check-in staff of the year's events (distinct accounts) and caravan crew of its visits.
"""

# The package is split by concern (one module each); callers may import the names they need from here.
from reports.periods import month_bounds, year_bounds  # noqa: F401
from reports.services.annual import annual_report, build_annual_report, list_link  # noqa: F401
from reports.services.contests import (  # noqa: F401
    EntryFilter,
    award_counts,
    awards_select,
    contests_select,
    count_judges,
    entries_select,
    entry_counts,
    judge_contests,
    judges_select,
    schools_select,
    special_award_counts,
    special_awards_select,
    step_clause,
    students_select,
)
from reports.services.dashboard import Dashboard, dashboard, dashboard_totals  # noqa: F401
from reports.services.figures import count_of, organisation_scope, organisations_by_name, report_organisations, sum_of  # noqa: F401,E501
from reports.services.labels import (  # noqa: F401
    ACTIVE_CONTEST_STATUSES,
    AWARD_LABELS,
    AWARD_LEVELS,
    EVENT_KIND_LABELS,
    EVENT_KINDS,
    HOST_KIND_LABELS,
    PUBLISHED_CONTEST_STATUSES,
    SPECIAL_AWARD_LABELS,
    STAGE_LABELS,
    STAGES,
    STEP_LABELS,
    STEPS,
)
from reports.services.opendata import collect_open_data, export_open_data  # noqa: F401
from reports.services.outreach import (  # noqa: F401
    EventFilter,
    VisitFilter,
    checked_in_by_venue_kind,
    checkin_staff_select,
    checkins_select,
    crew_select,
    event_counts,
    events_select,
    hosts_visited,
    registrations_select,
    sessions_select,
    visit_counts,
    visits_select,
)
from reports.services.school import school_history  # noqa: F401
