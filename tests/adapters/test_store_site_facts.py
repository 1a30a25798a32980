"""The site facts a fresh process starts from, kept in the store with when they were read (revision 0003)."""

from datetime import UTC, datetime, timedelta

from sync.store.migrations import head_revision
from sync.store.store import Store
from tests.adapters.store_support import old_store_with_board

READ = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_site_facts_are_kept_with_when_they_were_read_and_replaced_by_a_newer_reading(store: Store):
    store.set_site_fact("account", {"account_id_or_name": "bot", "time_zone": "UTC"}, READ)
    store.set_site_fact("fields", [{"id": "customfield_10100", "name": "Objective score"}], READ)
    store.set_site_fact(
        "account", {"account_id_or_name": "bot", "time_zone": "Europe/Berlin"}, READ + timedelta(hours=1)
    )

    facts = store.site_facts()

    assert facts.keys() == {"account", "fields"}
    assert facts["account"].value == {"account_id_or_name": "bot", "time_zone": "Europe/Berlin"}
    assert facts["account"].read_at == READ + timedelta(hours=1)
    assert facts["fields"].value == [{"id": "customfield_10100", "name": "Objective score"}]
    assert facts["fields"].read_at == READ


def test_each_board_keeps_when_it_was_read(store: Store):
    store.set_board(1, {"id": 1, "type": "scrum"}, READ)
    store.set_board(3, {"id": 3, "type": "kanban"})

    assert store.boards_read_at() == {1: READ, 3: None}
    assert store.board(1) == {"id": 1, "type": "scrum"}


def test_a_store_made_by_revision_0002_gets_the_site_facts_and_keeps_its_boards(store_url: str):
    old_store_with_board(store_url, "0002")

    with Store.open(store_url) as store:
        assert store.schema_status().current == (head_revision(),)
        assert store.board(7) == {"id": 7}
        assert store.boards_read_at() == {7: None}  # read again by the next pass
        assert store.site_facts() == {}
