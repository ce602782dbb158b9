"""The invitations list names what each scoped invitation is for, from the registry of invitation scopes: a
judge's contest, a check-in helper's event, an expert's call (calls registers its scope; accounts imports no
higher area)."""

from calls import experts, services
from tests import factories
from tests.calls.test_services import BANDS, FORM


def test_an_expert_invitation_names_its_call(client, login, count_queries):
    city = factories.association("青溪市科学技术协会")
    organiser = factories.organiser(city)
    call = services.create_call(
        city,
        year=2026,
        title="十佳科技辅导员评选·𠮷",
        subject="person",
        applicants="units",
        outcome="bands",
        outcome_rule=BANDS,
        form=FORM,
    )
    for i in range(3):
        expert = experts.add_expert(city, {"name": f"孙德明{i}", "field": "材料科学", "email": f"sun{i}@example.cn"})
        experts.invite_to_call(expert, call, organiser)
    factories.commit()
    login(organiser)
    with count_queries() as few:
        page = client.get("/invitations").get_data(as_text=True)
    assert page.count("2026 十佳科技辅导员评选·𠮷") == 3
    expert = experts.add_expert(city, {"name": "刘晓梅", "field": "农学", "email": "liu@example.cn"})
    experts.invite_to_call(expert, call, organiser)
    factories.commit()
    with count_queries() as more:
        page = client.get("/invitations").get_data(as_text=True)
    assert page.count("2026 十佳科技辅导员评选·𠮷") == 4
    assert len(more) == len(few)  # one look-up per registered role, not per invitation
