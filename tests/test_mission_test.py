"""The mission test (issue 12): one test per defect a new user met, through the public API on the real corpus.

Every proposal here is our own, written for these tests (none is taken from the drafting eval set). The defects:
affordability 'insufficient evidence' beside 'within DHSC's existing departmental expenditure limit … No new
borrowing'; a question about running costs the proposal states; 'Fiscal headroom: unknown' beside 'cuts headroom
by £2bn'; scale read as '20 most deprived'; a reason saying Table 3.2 shifts Health spending towards hospitals; a
green 10-year test whose reason says costs beyond the programme are unknown; no overall verdict.
"""

from __future__ import annotations

import json
import re

import pytest

from assistant import Assistant
from assistant.__main__ import main
from assistant.schemas import MissionTestAssessment

HUBS = """Integrated Neighbourhood Care Centres (DHSC)

DHSC proposes to open 30 integrated neighbourhood care centres in the 15 local authorities with the lowest healthy \
life expectancy, bringing GPs, district nurses and social care staff together so that fewer older people are \
admitted to hospital.

The programme costs £900m over three years, £600m of it capital and £300m resource. It is met within DHSC's \
existing departmental expenditure limit. No new borrowing is needed and there is no effect on fiscal headroom. \
Running costs of £250m a year from year 4 will come from the NHS England baseline.

We expect a six-month gain in healthy life expectancy in those areas by 2034."""

PRISONS = """Prison Capacity Programme (Ministry of Justice)

The Ministry of Justice proposes 8,000 new prison places in four new prisons, at a capital cost of £2bn over five \
years, financed by new borrowing. This cuts headroom by £2bn.

The places will hold adult men serving long sentences. We expect overcrowding in local prisons to end by 2031."""

TUTORS = """Maths Catch-Up Tutors (Department for Education)

DfE proposes to fund 5,000 maths tutors for pupils in years 7 and 8 who are behind in numeracy, at £120m a year \
for three years, all resource, reprioritised from within DfE's existing budget.

We expect the share of pupils reaching the expected standard in mathematics to rise by 6 percentage points by 2029."""

FLOODS = """Coastal Flood Defences (Environment Agency)

The Environment Agency proposes £400m of capital over four years to rebuild 60 kilometres of sea walls, within the \
Defra capital budget, with no effect on fiscal headroom.

We expect 12,000 homes to be protected from a one-in-200-year flood by 2030."""

THIN = """Community Safety Grants (Home Office)

The Home Office seeks £40m for community safety grants.

The grants are expected to make neighbourhoods safer."""

PROPOSALS = {"hubs": HUBS, "prisons": PRISONS, "tutors": TUTORS, "floods": FLOODS, "thin": THIN}


@pytest.fixture(scope="module")
def assessed(corpus_assistant: Assistant) -> dict[str, MissionTestAssessment]:
    return {name: corpus_assistant.draft_mission_test(text) for name, text in PROPOSALS.items()}


def _criterion(result: MissionTestAssessment, name: str):  # type: ignore[no-untyped-def]
    return next(c for c in result.criteria if c.criterion == name)


# -- the defects, one by one ---------------------------------------------------------------------------
def test_within_the_departmental_limit_with_no_new_borrowing_is_affordable(assessed: dict[str, MissionTestAssessment]) -> None:
    result = assessed["hubs"]
    assert result.facts.funding is not None and result.facts.funding.value == "existing departmental limit"
    assert "DHSC's existing departmental expenditure limit" in result.facts.funding.words
    affordability = _criterion(result, "affordability")
    assert affordability.rating == "green", affordability.finding
    assert "existing departmental limit" in affordability.finding
    assert any(r.startswith("Funding: existing departmental limit") for r in affordability.reasons)


def test_stated_running_costs_are_read_and_never_asked_about(assessed: dict[str, MissionTestAssessment]) -> None:
    result = assessed["hubs"]
    running = result.facts.running_costs
    assert running is not None and running.value == 250e6 and running.words in HUBS
    assert result.facts.running_costs_from is not None and result.facts.running_costs_from.value == 4
    assert not [q for q in result.questions if re.search(r"running costs?|after year|headroom|funded", q, re.I)]
    assert {"running_costs", "running_costs_from", "funding", "headroom_effect"}.isdisjoint(result.unstated)


