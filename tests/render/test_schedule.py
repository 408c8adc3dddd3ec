"""The schedule page: the month's agenda and the year's calendar, drawn from the schedule's
rules (a hand-built schedule, so each expected row and mark is worked out below)."""

from __future__ import annotations

from lxml import html as lxml_html

from pmf_lib.config import Area, Config, Council, DataSources
from pmf_lib.render.schedule import schedule_agenda, schedule_calendar
from pmf_lib.schedule import Item, Meeting, ReportEntry, Schedule


def _config(audience="internal"):
    # The council supplies placement costs (the high-cost placements review's data).
    return Config(
        council=Council(code=938, name="T"),
        data=DataSources(
            ssda903="a",
            cin_census="b",
            population="p.csv",
            local={"placement_costs": ["costs.csv"]},
        ),
        areas={"lado": Area(title="LADO", kpis=["referrals_count"])},
        audience=audience,
    )


SCHEDULE = Schedule(
    meetings={
        "dlt": Meeting(title="Directorate Leadership Team", week=3, day="Tuesday"),
        "cabinet": Meeting(title="Cabinet", week=4),
    },
    reports=[
        ReportEntry(kind="dashboard", title="Dashboard <b>", frequency="monthly", owner="HoP"),
        ReportEntry(
            kind="high_cost_placements",
            title="High-cost placements",
            frequency="bi-monthly",
            meeting="dlt",
            audience=["internal"],
            owner="Finance",
        ),
        ReportEntry(kind="quarterly", area="lado", title="LADO quarterly", frequency="quarterly"),
        ReportEntry(kind="quarterly", area="adoption", title="Adoption", frequency="quarterly"),
    ],
    items=[Item(title="Target review", frequency="six-monthly", meeting="cabinet")],
)


def _doc(h):
    return lxml_html.fragment_fromstring(h.data, create_parent="div")


def _calendar(audience="internal", month="2026-10"):
    doc = _doc(schedule_calendar(SCHEDULE, _config(audience), month))
    rows = {}
    for tr in doc.xpath("//tbody/tr[th[@scope='row']]"):
        title = tr.xpath("./th")[0].text
        marks = "".join("x" if td.xpath(".//span[@aria-hidden]") else "." for td in tr[3:])
        rows[title] = marks
    return doc, rows


def test_the_calendar_marks_each_due_month_from_april():
    doc, rows = _calendar()
    heads = [" ".join(th.itertext()).split()[0] for th in doc.xpath("//thead/tr/th")[3:]]
    assert heads == "Apr May Jun Jul Aug Sep Oct Nov Dec Jan Feb Mar".split()
    # Columns April..March. Monthly: all; bi-monthly from February: Apr, Jun, Aug, Oct, Dec,
    # Feb; quarterly: Jun, Sep, Dec, Mar; six-monthly: Sep, Mar.
    assert rows == {
        "Dashboard <b>": "xxxxxxxxxxxx",
        "High-cost placements": "x.x.x.x.x.x.",
        "LADO quarterly": "..x..x..x..x",
        "Target review": ".....x.....x",
        "Adoption": "..x..x..x..x",
    }
    # Each mark is a word for screen readers.
    n = doc.xpath("count(//td[span[@aria-hidden]]/span[.='due'])")
    assert n == 12 + 6 + 4 + 2 + 4  # the rows above
    # The council has no area adoption: its report is listed as not published, with the
    # reason, after the reports and the business the council has.
    groups = [th.text for th in doc.xpath("//tbody/tr/th[@scope='rowgroup']")]
    assert groups == [
        "Reports pmf publishes",
        "Other business the schedule sets (no report of its own)",
        "In the schedule but not published for this council",
    ]
    last = doc.xpath("//tbody")[-1]
    assert [tr.xpath("./th")[0].text for tr in last.xpath("./tr[th[@scope='row']]")] == ["Adoption"]
    assert "Not published: the config has no area 'adoption'" in last.text_content()
    # This month's column is named.
    current = doc.xpath("//thead//th[contains(@class, 'pmf-sched-current')]")
    assert len(current) == 1 and "Oct" in current[0].text_content()
    assert "(this month)" in current[0].text_content()


def test_the_members_calendar_and_agenda_leave_out_internal_only_reports():
    _, rows = _calendar("members")
    assert "High-cost placements" not in rows and "Dashboard <b>" in rows
    agenda = schedule_agenda(SCHEDULE, _config("members"), "2026-10").data
    assert "High-cost placements" not in agenda and "members edition" in agenda


def test_the_agenda_lists_each_weeks_meetings_with_their_reports():
    # October 2026: published Thu 5 November (week 1); week 3 from Thu 19, DLT on Tue 24.
    doc = _doc(schedule_agenda(SCHEDULE, _config(), "2026-10"))
    weeks = doc.xpath("//div[@class='pmf-sched-week']")
    assert [w.xpath("./h3")[0].text for w in weeks] == [
        "Week 1 (from Thursday 5 November 2026)",
        "Week 2 (from Thursday 12 November 2026)",
        "Week 3 (from Thursday 19 November 2026)",
        "Week 4 (from Thursday 26 November 2026)",
    ]
    meetings = [[h.text for h in w.xpath(".//h4")] for w in weeks]
    assert meetings == [
        ["Not at a meeting"],
        [],
        ["Directorate Leadership Team, Tuesday 24 November 2026"],
        [],  # Cabinet's target review is due in March and September only
    ]
    items = [li.text_content() for li in weeks[2].xpath(".//li")]
    assert items == ["High-cost placements (owner: Finance; audience: Internal)"]
    assert "Nothing is scheduled this week." in weeks[1].text_content()


def test_text_is_escaped_and_there_is_no_script():
    h = schedule_calendar(SCHEDULE, _config(), "2026-10").data
    assert "Dashboard &lt;b&gt;" in h and "<script" not in h


def test_with_no_month_the_page_has_no_agenda_and_no_year():
    h = schedule_agenda(SCHEDULE, _config(), "latest").data
    assert "no agenda" in h and "Week 1" not in h
    doc, rows = _calendar(month="latest")
    assert doc.xpath("//thead//th[contains(@class, 'pmf-sched-current')]") == []
    assert len(rows) == 5 and "2026" not in doc.xpath("//thead")[0].text_content()
