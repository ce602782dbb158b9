"""The route walk: every rule of the URL map, as every role, with the ids of one association's objects.

Roles: anonymous, a school coordinator, a judge, check-in staff (all of the association), the organiser of
another association, the organiser, an administrator. What must hold:

- nobody ever gets a 5xx;
- anonymous visitors reach only @public views (others: sent to log in, or 401 on the API);
- what a confined role reaches with the association's ids (a 2xx or 3xx answer) is exactly the list below,
  reviewed by hand: a new route that lets a judge or another association's organiser in fails here;
- the organiser and the administrator are refused (403) nowhere on the association's own objects, except the
  few pages listed that belong to another role (a judge's own scoring pages).

GETs are walked first by every role, then POSTs from the least to the most privileged role (the organiser's and
the administrator's POSTs may change the world, so they come last and only "never a 5xx" is asserted of them).
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from werkzeug.routing import IntegerConverter

from accounts import services as account_services
from core.permissions import is_public_view
from tests import factories
from tests.events import factories as event_factories
from tests.judging import factories as judging_factories

pytestmark = pytest.mark.filterwarnings("ignore")

CONFINED = ("coordinator", "judge", "checkin", "outsider")
ROLES = ("anonymous", *CONFINED, "organiser", "admin")
LOGOUTS = {"accounts.logout", "accounts.logout_everywhere"}
LOGOUT_PATHS = ("/logout", "/profile/logout-everywhere")

# (method, endpoint) a confined role reaches (2xx/3xx) with the association's ids. Reviewed by hand.
REACHES: dict[str, set[tuple[str, str]]] = {
    # Their school's roster, entries, materials, certificates and report; the contest they register in.
    "coordinator": {
        ("GET", "certificates.school"),
        ("GET", "competitions.contest"),
        ("GET", "competitions.edit_entry"),
        ("GET", "competitions.edit_student"),
        ("GET", "competitions.entry"),
        ("GET", "competitions.import_students"),
        ("GET", "competitions.new_advisor"),
        ("GET", "competitions.new_entry"),
        ("GET", "competitions.new_student"),
        ("GET", "competitions.roster_template"),
        ("GET", "competitions.school_entries"),
        ("GET", "competitions.students"),
        ("GET", "competitions.search_students"),  # the student picker looks up its own school
        ("GET", "competitions_api.get_contest"),
        ("GET", "competitions_api.get_entry"),
        ("GET", "competitions_api.list_entries"),
        ("GET", "competitions_api.list_students"),
        ("GET", "judging.school_outcomes"),
        ("GET", "reports.school"),
        ("POST", "competitions.confirm_import_students"),
        ("POST", "competitions.delete_entry"),
        ("POST", "competitions.delete_student"),
        ("POST", "competitions.edit_entry"),
        ("POST", "competitions.edit_student"),
        ("POST", "competitions.import_students"),
        ("POST", "competitions.new_advisor"),
        ("POST", "competitions.new_entry"),
        ("POST", "competitions.new_student"),
        ("POST", "competitions.submit_entry"),
        ("POST", "competitions.upload_material"),
        ("POST", "competitions.withdraw_entry"),
    },
    # Their worklist and score sheets, robot runs to referee, their own judge profile (expertise, conflicts).
    "judge": {
        ("GET", "judging.judge_profile"),
        ("GET", "judging.referee"),
        ("GET", "judging.score_sheets"),
        ("GET", "judging.worklist"),
        ("GET", "judging_api.my_assignments"),
        ("POST", "judging.judge_profile"),
    },
    # The scanner page of their event and its counters.
    "checkin": {
        ("GET", "events.scanner"),
        ("GET", "events_api.counters"),
        ("GET", "events_api.offline_tickets"),  # the offline scanner's ticket list (hashes, masked names)
        ("GET", "events_api.conflicts"),  # answers that differed from what a device showed offline
        ("GET", "events.scanner_manifest"),  # the installable scanner's web app manifest
    },
    # Certificates list of a contest: answers 200 but filtered to the outsider's own units (an empty list).
    "outsider": {
        ("GET", "certificates.scope_list"),
    },
}
# GET pages with the association's ids that refuse its organiser and admin (403): another role's own pages
# (a coordinator's entry forms, a judge's worklist and scoring).
ORGANISER_REFUSED: set[str] = {
    "competitions.edit_entry",
    "competitions.new_entry",
    "judging.score",
    "judging.worklist",
    "judging_api.my_assignments",
}


def _world():
    w = judging_factories.world(n_schools=1, n_entries=1, n_judges=1, k=1)
    org, contest = w["org"], w["contest"]
    school = w["schools"][0]
    event = event_factories.event(org, title="青溪县科普讲座")
    registration = event_factories.registration(event, name="欧阳䶮")
    caravan = event_factories.caravan(org)
    users = {
        "coordinator": factories.coordinator(school, name="刘𠮷"),
        "judge": w["judges"][0].user,
        "checkin": factories.checkin_staff(event.id),
        "outsider": factories.organiser(factories.association("别的县科学技术协会"), name="赵外人"),
        "organiser": w["organiser"],
        "admin": factories.admin(),
    }
    token_row, _token = account_services.create_api_token(w["organiser"], "脚本")
    ids = {
        "contest_id": contest.id,
        "round_id": w["round"].id,
        "entry_id": w["entries"][0].id,
        "school_id": school.id,
        "event_id": event.id,
        "category_id": w["category"].id,
        "judge_id": w["judges"][0].id,
        "org_id": org.id,
        "scope_id": contest.id,
        "registration_id": registration.id,
        "session_id": event.sessions[0].id,
        "caravan_id": caravan.id,
        "token_id": token_row.id,
    }
    factories.commit()
    return users, ids


def _url(rule, ids) -> tuple[str, bool]:
    """The rule's URL with the world's ids (1 or "x" for the rest), and whether it names a world object."""
    values, named = {}, False
    for arg, converter in rule._converters.items():  # noqa: SLF001
        if isinstance(converter, IntegerConverter):
            values[arg] = ids.get(arg, 1)
            named = named or arg in ids
        else:
            values[arg] = {"scope": "contest", "fmt": "pdf"}.get(arg, "x")
    return rule.build(values, append_unknown=False)[1], named


def _client(app, user):
    client = app.test_client()
    if user is not None:
        response = client.post("/login", data={"login": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302
    return client


def test_every_rule_as_every_role(app):
    users, ids = _world()
    clients = {role: _client(app, users.get(role)) for role in ROLES}
    # Logging out ends the walk of a role: those two come last.
    rules = sorted(
        ((rule, *_url(rule, ids)) for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
        key=lambda item: item[0].endpoint in LOGOUTS,
    )
    server_errors, anonymous_through, organiser_refused, logged_out = [], [], set(), []
    reached: dict[str, set] = defaultdict(set)

    def walk(role, method, rule, url, named):
        response = clients[role].open(url, method=method)
        status = response.status_code
        public = is_public_view(rule.endpoint, app.view_functions[rule.endpoint])
        if status >= 500:
            server_errors.append(f"{role} {method} {url} -> {status}")
        if role == "anonymous" and not public:
            ok = status == 401 if url.startswith("/api/") else status == 302 and "/login" in response.location
            if not ok:
                anonymous_through.append(f"{method} {url} -> {status}")
        sent_to_login = status == 302 and "/login" in (response.location or "")
        if role != "anonymous" and sent_to_login:
            logged_out.append(f"{role} {method} {url}")
        if named and status < 400 and not sent_to_login:
            reached[role].add((method, rule.endpoint))
        if role in ("organiser", "admin") and method == "GET" and named and status == 403:
            organiser_refused.add(rule.endpoint)

    for role in ROLES:
        for rule, url, named in rules:
            if "GET" in rule.methods:
                walk(role, "GET", rule, url, named)
    for role in ROLES:
        for rule, url, named in rules:
            for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
                walk(role, method, rule, url, named)

    assert len(rules) > 150
    assert not server_errors, "5xx answers:\n" + "\n".join(server_errors)
    assert not anonymous_through, "anonymous requests let through:\n" + "\n".join(anonymous_through)
    assert not [line for line in logged_out if not line.endswith(LOGOUT_PATHS)], logged_out
    for role in CONFINED:
        beyond_anonymous = reached[role] - reached["anonymous"]  # public pages anyone reaches are not a role's
        assert beyond_anonymous == REACHES[role], (
            f"{role} reaches (unexpected: {sorted(beyond_anonymous - REACHES[role])}, "
            f"no longer: {sorted(REACHES[role] - beyond_anonymous)})"
        )
    assert organiser_refused == ORGANISER_REFUSED, sorted(organiser_refused ^ ORGANISER_REFUSED)
