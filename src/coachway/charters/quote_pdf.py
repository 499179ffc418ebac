"""The quote as a PDF (fpdf2): company, quote number, client, trip, itinerary in the hub's local time,
vehicles, price lines, total, deposit and balance, terms and how long the price is held.

`build` takes the client's view of a quote (charters.service.delivery) and returns the file's bytes. Tables
break across pages by themselves, with their heading repeated, so a long itinerary stays readable.
"""

import unicodedata
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from coachway.core import clock

ENCODING = "windows-1252"
FONT = "Helvetica"
# Characters the standard PDF fonts lack, in their closest plain spelling.
_PLAIN = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
          "\u2026": "...", "\u00a0": " "}
KINDS = {"vehicle": "Vehicles", "deadhead": "Deadhead", "second_driver": "Second driver",
         "overnight": "Driver lodging", "amenity": "Amenity", "modifier": "Adjustment", "promo": "Promo code",
         "fuel": "Fuel surcharge", "gratuity": "Gratuity"}


def text(value: Any) -> str:
    """Any value as text the PDF's standard font can show (other characters become their nearest ASCII
    spelling, or '?')."""
    if value is None:
        return ""
    out = []
    for ch in str(value):
        if ch in ("\n", "\t"):
            out.append(" " if ch == "\t" else ch)
            continue
        if not ch.isprintable():
            continue
        ch = _PLAIN.get(ch, ch)
        try:
            ch.encode(ENCODING)
        except UnicodeEncodeError:
            ch = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode() or "?"
        out.append(ch)
    return "".join(out)


