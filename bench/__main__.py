"""Run the benchmarks and append the figures to bench/RESULTS.md.

    python -m bench [--scale N] [--database-url URL] [--requests N]

Builds a fresh database (a temporary SQLite file unless --database-url names a PostgreSQL server,
where a throw-away database is created and dropped), loads the demo company N times over, and
measures the operations staff do all day through the real HTTP stack (in-process ASGI client).
"""

import argparse
import os
import platform
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).parent / "RESULTS.md"


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, {len(ordered) / sum(ordered):.0f} req/s"


def _timed(fn, n: int) -> list[float]:
    out = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t)
    return out


def _database(url: str | None) -> tuple[str, callable]:
    if url and url.startswith("postgresql"):
        from sqlalchemy import create_engine, make_url, text

        base = make_url(url)
        name = f"cw_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))

        def drop():
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        return base.set(database=name).render_as_string(hide_password=False), drop
    tmp = tempfile.mkdtemp(prefix="cw-bench-")
    return f"sqlite:///{tmp}/bench.db", lambda: None


def _charters(c, h: dict, n: int) -> list[str]:
    """A 5-stop quote created with its itinerary (geocoded offline, routed, DOT-checked), and reads."""
    from datetime import date, timedelta

    from coachway.integrations.geocoding import OfflineGazetteer

    OfflineGazetteer().warm()  # the gazetteer's index is built once per process, at start-up in production
    hubs = c.get("/api/v1/hubs", headers=h).json()
    hub_id = next(hub["id"] for hub in hubs if hub["code"] == "ATL")
    cities = ["Atlanta, GA", "Chattanooga, TN", "Nashville, TN", "Louisville, KY", "Cincinnati, OH"]
    trip_date = (date.today() + timedelta(days=45)).isoformat()
    body = {"client_id": 1, "hub_id": hub_id, "trip_type": "one_way", "passenger_count": 50,
            "trip_date": trip_date, "pickup_time": "07:00",
            "stops": [{"address": city, "dwell_minutes": 20} for city in cities]}
    ids: list[int] = []

    def create(i: int) -> None:
        r = c.post("/api/v1/charters", json=body, headers=h)
        r.raise_for_status()
        ids.append(r.json()["id"])
        c.post(f"/api/v1/charters/{ids[-1]}/geocode-stops", headers=h).raise_for_status()

    made = _timed(create, min(n, 100))
    route = _timed(lambda i: c.get(f"/api/v1/charters/{ids[i % len(ids)]}/route",
                                   headers=h).raise_for_status(), n)
    dot = _timed(lambda i: c.post("/api/v1/check-dot-compliance", json={"charter_id": ids[i % len(ids)]},
                                  headers=h).raise_for_status(), n)
    listing = _timed(lambda i: c.get("/api/v1/charters", params={"limit": 50},
                                     headers=h).raise_for_status(), n)
    return [f"- POST /api/v1/charters with 5 stops, then POST .../geocode-stops (route, DOT, audit): "
            f"{_percentiles(made)}",
            f"- GET /api/v1/charters/{{id}}/route (legs, stop times, DOT): {_percentiles(route)}",
            f"- POST /api/v1/check-dot-compliance for a charter: {_percentiles(dot)}",
            f"- GET /api/v1/charters page of 50: {_percentiles(listing)}"]


