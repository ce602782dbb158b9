"""events.api.plain_checkin_args, the plain-Python reading of a scan's body that events.lane tries before the
marshmallow schema: whatever it accepts, CHECKIN_ARGS accepts too and reads the same; the usual scanner body
never has to wait for the schema; anything else it leaves to the schema (None)."""
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from events.api import CHECKIN_ARGS, plain_checkin_args
from events.tickets import check_symbol

pytestmark = pytest.mark.no_app  # pure logic: no app context or database

FIELDS = sorted(CHECKIN_ARGS.fields)
UNKNOWN_KEYS = ["token", "Code", "eventId", "", "欧阳𠮷"]
CODE = "KC7Q2M9X4H8T3V6NAB5RHW2Y7Z4" + check_symbol("KC7Q2M9X4H8T3V6NAB5RHW2Y7Z4")  # a ticket's 28 symbols


def weighted(*choices):
    """A strategy drawing from each (weight, strategy) as often as its weight says (st.one_of would flatten
    nested one_ofs into equal branches)."""
    return st.sampled_from([strategy for weight, strategy in choices for _ in range(weight)]).flatmap(lambda s: s)


# Characters that count differently in bytes, UTF-16 units and code points (the schema counts code points).
ALPHABET = st.one_of(st.sampled_from("aZ0- 东门扫码枪龚䶮欧阳𠮷\u00e9"), st.characters())
EDGE_LENGTHS = [0, 1, 60, 61, 80, 81, 200, 201]


def texts_of_length(n: int):
    return st.text(ALPHABET, min_size=n, max_size=n)


def texts_within(low: int, high: int):
    """Texts Length(low, high) takes: both limits, the edge lengths between them, and short ones."""
    return weighted(*((1, texts_of_length(n)) for n in {low, high, *EDGE_LENGTHS} if low <= n <= high),
                    (2, st.text(ALPHABET, min_size=low, max_size=8)))


iso_datetimes = st.one_of(st.datetimes().map(lambda d: d.isoformat()),
                          st.sampled_from(["2026-05-01T09:00:00+08:00", "2026-05-01T01:00:00Z",
                                           "2026-05-01T09:00:00", "2026-05-01", "昨天", ""]))
integers = st.one_of(st.sampled_from([-1, 0, 1, 7, 499, 500, 501, 2**31, 2**63, 10**30, -(10**30)]), st.integers())
# Not integers, but what a careless scanner might send for one (the schema takes some: 7.0, "7").
integer_lookalikes = st.sampled_from([True, False, 1.0, 1.5, 7.0, 500.0, 501.0, -0.0, "12", "7", " 7", "-1", "501",
                                      "1e3", "", None, [7], {"id": 7}])
any_value = weighted((3, texts_within(0, 201)), (2, integers), (2, integer_lookalikes), (1, iso_datetimes),
                     (1, st.floats(allow_nan=False)), (1, st.lists(st.integers(), max_size=2)),
                     (1, st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)))

# A scanner's body: each field at or inside the schema's limits.
TEXT_LIMITS = {"code": (0, 200), "gate": (0, 60), "nonce": (1, 80), "device": (0, 200)}
INSIDE = {
    **{name: texts_within(low, high) for name, (low, high) in TEXT_LIMITS.items()},
    "event_id": integers, "session_id": st.one_of(st.none(), integers),
    "head_count": st.one_of(st.none(), st.sampled_from([0, 1, 499, 500]), st.integers(min_value=0, max_value=500)),
    "scanned_at": st.none(),
}
REQUIRED = ("code", "event_id", "nonce")
scanner_bodies = st.fixed_dictionaries({name: INSIDE[name] for name in REQUIRED},
                                       optional={name: INSIDE[name] for name in FIELDS if name not in REQUIRED})

# One thing wrong with such a body, as a (key, value) strategy: a value just across a limit, a value of the wrong
# kind, anything at all, a key left out, an unknown key. One flat list, the nearest misses first: Hypothesis
# draws the first options of a choice more often than the last, and within nested choices a head_count of 501
# was too rare to be met in 500 examples.
MISSING = object()
INTEGER_FIELDS = ("event_id", "head_count", "session_id")


def setting(name: str, values):
    return st.tuples(st.just(name), values)


