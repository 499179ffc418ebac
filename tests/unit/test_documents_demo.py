"""Demo documents: uploaded through the service on top of the demo company, readable by the right people."""

from coachway import demo
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.documents import service
from coachway.documents.demo import CLIENT_DOCUMENTS
from tests.factories import login


def test_demo_documents_are_added_and_scoped_to_their_readers(client):
    demo.load()  # adds the demo documents
    with transaction() as session:
        documents, total = service.list_documents(session, SYSTEM, include_expired=True, limit=100)
        expiring, _ = service.list_expiring(session, SYSTEM, days=30)
    assert total >= len(CLIENT_DOCUMENTS)
    assert sorted(d.file_name for d in documents if d.client_id) == sorted(row[1] for row in CLIENT_DOCUMENTS)
    assert any(d.document_category == "coi" for d in expiring)
    portal = login(client, demo.CLIENT_USER[1], demo.DEMO_PASSWORD)
    seen = client.get("/api/v1/documents", headers=portal).json()["items"]
    mine = [row for row in CLIENT_DOCUMENTS if row[0] == demo.CLIENT_USER_CLIENT]
    assert sorted(d["file_name"] for d in seen) == sorted(row[1] for row in mine)
    vendor = login(client, demo.VENDOR[1], demo.DEMO_PASSWORD)
    vendor_seen = client.get("/api/v1/documents", headers=vendor).json()["items"]
    assert vendor_seen and all(not d["is_internal"] for d in vendor_seen)
    first = seen[0]
    r = client.get(f"/api/v1/documents/{first['id']}/download", headers=portal)
    assert r.status_code == 200 and len(r.content) == first["file_size"]