def _pricing(c, h: dict, n: int) -> list[str]:
    """Quotes: the calculator by miles and hours and by itinerary, and a charter's quote builder steps
    (amenities, promo, recalculation), its secure link and the client's page."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from coachway.core import db
    from coachway.pricing.models import Amenity, PromoCode

    hubs = c.get("/api/v1/hubs", headers=h).json()
    hub_id = next(hub["id"] for hub in hubs if hub["code"] == "ATL")
    types = c.get("/api/v1/vehicle-types", headers=h).json()
    coach, mini = types[-1]["id"], types[-3]["id"]
    with db.transaction() as s:
        first = select(Amenity.id).where(Amenity.is_active).order_by(Amenity.id).limit(3)
        amenity_ids = list(s.scalars(first))
        s.add(PromoCode(code="BENCH5", discount_type="percentage", discount_value=5))
    trip_date = (date.today() + timedelta(days=40)).isoformat()
    base = {"hub_id": hub_id, "trip_date": trip_date, "trip_type": "round_trip", "passenger_count": 70,
            "vehicles": [{"vehicle_type_id": coach, "quantity": 1}, {"vehicle_type_id": mini, "quantity": 1}],
            "amenities": [{"amenity_id": a, "quantity": 1} for a in amenity_ids], "promo_code": "BENCH5"}
    by_miles = _timed(lambda i: c.post("/api/v1/calculate-quote", json=base | {"miles": 320, "hours": 9.5},
                                       headers=h).raise_for_status(), n)
    stops = [{"address": city} for city in ["Atlanta, GA", "Chattanooga, TN", "Nashville, TN",
                                            "Huntsville, AL", "Atlanta, GA"]]
    by_stops = _timed(lambda i: c.post("/api/v1/calculate-quote", json=base | {"stops": stops},
                                       headers=h).raise_for_status(), n)
    body = {"client_id": 1, "hub_id": hub_id, "trip_type": "round_trip", "passenger_count": 70,
            "trip_date": trip_date, "pickup_time": "07:00", "stops": stops[:4],
            "vehicles": base["vehicles"]}
    ids: list[int] = []

    def build(i: int) -> None:
        r = c.post("/api/v1/charters", json=body, headers=h)
        r.raise_for_status()
        charter_id = r.json()["id"]
        ids.append(charter_id)
        c.post(f"/api/v1/charters/{charter_id}/geocode-stops", headers=h).raise_for_status()
        for amenity_id in amenity_ids:
            c.post(f"/api/v1/charters/{charter_id}/amenities", json={"amenity_id": amenity_id},
                   headers=h).raise_for_status()

    built = _timed(build, min(n, 50))
    add = _timed(lambda i: c.put(f"/api/v1/charters/{ids[i % len(ids)]}/promo-code", json={"code": "BENCH5"},
                                 headers=h).raise_for_status(), min(n, 50))
    calc = _timed(lambda i: c.post(f"/api/v1/charters/{ids[i % len(ids)]}/calculate",
                                   headers=h).raise_for_status(), n)
    links = [c.get(f"/api/v1/charters/{i}/secure-link", headers=h).json()["token"] for i in ids]
    public = _timed(lambda i: c.get(f"/q/{links[i % len(links)]}").raise_for_status(), n)
    return [f"- POST /api/v1/calculate-quote, miles and hours, 2 vehicles, 3 amenities, promo: "
            f"{_percentiles(by_miles)}",
            f"- POST /api/v1/calculate-quote, 5-stop itinerary geocoded and routed: {_percentiles(by_stops)}",
            f"- quote built by API: create with 4 stops and 2 vehicles, geocode, add 3 amenities "
            f"(each recalculates): {_percentiles(built)}",
            f"- PUT /api/v1/charters/{{id}}/promo-code (redeem, recalculate): {_percentiles(add)}",
            f"- POST /api/v1/charters/{{id}}/calculate (saved with its inputs): {_percentiles(calc)}",
            f"- GET /q/{{token}} (the client's quote page, JWT checked): {_percentiles(public)}"]


def _series(c, h: dict) -> list[str]:
    """A recurring series of 1,000 daily instances made from a priced 4-stop, 2-vehicle quote with 3
    amenities: copied at its price, then priced for each date; and cloning one quote to 20 dates."""
    from datetime import date, timedelta

    hubs = c.get("/api/v1/hubs", headers=h).json()
    hub_id = next(hub["id"] for hub in hubs if hub["code"] == "ATL")
    types = c.get("/api/v1/vehicle-types", headers=h).json()
    start = date.today() + timedelta(days=30)
    body = {"client_id": 1, "hub_id": hub_id, "trip_type": "shuttle", "passenger_count": 70,
            "trip_date": start.isoformat(), "pickup_time": "07:00",
            "stops": [{"address": city} for city in ["Atlanta, GA", "Marietta, GA", "Kennesaw, GA",
                                                     "Atlanta, GA"]],
            "vehicles": [{"vehicle_type_id": types[-1]["id"]}, {"vehicle_type_id": types[-3]["id"]}]}
    out = []
    for adjust in (False, True):
        charter_id = c.post("/api/v1/charters", json=body, headers=h).json()["id"]
        c.post(f"/api/v1/charters/{charter_id}/geocode-stops", headers=h).raise_for_status()
        for amenity in c.get("/api/v1/amenities", headers=h).json()[:3]:
            c.post(f"/api/v1/charters/{charter_id}/amenities", json={"amenity_id": amenity["id"]},
                   headers=h).raise_for_status()
        c.post(f"/api/v1/charters/{charter_id}/calculate", headers=h).raise_for_status()
        t = time.perf_counter()
        r = c.post("/api/v1/charters/create-recurring", headers=h, json={
            "base_charter_id": charter_id, "series_name": f"Bench shuttle {adjust}",
            "recurrence_rule": "FREQ=DAILY;COUNT=1000", "start_date": start.isoformat(),
            "adjust_pricing_per_instance": adjust})
        r.raise_for_status()
        took = time.perf_counter() - t
        assert r.json()["total_instances"] == 1000
        how = "each priced for its date" if adjust else "at the template's price"
        out.append(f"- POST /api/v1/charters/create-recurring, 1,000 instances (4 stops, 2 vehicle lines, "
                   f"3 amenities each), {how}: {took:.2f} s")
    t = time.perf_counter()
    days = [(start + timedelta(days=2000 + 7 * i)).isoformat() for i in range(20)]
    c.post(f"/api/v1/charters/{charter_id}/clone-multiple", json={"new_dates": days},
           headers=h).raise_for_status()
    out.append(f"- POST /api/v1/charters/{{id}}/clone-multiple to 20 dates, priced: "
               f"{(time.perf_counter() - t) * 1000:.0f} ms")
    return out


def _sales(c, h: dict, n: int, scale: int) -> list[str]:
    """Leads: entering one (client match over every client, round robin under the queue lock), an
    existing client's enquiry, and the lists, pipeline and dashboard over scale x 200 leads."""
    import random
    from datetime import timedelta

    from sqlalchemy import insert, select

    from coachway.auth.service import create_user
    from coachway.clients.models import Client
    from coachway.core import clock, db
    from coachway.core.permissions import SYSTEM
    from coachway.sales.models import LEAD_STATUSES, Lead, LeadAssignmentQueue

    rng = random.Random(7)
    with db.transaction() as s:
        agents = [create_user(s, SYSTEM, email=f"bench-agent{i}@coachway.demo", full_name=f"Bench Agent {i}",
                              password="bench-password-1", role="sales_agent").id for i in range(8)]
        top = len(s.scalars(select(LeadAssignmentQueue.id)).all())
        s.add_all(LeadAssignmentQueue(user_id=a, position=top + i + 1, is_active=True, leads_assigned_today=0,
                                      max_daily_leads=None, created_at=clock.now())
                  for i, a in enumerate(agents))
        emails = s.scalars(select(Client.email).where(Client.email.is_not(None)).limit(500)).all()
        now = clock.now()
        rows = [{"source": "online", "status": rng.choice(LEAD_STATUSES), "lead_score": rng.randint(0, 100),
                 "first_name": "Bulk", "last_name": f"Lead {i}", "email": f"bulk{i}@example.org",
                 "assigned_to": rng.choice(agents), "assigned_at": now, "assignment_method": "round_robin",
                 "contact_count": 0, "created_at": now - timedelta(days=rng.randint(0, 365)),
                 "updated_at": now,
                 "next_follow_up": now + timedelta(days=rng.randint(-10, 10))} for i in range(scale * 200)]
        for start in range(0, len(rows), 5000):
            s.execute(insert(Lead), rows[start:start + 5000])
    total = scale * 200
    body = {"source": "phone", "first_name": "Bench", "last_name": "Lead", "passenger_count": 40,
            "origin": "Atlanta, GA", "destination": "Savannah, GA", "phone": "(555) 010-9999"}
    new = _timed(lambda i: c.post("/api/v1/leads", json={**body, "email": f"bench{i}@example.org"},
                                  headers=h).raise_for_status(), n)
    out = [f"- POST /api/v1/leads, round robin over 9 agents (client match over every client): "
           f"{_percentiles(new)}"]
    known = _timed(lambda i: c.post("/api/v1/leads", json={**body, "email": emails[i % len(emails)]},
                                    headers=h).raise_for_status(), min(n, len(emails)))
    out.append(f"- POST /api/v1/leads from an existing client's email: {_percentiles(known)}")
    listed = _timed(lambda i: c.get("/api/v1/leads", params={"sort": "score", "status": "open", "limit": 50},
                                    headers=h).raise_for_status(), n)
    out.append(f"- GET /api/v1/leads?status=open&sort=score page of 50 over {total} leads: "
               f"{_percentiles(listed)}")
    pipe = _timed(lambda i: c.get("/api/v1/leads/pipeline", headers=h).raise_for_status(), max(n // 5, 10))
    out.append(f"- GET /api/v1/leads/pipeline (counts, values, 100 cards a column) over {total}: "
               f"{_percentiles(pipe)}")
    due = _timed(lambda i: c.get("/api/v1/leads/follow-ups", headers=h).raise_for_status(), max(n // 5, 10))
    out.append(f"- GET /api/v1/leads/follow-ups over {total}: {_percentiles(due)}")
    board = _timed(lambda i: c.get("/api/v1/dashboard/sales-agent", headers=h).raise_for_status(),
                   max(n // 5, 10))
    out.append(f"- GET /api/v1/dashboard/sales-agent (everyone) over {total} leads: {_percentiles(board)}")
    agent = agents[0]
    mine = _timed(lambda i: c.get("/api/v1/dashboard/sales-agent", params={"agent_id": agent},
                                  headers=h).raise_for_status(), max(n // 5, 10))
    out.append(f"- GET /api/v1/dashboard/sales-agent?agent_id= (one agent's {total // 8} leads): "
               f"{_percentiles(mine)}")
    return out


def _messaging(c, h: dict, n: int) -> list[str]:
    """Sending from a template (render, preferences, tracking, outbox), the worker, the open pixel."""
    from sqlalchemy import select

    from coachway.core import db, outbox
    from coachway.notifications.models import EmailTracking
    from coachway.notifications.templates_seed import default_for

    body = {"template_key": "booking_confirmation", "to": "bench@example.com",
            "context": dict(default_for("booking_confirmation", "email").sample_context)}
    sent = _timed(lambda i: c.post("/api/v1/notifications/send", json=body, headers=h).raise_for_status(), n)
    out = [f"- POST /api/v1/notifications/send (render, preferences, tracking, outbox): {_percentiles(sent)}"]
    t = time.perf_counter()
    delivered = outbox.deliver_due(limit=100_000)
    took = time.perf_counter() - t
    out.append(f"- coachway worker, outbox backend: {delivered} emails in {took:.2f} s "
               f"({delivered / took:.0f} messages/s, one transaction each)")
    with db.transaction() as s:
        tokens = s.scalars(select(EmailTracking.tracking_token).limit(n)).all()
    pixel = _timed(lambda i: c.get(f"/t/o/{tokens[i % len(tokens)]}.gif").raise_for_status(), n)
    out.append(f"- GET /t/o/{{token}}.gif (open pixel, records the open): {_percentiles(pixel)}")
    return out


def _documents(c, h: dict, n: int) -> list[str]:
    """Uploading and downloading a 200 KB PDF through the API (local storage)."""
    from coachway.documents.pdf import text_pdf

    # Distinct files (a PDF comment of random bytes appended), so each upload is stored, not deduplicated.
    base = text_pdf("Charter agreement", ["Bench"])
    payloads = [base + b"%" + os.urandom(100_000).hex().encode() + b"\n" for _ in range(min(n, 100))]
    ids: list[int] = []

    def upload(i: int) -> None:
        r = c.post("/api/v1/documents", headers=h, data={"document_category": "contract", "client_id": "1"},
                   files={"file": (f"agreement-{i}.pdf", payloads[i], "application/pdf")})
        r.raise_for_status()
        ids.append(r.json()["id"])

    up = _timed(upload, len(payloads))
    down = _timed(lambda i: c.get(f"/api/v1/documents/{ids[i % len(ids)]}/download",
                                  headers=h).raise_for_status(), n)
    listing = _timed(lambda i: c.get("/api/v1/documents", params={"limit": 50},
                                     headers=h).raise_for_status(), n)
    return [f"- POST /api/v1/documents (200 KB PDF: sniff, SHA-256, store): {_percentiles(up)}",
            f"- GET /api/v1/documents/{{id}}/download (200 KB, hash re-checked): {_percentiles(down)}",
            f"- GET /api/v1/documents page of 50: {_percentiles(listing)}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--database-url", default=os.environ.get("COACHWAY_BENCH_DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    url, drop = _database(args.database_url)
    os.environ["COACHWAY_DATABASE_URL"] = url
    from coachway.config import get_settings

    get_settings.cache_clear()
    from fastapi.testclient import TestClient
    from sqlalchemy import func, select

    from coachway import demo
    from coachway.app import create_app
    from coachway.clients.models import Client
    from coachway.core import db
    from coachway.core.migrate import upgrade

    db.reset_engine()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    lines = []
    try:
        upgrade(url)
        t = time.perf_counter()
        demo.load(scale=args.scale)
        load_s = time.perf_counter() - t
        with db.transaction() as s:
            n_clients = s.scalar(select(func.count()).select_from(Client))
        lines.append(f"- demo-data --scale {args.scale}: {load_s:.1f} s for {n_clients} clients "
                     f"({n_clients / load_s:.0f} clients/s)")

        with TestClient(create_app()) as c:
            login = _timed(lambda i: c.post("/api/v1/auth/login", json={
                "email": "admin@coachway.demo", "password": demo.DEMO_PASSWORD}).raise_for_status(), 20)
            lines.append(f"- POST /api/v1/auth/login (argon2id verify): {_percentiles(login)}")
            token = c.post("/api/v1/auth/login", json={"email": "admin@coachway.demo",
                                                       "password": demo.DEMO_PASSWORD}).json()["access_token"]
            h = {"Authorization": f"Bearer {token}"}
            me = _timed(lambda i: c.get("/api/v1/auth/me", headers=h).raise_for_status(), args.requests)
            lines.append(f"- GET /api/v1/auth/me (token check + permissions): {_percentiles(me)}")
            page = _timed(lambda i: c.get("/api/v1/clients", params={"limit": 50, "offset": (i * 50) % max(
                n_clients - 50, 1)}, headers=h).raise_for_status(), args.requests)
            lines.append(f"- GET /api/v1/clients page of 50 over {n_clients}: {_percentiles(page)}")
            words = ["church", "school", "smith", "atlanta", "404", "tours", "univ", "group"]
            search = _timed(lambda i: c.get("/api/v1/clients", params={"q": words[i % len(words)]},
                                            headers=h).raise_for_status(), args.requests)
            lines.append(f"- GET /api/v1/clients?q=word over {n_clients}: {_percentiles(search)}")
            vehicles = _timed(lambda i: c.get("/api/v1/vehicles", params={"limit": 100},
                                              headers=h).raise_for_status(), args.requests)
            lines.append(f"- GET /api/v1/vehicles page of 100: {_percentiles(vehicles)}")
            lines += _charters(c, h, args.requests)
            lines += _pricing(c, h, args.requests)
            lines += _series(c, h)
            lines += _sales(c, h, args.requests, args.scale)
            lines += _messaging(c, h, args.requests)
            lines += _documents(c, h, args.requests)
    finally:
        db.reset_engine()
        drop()

    dialect = url.split(":", 1)[0].split("+")[0]
    header = (f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {dialect}, scale {args.scale}, "
              f"{os.cpu_count()} cores, Python {platform.python_version()}\n\n")
    text = header + "\n".join(lines) + "\n"
    print(text)
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nWritten by `make bench` (`python -m bench`). "
                           "Each run appends a section; figures are from this repository's dev machine.\n")
    with RESULTS.open("a") as f:
        f.write(text)


if __name__ == "__main__":
    main()