CHANGES = [
    *(setting(name, texts_of_length(high + 1)) for name, (low, high) in TEXT_LIMITS.items()),
    *(setting(name, texts_of_length(low - 1)) for name, (low, high) in TEXT_LIMITS.items() if low > 0),
    setting("head_count", st.just(501)), setting("head_count", st.just(-1)),
    *(setting(name, st.booleans()) for name in INTEGER_FIELDS),  # bool is an int in Python, not to the schema
    *(setting(name, st.sampled_from([7.0, 0.0, 500.0, 1.5])) for name in INTEGER_FIELDS),
    *(setting(name, integer_lookalikes) for name in INTEGER_FIELDS),
    setting("head_count", st.integers(min_value=501)), setting("head_count", st.integers(max_value=-1)),
    setting("scanned_at", iso_datetimes),
    *(setting(name, st.one_of(*(texts_of_length(n) for n in EDGE_LENGTHS if not low <= n <= high)))
      for name, (low, high) in TEXT_LIMITS.items()),
    st.tuples(st.sampled_from(FIELDS), any_value),
    st.tuples(st.sampled_from(FIELDS), st.just(MISSING)),
    st.tuples(st.sampled_from(UNKNOWN_KEYS), any_value),
]
a_change = st.sampled_from(CHANGES).flatmap(lambda change: change)


def changed(drawn):
    """The body with the changes made to it."""
    body, body_changes = drawn
    body = dict(body)
    for name, value in body_changes:
        if value is MISSING:
            body.pop(name, None)
        else:
            body[name] = value
    return body


# Mostly a scanner's body with one or two things wrong in it (the plain check must notice each); some bodies
# with nothing wrong; some of any keys with any values.
payloads = weighted((6, st.tuples(scanner_bodies, st.lists(a_change, min_size=1, max_size=1)).map(changed)),
                    (2, st.tuples(scanner_bodies, st.lists(a_change, min_size=2, max_size=2)).map(changed)),
                    (2, scanner_bodies),
                    (1, st.dictionaries(st.sampled_from(FIELDS + UNKNOWN_KEYS), any_value, max_size=len(FIELDS) + 2)))


def test_the_generated_bodies_cover_every_field_of_the_schema():
    assert set(INSIDE) == set(FIELDS)  # a field added to the schema needs its values here


def scan_body(**changes):
    return {"code": CODE, "event_id": 7, "gate": "东门", "nonce": "n-1", **changes}


@settings(max_examples=500, deadline=None)
@given(payloads)
def test_whatever_the_plain_check_accepts_the_schema_accepts_and_reads_the_same(payload):
    args = plain_checkin_args(dict(payload))
    event("plain path" if args is not None else "left to the schema")
    if args is not None:
        loaded = CHECKIN_ARGS.load(payload)  # a ValidationError here fails the test as well
        assert args == loaded
        assert {name: type(value) for name, value in args.items()} == {
            name: type(value) for name, value in loaded.items()}  # 7.0 == 7, but the schema reads 7


@pytest.mark.parametrize("changes", [
    {},
    {"head_count": 3},
    {"device": "扫码枪-1"},
    {"head_count": 0, "session_id": 12, "device": "龚䶮的手机"},
    {"head_count": 500, "scanned_at": None},
    {"gate": "𠮷" * 60, "nonce": "欧" * 80, "code": "䶮" * 200},  # limits count characters, not bytes
    {"gate": ""},
])
def test_the_usual_scanner_bodies_are_read_in_plain_python_as_the_schema_reads_them(changes):
    payload = scan_body(**changes)
    args = plain_checkin_args(payload)
    assert args is not None
    assert args == CHECKIN_ARGS.load(payload)


def test_a_body_without_gate_gets_the_schemas_empty_gate_and_defaults():
    payload = {"code": CODE, "event_id": 7, "nonce": "n-1"}
    assert plain_checkin_args(payload) == CHECKIN_ARGS.load(payload) == {
        "code": CODE, "event_id": 7, "gate": "", "nonce": "n-1", "scanned_at": None, "device": "",
        "head_count": None, "session_id": None}


@pytest.mark.parametrize("changes", [
    pytest.param({"operator": "欧阳𠮷"}, id="unknown key"),
    pytest.param({"scanned_at": "2026-05-01T09:00:00+08:00"}, id="scanned_at set"),
    pytest.param({"event_id": "7"}, id="event_id as a string"),
    pytest.param({"event_id": True}, id="event_id as a bool"),
    pytest.param({"event_id": 7.0}, id="event_id as a float"),
    pytest.param({"head_count": 501}, id="head_count above 500"),
    pytest.param({"head_count": -1}, id="negative head_count"),
    pytest.param({"nonce": ""}, id="empty nonce"),
    pytest.param({"gate": "东" * 61}, id="gate of 61 characters"),
    pytest.param({"gate": None}, id="gate null"),
])
def test_anything_but_the_usual_shape_is_left_to_the_schema(changes):
    assert plain_checkin_args(scan_body(**changes)) is None


@pytest.mark.parametrize("missing", ["code", "event_id", "nonce"])
def test_a_body_missing_a_required_key_is_left_to_the_schema(missing):
    payload = scan_body()
    del payload[missing]
    assert plain_checkin_args(payload) is None
