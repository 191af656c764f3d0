"""Reading a spending proposal (issue 12): one fast test per rule of the text toolkit (assistant/text/quantities.py,
lexicon.toml [proposal]) and of the proposal reader (assistant/drafting/proposal.py). No index, no model.

The proposals here are our own, written for these tests; none is taken from the drafting eval set.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from assistant.drafting.proposal import read, read_proposal
from assistant.schemas import PROPOSAL_FACT_KEYS, ProposalFacts
from assistant.text.quantities import amounts, counts, dates, durations, number_word, quantified, unit_amounts


# -- the text toolkit: money, durations, dates, counts ---------------------------------------------
@pytest.mark.parametrize(("text", "pounds", "per_year", "per_unit"), [
    ("£1.2bn", 1.2e9, False, False),
    ("GBP 2bn over four years", 2e9, False, False),
    ("£300 million", 3e8, False, False),
    ("£350m a year from year 4", 3.5e8, True, False),
    ("£75m per annum", 7.5e7, True, False),
    ("£5,000 per pupil", 5000.0, False, True),
    ("a bid for 45 million pounds", 4.5e7, False, False),
    ("2 billion pounds over ten years", 2e9, False, False),
    ("a yearly budget of about £12m", 1.2e7, True, False),
    ("Annual running cost: £9m", 9e6, True, False),
    ("Each bed will cost around £90,000", 9e4, False, True),
    ("£3 a week for every tenant", 3.0, False, True),
], ids=["bn", "GBP", "million", "a-year", "per-annum", "per-pupil", "million-pounds", "billion-pounds",
        "annual-before", "annual-label", "each-before", "a-week"])
def test_amounts(text: str, pounds: float, per_year: bool, per_unit: bool) -> None:
    [a] = amounts(text)
    assert (a.pounds, a.per_year, a.per_unit) == (pounds, per_year, per_unit)
    assert text[a.start:a.end] == a.text


@pytest.mark.parametrize(("text", "years", "kind"), [
    ("£80m over three years", 3, "span"),
    ("for a further twelve months", 1, "span"),
    ("over the next 18 months", 2, "span"),
    ("a ten-year programme", 10, "adjective"),
    ("from 2025-26 to 2027-28", 3, "range"),
    ("from April 2025 to March 2026", 1, "range"),
    ("a one-off grant in 2026-27", 1, "single"),
    ("a one-off £20m payment", 1, "single"),
    ("costs £40m in the 2027-28 financial year", 1, "single"),
    ("the clinics will open in the spring of 2027 only", 1, "single"),
], ids=["span", "months", "months-round-up", "adjective", "financial-years", "months-range", "single-year", "one-off",
        "the-financial-year", "a-year-only"])
def test_durations(text: str, years: int, kind: str) -> None:
    [d] = durations(text)
    assert (d.years, d.kind) == (years, kind)
    assert text[d.start:d.end] == d.text


def test_ages_are_not_durations() -> None:
    assert durations("open to 16-year-olds and 17-year-olds") == []


def test_a_calendar_year_alone_is_a_date_not_a_duration() -> None:
    assert durations("The scheme opens in 2027 and reports in 2029.") == []


@pytest.mark.parametrize(("text", "values"), [
    ("by March 2027", ["2027-03"]),
    ("by 2028-29", ["2028-29"]),
    ("by 2025/26", ["2025-26"]),
    ("by 2030 and 2035 respectively.", ["2030", "2035"]),
    ("2,030 places at £2030m", []),
    ("no family in B&B for more than six weeks by 31 March 2027.", ["2027-03"]),
], ids=["month", "financial-year", "slash", "years", "not-figures", "day-month-year"])
def test_dates(text: str, values: list[str]) -> None:
    assert [d.value for d in dates(text)] == values


@pytest.mark.parametrize(("text", "found"), [
    ("add 2,000 acute beds", [2000.0]),
    ("around 1.1 million patients", [1.1e6]),
    ("keep two production lines open", [2.0]),
    ("a 15 per cent fall", []),
    ("the 4-hour standard", []),
    ("people aged 10 to 24", []),
    ("18- to 21-year-olds", []),
    ("from year 4, for pupils in years 5 and 6", []),
    ("a level 3 qualification", []),
    ("£2bn in 2030", []),
    ("the two-child limit", []),
    ("one-to-one tuition", []),
], ids=["thousands", "million", "word", "percent", "hours", "ages", "age-range", "labels", "level", "money-year",
        "hyphen-word", "one"])
def test_counts(text: str, found: list[float]) -> None:
    assert [c.value for c in counts(text)] == found


def test_number_words() -> None:
    assert (number_word("twelve"), number_word("fifty"), number_word("12"), number_word("several")) == (12, 50, 12, None)


@pytest.mark.parametrize(("text", "expected"), [
    ("a 15 per cent fall in admissions", True),
    ("halve waiting times", True),
    ("90,000 fewer children in poverty", True),
    ("faster reporting by 2030", False),
    ("improved attendance", False),
], ids=["percent", "word", "count", "date-only", "none"])
def test_quantified(text: str, expected: bool) -> None:
    assert quantified(text) is expected


@pytest.mark.parametrize(("text", "found"), [
    ("Row 4.10 | 2026-27 (£m) | 55", [(55e6, False)]),
    ("Steady-state cost from 2029-30 (£m a year) | 90, within baseline", [(90e6, True)]),
    ("Costing (£bn, resource DEL)\n0.35 in 2026-27, 0.80 in 2027-28", [(0.35e9, False), (0.8e9, False)]),
    ("BOX 4 - Annual cost (£m)\n62.0 in each of 2026-27 and 2027-28", [(62e6, True)]),
    ("Costs (£000s): 1,500, falling by 10 per cent", [(1.5e6, False)]),
    ("It costs 55 in 2026-27.", []),
], ids=["row", "a-year-unit", "bn-heading", "annual-label", "thousands-not-percent", "no-unit"])
def test_bare_figures_after_a_stated_unit_are_amounts(text: str, found: list[tuple[float, bool]]) -> None:
    assert [(a.pounds, a.per_year) for a in unit_amounts(text)] == found


# -- the reader: each fact, by rule ------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    id: str
    text: str
    key: str
    value: object  # None: the fact is not stated
    words: str | None = None  # part of the words the fact was read from


def _two(first: str, second: str) -> str:
    return f"Test Proposal (Department)\n\n{first}\n\n{second}"


CASES = [
    # cost: the total, the yearly cost and a ramp; components and running costs are neither
    Case("total-over-years", _two("The scheme costs £640m over four years, of which £40m is capital.", "Fine."),
         "total_cost", 6.4e8, "£640m over four years"),
    Case("component-not-total", _two("The scheme costs £640m over four years, of which £40m is capital.", "Fine."),
         "cost_per_year", None),
    Case("yearly", _two("We seek £90m a year for five years.", "Fine."), "cost_per_year", 9e7, "£90m a year"),
    Case("no-total-summed", _two("We seek £90m a year for five years.", "Fine."), "total_cost", None),
    Case("ramp", _two("Spending rises from £20m in 2026-27 to £60m in 2028-29.", "Fine."), "cost_per_year", [2e7, 6e7]),
    Case("running-not-yearly", _two("It costs £1bn over five years. Running costs of £80m a year follow from year 6.",
                                    "Fine."), "cost_per_year", None),
    Case("headroom-not-cost", _two("The £300m plan would cut fiscal headroom by £300m.", "Fine."), "total_cost", 3e8),
    # capital or resource
    Case("both", _two("It costs £500m: £350m capital and £150m resource.", "Fine."), "spend_type", "both"),
    Case("resource-only", _two("The £30m a year is all resource.", "Fine."), "spend_type", "resource"),
    Case("capital-budget-is-a-limit", _two("The £30m grant comes from within the department's capital budget "
                                           "by reprioritising.", "Fine."), "spend_type", None),
    # years: with the cost; not an evaluation's
    Case("years-with-cost", _two("The pilot costs £12m over two years.", "Outcomes will be tracked for ten years."),
         "years", 2),
    Case("one-off-year", _two("A one-off grant of £45m in 2026-27 buys new vans.", "Fine."), "years", 1),
    Case("evaluation-years-ignored", _two("We seek £12m.", "An evaluation will track outcomes for ten years."),
         "years", None),
    # running costs
    Case("running-amount", _two("It costs £1bn over five years. Running costs of £80m a year follow from year 6.",
                                "Fine."), "running_costs", 8e7, "Running costs of £80m a year"),
    Case("running-from", _two("It costs £1bn over five years. Running costs of £80m a year follow from year 6.",
                              "Fine."), "running_costs_from", 6),
    Case("running-zero", _two("It costs £10m over two years. There are no ongoing costs.", "Fine."), "running_costs", 0.0),
    Case("running-to-run", _two("It costs £30m of capital. Once open, the centre will cost about £4m a year to run.",
                                "Fine."), "running_costs", 4e6),
    Case("unit-cost-to-run", _two("It costs £30m of capital. Each bed will cost £60,000 a year to run.", "Fine."),
         "running_costs", None),
    Case("running-after-fy", _two("It costs £50m over three years. Licences then cost £5m a year after 2028-29.", "Fine."),
         "running_costs_from", "2029-30"),
    # funding
    Case("existing-limit", _two("It is met within the Department's existing departmental expenditure limit. No new "
                                "borrowing is required.", "Fine."), "funding", "existing departmental limit"),
    Case("borrowing", _two("It would be financed by new borrowing.", "Fine."), "funding", "new borrowing"),
    Case("borrowing-outside-limit", _two("It is financed by borrowing outside the department's current capital limit.",
                                         "Fine."), "funding", "new borrowing"),
    Case("savings", _two("It is funded from savings in the courts budget.", "Fine."), "funding", "savings"),
    Case("reprioritised", _two("It is paid for by deferring a road scheme.", "Fine."), "funding", "reprioritisation"),
    Case("mixed", _two("Half is funded from efficiency savings and half from new borrowing.", "Fine."), "funding", "mixed"),
    Case("other", _two("It would be paid for by a levy on gambling firms.", "Fine."), "funding", "other"),
    Case("no-source", _two("The department has not yet identified the source of funding.", "Fine."), "funding", None),
    # headroom
    Case("headroom-none", _two("It has no effect on fiscal headroom.", "Fine."), "headroom_effect", 0.0),
    Case("headroom-cut", _two("It cuts headroom by £2bn.", "Fine."), "headroom_effect", -2e9, "cuts headroom by £2bn"),
    Case("headroom-up", _two("The levy would increase fiscal headroom by £100m.", "Fine."), "headroom_effect", 1e8),
    Case("headroom-label", _two("Cost: £5m.\nEffect on fiscal headroom: none.", "Fine."), "headroom_effect", 0.0),
    # scale: what is bought, and how much
    Case("scale-phrase", _two("We will open 25 diagnostic centres in 12 coastal towns, staffed by NHS teams.", "Fine."),
         "scale", "25 diagnostic centres in 12 coastal towns"),
    Case("scale-by", _two("The fund grows apprenticeship starts in construction by 4,000.", "Fine."),
         "scale", "apprenticeship starts in construction by 4,000"),
    Case("scale-not-served", _two("It will serve 2,000 families a year.", "Fine."), "scale", None),
    # who it serves
    Case("serves-verb", _two("The centres will serve around 300,000 patients, mostly older people.", "Fine."),
         "serves", "around 300,000 patients"),
    Case("serves-receive", _two("Around 5,000 care leavers will receive a mentor.", "Fine."), "serves",
         "Around 5,000 care leavers"),
    Case("serves-people", _two("It offers advice to tenants in damp and mouldy homes.", "Fine."), "serves",
         "tenants in damp and mouldy homes"),
    Case("serves-not-a-thing", _two("It funds 50 family hubs.", "Fine."), "serves", None),
    # outcomes and their dates
    Case("outcome", _two("We seek £5m.", "We expect a 10 per cent fall in repeat calls, which will free up staff, "
                                         "by 2029."), "outcomes", "a 10 per cent fall in repeat calls"),
    Case("outcome-date", _two("We seek £5m.", "We expect a 10 per cent fall in repeat calls by March 2029."),
         "outcome_dates", "2029-03"),
    Case("evaluation-date-not-outcome", _two("We seek £5m.", "We expect fewer repeat calls. An evaluation will be "
                                                             "published in 2028."), "outcome_dates", None),
    Case("review-date-not-outcome", _two("We seek £5m.", "We expect fewer repeat calls, and a post-implementation "
                                                         "review is planned for 2029."), "outcome_dates", None),
    Case("will-when-no-expect", _two("We seek £5m.", "The new vans will cut response times."), "outcomes",
         "cut response times"),
    Case("no-outcome", _two("We seek £5m.", "No outcome measures are set."), "outcomes", None),
    # issue 12 follow-up: wordings beyond the first tune set, each a general rule
    Case("ramp-by-programme-year", _two("Costs run from £8m in year one rising to £20m in year four.", "Fine."),
         "cost_per_year", [8e6, 2e7]),
    Case("ramp-then-steady", _two("It costs £5m in 2026-27, £7m in 2027-28 and £9m a year thereafter.", "Fine."),
         "cost_per_year", [5e6, 9e6], "£9m a year"),
    Case("steady-state-is-not-running", _two("It costs £5m in 2026-27, £7m in 2027-28 and £9m a year thereafter.",
                                             "Fine."), "running_costs", None),
    Case("annual-cost-label", _two("Annual cost: £14m, with capital of £30m in the first year.", "Fine."),
         "cost_per_year", 1.4e7),
    Case("capital-of-is-a-component", _two("Annual cost: £14m, with capital of £30m in the first year.", "Fine."),
         "total_cost", None),
    Case("first-years-is-a-phase", _two("We seek £14m a year, with capital of £30m over the first two years.",
                                        "Fine."), "years", None),
    Case("unit-cost-before", _two("We seek £40m over two years. Each clinic will cost about £2m to run.", "Fine."),
         "cost_per_year", None),
    Case("running-from-year-word", _two("It costs £90m over three years.", "From year four the service will be "
                                        "funded by councils at £30m a year."), "running_costs", 3e7),
    Case("running-from-year-word-when", _two("It costs £90m over three years.", "From year four the service will be "
                                             "funded by councils at £30m a year."), "running_costs_from", 4),
    Case("running-change-not-level", _two("It costs £9m over two years.", "Running costs fall by £1m a year."),
         "running_costs", None),
    Case("span-in-funding-sentence", _two("We seek £70m.", "The money is capital, over three years, and would come "
                                          "from new borrowing."), "years", 3),
    Case("reserve", _two("We seek £70m.", "It would be met from the Treasury reserve."), "funding", "other"),
    Case("bid-at-this-review", _two("We seek £70m.", "Through a bid for new capital at this Spending Review."), "funding",
         "other"),
    Case("transfer-within-budget", _two("We seek £70m.", "It is met by an in-year transfer from the Home Office "
                                        "policing budget."), "funding", "reprioritisation"),
    Case("named-fund", _two("We seek £70m a year.", "It is drawn from DfE's school improvement fund."),
         "funding", "existing departmental limit"),
    Case("partly-new-money", _two("We seek £70m.", "The department will fund it partly from savings, partly new money."),
         "funding", "mixed"),
    Case("local-tax-and-savings", _two("We seek £70m.", "It is funded from the precept and from efficiency savings."),
         "funding", "mixed"),
    Case("headroom-amount-before", _two("We seek £70m.", "Officials estimate a £70m reduction in headroom."),
         "headroom_effect", -7e7),
    Case("headroom-label-amount", _two("We seek £70m.", "Effect on headroom: £70m."), "headroom_effect", -7e7),
    Case("headroom-long-gap", _two("We seek £1bn a year.", "This cuts the headroom against the fiscal rule by £1bn."),
         "headroom_effect", -1e9),
    Case("revenue-is-resource", _two("We seek £70m over two years, all revenue.", "Fine."), "spend_type", "resource"),
    Case("scale-verb-at-sites", _two("Councils will refurbish libraries and add study rooms at 40 town centre sites.",
                                     "Fine."), "scale", "libraries and add study rooms at 40 town centre sites"),
    Case("scale-after-for", _two("The museum bids for £15m of capital for a new conservation studio at its "
                                 "Leeds store.", "Fine."), "scale", "a new conservation studio at its Leeds store"),
    Case("create-count-is-scale", _two("We seek £15m.", "This bid would create 900 new nursery places."),
         "scale", "900 new nursery places"),
    Case("create-count-not-outcome", _two("We seek £15m.", "This bid would create 900 new nursery places."),
         "outcomes", None),
    Case("intends-to", _two("We seek £15m.", "The department intends to halve waiting times for autism assessment "
                                            "by 2029."), "outcome_dates", "2029"),
    Case("funding-plan-not-outcome", _two("We seek £15m.", "DfE intends to fund this from savings. The goal is to cut "
                                          "truancy by 10 per cent."), "outcomes", "cut truancy by 10 per cent"),
    Case("outcome-stops-at-though", _two("We seek £15m.", "We expect delays to fall, though no target is set."),
         "outcomes", "delays to fall"),
    Case("so-that-they-can-not-outcome", _two("We seek £15m for one year only.", "Councils want early notice so that "
                                              "they can plan."), "outcomes", None),
    Case("serves-name-not-verb", _two("We propose raising Pension Credit by £4 a week for every pensioner.",
                                      "This reaches about 1.4 million pensioners."), "serves",
         "about 1.4 million pensioners"),
    Case("serves-go-to", _two("We seek £15m.", "The money will go to carers on low incomes, through councils."),
         "serves", "carers on low incomes"),
    Case("serves-referred", _two("We seek £15m.", "Adults with gambling problems would be referred by GPs."),
         "serves", "Adults with gambling problems"),
    Case("serves-apposition", _two("We seek £15m.", "Staff say tenants and visitors to the 20 estates, about 30,000 "
                                   "households, will benefit."), "serves", "tenants and visitors"),
    Case("serves-each-receive", _two("We seek £15m.", "Young people leaving care, in every council area, would each "
                                     "receive a personal adviser."), "serves", "Young people leaving care"),
    # drafting-tune-v3's shapes: funding mixes, labelled key facts, outcomes reported by modelling, beneficiaries said
    # outright before people named in the background
    Case("funding-savings-then-limit", _two("We seek £150m over three years.", "Savings in emergency admissions are expected "
                                            "to cover the cost from 2027-28; until then the department will meet the gap "
                                            "from within its existing limit."), "funding", "mixed"),
    Case("funding-new-money-bid", _two("We seek £30m.", "The department is bidding for new money at the Autumn Budget."),
         "funding", "other"),
    Case("funding-reprioritise-and-bid", _two("We seek £30m a year.", "The department will reprioritise £10m a year from its "
                                              "support fund and will bid for the remainder at the Spending Review."),
         "funding", "mixed"),
    Case("funding-budget-and-match", _two("We seek £8m.", "Half would come from the department's existing budget and half as "
                                          "match funding from police and crime commissioners."), "funding", "mixed"),
    Case("funding-by-slowing", _two("We seek £40m.", "It is funded from within the agency's settlement by slowing "
                                    "recruitment to some back-office posts."), "funding", "reprioritisation"),
    Case("outcome-modelling-by", _two("We seek £96m.", "Modelling by the Office for Health Improvement suggests 4,500 fewer "
                                      "strokes by 2035."), "outcomes", "4,500 fewer strokes"),
    Case("outcome-analysis-subject", _two("We seek £640m a year.", "Analysis by DWP economists indicates the change would lift "
                                          "45,000 children out of relative poverty."), "outcomes",
         "lift 45,000 children out of relative poverty"),
    Case("outcome-success-would-mean", _two("We seek £45m.", "Success would mean 70 per cent of pupils reaching the expected "
                                            "standard by 2028."), "outcomes", "70 per cent of pupils reaching the expected standard"),
    Case("outcome-should-help", _two("We seek £60m.", "The places should help around 4,000 parents return to work."),
         "outcomes", "help around 4,000 parents return to work"),
    Case("who-benefits-is-not-an-outcome", _two("We seek £96m.", "Who benefits: adults aged 40 to 74 with high blood pressure."),
         "outcomes", None),
    Case("serves-who-benefits-label", _two("Background: nearly half of adults released from custody reoffend within a year.",
                                           "Who benefits: prison leavers without settled accommodation."),
         "serves", "prison leavers without settled accommodation"),
    Case("serves-open-to", _two("We seek £45m.", "The clubs would be open to all Year 7 pupils in those schools."),
         "serves", "all Year 7 pupils in those schools"),
    Case("serves-including", _two("We seek £45m.", "The programme is aimed at low-income social tenants, including around "
                                  "30,000 families with children."), "serves",
         "low-income social tenants, including around 30,000 families with children"),
    Case("serves-subject-to", _two("We seek £640m.", "Who benefits: around 120,000 households subject to the benefit cap."),
         "serves", "around 120,000 households subject to the benefit cap"),
    Case("scale-key-fact-label", _two("Key facts:\n- New places: 6,000\n- Total cost: £60m", "Who benefits: working parents."),
         "scale", "New places: 6,000"),
    Case("scale-labels-run-on", _two("We seek £64m a year.", "Scale — hubs: 45; staff: 380 caseworkers; people supported: "
                                     "around 40,000 prison leavers a year."), "scale", "hubs: 45; staff: 380 caseworkers"),
    Case("scale-proposal-before-background", _two("An estimated four million adults have high blood pressure without "
                                                  "knowing.", "The department proposes to replace all 270 gates at 15 ports."),
         "scale", "270 gates at 15 ports"),
    Case("outcome-targets-list", _two("We seek £54m over three years.", "Targets:\n- 20 per cent fewer first-time entrants "
                                      "to the youth justice system by 2028\n- a 15 per cent fall in knife-enabled robbery"),
         "outcomes", "20 per cent fewer first-time entrants to the youth justice system; a 15 per cent fall in "
                     "knife-enabled robbery"),
    Case("outcome-not-who-pays", _two("We seek £54m over three years.", "From year four, councils would be expected to absorb "
                                      "the cost locally."), "outcomes", None),
    Case("spend-mostly-capital-with-revenue", _two("We seek £600m.", "The spending is mostly capital, with £20m of revenue "
                                                   "for tenant advice."), "spend_type", "both"),
    Case("spend-one-off-build", _two("HMPPS proposes a one-off build of 1,500 cells.", "The build would cost £420m."),
         "spend_type", "capital"),
    Case("spend-revenue-grants", _two("We seek £54m over three years.", "The money goes as revenue grants to councils."),
         "spend_type", "resource"),
    Case("running-administration-costs", _two("We seek £600m over four years.", "Administration costs fall to £5m a year "
                                              "from 2029-30."), "running_costs", 5_000_000.0),
    Case("running-the-new-thing", _two("The build would cost £420m over two years.", "Running the new cells will cost "
                                       "around £65m a year from 2027-28."), "running_costs", 65_000_000.0),
    Case("a-bill-cut-is-not-a-cost", _two("We seek £600m over four years.", "It could cut energy bills for tenants by an "
                                          "average of £400 a year."), "cost_per_year", None),
    Case("ramp-year-labels", _two("We seek funding for three years.", "Funding profile: year 1 £12m; year 2 £18m; year 3 "
                                  "£24m."), "cost_per_year", [12_000_000.0, 24_000_000.0]),
    Case("ramp-words-end-with-the-year", _two("The programme runs for three years.", "It costs £150m in 2025-26, £180m "
                                              "in 2026-27 and £210m in 2027-28."), "cost_per_year",
         [150_000_000.0, 210_000_000.0], words="£210m in 2027-28"),
    Case("scale-in-all", _two("We seek £150m.", "This proposal would build falls services in all 42 integrated care systems."),
         "scale", "falls services in all 42 integrated care systems"),
    # drafting-tune-v4's shapes (our own wording): key-fact lines without full stops, section headings, a bid at the
    # Spending Review, figures that are not the cost, who is served said in passing
    Case("key-fact-lines-are-sentences", _two("Capital: £28m over 2026-27 to 2028-29\nRunning costs: £3.5m a year from "
                                              "2029-30, paid from the public health budget\nHeadroom: nil",
                                              "Who benefits: residents of the covered areas."),
         "running_costs", 3_500_000.0),
    Case("headroom-minus-line", _two("Total cost: £115m over three years\nHeadroom: -£115m over the period", "Fine."),
         "headroom_effect", -115_000_000.0),
    Case("headroom-impact-none", _two("Cost: £32m per annum (revenue)\nHeadroom impact: none", "Fine."),
         "headroom_effect", 0.0),
    Case("funding-spending-review-bid", _two("Cost: £45m a year for three years", "Funding: a bid at the Spending Review."),
         "funding", "other"),
    Case("funding-asking-for-baseline", _two("The cost would be £1.1bn a year.", "I am asking for the cost to be added to our "
                                             "baseline at the Spending Review."), "funding", "other"),
    Case("funding-fund-and-contribute", _two("We seek £87m over three years.", "The ministry will fund £60m through savings "
                                             "from fewer short sentences and the health department will contribute £27m "
                                             "from the public health grant."), "funding", "mixed"),
    Case("funding-savings-made-by", _two("It would cost £18.5m per annum.", "We would pay for it from the savings made by "
                                         "closing two under-used sites."), "funding", "savings"),
    Case("wider-budget-not-the-cost", _two("Cost: £135m a year, ongoing", "Funding: reprioritised within the £9.9bn police "
                                           "grant."), "total_cost", None),
    Case("an-hour-is-per-person", _two("It would raise pay by £1.50 an hour.", "The cost would be around £1.1bn a year."),
         "total_cost", None),
    Case("revenue-after-amount", _two("Split: £40m capital for rooms, £75m revenue for staff", "Fine."),
         "spend_type", "both"),
    Case("running-after-march", _two("The programme costs £252m over three years.", "After March 2029 councils would run the "
                                     "hubs from their own budgets, at around £60m a year."), "running_costs_from", "2029-30"),
    Case("serves-for-label", _two("Key facts\n- Homes: 3,000\n- For: the 12,000 households in temporary accommodation, with "
                                  "priority for families", "Fine."), "serves",
         "the 12,000 households in temporary accommodation"),  # the label's value as written, up to its qualifier
    Case("serves-mainly-for", _two("We seek £220m.", "The beds are mainly for frail older people recovering at home."),
         "serves", "frail older people recovering at home"),
    Case("serves-bare-group-with-clause", _two("We seek £87m.", "The service is aimed at adults whose offending is linked to "
                                               "drug misuse."), "serves", "adults whose offending is linked to drug misuse"),
    Case("serves-benefit-is-a-noun", _two("The gap between benefit support and rent is a cause of family homelessness.",
                                          "The change would benefit private renters on housing benefit."), "serves",
         "private renters on housing benefit"),
    Case("serves-for-people-in-the-proposal", _two("We propose a network of 150 hubs for young people aged 18 to 24 who have "
                                                   "been out of work for six months.", "It costs £80m a year."), "serves",
         "young people aged 18 to 24 who have been out of work for six months"),
    Case("outcome-evaluation-projects", _two("We seek £48m a year.", "The evaluation projects a gain of four months in "
                                             "healthy life expectancy by 2034."), "outcomes",
         "a gain of four months in healthy life expectancy"),
    Case("outcome-should-lead-to", _two("We seek £18m a year.", "We think this should lead to fewer repeat admissions."),
         "outcomes", "fewer repeat admissions"),
    Case("scale-before-so-that", _two("The trust wants to add 2,500 virtual ward beds so that more patients are cared for "
                                      "at home.", "We seek £220m."), "scale", "2,500 virtual ward beds"),
    Case("serves-under-a-numbered-heading", _two("2. Cost. £60m a year.", "3. Beneficiaries. Adults with long-term "
                                                 "conditions who live alone."), "serves",
         "Adults with long-term conditions who live alone"),
    Case("serves-question-and-answer", _two("Q1. What is the cost?\nA1. £120m of CDEL.", "Q2. Who will benefit?\nA2. Patients "
                                            "referred for a scan, particularly those on cancer pathways."), "serves",
         "Patients referred for a scan"),
    Case("outcome-table-target", _two("| Item | Detail |\n|---|---|\n| Cost | £85m per year |\n| Target | 35,000 more people "
                                      "a year living at home after discharge, by 2029-30 |", "Fine."), "outcomes",
         "35,000 more people a year living at home after discharge"),
    Case("headroom-table-row", _two("| Item | Detail |\n|---|---|\n| Cost | £85m per year |\n| Headroom | -£85m a year |",
                                    "Fine."), "headroom_effect", -85_000_000.0),
    Case("outcome-not-who-pays-later", _two("We seek £85m per year.", "After 2029-30 the teams are expected to be funded "
                                            "through the Better Care Fund."), "outcomes", None),
    Case("serves-would-qualify", _two("The payment would cost £500m.", "About 3 million children would qualify."),
         "serves", "About 3 million children"),
    # outcomes under a heading that names them (issue 12: 'OUTCOME', 'What success looks like', a row 'Outcome metric')
    Case("outcome-under-heading", _two("We seek £40m a year for three years.", "EXPECTED IMPACT\n4. Delayed discharges "
                                       "fall by a fifth, from 12,000 to 9,600 a month, by 2029."), "outcomes",
         "Delayed discharges fall by a fifth, from 12,000 to 9,600 a month"),
    Case("outcome-under-heading-bullets", _two("Cost: £9m a year.", "Slide 5 - What success looks like\n- 15% fewer "
                                               "exclusions by 2030\n- Better attendance"), "outcomes", "15% fewer exclusions"),
    Case("outcome-heading-not-past-finding", _two("Cost: £9m a year.", "What will change\nA pilot found a 20 per cent "
                                                  "fall in exclusions. We aim for exclusions to fall by 10 per cent by 2030."),
         "outcomes", "exclusions to fall by 10 per cent"),
    # a costing note's or spreadsheet's figures in a stated unit
    Case("ramp-in-stated-unit", _two("Costing (£bn, resource DEL)\n0.35 in 2026-27 (September start), 0.80 in 2027-28 and "
                                     "0.95 in 2028-29.", "Fine."), "cost_per_year", [0.35e9, 0.95e9]),
    Case("ramp-in-spreadsheet-rows", _two("Row 4.10 | 2026-27 (£m) | 55\nRow 4.11 | 2027-28 (£m) | 78\nRow 4.12 | 2028-29 "
                                          "(£m) | 90\nRow 4.13 | Total SR period (£m) | 223", "Fine."), "cost_per_year",
         [55e6, 90e6]),
    Case("total-in-spreadsheet-rows", _two("Row 4.10 | 2026-27 (£m) | 55\nRow 4.11 | 2027-28 (£m) | 78\nRow 4.12 | 2028-29 "
                                           "(£m) | 90\nRow 4.13 | Total SR period (£m) | 223", "Fine."), "total_cost", 223e6),
    Case("ramp-then-total", _two("It costs £0.7bn in 2026-27, £1.2bn in 2027-28 and £1.4bn in 2028-29, £3.3bn in total.",
                                 "Fine."), "total_cost", 3.3e9, "£3.3bn"),
    Case("spend-type-not-the-forms-field", _two("BOX 5 - Capital / resource\nResource only", "Cost: £9m a year."),
         "spend_type", "resource", "Resource"),
    Case("spend-type-in-stated-unit", _two("Costing (£bn, resource DEL)\n0.35 in 2026-27 and 0.80 in 2027-28.", "Fine."),
         "spend_type", "resource"),
    # how it is paid for
    Case("funding-addition-to-the-limit-is-new-money", _two("The beds cost £1.4bn a year and require an addition to the "
                                                            "departmental expenditure limit at the Spending Review.", "Fine."),
         "funding", "other"),
    Case("funding-how-savings-are-made", _two("Cost: £9m a year.", "Affordability: met from savings already banked in the "
                                              "programme budget by ending a marketing contract."), "funding", "savings"),
    Case("funding-offsets-row", _two("Row 4.10 | Cost (£m) | 12", "Row 4.14 | Offsets | Savings from closing four "
                                     "processing centres, fully covering the cost"), "funding", "savings"),
    Case("running-steady-state-row", _two("Row 4.10 | 2026-27 (£m) | 55", "Row 4.16 | Steady-state cost from 2029-30 "
                                          "(£m a year) | 90, within DWP baseline"), "running_costs", 90e6, "90"),
    Case("funding-only-the-ticked-box", _two("B3 Cost: £46.5m of capital.", "B4 Source of funds: [ ] Existing DfE "
                                             "allocation  [ ] Council contribution  [X] New funding requested at the "
                                             "Spending Review"), "funding", "other"),
    # headroom said to be untouched in a form's box, a list of aggregates or a spreadsheet row
    Case("headroom-nil-under-heading", _two("Annual cost: £12m.", "BOX 7 - Effect on fiscal headroom\nNil: it is "
                                            "self-financing."), "headroom_effect", 0.0),
    Case("headroom-none-of-several", _two("Cost: £12m a year.", "No impact on PSNB or headroom."), "headroom_effect", 0.0),
    Case("headroom-row-zero", _two("Row 4.10 | Cost (£m) | 12", "Row 4.15 | Net headroom impact | 0"), "headroom_effect",
         0.0),
    # a numbered paragraph reads from its first word ('4.3 From 2029-30 the hubs will cost …')
    Case("running-in-numbered-paragraph", _two("4.1 The total cost is £7.8m over 2026-27 to 2028-29.", "4.3 From 2029-30 "
                                               "the hubs will cost £1.6m a year, met from the council's base budget."),
         "running_costs", 1.6e6, "£1.6m a year"),
    Case("outcome-under-numbered-heading", _two("Cost: £9m a year.", "BOX 8 - Outcomes sought, with dates\n2,000 fewer "
                                                "hospital admissions for asthma, by 2031."), "outcomes",
         "2,000 fewer hospital admissions for asthma"),
    Case("outcome-in-spreadsheet-row", _two("Row 4.10 | Cost (£m) | 12", "Row 4.17 | Outcome metric | 5,000 more carers "
                                            "in work by 2030"), "outcomes", "5,000 more carers in work"),
    # a second aim after a first closed by its date is another outcome ('… by June 2027 and to open …')
    Case("outcome-first-aim-ends-at-its-date", _two("Cost: £9m a year.", "The aim is to clear the repairs backlog by June "
                                                    "2027 and to open two more depots."), "outcomes",
         "clear the repairs backlog"),
    Case("outcome-should-see", _two("Cost: £9m a year.", "Residents should see a fall of 10 per cent in burglary by 2029."),
         "outcomes", "a fall of 10 per cent in burglary"),
    # who it serves, under a heading, in a spreadsheet row, or a label; never a name or a heading in capitals
    Case("serves-under-who-heading", _two("Cost: £2m a year.", "3. Who the hubs are for\n3.1 Young people aged 16 to 24 "
                                          "who are NEET."), "serves", "Young people aged 16 to 24 who are NEET"),
    Case("serves-client-group-row", _two("Row 4.08 | Client group | Lone parents in Universal Credit households",
                                         "Row 4.10 | Cost (£m) | 12"), "serves", "Lone parents in Universal Credit households"),
    Case("serves-target-group-smokers", _two("Cost: £9m a year.", "Target group: adult smokers in routine and manual "
                                             "occupations."), "serves", "adult smokers in routine and manual occupations"),
    Case("serves-not-a-name", "Report of the Cabinet Member for Children, Ashworth Council\n\nThe council would open three "
         "hubs at a cost of £2m.", "serves", None),
    # who it serves, said by a label or heading on a bulleted line, by 'Benefits:' or 'Users', or by eligibility
    Case("serves-bulleted-for-label", _two("Key facts\n- Cost: £3m a year\n- For: tenants of damp homes in the 8 wards, "
                                           "with priority for babies", "Fine."), "serves",
         "tenants of damp homes in the 8 wards"),
    Case("serves-bulleted-for-people", _two("What we propose\n- Two memory clinics\n- For people aged 80+ living alone, "
                                            "around 1,500 residents", "Cost: £2m a year."), "serves",
         "people aged 80+ living alone"),
    Case("serves-benefits-label", _two("Key facts:\n- Cost: £4m\n- Benefits: residents who use the branch libraries, "
                                       "and the volunteers", "Fine."), "serves",
         "residents who use the branch libraries, and the volunteers"),
    Case("serves-users-heading", _two("Cost: £5m of capital.", "Users\nThe ambulance service, and patients waiting for "
                                      "transfer."), "serves", "The ambulance service, and patients waiting for transfer"),
    Case("serves-label-value-is-its-line", _two("Cost: £6m a year.", "Beneficiaries: adults leaving hospital after a fall, "
                                                "stroke or heart attack who need help at home."), "serves",
         "adults leaving hospital after a fall, stroke or heart attack who need help at home"),
    Case("serves-inpatients", _two("Cost: £8m.", "Q2. Who will benefit?\nA2. Inpatients and outpatients awaiting "
                                   "physiotherapy."), "serves", "Inpatients and outpatients awaiting physiotherapy"),
    Case("serves-homes-let-to", _two("We will build 400 homes, let to families with children who are living in hostels.",
                                     "It costs £90m."), "serves", "families with children who are living in hostels"),
    Case("serves-offers-ends-at-what-is-given", _two("The scheme offers young carers aged 12 to 17 a week's respite break "
                                                     "each summer.", "It costs £2m."), "serves",
         "young carers aged 12 to 17"),
    Case("serves-eligible-before-staff-caseloads", _two("Around 6,000 young carers would be eligible. 50 support workers "
                                                        "would be hired, each working with about 40 families.",
                                                        "It costs £3m."), "serves", "Around 6,000 young carers"),
    Case("serves-defining-clause-of-verbs", _two("We propose 20 wardens. The wardens are for people who walk, cycle or "
                                                 "ride horses on the 12 moorland paths.", "It costs £1m."), "serves",
         "people who walk, cycle or ride horses on the 12 moorland paths"),
    # a count that is the subject of what happened is the case for spending, not what is bought
    Case("scale-not-the-problem", _two("Last winter 90,000 patients waited over four hours for an ambulance.",
                                       "We propose 120 new ambulances at a cost of £30m."), "scale", "120 new ambulances"),
    Case("scale-not-a-section-number", _two("2 - What we propose\nThe council would open 14 warm hubs.", "Cost: £2m."),
         "scale", "14 warm hubs"),
    Case("scale-network-of-with-apposition", _two("The department asks ministers to agree a network of 1,200 link workers, "
                                                  "one in every primary care network.", "It costs £48m a year."), "scale",
         "a network of 1,200 link workers, one in every primary care network"),
    # a count that gives a state of affairs ('stands at around …') is the case for spending, approximate or not
    Case("scale-not-a-state-of-affairs", _two("The waiting list stands at around 4,000 families.", "The council asks for "
                                              "£2m to fund 60 more foster carers."), "scale", "60 more foster carers"),
    # a count after 'across', 'to all', 'in the' says where: what is bought comes before it, with which places it goes to
    Case("scale-where-with-verb", _two("The council proposes to renew street lighting and install cameras across the 9 "
                                       "estates with the highest burglary rates.", "It costs £4m."), "scale",
         "street lighting and install cameras across the 9 estates with the highest burglary rates"),
    Case("scale-where-extend-to-all", _two("The proposal is to extend free bus travel for apprentices to all 36 transport "
                                           "authorities.", "It costs £20m a year."), "scale",
         "free bus travel for apprentices to all 36 transport authorities"),
    Case("scale-where-passive-subject", _two("Stroke rehabilitation will be expanded in the 25 integrated care boards with "
                                             "the longest waits, the minister said.", "It costs £30m."), "scale",
         "Stroke rehabilitation will be expanded in the 25 integrated care boards with the longest waits"),
    # what each thing bought is made of belongs to the scale ('…, each joining …')
    Case("scale-each-made-of", _two("What we propose\n- 6 school nursing teams, each bringing together nurses, a "
                                    "counsellor and a dietitian\n- Teams cover 40 schools", "It costs £3m a year."), "scale",
         "6 school nursing teams, each bringing together nurses, a counsellor and a dietitian"),
    # a counted subject of a passive buying verb runs on through its clause
    Case("scale-counted-passive", _two("Last year 8,000 tenants complained of damp.", "Some 300 surveyors would be "
                                       "recruited by district councils, each covering 2,000 homes."), "scale",
         "300 surveyors would be recruited by district councils"),
    # the answer to a heading that asks what is bought, or a label naming the preferred option
    Case("scale-under-heading", _two("BOX 2 - What will the money buy?\nFree hearing tests offered by high-street "
                                     "opticians in every county, with referral where needed.", "Background: 40,000 people "
                                     "waited last year."), "scale", "Free hearing tests offered by high-street opticians in "
                                     "every county"),
    Case("scale-under-the-ask-strips-the-request", _two("The ask\nThe trust asks ministers to agree a fleet of 12 mobile "
                                                        "dental units, one in each coastal district.", "It costs £6m."),
         "scale", "a fleet of 12 mobile dental units, one in each coastal district"),
    Case("scale-preferred-option-label", _two("Preferred option (Option 2 of 3): weekend opening of 30 libraries, funding "
                                              "extra staff hours.", "It costs £3m."), "scale",
         "weekend opening of 30 libraries"),
    Case("scale-answer-about-what-was-named-is-skipped", _two("We seek approval for 500 new allotment plots.",
                                                               "Preferred option\nThe new plots would be laid out on "
                                                               "council land."), "scale", "500 new allotment plots"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_reader_rule(case: Case) -> None:
    fact = read_proposal(case.text).stated()[case.key]
    if case.value is None:
        assert fact is None, f"read {fact} where the proposal states nothing"
        return
    assert fact is not None, f"{case.key} not read"
    assert fact.value == case.value
    assert fact.words in case.text, "the words are an exact substring of the proposal"
    if case.words:
        assert case.words in fact.words


def test_every_fact_is_quoted_verbatim_and_the_summary_fields_are_kept() -> None:
    text = ("Warm Homes for Renters (Department)\n\nWe will insulate 40,000 privately rented homes at a cost of £600m "
            "over three years, all capital, met within the department's existing departmental expenditure limit "
            "with no effect on fiscal headroom.\n\nIt will serve around 90,000 tenants on low incomes. There are no "
            "running costs. We expect fuel poverty among them to halve by 2030.")
    facts = read_proposal(text)
    stated = facts.stated()
    assert list(stated) == list(PROPOSAL_FACT_KEYS)
    for key, fact in stated.items():
        assert fact is None or fact.words in text, key
    assert [k for k, v in stated.items() if v is None] == ["cost_per_year", "running_costs_from"]
    assert (facts.cost, facts.years, facts.scale) == ("£600m", 3, "40,000 privately rented homes")
    assert ProposalFacts.model_validate_json(facts.model_dump_json()) == facts, "the JSON round-trips"


def test_a_recurring_cost_with_no_end_has_no_separate_running_costs() -> None:
    reading = read(_two("We seek £40m a year on an ongoing basis.", "Fine."))
    assert reading.facts.years_fact is None and reading.facts.running_costs is None
    assert reading.facts.cost_per_year is not None


def test_a_named_payer_for_running_costs_is_kept_without_inventing_an_amount() -> None:
    reading = read(_two("It costs £90m over three years.", "Colleges will meet the running costs from fee income."))
    assert reading.facts.running_costs is None
    assert reading.running_payer is not None and "fee income" in reading.running_payer.words