def test_a_stated_cut_to_headroom_is_read_not_called_unknown(assessed: dict[str, MissionTestAssessment]) -> None:
    result = assessed["prisons"]
    headroom = result.facts.headroom_effect
    assert headroom is not None and headroom.value == -2e9 and headroom.words == "cuts headroom by £2bn"
    affordability = _criterion(result, "affordability")
    assert affordability.rating == "red"
    assert "reduces fiscal headroom by £2bn" in affordability.finding
    assert not [r for r in affordability.reasons if "headroom" in r.lower() and ("unknown" in r or "not stated" in r)]
    assert not [q for q in result.questions if "headroom" in q.lower()]


def test_scale_is_what_is_bought_not_a_fragment(assessed: dict[str, MissionTestAssessment]) -> None:
    hubs = assessed["hubs"].facts
    assert hubs.scale_fact is not None and hubs.scale_fact.words.startswith("30 integrated neighbourhood care centres")
    assert hubs.scale == hubs.scale_fact.words, "the summary field carries the same words"
    assert assessed["prisons"].facts.scale == "8,000 new prison places in four new prisons"


def test_table_3_2_direction_is_respected(assessed: dict[str, MissionTestAssessment]) -> None:
    hubs, prisons = assessed["hubs"].prevention, assessed["prisons"].prevention
    assert (hubs.mission, hubs.fit) == ("Health", "aligned")
    assert not re.search(r"spends on [^,]*hospital", hubs.reason, re.I), hubs.reason
    assert "moves spending away from hospital" in hubs.reason, "keeping people out of hospital is the shift"
    assert hubs.shift.citations[0].locator.startswith("Table 3.2, Health row")
    assert (prisons.mission, prisons.fit) == ("Safety", "runs against")
    assert "away from (prisons)" in prisons.reason and "towards" not in prisons.reason
    assert assessed["prisons"].pie.could_count == "unlikely"


def test_no_rating_sits_beside_a_reason_that_contradicts_it(assessed: dict[str, MissionTestAssessment]) -> None:
    unknown = re.compile(r"\bunknown\b|not stated|cannot be judged|no outcome is dated", re.I)
    for name, result in assessed.items():
        for c in result.criteria:
            if c.rating == "green":
                assert not [r for r in c.reasons if unknown.search(r)], f"{name} {c.criterion}: {c.reasons}"
            if c.rating == "insufficient evidence":
                assert c.finding.startswith("Cannot be judged"), f"{name} {c.criterion}: {c.finding}"


def test_the_10_year_test_is_green_only_with_a_view_past_the_programme(assessed: dict[str, MissionTestAssessment]) -> None:
    assert _criterion(assessed["hubs"], "10-year test").rating == "green", "running costs stated, outcome dated"
    tutors = _criterion(assessed["tutors"], "10-year test")
    assert tutors.rating != "green", "three years of a yearly cost, nothing said after year 3"
    assert any("after year 3" in r for r in tutors.reasons)


def test_the_overall_verdict_comes_first_and_follows_the_criteria(assessed: dict[str, MissionTestAssessment]) -> None:
    for name, result in assessed.items():
        ratings = [c.rating for c in result.criteria]
        want = "red" if "red" in ratings else "green" if all(r == "green" for r in ratings) else "amber"
        assert result.overall == want, name
        assert result.verdict.startswith(f"{want.capitalize()}: "), result.verdict
    assert assessed["hubs"].verdict == ("Green: affordable within DHSC's limit, mission critical for Health and the "
                                        "10-year case is made")
    assert "not affordable" in assessed["prisons"].verdict