def money(value: Any) -> str:
    """1250.5 -> $1,250.50; None -> an empty cell."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def long_date(value: date | None) -> str:
    """Saturday, May 17, 2025."""
    return f"{value:%A, %B} {value.day}, {value.year}" if value else ""


def clock_time(value: time | datetime | None) -> str:
    """7:30 AM."""
    return f"{value:%I:%M %p}".lstrip("0") if value else ""


def local_moment(value: datetime | None) -> str:
    """Sat May 17, 7:30 AM (already in the hub's timezone)."""
    return f"{value:%a %b} {value.day}, {clock_time(value)}" if value else ""


class _QuoteDocument(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.core_fonts_encoding = ENCODING
        self.footer_text = footer_text
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, size=8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, text(f"{self.footer_text} - page {self.page_no()} of {{nb}}"), align="C")
        self.set_text_color(0, 0, 0)


def _heading(pdf: FPDF, title: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, style="B", size=12)
    pdf.cell(0, 7, text(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)


def _line(pdf: FPDF, value: str, *, size: int = 10, style: str = "", height: float = 5) -> None:
    pdf.set_font(FONT, style=style, size=size)
    pdf.multi_cell(0, height, text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _facts(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    pdf.set_font(FONT, size=10)
    with pdf.table(col_widths=(45, 139), first_row_as_headings=False, borders_layout="NONE",
                   line_height=5.5, text_align=("LEFT", "LEFT")) as table:
        for label, value in rows:
            row = table.row()
            row.cell(text(label))
            row.cell(text(value))


def _table(pdf: FPDF, headings: tuple[str, ...], widths: tuple[int, ...], rows: list[tuple[str, ...]],
           align: tuple[str, ...]) -> None:
    pdf.set_font(FONT, size=9)
    with pdf.table(col_widths=widths, line_height=5, text_align=align,
                   borders_layout="HORIZONTAL_LINES", repeat_headings=1) as table:
        head = table.row()
        for heading in headings:
            head.cell(text(heading))
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(text(value))


def _header(pdf: FPDF, view: dict[str, Any], issued: date) -> None:
    company = view["company"]
    top = pdf.get_y()
    pdf.set_font(FONT, style="B", size=16)
    pdf.cell(110, 8, text(company["name"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    for value in (company["address"], company["phone"], company["email"]):
        if value:
            pdf.cell(110, 4.5, text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bottom = pdf.get_y()
    pdf.set_xy(130, top)
    pdf.set_font(FONT, style="B", size=16)
    pdf.cell(0, 8, "QUOTE", align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, style="B", size=11)
    pdf.set_x(130)
    pdf.cell(0, 6, text(view["quote_number"]), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    pdf.set_x(130)
    pdf.cell(0, 4.5, text(f"Issued {long_date(issued)}"), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    if view.get("valid_until"):
        pdf.set_x(130)
        pdf.cell(0, 4.5, text(f"Valid until {long_date(_hub_date(view, view['valid_until']))}"), align="R",
                 new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_y(max(bottom, pdf.get_y()) + 4)


def _hub_date(view: dict[str, Any], moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(view["hub"]["timezone"])).date()


def _trip(pdf: FPDF, view: dict[str, Any]) -> None:
    _heading(pdf, "Prepared for")
    client = view["client"]
    _facts(pdf, [("Client", client["name"])] + ([("Email", client["email"])] if client.get("email") else []))
    _heading(pdf, "Trip")
    rows = [("Date", long_date(view["trip_date"])),
            ("Trip type", view["trip_type"].replace("_", " ").capitalize()),
            ("Passengers", str(view["passenger_count"]))]
    if view.get("event_type"):
        rows.append(("Event", view["event_type"]))
    if view.get("pickup_time"):
        rows.append(("Pickup", f"{clock_time(view['pickup_time'])} ({view['hub']['timezone']})"))
    if view.get("end_local"):
        rows.append(("Returns", local_moment(view["end_local"])))
    if view.get("luggage_pieces"):
        rows.append(("Luggage", f"{view['luggage_pieces']} pieces"))
    rows.append(("Departs from", f"{view['hub']['name']} ({view['hub']['code']})"))
    _facts(pdf, rows)


def _itinerary(pdf: FPDF, view: dict[str, Any]) -> None:
    _heading(pdf, "Itinerary")
    stops = view["stops"]
    if not stops:
        _line(pdf, "The itinerary is still to be confirmed.")
        return
    _line(pdf, f"Times are local to {view['hub']['name']} ({view['hub']['timezone']}).", size=8)
    rows = []
    for stop in stops:
        place = stop["location_name"] or ""
        if stop["address"] and stop["address"] != place:
            place = f"{place}\n{stop['address']}" if place else stop["address"]
        rows.append((str(stop["sequence"]), stop["stop_type"].capitalize(), place,
                     local_moment(stop["arrival"]), local_moment(stop["departure"])))
    _table(pdf, ("#", "Stop", "Place", "Arrive", "Depart"), (8, 20, 86, 35, 35), rows,
           ("LEFT", "LEFT", "LEFT", "LEFT", "LEFT"))


def _vehicles(pdf: FPDF, view: dict[str, Any]) -> None:
    _heading(pdf, "Vehicles")
    rows = [(v["name"] or v["code"] or "", str(v["capacity"] or ""), str(v["quantity"]))
            for v in view["vehicles"]]
    for amenity in view["amenities"]:
        rows.append((f"{amenity['name']} (amenity)", "", str(amenity["quantity"])))
    _table(pdf, ("Vehicle or amenity", "Seats", "Quantity"), (124, 30, 30), rows, ("LEFT", "RIGHT", "RIGHT"))


def _price(pdf: FPDF, view: dict[str, Any]) -> None:
    _heading(pdf, "Price")
    breakdown = view.get("breakdown") or {}
    rows = [(line["label"], line.get("detail") or "", money(line["amount"]))
            for line in breakdown.get("lines", ())]
    _table(pdf, ("Item", "How it is priced", "Amount"), (62, 92, 30), rows, ("LEFT", "LEFT", "RIGHT"))
    pdf.ln(2)
    totals = [("Total", money(view["quoted_price"]), "B"),
              ("Deposit due to book", money(view["deposit_amount"]), ""),
              ("Balance", money(view["balance_amount"]), "")]
    for label, amount, style in totals:
        pdf.set_font(FONT, style=style, size=11 if style else 10)
        pdf.cell(154, 6, text(label), align="R")
        pdf.cell(30, 6, text(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if breakdown.get("promo_code"):
        _line(pdf, f"Promo code {breakdown['promo_code']} applied.", size=9)


def _closing(pdf: FPDF, view: dict[str, Any]) -> None:
    if view.get("notes"):
        _heading(pdf, "Notes")
        _line(pdf, view["notes"])
    _heading(pdf, "Terms")
    if view.get("valid_until"):
        _line(pdf, f"This price is held until {long_date(_hub_date(view, view['valid_until']))}.")
    elif view.get("valid_days"):
        _line(pdf, f"This price is held for {view['valid_days']} days from the day the quote is sent.")
    if view.get("terms"):
        _line(pdf, view["terms"], size=9, height=4.5)
    agent = view.get("agent")
    company = view["company"]
    contact = agent or {"name": company["name"], "email": company["email"], "phone": company["phone"]}
    pdf.ln(3)
    reach = ", ".join(v for v in (contact.get("phone"), contact.get("email")) if v)
    _line(pdf, f"Questions? Contact {contact['name']}{': ' + reach if reach else ''}.", size=9)


def build(view: dict[str, Any], *, issued: date | None = None) -> bytes:
    """The PDF of a quote view (the client's: no vendor cost or margin is printed)."""
    issued = issued or clock.now().date()
    pdf = _QuoteDocument(f"{view['company']['name']} quote {view['quote_number']}")
    pdf.set_title(text(f"Quote {view['quote_number']}"))
    pdf.set_author(text(view["company"]["name"]))
    pdf.set_creation_date(clock.now())
    pdf.add_page()
    _header(pdf, view, issued)
    _trip(pdf, view)
    _itinerary(pdf, view)
    _vehicles(pdf, view)
    _price(pdf, view)
    _closing(pdf, view)
    return bytes(pdf.output())
