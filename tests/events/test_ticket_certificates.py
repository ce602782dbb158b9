"""An attendee downloads their attendance certificate from the ticket page (no account needed)."""

from datetime import timedelta

from certificates import services as certificate_services
from core.extensions import db
from events.services import checkin as checkin_service
from tests import factories
from tests.events import factories as event_factories


def test_ticket_page_links_the_attendance_certificate_after_check_in(client):
    county = factories.association("青溪县科学技术协会")
    event = event_factories.event(county, title="科普日：走进航天")
    attended = event_factories.registration(event, name="欧阳䶮")
    absent = event_factories.registration(event, name="李小红")
    result = checkin_service.perform_checkin(event, raw_code=attended.code, gate="东门", nonce="n-1")
    assert result.body["status"] == "checked_in"
    # the event took place yesterday: move it (and its session) into the past, then issue
    shift = timedelta(days=1, hours=4)
    event.starts_at, event.ends_at = event.starts_at - shift, event.ends_at - shift
    for session in event.sessions:
        session.starts_at, session.ends_at = session.starts_at - shift, session.ends_at - shift
    template = certificate_services.create_template(county.id, "出席证书", kind="attendance")
    issued, _plan = certificate_services.issue_certificates("events.attendees", event.id, template)
    assert [c.holder_name for c in issued] == ["欧阳䶮"]
    factories.commit()

    page = client.get(f"/events/t/{attended.link_token}").get_data(as_text=True)
    assert 'id="ticket-certificates"' in page and issued[0].number in page
    link = page.split('id="ticket-certificates"')[1].split('<a href="')[1].split('"')[0].replace("&amp;", "&")
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # someone who did not come has no certificate on their ticket page
    assert 'id="ticket-certificates"' not in client.get(f"/events/t/{absent.link_token}").get_data(as_text=True)
    db.session.rollback()
