"""Protected by default: every endpoint not explicitly marked @public refuses anonymous requests."""

import uuid

import pytest
from werkzeug.routing import IntegerConverter, UUIDConverter

from core.permissions import is_public_view

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _sample_url(rule) -> str:
    values = {}
    for arg, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[arg] = 1
        elif isinstance(converter, UUIDConverter):
            values[arg] = uuid.uuid4()
        else:
            values[arg] = "x"
    return rule.build(values, append_unknown=False)[1]


def _protected_rules(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not is_public_view(rule.endpoint, view):
            yield rule


def test_there_are_protected_endpoints(app):
    assert len(list(_protected_rules(app))) > 10


def test_every_protected_endpoint_refuses_anonymous_requests(app, client):
    failures = []
    checked = 0
    for rule in _protected_rules(app):
        url = _sample_url(rule)
        for method in sorted(set(rule.methods) & set(METHODS)):
            response = client.open(url, method=method)
            checked += 1
            if url.startswith("/api/"):
                ok = response.status_code == 401 and response.is_json and "error" in response.get_json()
            else:
                ok = response.status_code == 302 and "/login" in response.headers.get("Location", "")
            if not ok:
                failures.append(f"{method} {url} ({rule.endpoint}) -> {response.status_code}")
    assert checked > 10
    assert not failures, "anonymous requests let through:\n" + "\n".join(failures)


@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/openapi.json", "/healthz"])
def test_public_pages_answer_anonymous_visitors(client, path):
    assert client.get(path).status_code == 200