# -- what the mission test must keep doing -----------------------------------------------------------
def test_mission_critical_rests_on_the_core_metric(assessed: dict[str, MissionTestAssessment]) -> None:
    hubs = _criterion(assessed["hubs"], "mission critical")
    assert hubs.rating == "green" and "healthy life expectancy" in hubs.finding
    assert any(c.locator.startswith("Table 3.1, Health column, row 2") for c in hubs.evidence)
    tutors = _criterion(assessed["tutors"], "mission critical")
    assert tutors.rating == "green", "a quantified rise in mathematics: the Opportunity core metric"
    prisons = _criterion(assessed["prisons"], "mission critical")
    assert prisons.rating == "amber" and "no effect on its core metric" in prisons.finding


def test_a_proposal_bearing_on_no_mission_is_not_mission_critical(assessed: dict[str, MissionTestAssessment]) -> None:
    floods = assessed["floods"]
    assert floods.missions == [] and floods.prevention.mission is None
    assert _criterion(floods, "mission critical").rating == "red"
    assert floods.overall == "red" and "not mission critical" in floods.verdict
    assert floods.pie.could_count == "unlikely"


def test_pie_is_explained_in_one_sentence(assessed: dict[str, MissionTestAssessment]) -> None:
    for name, result in assessed.items():
        reason = result.pie.reason
        assert reason and not re.search(r"[.!?]\s+[A-Z]", reason), f"{name}: {reason}"


def test_each_missing_fact_becomes_a_question_and_none_repeats_a_stated_one(assessed: dict[str, MissionTestAssessment]) -> None:
    thin = assessed["thin"]
    assert _criterion(thin, "affordability").rating == "insufficient evidence"
    asked = " ".join(thin.questions).lower()
    for key, words in {"years": "how many years", "spend_type": "capital, resource", "funding": "how will it be funded",
                       "headroom_effect": "headroom", "serves": "who will it serve", "outcome_dates": "by when"}.items():
        assert key in thin.unstated and words in asked, key
    for name, result in assessed.items():
        stated = [f.words.lower() for f in result.facts.stated().values() if f is not None]
        assert not [q for q in result.questions if any(w in q.lower() for w in stated)], name


def test_criteria_stay_quoted_from_the_report(assessed: dict[str, MissionTestAssessment]) -> None:
    for result in assessed.values():
        for c in result.criteria:
            assert c.question.citations and not c.question.gap, c.criterion
            assert c.question.text.rstrip(".") in c.question.citations[0].quote, "the report's own words"


