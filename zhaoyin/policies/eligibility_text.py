"""The eligibility engine's words: ``lib.eligibility`` emits ``Text`` (a message key and its
parameters), this module puts it into words through gettext in the request's language.

The msgids are English, under the context "eligibility" (a short word such as "Location" may
mean something else elsewhere); the Chinese is in the zh_Hans catalogue like every other string.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import pgettext, pgettext_lazy

from zhaoyin.lib import eligibility as engine

#: Every message key the engine emits → its words.
WORDS: dict[str, Promise] = {
    "field.industry": pgettext_lazy("eligibility", "Industry"),
    "field.size_class": pgettext_lazy("eligibility", "Size class"),
    "field.org_unit": pgettext_lazy("eligibility", "Location"),
    "field.emerging": pgettext_lazy("eligibility", "Emerging industry"),
    "field.land_mu": pgettext_lazy("eligibility", "Land area"),
    "field.employees": pgettext_lazy("eligibility", "Employees"),
    "field.age_years": pgettext_lazy("eligibility", "Years since founding"),
    "field.mu_grade": pgettext_lazy("eligibility", "Land-efficiency grade"),
    "field.mu_grade_year": pgettext_lazy("eligibility", "Year of the land-efficiency grade"),
    "mu_grade.A": pgettext_lazy("eligibility", "grade A"),
    "mu_grade.B": pgettext_lazy("eligibility", "grade B"),
    "mu_grade.C": pgettext_lazy("eligibility", "grade C"),
    "mu_grade.D": pgettext_lazy("eligibility", "grade D"),
    "field_unit.land_mu": pgettext_lazy("eligibility", "mu"),
    "field_unit.employees": pgettext_lazy("eligibility", "persons"),
    "field_unit.age_years": pgettext_lazy("eligibility", "years"),
    "figure.revenue_wan": pgettext_lazy("eligibility", "revenue"),
    "figure.tax_wan": pgettext_lazy("eligibility", "tax paid"),
    "figure.output_wan": pgettext_lazy("eligibility", "output"),
    "figure.value_added_wan": pgettext_lazy("eligibility", "value added"),
    "figure.energy_tce": pgettext_lazy("eligibility", "energy use"),
    "figure.emissions_t": pgettext_lazy("eligibility", "emissions"),
    "figure.rd_wan": pgettext_lazy("eligibility", "R&D spend"),
    "figure.employees": pgettext_lazy("eligibility", "employees"),
    "figure.electricity_kwh": pgettext_lazy("eligibility", "electricity use"),
    "figure_unit.revenue_wan": pgettext_lazy("eligibility", "× 10k yuan"),
    "figure_unit.tax_wan": pgettext_lazy("eligibility", "× 10k yuan"),
    "figure_unit.output_wan": pgettext_lazy("eligibility", "× 10k yuan"),
    "figure_unit.value_added_wan": pgettext_lazy("eligibility", "× 10k yuan"),
    "figure_unit.energy_tce": pgettext_lazy("eligibility", "tce"),
    "figure_unit.emissions_t": pgettext_lazy("eligibility", "t"),
    "figure_unit.rd_wan": pgettext_lazy("eligibility", "× 10k yuan"),
    "figure_unit.employees": pgettext_lazy("eligibility", "persons"),
    "figure_unit.electricity_kwh": pgettext_lazy("eligibility", "kWh"),
    "size.above": pgettext_lazy("eligibility", "above designated size"),
    "size.below": pgettext_lazy("eligibility", "below designated size"),
    "group.all": pgettext_lazy("eligibility", "All of the following"),
    "group.any": pgettext_lazy("eligibility", "Any of the following"),
    "not_object": pgettext_lazy("eligibility", "must be an object"),
    "no_kind": pgettext_lazy("eligibility", "the condition kind is missing, one of %(kinds)s"),
    "two_kinds": pgettext_lazy("eligibility", "only one kind of condition is allowed, found %(found)s"),
    "unknown_key": pgettext_lazy("eligibility", 'unknown key "%(key)s"'),
    "missing": pgettext_lazy("eligibility", "is missing"),
    "group_list": pgettext_lazy("eligibility", "must be a list"),
    "group_empty": pgettext_lazy("eligibility", "a group cannot be empty"),
    "too_deep": pgettext_lazy("eligibility", "conditions cannot be nested deeper than %(max)s levels"),
    "too_many": pgettext_lazy("eligibility", "a tree has at most %(max)s nodes"),
    "unknown_field": pgettext_lazy("eligibility", 'unknown field "%(name)s"'),
    "unknown_figure": pgettext_lazy("eligibility", 'unknown figure "%(name)s"'),
    "unknown_op": pgettext_lazy("eligibility", 'unknown operator "%(op)s"'),
    "op_not_allowed": pgettext_lazy("eligibility", 'operator "%(op)s" is not allowed here; use %(allowed)s'),
    "not_text": pgettext_lazy("eligibility", "must be text"),
    "scalar_needed": pgettext_lazy("eligibility", "operator %(op)s takes a single value"),
    "too_many_values": pgettext_lazy("eligibility", "at most %(max)s values"),
    "list_needed": pgettext_lazy("eligibility", "operator in takes a non-empty list"),
    "duplicate": pgettext_lazy("eligibility", 'duplicate value "%(value)s"'),
    "unknown_industry": pgettext_lazy("eligibility", 'unknown industry code "%(value)s"'),
    "unknown_size": pgettext_lazy("eligibility", 'unknown size class "%(value)s", use above or below'),
    "unknown_unit": pgettext_lazy("eligibility", 'unknown org unit code "%(value)s"'),
    "unknown_qualification": pgettext_lazy("eligibility", 'unknown qualification "%(value)s"'),
    "not_bool": pgettext_lazy("eligibility", "must be true or false"),
    "not_number": pgettext_lazy("eligibility", "must be a number"),
    "not_finite": pgettext_lazy("eligibility", "must be a finite number"),
    "negative": pgettext_lazy("eligibility", "cannot be negative"),
    "not_whole": pgettext_lazy("eligibility", "must be a whole number"),
    "too_precise": pgettext_lazy("eligibility", "at most %(places)s decimal places and %(digits)s significant digits"),
    "too_large": pgettext_lazy("eligibility", "is too large"),
    "year_type": pgettext_lazy("eligibility", "the year must be a whole number"),
    "year_range": pgettext_lazy("eligibility", "the year must be between %(lo)s and %(hi)s"),
    "ratio_pair": pgettext_lazy("eligibility", "must be [numerator figure, denominator figure]"),
    "ratio_same": pgettext_lazy("eligibility", "the numerator and denominator must differ"),
    "tree_error": pgettext_lazy("eligibility", "the eligibility tree is invalid"),
    "figure_subject": pgettext_lazy("eligibility", "%(year)s %(figure)s"),
    "ratio_subject": pgettext_lazy("eligibility", "%(year)s %(num)s / %(den)s"),
    "compare": pgettext_lazy("eligibility", "%(subject)s %(symbol)s %(value)s"),
    "compare_reason": pgettext_lazy("eligibility", "%(subject)s %(actual)s %(symbol)s %(value)s"),
    "missing_data": pgettext_lazy("eligibility", "No data for %(subject)s"),
    "set_eq": pgettext_lazy("eligibility", "%(subject)s is %(values)s"),
    "set_in": pgettext_lazy("eligibility", "%(subject)s is one of %(values)s"),
    "set_ne": pgettext_lazy("eligibility", "%(subject)s is not %(values)s"),
    "set_eq_met": pgettext_lazy("eligibility", "%(subject)s is %(actual)s"),
    "set_eq_unmet": pgettext_lazy("eligibility", "%(subject)s is %(actual)s, not %(values)s"),
    "set_in_met": pgettext_lazy("eligibility", "%(subject)s is %(actual)s, one of %(values)s"),
    "set_in_unmet": pgettext_lazy("eligibility", "%(subject)s is %(actual)s, not one of %(values)s"),
    "emerging_true": pgettext_lazy("eligibility", "In an emerging industry"),
    "emerging_false": pgettext_lazy("eligibility", "Not in an emerging industry"),
    "emerging_is": pgettext_lazy("eligibility", "The industry is an emerging one"),
    "emerging_is_not": pgettext_lazy("eligibility", "The industry is not an emerging one"),
    "qualification": pgettext_lazy("eligibility", "Holds %(name)s"),
    "qualification_not": pgettext_lazy("eligibility", "Does not hold %(name)s"),
    "qualifications_unknown": pgettext_lazy("eligibility", "Qualifications not recorded"),
    "ratio_zero": pgettext_lazy("eligibility", "%(subject)s is 0, the ratio cannot be computed"),
    "ratio_negative": pgettext_lazy(
        "eligibility", "%(subject)s is %(value)s, not positive, the ratio cannot be computed"
    ),
    "with_unit": pgettext_lazy("eligibility", "%(value)s %(unit)s"),
    # A talent's fields (issue 13): ``field.talent.<name>``, and the codes of its coded fields.
    "field.talent.industry": pgettext_lazy("eligibility", "Industry"),
    "field.talent.org_unit": pgettext_lazy("eligibility", "Location"),
    "field.talent.emerging": pgettext_lazy("eligibility", "Emerging industry"),
    "field.talent.education": pgettext_lazy("eligibility", "Education"),
    "field.talent.title": pgettext_lazy("eligibility", "Professional title"),
    "field.talent.tier": pgettext_lazy("eligibility", "Talent tier"),
    "field.talent.channel": pgettext_lazy("eligibility", "Source channel"),
    "field.talent.age_years": pgettext_lazy("eligibility", "Age"),
    "field.talent.age_at_arrival": pgettext_lazy("eligibility", "Age at arrival"),
    "field.talent.years_since_arrival": pgettext_lazy("eligibility", "Years since arrival"),
    "field.talent.contract_years": pgettext_lazy("eligibility", "Labour contract length"),
    "field.talent.social_insurance_months": pgettext_lazy("eligibility", "Social insurance paid in the city"),
    "field.talent.contract_in_city": pgettext_lazy("eligibility", "Labour contract in the city"),
    "field_unit.age_at_arrival": pgettext_lazy("eligibility", "years"),
    "field_unit.years_since_arrival": pgettext_lazy("eligibility", "years"),
    "field_unit.contract_years": pgettext_lazy("eligibility", "years"),
    "field_unit.social_insurance_months": pgettext_lazy("eligibility", "months"),
    "education.doctorate": pgettext_lazy("eligibility", "doctorate"),
    "education.master": pgettext_lazy("eligibility", "master's degree"),
    "education.bachelor": pgettext_lazy("eligibility", "bachelor's degree"),
    "education.college": pgettext_lazy("eligibility", "college diploma"),
    "education.other": pgettext_lazy("eligibility", "other education"),
    "title.senior": pgettext_lazy("eligibility", "senior (full) title"),
    "title.associate": pgettext_lazy("eligibility", "associate senior title"),
    "title.intermediate": pgettext_lazy("eligibility", "intermediate title"),
    "title.junior": pgettext_lazy("eligibility", "junior title"),
    "title.none": pgettext_lazy("eligibility", "no title"),
    "tier.A": pgettext_lazy("eligibility", "tier A"),
    "tier.B": pgettext_lazy("eligibility", "tier B"),
    "tier.C": pgettext_lazy("eligibility", "tier C"),
    "tier.D": pgettext_lazy("eligibility", "tier D"),
    "tier.E": pgettext_lazy("eligibility", "tier E"),
    "channel.station": pgettext_lazy("eligibility", "talent workstation"),
    "channel.enclave": pgettext_lazy("eligibility", "talent enclave"),
    "channel.campus": pgettext_lazy("eligibility", "campus recruitment"),
    "channel.referral": pgettext_lazy("eligibility", "talent referral"),
    "channel.employer": pgettext_lazy("eligibility", "recruited by the employer"),
    "channel.other": pgettext_lazy("eligibility", "other channel"),
    "contract_in_city_true": pgettext_lazy("eligibility", "Holds a labour contract with an employer in the city"),
    "contract_in_city_false": pgettext_lazy("eligibility", "Holds no labour contract with an employer in the city"),
    "contract_in_city_is": pgettext_lazy("eligibility", "A labour contract with an employer in the city is in force"),
    "contract_in_city_is_not": pgettext_lazy(
        "eligibility", "No labour contract with an employer in the city is in force"
    ),
    "kind_not_for_subject": pgettext_lazy("eligibility", 'a "%(kind)s" condition does not apply to this subject'),
    "unknown_code": pgettext_lazy("eligibility", 'unknown code "%(value)s", use one of %(allowed)s'),
}


def words(text: engine.Text) -> str:
    """``text`` in words, in the active language."""
    params = {name: _param(value) for name, value in text.params.items()}
    return str(WORDS[text.key]) % params


def _param(value: object) -> str:
    if isinstance(value, engine.Text):
        return words(value)
    if isinstance(value, tuple):
        # The list separator: "、" in Chinese.
        return pgettext("eligibility", ", ").join(_param(item) for item in value)
    return str(value)


def tree_errors(exc: engine.TreeError) -> list[tuple[str, str]]:
    """The problems of a refused tree as (path, message in words)."""
    return [(path, words(message)) for path, message in exc.errors]


def tree_error_summary(exc: engine.TreeError) -> str:
    """One line naming every problem of a refused tree ("条件树有误: eligibility.all[0].op: …")."""
    summary = "; ".join(f"{path}: {message}" for path, message in tree_errors(exc))
    return f"{words(engine.Text('tree_error'))}: {summary}"


def described(lines: list[tuple[int, engine.Text]]) -> list[tuple[int, str]]:
    """``engine.describe``'s lines in words."""
    return [(depth, words(text)) for depth, text in lines]