def test_cli_json_carries_the_new_fields(corpus_assistant: Assistant, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MISSION_DESK_DATA_DIR", str(corpus_assistant.settings.data_dir))
    monkeypatch.setenv("MISSION_DESK_MODELS_DIR", str(corpus_assistant.settings.model_cache_dir))
    assert main(["draft", "mission-test", "--proposal", PRISONS, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["overall"] == "red" and result["verdict"].startswith("Red: ")
    assert result["facts"]["headroom_effect"] == {"value": -2e9, "words": "cuts headroom by £2bn"}
    assert result["facts"]["cost"] == "£2bn" and result["facts"]["years"] == 5, "the summary fields are kept"


# -- issue 12 follow-up: rating rules that generalise beyond the first tune wordings --------------------
RESERVE = """Library Reading Rooms (Department for Culture)

The department bids for £30m of capital over two years for a new reading room at the national library, to be \
funded from the Treasury reserve.

Visiting readers and students would benefit. We expect visits to rise by a third by 2028."""

OPEN_ENDED = """Breakfast Clubs for Secondary Pupils (Department for Education)

DfE asks for £60m a year, all resource, for breakfast clubs in 900 secondary schools, drawn from DfE's school \
improvement fund.

Pupils in years 7 to 9 in deprived areas would attend. We expect the share of pupils reaching the expected \
standard in reading and mathematics to rise by 3 percentage points by 2030. The clubs continue indefinitely."""

PROBATION_BODY = """Remand Capacity (HM Prison and Probation Service)

HM Prison and Probation Service seeks £600m to build 1,000 new prison places at two existing sites, over three \
years, financed by new borrowing, which would cut fiscal headroom by £600m.

The places will hold men on remand. We expect overcrowding to end by 2029."""

FLEET = """Electric Vans for Council Fleets (Department for Transport)

The department proposes to replace 2,000 council vans with electric models over two years at a cost of £90m, funded \
within its existing capital budget with no effect on fiscal headroom. Running costs fall by £5m a year.

We expect fleet emissions to fall by 80 per cent by 2028."""


@pytest.fixture(scope="module")
def generalised(corpus_assistant: Assistant) -> dict[str, MissionTestAssessment]:
    texts = {"reserve": RESERVE, "open": OPEN_ENDED, "probation": PROBATION_BODY, "fleet": FLEET}
    return {name: corpus_assistant.draft_mission_test(text) for name, text in texts.items()}


def test_a_claim_on_the_reserve_is_not_green_without_a_headroom_effect(generalised: dict[str, MissionTestAssessment]) -> None:
    result = generalised["reserve"]
    assert result.facts.funding is not None and result.facts.funding.value == "other"
    assert _criterion(result, "affordability").rating == "amber"


def test_an_open_ended_yearly_cost_is_its_own_running_cost(generalised: dict[str, MissionTestAssessment]) -> None:
    result = generalised["open"]
    assert result.facts.running_costs is None and result.facts.years_fact is None
    assert _criterion(result, "affordability").rating == "green", "running costs are not an unknown here"
    assert _criterion(result, "10-year test").rating == "green"
    assert not [q for q in result.questions if "running costs" in q.lower()]


def test_a_body_name_is_not_what_the_money_buys(generalised: dict[str, MissionTestAssessment]) -> None:
    result = generalised["probation"]
    assert result.prevention.fit == "runs against", "'Probation Service' names who asks, not rehabilitation"
    assert result.pie.could_count == "unlikely"


def test_a_change_in_running_costs_is_a_partial_view_not_their_level(generalised: dict[str, MissionTestAssessment]) -> None:
    result = generalised["fleet"]
    assert result.facts.running_costs is None
    ten = _criterion(result, "10-year test")
    assert ten.rating == "amber" and any("change in running costs" in r for r in ten.reasons)


def test_quoted_reasons_stand_on_their_own(corpus_assistant: Assistant) -> None:
    """Issue 12: a reason quoting "This is most clearly seen in the reluctance to 'invest to save'…" leaves
    "This" undefined; every reason quoting the report must read on its own."""
    from assistant.text.standalone import stands_alone

    proposal = ("Prison places expansion (Ministry of Justice)\n\nMoJ seeks £2bn of capital over four years to build "
                "6,000 new adult prison places at three existing sites. The spending is financed by new borrowing "
                "and reduces fiscal headroom by £2bn.\n\nRunning costs of £300m a year will follow from 2029-30. "
                "We expect overcrowding to end by 2030.")
    test = corpus_assistant.draft_mission_test(proposal)
    assert test.prevention.fit == "runs against", "prisons are the side Table 3.2 moves Safety spending from"
    quoted = [r.removeprefix("The report: ") for c in test.criteria for r in c.reasons if r.startswith("The report: ")]
    assert quoted, "the 10-year test quotes the report"
    assert all(stands_alone(q) for q in quoted), quoted


# -- drafting-tune-v3: a mix of the department's own means is within its limit -----------------------------
BRIDGED = """Falls Prevention Services (DHSC)

DHSC proposes community falls services in all 42 integrated care systems, £150m a year for three years, all resource. \
Savings in emergency admissions are expected to cover the cost from 2027-28; until then DHSC will meet the gap from \
within its existing limit. There is no effect on headroom. From year four, integrated care boards will fund the \
service at about £200m a year.

The department expects the programme to cut hip fractures among participants by a fifth by 2030."""

BID = """Falls Prevention Services (DHSC)

DHSC proposes community falls services in all 42 integrated care systems, £150m a year for three years, all resource. \
DHSC will reprioritise £50m a year from its central budgets and will bid for the remainder at the Spending Review. \
From year four, integrated care boards will fund the service at about £200m a year.

The department expects the programme to cut hip fractures among participants by a fifth by 2030."""


def test_savings_bridged_by_the_departments_limit_are_affordable_but_new_money_is_not(corpus_assistant: Assistant) -> None:
    bridged, bid = corpus_assistant.draft_mission_test(BRIDGED), corpus_assistant.draft_mission_test(BID)
    assert bridged.facts.funding is not None and bridged.facts.funding.value == "mixed"
    assert _criterion(bridged, "affordability").rating == "green", _criterion(bridged, "affordability").finding
    assert bid.facts.funding is not None and bid.facts.funding.value == "mixed"
    assert _criterion(bid, "affordability").rating == "amber", "part of it is a claim on new money"


# -- drafting-tune-v3: the core metric in other words, and a hedged effect -----------------------------------
LEAVERS = """Resettlement Hubs for Prison Leavers (MoJ)

Who benefits: around 40,000 prison leavers a year.

HMPPS proposes to open 45 resettlement hubs at £64m a year for three years, all RDEL, funded from within the \
Ministry of Justice's existing departmental expenditure limit, with no effect on headroom. After 2027-28 the hubs \
would continue at £58m a year, paid for by HMPPS from its community budget.

The hubs are expected to cut proven reoffending among users by 8 percentage points by 2029-30."""


def test_reoffending_is_crime_and_a_hedged_effect_is_not_stated(corpus_assistant: Assistant) -> None:
    firm = corpus_assistant.draft_mission_test(LEAVERS)
    assert firm.prevention.fit != "runs against", "'Who benefits:' is a label, not the benefits bill"
    assert _criterion(firm, "mission critical").rating == "green", _criterion(firm, "mission critical").finding
    hedged = corpus_assistant.draft_mission_test(LEAVERS.replace("are expected to cut", "could cut").replace(
        "by 8 percentage points", "by up to 8 percentage points"))
    assert _criterion(hedged, "mission critical").rating == "amber", "'could … up to' is not a stated effect"


def test_stated_facts_read_as_an_adviser_would_say_them(corpus_assistant: Assistant) -> None:
    """'Running costs from: 4' and 'Effect on fiscal headroom: 0' were the stored values, not what the proposal says."""
    from assistant.export import layout

    shown = "\n".join(b.text for b in layout(corpus_assistant.draft_mission_test(BRIDGED)).blocks)
    assert "Running costs from: year 4 (“From year four”)" in shown
    assert "Effect on fiscal headroom: none (“no effect on headroom”)" in shown
    shown = "\n".join(b.text for b in layout(corpus_assistant.draft_mission_test(PROBATION_BODY)).blocks)
    assert "Effect on fiscal headroom: £600m less" in shown


def test_a_total_known_from_every_years_amount_is_not_asked_for(corpus_assistant: Assistant) -> None:
    """'£150m in 2025-26, £180m in 2026-27 and £210m in 2027-28' over three years: the total is their sum, so the
    department is not asked for it (it was, under 'Questions for the sponsoring department')."""
    result = corpus_assistant.draft_mission_test(BRIDGED.replace("£150m a year for three years",
                                                                 "for three years: £150m in 2025-26, £180m in "
                                                                 "2026-27 and £210m in 2027-28"))
    assert result.facts.cost_per_year is not None and result.facts.years_fact is not None
    assert not [q for q in result.questions if "total cost" in q.lower()], result.questions
    assert "total_cost" not in result.unstated
    partial = corpus_assistant.draft_mission_test(BRIDGED.replace("£150m a year for three years",
                                                                  "for three years, rising from £150m in 2025-26 "
                                                                  "to £210m in 2027-28"))
    assert [q for q in partial.questions if "total cost" in q.lower()], "two of three years' amounts: ask"


# -- drafting-tune-v4: headed sections, wholly new money, dated outcomes with nothing after ---------------------
LINK_WORKERS = """Social Prescribing Link Workers (DHSC)

Background
GPs say many appointments are taken up by problems that are mainly social.

The ask
DHSC asks ministers to agree a network of 1,200 link workers, one in every primary care network in England.

Costs
£48m a year for four years, 2026-27 to 2029-30, all RDEL, reprioritised from an underspent scheme, with no effect on \
headroom. From 2030-31 integrated care boards will meet the cost, estimated at £45m a year.

Benefits
The evaluation projects a gain of four months in healthy life expectancy among people referred by 2034."""


def test_a_section_heading_is_not_an_item_of_the_shifts_table(corpus_assistant: Assistant) -> None:
    test = corpus_assistant.draft_mission_test(LINK_WORKERS)
    assert test.prevention.mission == "Health", "the heading 'Benefits' is not the benefits bill (Security)"
    assert _criterion(test, "mission critical").rating == "green", _criterion(test, "mission critical").finding
    assert _criterion(test, "10-year test").rating == "green", _criterion(test, "10-year test").finding


NEW_MONEY = """Early Language Places (DfE)

Proposal: places for 4,000 children in 200 nursery settings
Total cost: £115m over three years (2026-27 to 2028-29)
Funding: new money, to be sought at the Spending Review
Headroom: -£115m over the period
Expected outcome: a 10 percentage point rise in the share of these children meeting the expected standard, by 2031"""


def test_wholly_new_money_that_costs_headroom_is_red(corpus_assistant: Assistant) -> None:
    test = corpus_assistant.draft_mission_test(NEW_MONEY)
    assert test.facts.funding is not None and test.facts.funding.value == "other"
    assert test.facts.headroom_effect is not None and test.facts.headroom_effect.value == -115_000_000.0
    assert _criterion(test, "affordability").rating == "red", _criterion(test, "affordability").finding
    ten = _criterion(test, "10-year test")
    assert ten.rating == "amber", "a dated outcome with nothing said about costs after 2028-29 is half a case"
    assert "nothing is said about costs" in ten.finding


def test_a_verb_form_is_not_an_item_of_the_shifts_table(corpus_assistant: Assistant) -> None:
    proposal = ("Care Worker Pay (DHSC)\n\nThe first stage would raise the minimum rate for care workers by £1.50 an hour, "
                "benefiting the roughly 650,000 direct care workers paid within that margin. The cost would be around "
                "£1.1bn a year. We expect vacancies to fall to 70,000 by 2029.")
    test = corpus_assistant.draft_mission_test(proposal)
    reasons = [r for c in test.criteria for r in c.reasons]
    assert not any("benefiting" in r for r in reasons), reasons


def test_a_spreadsheet_return_reads_as_an_adviser_would_say_it(corpus_assistant: Assistant) -> None:
    """Issue 12 (drafting-tune-v6's formats): a return whose rows give bare figures in a stated unit. The cost reads
    as money ('£170m', not '170'), the rows keep their lines on the page, and the running costs are read."""
    from assistant.export import block_lines, layout

    proposal = ("SR25 RETURN - DfE - TAB 3\n\nRow 3.01 | Proposal | Attendance mentors: 2,000 mentors in secondary schools\n"
                "Row 3.04 | 2026-27 (£m) | 40\nRow 3.05 | 2027-28 (£m) | 60\nRow 3.06 | 2028-29 (£m) | 70\n"
                "Row 3.07 | Total SR period (£m) | 170\nRow 3.09 | Net headroom impact | 0\n"
                "Row 3.10 | Steady-state cost from 2029-30 (£m a year) | 70, within DfE baseline")
    out = corpus_assistant.draft_mission_test(proposal)
    facts = out.facts.stated()
    assert facts["total_cost"] and facts["total_cost"].value == 170e6
    assert facts["running_costs"] and facts["running_costs"].value == 70e6
    assert facts["headroom_effect"] and facts["headroom_effect"].value == 0
    affordability = next(c for c in out.criteria if c.criterion == "affordability")
    assert any(r.startswith("Cost: £170m") for r in affordability.reasons), affordability.reasons
    lines = block_lines(layout(out))
    assert "Row 3.04 | 2026-27 (£m) | 40" in lines and "Row 3.05 | 2027-28 (£m) | 60" in lines
